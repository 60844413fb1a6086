package dev.chainrule.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chainrule.autograd.internal.Parallel;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The fused in-place updates optimizers use (lerp, addcmul, addcdiv, the square-root denominator,
 * clamp): each equals its formula element by element, bit for bit (also on arrays large enough to
 * be split across threads), bumps the version once, is refused outside no-grad, and checks shapes.
 */
@SuppressWarnings("try") // no-grad scopes are used only for their effect
class InPlaceUpdatesTest {

    private static double[] random(SplittableRandom rng, int n, double lo, double hi) {
        double[] d = new double[n];
        for (int i = 0; i < n; i++) d[i] = rng.nextDouble(lo, hi);
        return d;
    }

    /** Runs {@code op} on a copy of {@code x0} under no-grad and returns the new values, checking the version bump. */
    private static double[] apply(double[] x0, Consumer<Tensor> op) {
        Tensor x = Tensor.of(x0);
        try (var s = Autograd.noGrad()) {
            op.accept(x);
        }
        assertEquals(1, x.version(), "one in-place op bumps the version once");
        return x.toArray();
    }

    @Test
    void eachOpEqualsItsFormulaBitForBitSerialAndSplit() {
        SplittableRandom rng = new SplittableRandom(12);
        for (int n : new int[] {1, 7, 2 * Parallel.GRAIN + 3}) {
            double[] x = random(rng, n, -2, 2), a = random(rng, n, -3, 3), b = random(rng, n, 0.5, 4), s = random(rng, n, 0, 9);
            Tensor at = Tensor.of(a), bt = Tensor.of(b), st = Tensor.of(s);
            double[] lerpSmall = new double[n], lerpLarge = new double[n], mul = new double[n], div = new double[n];
            double[] sqrt = new double[n], sqrt1 = new double[n], clamp = new double[n];
            for (int i = 0; i < n; i++) {
                lerpSmall[i] = x[i] + 0.1 * (a[i] - x[i]);
                lerpLarge[i] = a[i] - (a[i] - x[i]) * (1 - 0.999);
                mul[i] = x[i] + -0.25 * a[i] * b[i];
                div[i] = x[i] + 0.3 * a[i] / b[i];
                sqrt[i] = x[i] + -0.01 * a[i] / (Math.sqrt(s[i]) / 0.7 + 1e-8);
                sqrt1[i] = x[i] + -0.01 * a[i] / (Math.sqrt(s[i]) + 1e-8);
                clamp[i] = Math.min(Math.max(x[i], -0.5), 1.0);
            }
            assertArrayEquals(lerpSmall, apply(x, t -> t.lerpInPlace(at, 0.1)), 0.0, "lerp, n = " + n);
            assertArrayEquals(lerpLarge, apply(x, t -> t.lerpInPlace(at, 0.999)), 0.0, "lerp w >= 0.5, n = " + n);
            assertArrayEquals(mul, apply(x, t -> t.addcmulInPlace(at, bt, -0.25)), 0.0, "addcmul, n = " + n);
            assertArrayEquals(div, apply(x, t -> t.addcdivInPlace(at, bt, 0.3)), 0.0, "addcdiv, n = " + n);
            assertArrayEquals(sqrt, apply(x, t -> t.addcdivSqrtInPlace(at, st, -0.01, 0.7, 1e-8)), 0.0, "addcdivSqrt, n = " + n);
            assertArrayEquals(sqrt1, apply(x, t -> t.addcdivSqrtInPlace(at, st, -0.01, 1, 1e-8)), 0.0, "addcdivSqrt d=1, n = " + n);
            assertArrayEquals(clamp, apply(x, t -> t.clampInPlace(-0.5, 1.0)), 0.0, "clamp, n = " + n);
        }
    }

    @Test
    void lerpEndsAtItsEndpointsAndAliasingWorks() {
        double[] x = {1, -2, 3};
        Tensor end = Tensor.of(4.0, 5.0, 6.0);
        assertArrayEquals(x, apply(x, t -> t.lerpInPlace(end, 0)), 0.0);
        assertArrayEquals(new double[] {4, 5, 6}, apply(x, t -> t.lerpInPlace(end, 1)), 0.0, "exact at w = 1 (PyTorch's second branch)");
        // The target may also be an operand: x + x·x = x + x².
        assertArrayEquals(new double[] {2, 2, 12}, apply(x, t -> t.addcmulInPlace(t, t, 1)), 0.0);
    }

    @Test
    void returnsItselfSoUpdatesChain() {
        Tensor v = Tensor.of(1.0, 2.0);
        Tensor g = Tensor.of(3.0, 4.0);
        try (var s = Autograd.noGrad()) {
            assertSame(v, v.mulInPlace(0.5).addcmulInPlace(g, g, 0.5));   // Adam's v.mul_(β₂).addcmul_(g, g, 1 − β₂)
        }
        assertArrayEquals(new double[] {0.5 + 4.5, 1 + 8}, v.toArray(), 0.0);
        assertEquals(2, v.version());
    }

    @Test
    void nanPropagatesAndClampKeepsNaN() {
        double[] x = {Double.NaN, 1};
        assertTrue(Double.isNaN(apply(x, t -> t.clampInPlace(0, 0.5))[0]));
        double[] r = apply(new double[] {1, 1}, t -> t.addcdivSqrtInPlace(Tensor.of(1.0, 1.0), Tensor.of(-1.0, 4.0), 1, 1, 0));
        assertTrue(Double.isNaN(r[0]), "√−1 is NaN, not silently replaced");
        assertEquals(1.5, r[1], 0.0);
    }

    @Test
    void refusedOutsideNoGrad() {
        Tensor x = Tensor.of(1.0, 2.0);
        Tensor o = Tensor.of(3.0, 4.0);
        for (Runnable op : new Runnable[] {() -> x.lerpInPlace(o, 0.5), () -> x.addcmulInPlace(o, o, 1),
            () -> x.addcdivInPlace(o, o, 1), () -> x.addcdivSqrtInPlace(o, o, 1, 1, 1e-8), () -> x.clampInPlace(0, 1)}) {
            IllegalStateException e = assertThrows(IllegalStateException.class, op::run);
            assertTrue(e.getMessage().contains("InPlace: in-place updates are only allowed inside Autograd.noGrad()"), e.getMessage());
        }
        assertArrayEquals(new double[] {1, 2}, x.toArray(), 0.0);
        assertEquals(0, x.version());
    }

    @Test
    void badOperandsAreRejectedAndLeaveTheTargetUnchanged() {
        Tensor x = Tensor.zeros(2, 3);
        try (var s = Autograd.noGrad()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> x.lerpInPlace(Tensor.zeros(3), 0.1));
            assertEquals("lerpInPlace: end has shape [3] but the tensor updated in place has [2, 3]; in-place updates need operands "
                + "of exactly its shape", e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> x.addcmulInPlace(Tensor.zeros(2, 3), Tensor.zeros(3, 2), 1));
            assertTrue(e.getMessage().startsWith("addcmulInPlace: tensor2 has shape [3, 2]"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> x.addcdivSqrtInPlace(Tensor.zeros(2, 3), Tensor.zeros(2, 3), 1, 0, 1e-8));
            assertEquals("addcdivSqrtInPlace: divisor 0.0 must be positive and finite", e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> x.clampInPlace(1, 0));
            assertTrue(e.getMessage().startsWith("clampInPlace: lo 1.0 must be <= hi 0.0"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> x.clampInPlace(Double.NaN, 0));
            NullPointerException n = assertThrows(NullPointerException.class, () -> x.addcdivInPlace(null, Tensor.zeros(2, 3), 1));
            assertEquals("addcdivInPlace: tensor1 is null", n.getMessage());
            n = assertThrows(NullPointerException.class, () -> x.addInPlace(null, 1));
            assertEquals("addInPlace: other is null", n.getMessage());
            n = assertThrows(NullPointerException.class, () -> x.copyFrom((Tensor) null));
            assertEquals("copyFrom: src is null", n.getMessage());
        }
        assertEquals(0, x.version());
    }

    @Test
    void anUpdateOfASavedTensorIsCaughtByBackward() {
        Tensor w = Tensor.of(1.0, 2.0).requiresGrad();
        Tensor loss = w.mul(w).sum();
        try (var s = Autograd.noGrad()) {
            w.lerpInPlace(Tensor.of(0.0, 0.0), 0.5);
        }
        IllegalStateException e = assertThrows(IllegalStateException.class, loss::backward);
        assertTrue(e.getMessage().contains("modified in place"), e.getMessage());
    }
}

package dev.chainrule.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * A first-order backward sums gradients in buffers it owns, in place, and adds the gradient of a
 * strided view (slice, select, split, chunk) straight into its input's buffer (Backprop). The results
 * must be exactly those of the out-of-place sums that a recorded ({@code createGraph}) backward forms
 * with the views' rules, and no gradient may alias another or the caller's seed.
 */
class InPlaceAccumulationTest {

    private static final SplittableRandom RNG = new SplittableRandom(8);

    /** Gradients of f's scalar output by the first-order path and by the recorded path (rules, out of place). */
    private static void assertSameBothWays(Function<Tensor[], Tensor> f, Tensor... inputs) {
        Tensor[] a = new Tensor[inputs.length], b = new Tensor[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            a[i] = inputs[i].detach().requiresGrad();
            b[i] = inputs[i].detach().requiresGrad();
        }
        List<Tensor> fast = Autograd.grad(f.apply(a), List.of(a), false);
        List<Tensor> recorded = Autograd.grad(f.apply(b), List.of(b), true);
        for (int i = 0; i < inputs.length; i++) {
            assertArrayEquals(recorded.get(i).toArray(), fast.get(i).toArray(), 0.0, "input " + i);
        }
        // and through backward() into .grad
        f.apply(a).backward();
        for (int i = 0; i < inputs.length; i++) assertArrayEquals(fast.get(i).toArray(), a[i].grad().toArray(), 0.0);
    }

    @Test
    void everyTimeStepOfASequenceSlicedAndSummedBack() {
        // the recurrent-layer pattern: one projection for all steps, one select per step, a running state
        Tensor x = Tensor.randn(RNG, 3, 5, 4), w = Tensor.randn(RNG, 4, 4);
        assertSameBothWays(t -> {
            Tensor gi = t[0].matmul(t[1]);
            Tensor h = Tensor.zeros(3, 4);
            List<Tensor> hs = new ArrayList<>();
            for (int s = 0; s < 5; s++) {
                h = gi.select(1, s).add(h.matmul(t[1])).tanh();
                hs.add(h);
            }
            return Tensor.stack(1, hs).square().sum();
        }, x, w);
    }

    @Test
    void overlappingSlicesSplitsChunksAndDenseUsesOfOneTensor() {
        Tensor x = Tensor.randn(RNG, 4, 6);
        assertSameBothWays(t -> {
            Tensor y = t[0].mul(2.0);                              // a non-leaf input to the views
            Tensor acc = y.slice(1, 0, 4).sum().add(y.slice(1, 2, 6).square().sum());   // overlapping
            for (Tensor p : y.chunk(3, 1)) acc = acc.add(p.exp().sum());
            for (Tensor p : y.split(0, 1, 3)) acc = acc.add(p.mul(p).sum());
            acc = acc.add(y.sum()).add(y.select(0, 2).sum()).add(y.slice(0, 0, 4, 2).sum());
            return acc.add(t[0].slice(1, 1, 3).sum());           // and views of the leaf itself
        }, x);
    }

    @Test
    void viewsOfViewsAndPermutedViews() {
        Tensor x = Tensor.randn(RNG, 2, 3, 4);
        assertSameBothWays(t -> {
            Tensor p = t[0].permute(2, 0, 1);
            Tensor s = p.slice(0, 1, 4).select(2, 1);
            return s.square().sum().add(p.select(1, 0).flip(0).sum()).add(t[0].flip(2).slice(2, 0, 2).pow(3).sum());
        }, x);
    }

    @Test
    void aGradientPassedOnUnchangedIsNotModifiedWhereItIsShared() {
        // add hands the same gradient object to both inputs; summing more into one must not change the other
        Tensor a = Tensor.randn(RNG, 3).requiresGrad(), b = Tensor.randn(RNG, 3).requiresGrad();
        Tensor s = a.add(b);
        Tensor loss = s.sum().add(a.slice(0, 0, 2).sum()).add(a.mul(3.0).sum());
        loss.backward();
        assertArrayEquals(new double[] {5, 5, 4}, a.grad().toArray(), 0.0);
        assertArrayEquals(new double[] {1, 1, 1}, b.grad().toArray(), 0.0);
        assertNotSame(a.grad(), b.grad());
    }

    @Test
    void theCallersSeedIsNeverWrittenInto() {
        Tensor x = Tensor.randn(RNG, 2, 3).requiresGrad();
        Tensor y = x.mul(1.0);
        Tensor z = y.add(y.slice(1, 0, 3));                      // z's seed reaches y twice
        Tensor seed = Tensor.of(new double[] {1, 2, 3, 4, 5, 6}, 2, 3);
        z.backward(seed);
        assertArrayEquals(new double[] {1, 2, 3, 4, 5, 6}, seed.toArray(), 0.0);
        assertArrayEquals(new double[] {2, 4, 6, 8, 10, 12}, x.grad().toArray(), 0.0);
    }

    @Test
    void gradientsAccumulateAcrossBackwardCallsAndSecondOrderStillWorks() {
        Tensor x = Tensor.of(1.0, 2.0, 3.0).requiresGrad();
        for (int k = 0; k < 2; k++) x.slice(0, 0, 2).square().sum().add(x.select(0, 1).square()).backward();
        assertArrayEquals(new double[] {4, 16, 0}, x.grad().toArray(), 0.0);
        // d²/dx² of Σ_{i<2} x_i³ through slices, by the recorded path
        Tensor g = Autograd.grad(x.slice(0, 0, 2).pow(3).sum(), List.of(x), true).get(0);
        Tensor h = Autograd.grad(g.sum(), List.of(x), false).get(0);
        assertArrayEquals(new double[] {6, 12, 0}, h.toArray(), 1e-12);
    }

    @Test
    void underAnomalyModeViewsStillAccumulateAndANonFiniteGradientIsBlamedOnItsProducer() {
        Tensor x = Tensor.of(1.0, 0.0, 4.0).requiresGrad();
        try (var a = Autograd.detectAnomaly(true)) {
            x.slice(0, 0, 2).sum().add(x.select(0, 2).sqrt()).backward();
            assertArrayEquals(new double[] {1, 1, 0.25}, x.grad().toArray(), 0.0);
            Tensor y = x.select(0, 1).sqrt();                     // d sqrt at 0 is +∞, then a view
            ArithmeticException e = assertThrows(ArithmeticException.class, y::backward);
            assertTrue(e.getMessage().contains("'sqrt'"), e.getMessage());
        }
    }
}

package dev.chainrule.autograd;

import static dev.chainrule.autograd.DType.FLOAT32;
import static dev.chainrule.autograd.DType.FLOAT64;
import static dev.chainrule.autograd.LayoutGens.assertThrowsWith;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import java.util.function.BinaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * The dtype contract of {@link DType} on {@link Tensor} (issue 10): PyTorch's promotion between
 * FLOAT32 and FLOAT64, the ops that reject mixed inputs, {@code to()} and {@code convertInPlace},
 * the dtypes of factories and gradients, and the float32 in-place updates (which evaluate the
 * float64 expression on the widened values and round once, so they equal it rounded exactly).
 */
class DTypeTest {

    private static Tensor f32(double... v) {
        return Tensor.of(v, FLOAT32, v.length);
    }

    private static Tensor f64(double... v) {
        return Tensor.of(v, v.length);
    }

    // ================================================================ promotion

    private static final List<BinaryOperator<Tensor>> BINARY = List.of(Tensor::add, Tensor::sub, Tensor::mul, Tensor::div,
        Tensor::maximum, Tensor::minimum, Tensor::gt, Tensor::ge, Tensor::lt, Tensor::le, Tensor::eq, Tensor::ne);

    private static void promotes(Tensor a, Tensor b, DType expected) {
        for (int i = 0; i < BINARY.size(); i++) {
            int op = i;
            assertEquals(expected, BINARY.get(i).apply(a, b).dtype(),
                () -> "binary op #" + op + " of " + a.dtype() + " rank " + a.rank() + " with " + b.dtype() + " rank " + b.rank());
        }
    }

    @Test
    void float32WithFloat64OfRankAtLeastOnePromotesToFloat64() {
        promotes(f32(1, 2), f64(3, 4), FLOAT64);
        promotes(f64(3, 4), f32(1, 2), FLOAT64);
        promotes(Tensor.scalar(2).to(FLOAT32), f64(3, 4), FLOAT64);     // rank-0 float32 with a float64 vector
        promotes(f32(1, 2).reshape(2, 1), f64(3, 4, 5), FLOAT64);          // under broadcasting too
        Tensor m = Tensor.ones(FLOAT32, 2, 3);
        assertEquals(FLOAT64, m.add(Tensor.ones(1, 3)).dtype());
        assertEquals(FLOAT64, Tensor.cat(0, m, Tensor.ones(2, 3)).dtype());
        assertEquals(FLOAT64, Tensor.stack(0, Tensor.ones(2, 3), m).dtype());
        assertEquals(FLOAT64, Tensor.einsum("ij,ij->i", m, Tensor.ones(2, 3)).dtype());
    }

    @Test
    void rankZeroFloat64AndDoubleOperandsKeepFloat32() {
        Tensor x = f32(1, 2, 3);
        promotes(x, Tensor.scalar(1.5), FLOAT32);
        promotes(Tensor.scalar(1.5), x, FLOAT32);
        assertEquals(FLOAT32, x.add(0.5).dtype());
        assertEquals(FLOAT32, x.sub(0.5).dtype());
        assertEquals(FLOAT32, x.mul(0.5).dtype());
        assertEquals(FLOAT32, x.div(0.5).dtype());
        assertEquals(FLOAT32, x.pow(2.5).dtype());
        assertEquals(FLOAT32, x.gt(1.0).dtype());
        assertEquals(FLOAT32, x.clamp(0, 2).dtype());
        assertEquals(FLOAT32, x.pad(7.0, 1, 1).dtype());
    }

    @Test
    void doubleOperandsKeepFloat64AndRankZeroFloat32WithRankZeroFloat64GivesFloat64() {
        Tensor y = f64(1, 2, 3);
        assertEquals(FLOAT64, y.mul(0.5).add(1.0).dtype());
        promotes(y, Tensor.scalar(2).to(FLOAT32), FLOAT64);                 // rank-0 float32 does not demote a float64 vector
        promotes(Tensor.scalar(2).to(FLOAT32), Tensor.scalar(3), FLOAT64);  // both rank 0: PyTorch's category rule, float64
        promotes(Tensor.scalar(3), Tensor.scalar(2).to(FLOAT32), FLOAT64);
        promotes(Tensor.scalar(2).to(FLOAT32), Tensor.scalar(3).to(FLOAT32), FLOAT32);
        promotes(f32(1, 2), f32(3, 4), FLOAT32);
        promotes(y, f64(4, 5, 6), FLOAT64);
    }

    @Test
    void masksTakeNoPartInPromotion() {
        Tensor a = f32(1, 2, 3), b = f32(4, 5, 6);
        Tensor mask64 = f64(1, 0, 1), mask32 = f32(1, 0, 1);
        Tensor w = Tensor.where(mask64, a, b);
        assertEquals(FLOAT32, w.dtype());
        assertArrayEquals(new double[] {1, 5, 3}, w.toArray());
        assertEquals(FLOAT64, Tensor.where(mask32, f64(1, 2, 3), f64(4, 5, 6)).dtype());
        assertEquals(FLOAT64, Tensor.where(mask32, a, f64(4, 5, 6)).dtype(), "the two values still promote");
        Tensor m = a.maskedFill(mask64, -1);
        assertEquals(FLOAT32, m.dtype());
        assertArrayEquals(new double[] {-1, 2, -1}, m.toArray());
        assertEquals(FLOAT64, f64(1, 2, 3).maskedFill(mask32, -1).dtype());
    }

    @Test
    void comparisonsReturnTheirPromotedInputDtype() {
        Tensor c = f32(1, 2, 3).lt(f32(2, 2, 2));
        assertEquals(FLOAT32, c.dtype());
        assertArrayEquals(new double[] {1, 0, 0}, c.toArray());
    }

    // ================================================================ rejected mixes

    private static void rejects(Executable call, String op) {
        IllegalArgumentException e = assertThrowsWith(IllegalArgumentException.class, call, op, "FLOAT32", "FLOAT64");
        assertTrue(e.getMessage().startsWith(op), () -> "message should start with the op name " + op + ": " + e.getMessage());
    }

    @Test
    void matmulAndLinearRejectMixedDtypes() {
        Tensor a32 = Tensor.ones(FLOAT32, 2, 3), b64 = Tensor.ones(3, 4);
        rejects(() -> a32.matmul(b64), "matmul");
        rejects(() -> b64.transpose().matmul(a32.transpose()), "matmul");
        rejects(() -> a32.linear(Tensor.ones(4, 3), null), "linear");
        rejects(() -> a32.linear(Tensor.ones(FLOAT32, 4, 3), Tensor.ones(4)), "linear");
        rejects(() -> Tensor.ones(2, 3).linear(Tensor.ones(FLOAT32, 4, 3), null), "linear");
    }

    @Test
    void convolutionsRejectMixedDtypes() {
        Tensor x32 = Tensor.ones(FLOAT32, 1, 2, 5);
        int[] one = {1}, zero = {0};
        rejects(() -> x32.conv(Tensor.ones(3, 2, 2), null, one, zero, one, 1), "conv");
        rejects(() -> x32.conv(Tensor.ones(FLOAT32, 3, 2, 2), Tensor.ones(3), one, zero, one, 1), "conv");
        rejects(() -> Tensor.ones(1, 2, 5).conv1d(Tensor.ones(FLOAT32, 3, 2, 2), null, 1, 0, 1, 1), "conv");
        rejects(() -> x32.convTranspose(Tensor.ones(2, 3, 2), null, one, zero, zero, one, 1), "convTranspose");
        rejects(() -> x32.convTranspose(Tensor.ones(FLOAT32, 2, 3, 2), Tensor.ones(3), one, zero, zero, one, 1), "convTranspose");
    }

    @Test
    void normalizationsRejectMixedWeightsAndStatistics() {
        Tensor x32 = Tensor.ones(FLOAT32, 4, 3);
        Tensor c32 = Tensor.ones(FLOAT32, 3), c64 = Tensor.ones(3);
        rejects(() -> x32.batchNorm(null, null, c64, null, true, 0.1, 1e-5), "batchNorm");
        rejects(() -> x32.batchNorm(null, null, c32, c64, true, 0.1, 1e-5), "batchNorm");
        rejects(() -> x32.batchNorm(Tensor.zeros(3), Tensor.ones(FLOAT32, 3), null, null, false, 0.1, 1e-5), "batchNorm");
        rejects(() -> x32.batchNorm(Tensor.zeros(FLOAT32, 3), Tensor.ones(3), null, null, true, 0.1, 1e-5), "batchNorm");
        rejects(() -> Tensor.ones(4, 3).batchNorm(null, null, c32, null, true, 0.1, 1e-5), "batchNorm");
        rejects(() -> x32.layerNorm(new int[] {3}, c64, null, 1e-5), "layerNorm");
        rejects(() -> x32.layerNorm(new int[] {3}, c32, c64, 1e-5), "layerNorm");
        rejects(() -> Tensor.ones(4, 3).layerNorm(new int[] {3}, null, c32, 1e-5), "layerNorm");
    }

    @Test
    void solversRejectMixedDtypes() {
        Tensor a64 = Tensor.eye(3).mul(2), b32 = Tensor.ones(FLOAT32, 3, 2);
        rejects(() -> Linalg.solve(a64, b32), "solve");
        rejects(() -> Linalg.solve(a64.to(FLOAT32), b32.to(FLOAT64)), "solve");
        rejects(() -> Linalg.solveTriangular(a64, b32, false, true, false), "solveTriangular");
        rejects(() -> Linalg.solveTriangular(a64.to(FLOAT32), b32.to(FLOAT64), true, true, false), "solveTriangular");
    }

    // ================================================================ to()

    @Test
    void toFloat32AndBackRoundsToNearestFloat() {
        SplittableRandom rng = new SplittableRandom(3);
        double[] v = new double[200];
        for (int i = 0; i < v.length; i++) v[i] = rng.nextDouble(-1e3, 1e3) * Math.pow(10, rng.nextInt(-20, 20));
        v[0] = 1e-46;                 // below float's subnormals: to zero
        v[1] = 3.5e38;                // beyond float's range: to infinity
        v[2] = Double.NaN;
        v[3] = -0.0;
        v[4] = 0.1;
        Tensor x = Tensor.of(v, 10, 20);
        Tensor y = x.to(FLOAT32);
        assertEquals(FLOAT32, y.dtype());
        assertArrayEquals(new int[] {10, 20}, y.shape());
        Tensor back = y.to(FLOAT64);
        assertEquals(FLOAT64, back.dtype());
        double[] b = back.toArray();
        for (int i = 0; i < v.length; i++) assertEquals((double) (float) v[i], b[i], 0, "element " + i + " (" + v[i] + ")");
        assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits(b[3]), "-0 keeps its sign");
    }

    @Test
    void toFloat64AndBackIsExact() {
        SplittableRandom rng = new SplittableRandom(5);
        float[] v = new float[150];
        for (int i = 0; i < v.length; i++) v[i] = Float.intBitsToFloat(rng.nextInt());   // every bit pattern, NaNs included
        Tensor x = Tensor.of(v, 3, 50);
        float[] back = x.to(FLOAT64).to(FLOAT32).toFloatArray();
        for (int i = 0; i < v.length; i++) {
            int at = i;
            assertTrue(Float.floatToRawIntBits(v[i]) == Float.floatToRawIntBits(back[i]) || (Float.isNaN(v[i]) && Float.isNaN(back[i])),
                () -> "element " + at + ": " + v[at] + " came back as " + back[at]);
        }
    }

    @Test
    void toTheSameDtypeReturnsThis() {
        Tensor x = f32(1, 2), y = f64(1, 2);
        assertSame(x, x.to(FLOAT32));
        assertSame(y, y.to(FLOAT64));
        Tensor z = y.requiresGrad().mul(2);
        assertSame(z, z.to(FLOAT64));
    }

    @Test
    void gradientThroughToHasTheInputsDtype() {
        Tensor x = f32(1, 2, 3).requiresGrad();
        Tensor y = x.to(FLOAT64);
        assertEquals("to", y.op());
        y.mul(f64(0.1, 10, 1)).sum().backward();
        assertEquals(FLOAT32, x.grad().dtype());
        assertArrayEquals(new double[] {(float) 0.1, 10, 1}, x.grad().toArray());

        Tensor w = f64(1, 2, 3).requiresGrad();
        w.to(FLOAT32).square().sum().backward();
        assertEquals(FLOAT64, w.grad().dtype());
        assertArrayEquals(new double[] {2, 4, 6}, w.grad().toArray());

        // second order through to: d²/dx² of Σ x³ = 6x, in the input's dtype
        Tensor u = f32(1, 2).requiresGrad();
        Tensor g = Autograd.grad(u.to(FLOAT64).pow(3).sum(), List.of(u), true).get(0);
        assertEquals(FLOAT32, g.dtype());
        Tensor h = Autograd.grad(g.sum(), List.of(u), false).get(0);
        assertEquals(FLOAT32, h.dtype());
        assertArrayEquals(new double[] {6, 12}, h.toArray(), 1e-6);
    }

    @Test
    void gradCheckConvertsFloat32InputsToFloat64() {
        Tensor x = f32(0.5, -1, 2);
        GradCheck.check(t -> {
            assertEquals(FLOAT64, t[0].dtype());
            return t[0].tanh().sum();
        }, x).assertPassed();
    }

    // ================================================================ convertInPlace

    @Test
    void convertInPlaceKeepsIdentityBumpsVersionAndConvertsTheGradient() {
        Tensor p = f64(0.1, 2, 3).requiresGrad();
        p.mul(f64(1, 2, 3)).sum().backward();
        int v0 = p.version();
        Tensor same;
        try (var s = Autograd.noGrad()) {
            same = p.convertInPlace(FLOAT32);
        }
        assertSame(p, same);
        assertEquals(FLOAT32, p.dtype());
        assertEquals(v0 + 1, p.version());
        assertTrue(p.isGradRequired(), "still a parameter");
        assertArrayEquals(new double[] {(float) 0.1, 2, 3}, p.toArray());
        assertNotNull(p.grad());
        assertEquals(FLOAT32, p.grad().dtype());
        assertArrayEquals(new double[] {1, 2, 3}, p.grad().toArray());
        // it still trains, with float32 gradients
        p.zeroGrad();
        p.square().sum().backward();
        assertEquals(FLOAT32, p.grad().dtype());
        try (var s = Autograd.noGrad()) {
            assertSame(p, p.convertInPlace(FLOAT32));
            assertEquals(v0 + 1, p.version(), "the same dtype is a no-op");
            p.convertInPlace(FLOAT64);
        }
        assertEquals(FLOAT64, p.dtype());
        assertEquals(FLOAT64, p.grad().dtype());
        assertEquals(v0 + 2, p.version());
        assertEquals((double) (float) 0.1, p.get(0), 0);
    }

    @Test
    void convertInPlaceIsRefusedOutsideNoGradAndOnOpResults() {
        Tensor p = f64(1, 2);
        assertThrowsWith(IllegalStateException.class, () -> p.convertInPlace(FLOAT32), "convertInPlace", "noGrad");
        assertEquals(FLOAT64, p.dtype());
        Tensor r = p.requiresGrad().mul(2);
        try (var s = Autograd.noGrad()) {
            assertThrowsWith(IllegalStateException.class, () -> r.convertInPlace(FLOAT32), "convertInPlace", "leaf", "to(DType)");
        }
        assertEquals(FLOAT64, r.dtype());
    }

    // ================================================================ factories

    @Test
    void factoriesHaveTheirDtype() {
        assertEquals(FLOAT32, Tensor.zeros(FLOAT32, 2, 3).dtype());
        assertEquals(FLOAT64, Tensor.zeros(FLOAT64, 2, 3).dtype());
        assertEquals(FLOAT32, Tensor.ones(FLOAT32, 4).dtype());
        assertArrayEquals(new double[] {1, 1, 1, 1}, Tensor.ones(FLOAT32, 4).toArray());
        Tensor full = Tensor.full(0.1, FLOAT32, 2);
        assertEquals(FLOAT32, full.dtype());
        assertEquals((double) (float) 0.1, full.get(1), 0);
        assertEquals(FLOAT32, Tensor.of(new float[] {1, 2, 3, 4}, 2, 2).dtype());
        assertEquals(FLOAT32, Tensor.of(new double[] {1, 2}, FLOAT32, 2).dtype());
        assertEquals(FLOAT64, Tensor.of(new double[] {1, 2}, FLOAT64, 2).dtype());
        assertEquals(FLOAT32, Tensor.zeros(FLOAT32).dtype(), "rank 0");
        for (DType d : DType.values()) {
            Tensor n = Tensor.randn(new SplittableRandom(9), d, 5, 7), u = Tensor.rand(new SplittableRandom(9), d, 5, 7);
            assertEquals(d, n.dtype());
            assertEquals(d, u.dtype());
            assertArrayEquals(Tensor.randn(new SplittableRandom(9), 5, 7).to(d).toArray(), n.toArray(), "the same draws, rounded");
            assertArrayEquals(Tensor.rand(new SplittableRandom(9), 5, 7).to(d).toArray(), u.toArray(), "the same draws, rounded");
        }
        // the factories without a dtype stay FLOAT64
        for (Tensor t : List.of(Tensor.zeros(2), Tensor.ones(2), Tensor.full(3, 2), Tensor.scalar(1), Tensor.of(1, 2), Tensor.arange(3),
            Tensor.linspace(0, 1, 3), Tensor.eye(2), Tensor.randint(new SplittableRandom(1), 0, 3, 2), Tensor.fromFunction(new int[] {2}, i -> 1))) {
            assertEquals(FLOAT64, t.dtype(), t::toString);
        }
        float[] src = {1, 2};
        Tensor copy = Tensor.of(src, 2);
        src[0] = 9;
        assertEquals(1, copy.get(0), "of(float[]) copies");
        assertEquals(4, FLOAT32.bytes());
        assertEquals(8, FLOAT64.bytes());
    }

    @Test
    void likeFactoriesKeepTheDtype() {
        for (DType d : DType.values()) {
            Tensor t = Tensor.ones(d, 2, 3);
            assertEquals(d, Tensor.zerosLike(t).dtype());
            assertEquals(d, Tensor.onesLike(t).dtype());
            Tensor f = Tensor.fullLike(t, 0.1);
            assertEquals(d, f.dtype());
            assertEquals(d == FLOAT32 ? (double) (float) 0.1 : 0.1, f.get(1, 2), 0);
            assertArrayEquals(new int[] {2, 3}, f.shape());
        }
    }

    @Test
    void toStringShowsFloat32() {
        assertTrue(f32(1, 2).toString().endsWith(", dtype=float32)"), f32(1, 2)::toString);
        assertTrue(Tensor.scalar(2).to(FLOAT32).toString().contains("dtype=float32"));
        assertTrue(!f64(1, 2).toString().contains("dtype"), "FLOAT64 is the default, not shown");
        assertEquals(f64(1, 2).toString().replace(")", ", dtype=float32)"), f32(1, 2).toString());
    }

    @Test
    void detachAndCopiesKeepTheDtype() {
        Tensor x = f32(1, 2).requiresGrad();
        assertEquals(FLOAT32, x.detach().dtype());
        assertEquals(FLOAT32, x.mul(2).detach().dtype());
        float[] a = x.toFloatArray();
        a[0] = 7;
        assertEquals(1, x.get(0), "toFloatArray is a copy");
        assertArrayEquals(new float[] {(float) 0.1, 1}, f64(0.1, 1).toFloatArray());
    }

    // ================================================================ backward seed

    @Test
    void backwardSeedIsConvertedToTheRootsDtype() {
        Tensor x = f32(1, 2, 3).requiresGrad();
        Tensor y = x.mul(x);
        y.backward(f64(0.1, 1, 2));
        assertEquals(FLOAT32, x.grad().dtype());
        assertArrayEquals(new double[] {(float) (2 * (double) (float) 0.1), 4, 12}, x.grad().toArray(), 1e-7);

        Tensor w = f64(1, 2, 3).requiresGrad();
        w.mul(w).backward(f32(1, 1, 2));
        assertEquals(FLOAT64, w.grad().dtype());
        assertArrayEquals(new double[] {2, 4, 12}, w.grad().toArray());

        Tensor s = f32(2).requiresGrad();
        s.square().sum().backward();
        assertEquals(FLOAT32, s.grad().dtype());
        assertEquals(4, s.grad().item());

        // a float32 leaf feeding a float64 graph gets a float32 gradient
        Tensor a = f32(1, 2).requiresGrad(), b = f64(3, 4).requiresGrad();
        Tensor out = a.mul(b);
        assertEquals(FLOAT64, out.dtype());
        out.sum().backward();
        assertEquals(FLOAT32, a.grad().dtype());
        assertEquals(FLOAT64, b.grad().dtype());
        assertArrayEquals(new double[] {3, 4}, a.grad().toArray());
        assertArrayEquals(new double[] {1, 2}, b.grad().toArray());

        List<Tensor> gs = Autograd.grad(a.mul(b).sum(), List.of(a, b), false);
        assertEquals(FLOAT32, gs.get(0).dtype());
        assertEquals(FLOAT64, gs.get(1).dtype());
    }

    @Test
    void unusedInputsGetZeroGradientsInTheirDtype() {
        Tensor a = f32(1, 2).requiresGrad(), b = f32(3).requiresGrad(), c = f64(4).requiresGrad();
        List<Tensor> gs = Autograd.grad(a.square().sum(), List.of(a, b, c), false);
        assertEquals(FLOAT32, gs.get(1).dtype(), "b takes no part: zeros, but FLOAT32 like b");
        assertArrayEquals(new double[] {0}, gs.get(1).toArray());
        assertEquals(FLOAT64, gs.get(2).dtype());
    }

    @Test
    void functionalTransformsOfFloat32InputsAreFloat32() {
        Tensor x = f32(0.5, 1, 2), v = f32(1, -1, 0.5);
        java.util.function.Function<Tensor, Tensor> cube = t -> t.pow(3);
        assertEquals(FLOAT32, Autograd.jacobian(cube, x).dtype());
        assertArrayEquals(new double[] {0.75, 0, 0, 0, 3, 0, 0, 0, 12}, Autograd.jacobian(cube, x).toArray(), 1e-6);
        assertEquals(FLOAT32, Autograd.vjp(cube, x, v).dtype());
        assertEquals(FLOAT32, Autograd.jvp(cube, x, v).dtype());
        assertEquals(FLOAT32, Autograd.hessian(t -> t.pow(3).sum(), x).dtype());
        assertEquals(FLOAT32, Autograd.hvp(t -> t.pow(3).sum(), x, v).dtype());
        java.util.function.Function<Tensor, Tensor> constant = t -> Tensor.ones(FLOAT32, 3);
        assertEquals(FLOAT32, Autograd.vjp(constant, x, v).dtype(), "no dependence: zeros in x's dtype");
        assertEquals(FLOAT32, Autograd.jvp(constant, x, v).dtype(), "no dependence: zeros in the output's dtype");
        assertEquals(FLOAT32, Autograd.jvp(t -> t.gt(1), x, v).dtype());
    }

    @Test
    void slogdetSignHasTheInputsDtype() {
        Tensor a = Tensor.of(new double[] {0, 2, 3, 0}, FLOAT32, 2, 2);
        Linalg.SignLogDet s = Linalg.slogdet(a);
        assertEquals(FLOAT32, s.sign().dtype());
        assertEquals(FLOAT32, s.logAbsDet().dtype());
        assertEquals(-1, s.sign().item());
        assertEquals(FLOAT32, Linalg.logdet(Tensor.eye(2).mul(3).to(FLOAT32)).dtype(), "log|det| + log(sign) stays FLOAT32");
    }

    @Test
    void gradientsAccumulateInTheLeafsDtype() {
        Tensor x = f32(1, 2).requiresGrad();
        x.to(FLOAT64).mul(3).sum().backward();
        x.mul(f64(1, 1)).sum().backward();                          // promoted graph, float64 upstream
        assertEquals(FLOAT32, x.grad().dtype());
        assertArrayEquals(new double[] {4, 4}, x.grad().toArray());
    }

    // ================================================================ in-place updates on float32

    /** Runs {@code update} on a float32 tensor and on a float64 copy: the float32 values equal the float64 ones rounded. */
    private interface Update {
        void apply(Tensor target, DType dtype);
    }

    private static void roundedEqual(String op, double[] start, Update update) {
        Tensor t32 = Tensor.of(start, FLOAT32, start.length), t64 = t32.to(FLOAT64).detach();
        int v0 = t32.version();
        try (var s = Autograd.noGrad()) {
            update.apply(t32, FLOAT32);
            update.apply(t64, FLOAT64);
        }
        assertEquals(FLOAT32, t32.dtype(), op);
        assertEquals(v0 + 1, t32.version(), op + " bumps the version");
        float[] got = t32.toFloatArray();
        double[] want = t64.toArray();
        for (int i = 0; i < got.length; i++) {
            assertEquals((float) want[i], got[i], 0, op + " element " + i + ": float64 computation " + want[i]);
        }
    }

    @Test
    void inPlaceUpdatesOnFloat32EqualTheFloat64ComputationRounded() {
        SplittableRandom rng = new SplittableRandom(17);
        int n = 70_000;                                           // past the kernels' parallel split
        double[] x = new double[n], a = new double[n], b = new double[n], sq = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) rng.nextDouble(-2, 2);
            a[i] = (float) rng.nextDouble(-2, 2);
            b[i] = (float) (rng.nextBoolean() ? 1 : -1) * (float) rng.nextDouble(0.1, 2);
            sq[i] = (float) rng.nextDouble(0, 3);
        }
        // the operands are given in the target's dtype (values float-representable, so the same values in both runs)
        roundedEqual("addInPlace", x, (t, d) -> t.addInPlace(Tensor.of(a, d, n), -0.1));
        roundedEqual("addInPlace broadcast", x, (t, d) -> t.addInPlace(Tensor.of(new double[] {0.3f}, d, 1), 0.7));
        roundedEqual("mulInPlace", x, (t, d) -> t.mulInPlace(0.999));
        roundedEqual("lerpInPlace", x, (t, d) -> t.lerpInPlace(Tensor.of(a, d, n), 0.1));
        roundedEqual("lerpInPlace w > 0.5", x, (t, d) -> t.lerpInPlace(Tensor.of(a, d, n), 0.9));
        roundedEqual("addcmulInPlace", x, (t, d) -> t.addcmulInPlace(Tensor.of(a, d, n), Tensor.of(b, d, n), 0.01));
        roundedEqual("addcdivInPlace", x, (t, d) -> t.addcdivInPlace(Tensor.of(a, d, n), Tensor.of(b, d, n), -0.01));
        roundedEqual("addcdivSqrtInPlace", x, (t, d) -> t.addcdivSqrtInPlace(Tensor.of(a, d, n), Tensor.of(sq, d, n), -1e-3, 0.9, 1e-8));
        roundedEqual("clampInPlace", x, (t, d) -> t.clampInPlace(-0.3, 0.7));
        roundedEqual("copyFrom(Tensor)", x, (t, d) -> t.copyFrom(Tensor.of(a, n)));
        roundedEqual("copyFrom(double[])", x, (t, d) -> t.copyFrom(new double[n]));
        // a float64 operand on a float32 target: the operand is read rounded, as PyTorch's x.add_(y64) on a float32 x
        Tensor t = Tensor.of(new double[] {1, 2}, FLOAT32, 2);
        try (var s = Autograd.noGrad()) {
            t.addInPlace(f64(0.1, 0.2), 1);
            t.copyFrom(Tensor.of(new double[] {0.1, 1e-50}, 2).add(t.to(FLOAT64).mul(0)));
        }
        assertEquals(FLOAT32, t.dtype());
        assertArrayEquals(new float[] {(float) 0.1, 0}, t.toFloatArray());
    }

    @Test
    void copyFromRoundsFloat64SourcesIntoAFloat32Target() {
        Tensor t = Tensor.zeros(FLOAT32, 3);
        try (var s = Autograd.noGrad()) {
            t.copyFrom(new double[] {0.1, 1e300, -1e-300});
        }
        assertEquals(FLOAT32, t.dtype());
        assertArrayEquals(new float[] {(float) 0.1, Float.POSITIVE_INFINITY, -0f}, t.toFloatArray());
        assertThrows(IllegalStateException.class, () -> t.copyFrom(new double[3]), "outside noGrad");
    }
}

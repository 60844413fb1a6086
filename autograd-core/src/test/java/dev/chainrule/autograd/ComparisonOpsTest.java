package dev.chainrule.autograd;

import static dev.chainrule.autograd.MathGens.broadcastShapes;
import static dev.chainrule.autograd.MathGens.grid;
import static dev.chainrule.autograd.MathGens.shape4;
import static dev.chainrule.autograd.TestGens.Case;
import static dev.chainrule.autograd.TestGens.assertGradient;
import static dev.chainrule.autograd.TestGens.assertTensor;
import static dev.chainrule.autograd.TestGens.between;
import static dev.chainrule.autograd.TestGens.broadcastIndex;
import static dev.chainrule.autograd.TestGens.broadcastShape;
import static dev.chainrule.autograd.TestGens.cases;
import static dev.chainrule.autograd.TestGens.size;
import static dev.chainrule.autograd.TestGens.tensor;
import static dev.chainrule.autograd.TestGens.theory;
import static dev.chainrule.autograd.TestGens.uniform;
import static dev.chainrule.autograd.TestGens.unflatten;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import java.util.function.BiFunction;
import java.util.function.BiPredicate;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.RandomnessSource;

/**
 * Comparisons (0/1 tensors without graph), {@code where} and {@code maskedFill}: forward values
 * against naive broadcasting references, gradients against finite differences, NaN and ±∞ in
 * unselected branches, and the causal −∞ attention mask under anomaly mode.
 */
@SuppressWarnings("try") // try (var s = Autograd.detectAnomaly(true)) { ... } scopes are used for their effect only
class ComparisonOpsTest {

    private static final int N = 30;

    private record Cmp(String name, BiFunction<Tensor, Tensor, Tensor> tensor, BiFunction<Tensor, Double, Tensor> scalar,
                       BiPredicate<Double, Double> ref) {}

    private static final List<Cmp> CMPS = List.of(
        new Cmp("gt", Tensor::gt, Tensor::gt, (a, b) -> a > b),
        new Cmp("ge", Tensor::ge, Tensor::ge, (a, b) -> a >= b),
        new Cmp("lt", Tensor::lt, Tensor::lt, (a, b) -> a < b),
        new Cmp("le", Tensor::le, Tensor::le, (a, b) -> a <= b),
        new Cmp("eq", Tensor::eq, Tensor::eq, (a, b) -> a.doubleValue() == b.doubleValue()),
        new Cmp("ne", Tensor::ne, Tensor::ne, (a, b) -> a.doubleValue() != b.doubleValue()));

    /** Small integers, so that ties (and eq/ge/le being true) are common. */
    private static double[] ints(RandomnessSource rs, int n) {
        double[] d = new double[n];
        for (int i = 0; i < n; i++) d[i] = between(rs, -2, 2);
        return d;
    }

    @Test
    void comparisonsWithATensorBroadcastAndMatchAReference() {
        theory(N).forAll(cases(rs -> {
            int[][] s = broadcastShapes(rs, 2);
            return new Case(Shape.toString(s[0]) + " vs " + Shape.toString(s[1]), x -> x[0],
                tensor(ints(rs, size(s[0])), s[0]), tensor(ints(rs, size(s[1])), s[1]));
        })).checkAssert(c -> {
            Tensor a = c.inputs()[0].detach().requiresGrad(), b = c.inputs()[1];
            int[] os = broadcastShape(a.shape(), b.shape());
            double[] ad = a.toArray(), bd = b.toArray();
            for (Cmp cmp : CMPS) {
                double[] expected = new double[size(os)];
                for (int i = 0; i < expected.length; i++) {
                    int[] idx = unflatten(i, os);
                    expected[i] = cmp.ref().test(ad[broadcastIndex(idx, a.shape())], bd[broadcastIndex(idx, b.shape())]) ? 1 : 0;
                }
                Tensor out = cmp.tensor().apply(a, b);
                assertTensor(expected, os, out, 0);
                assertFalse(out.isGradRequired(), cmp.name() + " records no graph");
                assertNull(out.op());
            }
        });
    }

    @Test
    void comparisonsWithADouble() {
        theory(N).forAll(cases(rs -> {
            int[] s = shape4(rs, 0);
            return new Case(Shape.toString(s), x -> x[0], tensor(ints(rs, size(s)), s));
        })).checkAssert(c -> {
            Tensor x = c.inputs()[0].detach().requiresGrad();
            double[] d = x.toArray();
            for (double k : new double[] {-1, 0, 0.5}) {
                for (Cmp cmp : CMPS) {
                    double[] expected = new double[d.length];
                    for (int i = 0; i < d.length; i++) expected[i] = cmp.ref().test(d[i], k) ? 1 : 0;
                    Tensor out = cmp.scalar().apply(x, k);
                    assertTensor(expected, x.shape(), out, 0);
                    assertFalse(out.isGradRequired());
                    assertArrayEquals(expected, cmp.tensor().apply(x, Tensor.scalar(k)).toArray(), cmp.name());
                }
            }
        });
    }

    @Test
    void comparisonsWithNaNFollowIeee() {
        Tensor x = Tensor.of(Double.NaN, 1, Double.NaN), y = Tensor.of(Double.NaN, Double.NaN, 1);
        for (Cmp cmp : CMPS) {
            double expected = cmp.name().equals("ne") ? 1 : 0;
            assertArrayEquals(new double[] {expected, expected, expected}, cmp.tensor().apply(x, y).toArray(), cmp.name());
            assertEquals(expected, cmp.scalar().apply(x, Double.NaN).get(1), cmp.name());
        }
        assertArrayEquals(new double[] {1, 0, 1}, x.ne(1).toArray());
        assertArrayEquals(new double[] {0, 1, 0}, Tensor.of(Double.NEGATIVE_INFINITY, 0, Double.POSITIVE_INFINITY).lt(1)
            .sub(Tensor.of(1, 0, 0)).abs().toArray());
    }

    @Test
    void largeComparisonsUseTheParallelKernels() {
        SplittableRandom rng = new SplittableRandom(2);
        Tensor a = Tensor.randn(rng, 400, 200), b = Tensor.randn(rng, 200);
        double[] ad = a.toArray(), bd = b.toArray(), gt = a.gt(b).toArray(), le = a.le(0.25).toArray();
        for (int i = 0; i < ad.length; i++) {
            assertEquals(ad[i] > bd[i % 200] ? 1.0 : 0.0, gt[i]);
            assertEquals(ad[i] <= 0.25 ? 1.0 : 0.0, le[i]);
        }
        Tensor w = Tensor.where(a.gt(0), a, b);
        double[] wd = w.toArray();
        for (int i = 0; i < ad.length; i++) assertEquals(ad[i] > 0 ? ad[i] : bd[i % 200], wd[i]);
        Tensor same = Tensor.where(a.gt(0), a, a.neg());
        assertArrayEquals(a.abs().toArray(), same.toArray());
    }

    // ================================================================ where and maskedFill

    @Test
    void whereBroadcastsAllThreeAndRoutesTheGradient() {
        theory(N).forAll(cases(rs -> {
            int[][] s = broadcastShapes(rs, 3);
            Tensor mask = tensor(ints(rs, size(s[0])), s[0]).gt(0);
            return new Case("where mask " + Shape.toString(s[0]) + " a " + Shape.toString(s[1]) + " b " + Shape.toString(s[2]),
                x -> Tensor.where(mask, x[0], x[1]), tensor(uniform(rs, size(s[1]), -2, 2), s[1]), tensor(uniform(rs, size(s[2]), -2, 2), s[2]),
                mask);
        })).checkAssert(c -> {
            Tensor a = c.inputs()[0], b = c.inputs()[1], mask = c.inputs()[2];
            int[] os = broadcastShape(broadcastShape(mask.shape(), a.shape()), b.shape());
            double[] expected = new double[size(os)], md = mask.toArray(), ad = a.toArray(), bd = b.toArray();
            for (int i = 0; i < expected.length; i++) {
                int[] idx = unflatten(i, os);
                expected[i] = md[broadcastIndex(idx, mask.shape())] != 0 ? ad[broadcastIndex(idx, a.shape())] : bd[broadcastIndex(idx, b.shape())];
            }
            assertTensor(expected, os, Tensor.where(mask, a, b), 0);
            Case grad = new Case(c.label(), x -> Tensor.where(mask, x[0], x[1]), a, b);
            assertGradient(grad);
            TestGens.assertSecondOrder(new Case(c.label(), x -> Tensor.where(mask, x[0].square(), x[1].mul(x[0])), a, b));
        });
    }

    @Test
    void maskedFillBroadcastsTheMaskAndPassesTheGradientElsewhere() {
        theory(N).forAll(cases(rs -> {
            int[][] s = broadcastShapes(rs, 2);
            Tensor mask = tensor(ints(rs, size(s[1])), s[1]).ge(1);
            double value = between(rs, 0, 2) == 0 ? Double.NEGATIVE_INFINITY : uniform(rs, -3, 3);
            return new Case("maskedFill " + value + " x " + Shape.toString(s[0]) + " mask " + Shape.toString(s[1]),
                x -> x[0].maskedFill(mask, value).exp(), tensor(uniform(rs, size(s[0]), -2, 2), s[0]), mask);
        })).checkAssert(c -> {
            Tensor x = c.inputs()[0], mask = c.inputs()[1];
            double value = Double.parseDouble(c.label().split(" ")[1]);
            int[] os = broadcastShape(x.shape(), mask.shape());
            double[] expected = new double[size(os)], md = mask.toArray(), xd = x.toArray();
            for (int i = 0; i < expected.length; i++) {
                int[] idx = unflatten(i, os);
                expected[i] = md[broadcastIndex(idx, mask.shape())] != 0 ? value : xd[broadcastIndex(idx, x.shape())];
            }
            assertTensor(expected, os, x.maskedFill(mask, value), 0);
            assertGradient(new Case(c.label(), t -> t[0].maskedFill(mask, value).exp(), x));
            TestGens.assertSecondOrder(new Case(c.label(), t -> t[0].maskedFill(mask, value).exp(), x));
        });
    }

    @Test
    void unselectedBranchesGetAnExactZeroGradient() {
        // where's rule selects the incoming gradient; it never multiplies by the mask, so an infinite
        // value in the branch not taken cannot turn into 0 · ∞ = NaN in where's own gradient
        Tensor a = Tensor.of(Double.POSITIVE_INFINITY, 2).requiresGrad(), b = Tensor.of(1, Double.NaN).requiresGrad();
        Tensor mask = Tensor.of(0, 1);
        Tensor out = Tensor.where(mask, a, b);
        assertArrayEquals(new double[] {1, 2}, out.toArray());
        out.sum().backward();
        assertArrayEquals(new double[] {0, 1}, a.grad().toArray());
        assertArrayEquals(new double[] {1, 0}, b.grad().toArray());
        assertTrue(Double.isNaN(mask.mul(a).add(mask.neg().add(1).mul(b)).get(0)), "the arithmetic blend would be NaN");
        Tensor z = Tensor.of(1, Double.NaN).requiresGrad();
        z.maskedFill(Tensor.of(0, 1), 7).sum().backward();
        assertArrayEquals(new double[] {1, 0}, z.grad().toArray());

        // but an op inside the unselected branch still sees that 0 and may make 0/0 of it where its
        // own derivative is infinite (log at 0): the PyTorch pitfall, with PyTorch's fix of guarding its input
        Tensor x = Tensor.of(-1, 0.5, 2, 0).requiresGrad();
        Tensor naive = Tensor.where(x.gt(0), x.log(), Tensor.scalar(0));
        assertArrayEquals(new double[] {0, Math.log(0.5), Math.log(2), 0}, naive.toArray());
        naive.sum().backward();
        assertTrue(Double.isNaN(x.grad().get(3)), "log's rule at 0: 0 / 0");
        x.zeroGrad();
        Tensor positive = x.gt(0);
        Tensor guarded = Tensor.where(positive, Tensor.where(positive, x, Tensor.scalar(1)).log(), Tensor.scalar(0));
        assertArrayEquals(naive.toArray(), guarded.toArray());
        guarded.sum().backward();
        assertArrayEquals(new double[] {0, 2, 0.5, 0}, x.grad().toArray(), 0);
    }

    @Test
    void theMaskGetsNoGradientAndIsChecked() {
        Tensor mask = Tensor.of(1, 0).requiresGrad(), a = Tensor.of(1, 2).requiresGrad();
        Tensor y = Tensor.where(mask, a, Tensor.of(3, 4));
        List<Tensor> g = Autograd.grad(y.sum(), List.of(a), false);
        assertArrayEquals(new double[] {1, 0}, g.get(0).toArray());
        assertArrayEquals(new double[] {1, 4}, y.toArray());
        assertArrayEquals(new double[] {3, 2}, Tensor.where(Tensor.of(0, Double.NaN), Tensor.of(1, 2), Tensor.scalar(3)).toArray(),
            "a NaN mask counts as set (≠ 0)");
        // the mask is saved for backward: modifying it in place afterwards is caught
        Tensor m = Tensor.of(1, 0);
        Tensor x = Tensor.of(5, 6).requiresGrad();
        Tensor out = x.maskedFill(m, 0).sum();
        try (var s = Autograd.noGrad()) {
            m.copyFrom(Tensor.of(0, 1));
        }
        MathGens.assertThrowsWith(IllegalStateException.class, out::backward, "maskedFill", "modified in place");
    }

    // ================================================================ anomaly mode and a causal mask

    /** Scores [T, T] of a single attention head, masked causally: position i sees positions j ≤ i. */
    private static Tensor causalAttention(Tensor q, Tensor k, Tensor v, double fill) {
        int t = q.shape()[0];
        Tensor future = Tensor.arange(t).reshape(t, 1).lt(Tensor.arange(t));     // 1 where j > i
        Tensor scores = q.matmul(k.transpose()).div(Math.sqrt(q.shape()[1]));
        return scores.maskedFill(future, fill).softmax(-1).matmul(v);
    }

    @Test
    void causalMinusInfinityMaskWorksUnderAnomalyMode() {
        SplittableRandom rng = new SplittableRandom(8);
        Tensor q = Tensor.randn(rng, 5, 4).requiresGrad(), k = Tensor.randn(rng, 5, 4).requiresGrad();
        Tensor v = Tensor.randn(rng, 5, 3).requiresGrad();
        Tensor out;
        try (var s = Autograd.detectAnomaly(true)) {
            out = causalAttention(q, k, v, Double.NEGATIVE_INFINITY);
            out.square().sum().backward();                       // no exception: a deliberate −∞ fill is not an anomaly
        }
        assertTrue(Kernels.allFinite(out) && Kernels.allFinite(q.grad()) && Kernels.allFinite(k.grad()) && Kernels.allFinite(v.grad()));
        // the first query sees only the first key: its output is exactly v[0]
        assertArrayEquals(new double[] {v.get(0, 0), v.get(0, 1), v.get(0, 2)}, new double[] {out.get(0, 0), out.get(0, 1), out.get(0, 2)}, 1e-15);
        // equal to masking with a large negative number instead, and gradients agree
        GradCheck.check(x -> causalAttention(x[0], x[1], x[2], Double.NEGATIVE_INFINITY).sum(), q, k, v).assertPassed();
        Tensor viaLarge = causalAttention(q.detach(), k.detach(), v.detach(), -1e30);
        assertArrayEquals(viaLarge.toArray(), out.toArray(), 1e-15);
    }

    @Test
    void anomalyModeStillReportsNaN() {
        Tensor x = Tensor.of(new double[][] {{1, 2}, {3, 4}}).requiresGrad();
        try (var s = Autograd.detectAnomaly(true)) {
            MathGens.assertThrowsWith(ArithmeticException.class, () -> x.maskedFill(Tensor.of(1, 0), Double.NaN),
                "anomaly", "maskedFill", "NaN");
            // a row masked entirely: softmax of all −∞ is 0/0
            Tensor all = x.maskedFill(Tensor.of(new double[][] {{1, 1}, {0, 0}}), Double.NEGATIVE_INFINITY);
            MathGens.assertThrowsWith(ArithmeticException.class, () -> all.softmax(-1), "anomaly", "softmax", "NaN");
            // an infinity an op creates is still reported (the flag covers only the fill itself)
            MathGens.assertThrowsWith(ArithmeticException.class, () -> x.maskedFill(Tensor.of(1, 0), 800).exp(), "anomaly", "exp", "Inf");
            Tensor ok = x.maskedFill(Tensor.of(0, 1), Double.POSITIVE_INFINITY);   // +∞ fills are deliberate too
            assertEquals(Double.POSITIVE_INFINITY, ok.get(1, 1));
        }
    }

    @Test
    void errors() {
        Tensor a = Tensor.zeros(2, 3);
        MathGens.assertThrowsWith(IllegalArgumentException.class, () -> a.gt(Tensor.zeros(4)), "gt", "[2, 3]", "[4]");
        MathGens.assertThrowsWith(IllegalArgumentException.class, () -> a.eq(Tensor.zeros(3, 2)), "eq", "[2, 3]", "[3, 2]");
        MathGens.assertThrowsWith(IllegalArgumentException.class, () -> Tensor.where(Tensor.zeros(4), a, a),
            "where", "[4] (mask)", "[2, 3]");
        MathGens.assertThrowsWith(IllegalArgumentException.class, () -> Tensor.where(Tensor.zeros(3), a, Tensor.zeros(2)),
            "where", "[3] (mask)", "[2, 3]", "[2]");
        MathGens.assertThrowsWith(IllegalArgumentException.class, () -> a.maskedFill(Tensor.zeros(2), 0), "maskedFill", "[2]", "[2, 3]");
        MathGens.assertThrowsWith(NullPointerException.class, () -> a.lt(null), "lt", "null");
        MathGens.assertThrowsWith(NullPointerException.class, () -> Tensor.where(null, a, a), "where", "mask");
        MathGens.assertThrowsWith(NullPointerException.class, () -> Tensor.where(a, a, null), "where", "b");
        MathGens.assertThrowsWith(NullPointerException.class, () -> a.maskedFill(null, 1), "maskedFill", "mask");
        assertThrows(NullPointerException.class, () -> a.maximum(null));
    }

    /** Small helpers on tensors. */
    private static final class Kernels {
        static boolean allFinite(Tensor t) {
            for (double v : t.toArray()) if (!Double.isFinite(v)) return false;
            return true;
        }
    }

    @Test
    void gridHelperNeverTies() {
        theory(10).forAll(cases(rs -> new Case("grid", x -> x[0], Tensor.of(grid(rs, 20, -2, 2, 0)), Tensor.of(grid(rs, 20, -2, 2, 0.125)))))
            .checkAssert(c -> {
                double[] a = c.inputs()[0].toArray(), b = c.inputs()[1].toArray();
                for (double u : a) for (double w : b) assertTrue(Math.abs(u - w) >= 0.125 - 1e-12);
            });
    }
}

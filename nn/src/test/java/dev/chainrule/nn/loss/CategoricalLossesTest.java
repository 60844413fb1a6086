package dev.chainrule.nn.loss;

import static dev.chainrule.nn.TestData.assertShape;
import static dev.chainrule.nn.TestData.assertValues;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.chainrule.autograd.GradCheck;
import dev.chainrule.autograd.Tensor;
import dev.chainrule.nn.TestData;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Categorical losses: {@link CrossEntropy}, {@link NllLoss}, {@link KlDivergence}. */
class CategoricalLossesTest {

    /** −log(e^{f_y} / Σ_j e^{f_j}) per row, in plain doubles (shifted by the max for stability). */
    private static double[] ceByHand(double[] f, int[] y, int c) {
        int n = y.length;
        double[] out = new double[n];
        for (int r = 0; r < n; r++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < c; j++) max = Math.max(max, f[r * c + j]);
            double z = 0;
            for (int j = 0; j < c; j++) z += Math.exp(f[r * c + j] - max);
            out[r] = -(f[r * c + y[r]] - max - Math.log(z));
        }
        return out;
    }

    private static int[] ints(Tensor t) {
        double[] d = t.toArray();
        int[] out = new int[d.length];
        for (int i = 0; i < d.length; i++) out[i] = (int) d[i];
        return out;
    }

    private static double sum(double[] v) {
        double s = 0;
        for (double x : v) s += x;
        return s;
    }

    @Test
    void crossEntropyWithClassIndicesMatchesTheCategoricalNll() {
        TestData.props(50).forAll(integers().between(1, 6), integers().between(2, 5), longs().all()).checkAssert((n, c, seed) -> {
            var rng = new SplittableRandom(seed);
            Tensor f = TestData.uniform(rng, -4, 4, n, c);
            Tensor y = TestData.classes(rng, n, c);
            double[] per = ceByHand(f.toArray(), ints(y), c);
            assertEquals(sum(per) / n, new CrossEntropy().apply(f, y).item(), 1e-12);
            assertEquals(sum(per), new CrossEntropy(Reduction.SUM).apply(f, y).item(), 1e-12);
            Tensor none = new CrossEntropy(Reduction.NONE).apply(f, y);
            assertShape(none, n);
            assertValues(per, none, 1e-12);
            for (Reduction r : Reduction.values()) {
                GradCheck.check(t -> new CrossEntropy(r).apply(t[0], y), f).assertPassed();
            }
        });
    }

    @Test
    void crossEntropyWithOneHotOrSoftTargets() {
        TestData.props(40).forAll(integers().between(1, 6), integers().between(2, 5), longs().all()).checkAssert((n, c, seed) -> {
            var rng = new SplittableRandom(seed);
            Tensor f = TestData.uniform(rng, -4, 4, n, c);
            Tensor y = TestData.classes(rng, n, c);
            int[] yi = ints(y);
            double[] onehot = new double[n * c];
            for (int r = 0; r < n; r++) onehot[r * c + yi[r]] = 1;
            assertEquals(new CrossEntropy().apply(f, y).item(), new CrossEntropy().apply(f, Tensor.of(onehot, n, c)).item(), 1e-12);

            // soft targets: −Σ_j p_j log softmax(f)_j per row
            Tensor p = TestData.uniform(rng, 0.01, 1, n, c);
            p = p.div(p.sum(1, true));
            double[] fs = f.toArray(), ps = p.toArray(), per = new double[n];
            for (int r = 0; r < n; r++) {
                double z = 0;
                for (int j = 0; j < c; j++) z += Math.exp(fs[r * c + j]);
                for (int j = 0; j < c; j++) per[r] -= ps[r * c + j] * (fs[r * c + j] - Math.log(z));
            }
            assertValues(per, new CrossEntropy(Reduction.NONE).apply(f, p), 1e-12);
            assertEquals(sum(per) / n, new CrossEntropy().apply(f, p).item(), 1e-12);
            GradCheck.check(t -> new CrossEntropy().apply(t[0], t[1]), f, p).assertPassed();
        });
    }

    @Test
    void crossEntropyGradientIsSoftmaxMinusOneHot() {
        Tensor f = Tensor.of(new double[][] {{1.2, 5.1, 2.7}}).requiresGrad();
        new CrossEntropy().apply(f, Tensor.of(1)).backward();
        double z = Math.exp(1.2) + Math.exp(5.1) + Math.exp(2.7);
        assertValues(new double[] {Math.exp(1.2) / z, Math.exp(5.1) / z - 1, Math.exp(2.7) / z}, f.grad(), 1e-12);
    }

    @Test
    void crossEntropyIsFiniteForHugeLogits() {
        Tensor f = Tensor.of(new double[][] {{1000, -1000, 0}, {-1000, 1000, 0}});
        Tensor y = Tensor.of(1, 1);
        assertEquals(1000.0, new CrossEntropy().apply(f, y).item(), 1e-9);   // (2000 + 0) / 2
        assertEquals(1000.0, new CrossEntropy(Reduction.NONE).apply(f, y).toArray()[0] / 2, 1e-9);
    }

    @Test
    void nllOnLogSoftmaxEqualsCrossEntropy() {
        TestData.props(40).forAll(integers().between(1, 6), integers().between(2, 5), longs().all()).checkAssert((n, c, seed) -> {
            var rng = new SplittableRandom(seed);
            Tensor f = TestData.uniform(rng, -4, 4, n, c);
            Tensor y = TestData.classes(rng, n, c);
            for (Reduction r : Reduction.values()) {
                assertValues(new CrossEntropy(r).apply(f, y).toArray(), new NllLoss(r).apply(f.logSoftmax(-1), y), 1e-12);
            }
            // value by hand: −logp[r, y_r]
            Tensor logp = TestData.uniform(rng, -5, 0, n, c);
            double[] lp = logp.toArray();
            int[] yi = ints(y);
            double s = 0;
            for (int r = 0; r < n; r++) s -= lp[r * c + yi[r]];
            assertEquals(s / n, new NllLoss().apply(logp, y).item(), 1e-12);
            GradCheck.check(t -> new NllLoss().apply(t[0], y), logp).assertPassed();
        });
    }

    @Test
    void klDivergenceMatchesItsDefinition() {
        TestData.props(40).forAll(integers().between(1, 5), integers().between(2, 5), longs().all()).checkAssert((n, c, seed) -> {
            var rng = new SplittableRandom(seed);
            Tensor logq = TestData.uniform(rng, -3, 3, n, c).logSoftmax(-1);
            Tensor p = TestData.uniform(rng, 0.01, 1, n, c);
            p = p.div(p.sum(1, true));
            double[] lq = logq.toArray(), ps = p.toArray(), per = new double[n];
            for (int r = 0; r < n; r++) {
                for (int j = 0; j < c; j++) per[r] += ps[r * c + j] * (Math.log(ps[r * c + j]) - lq[r * c + j]);
            }
            assertValues(per, new KlDivergence(Reduction.NONE).apply(logq, p), 1e-12);
            assertEquals(sum(per) / n, new KlDivergence().apply(logq, p).item(), 1e-12);
            assertEquals(sum(per), new KlDivergence(Reduction.SUM).apply(logq, p).item(), 1e-12);
            for (double v : per) assertTrue(v >= -1e-12, "KL is non-negative");
            Tensor pc = p;
            GradCheck.check(t -> new KlDivergence().apply(t[0], pc), logq).assertPassed();
        });
    }

    @Test
    void klIsZeroForEqualDistributionsAndHandlesZeroProbabilities() {
        Tensor p = Tensor.of(new double[][] {{0.2, 0.8, 0}, {0, 0, 1}});
        Tensor logq = Tensor.of(new double[][] {{Math.log(0.2), Math.log(0.8), -50}, {-50, -50, 0}});
        assertEquals(0.0, new KlDivergence().apply(logq, p).item(), 1e-12);
        // KL = cross-entropy(soft target) − entropy(target)
        Tensor f = Tensor.of(new double[][] {{1, 2, 3}, {0, 0, 1}});
        double entropy = -(0.2 * Math.log(0.2) + 0.8 * Math.log(0.8)) / 2;
        assertEquals(new CrossEntropy().apply(f, p).item() - entropy, new KlDivergence().apply(f.logSoftmax(-1), p).item(), 1e-12);
        Tensor lq = f.logSoftmax(-1).detach().requiresGrad();
        new KlDivergence().apply(lq, p).backward();
        for (double g : lq.grad().toArray()) assertTrue(Double.isFinite(g));
    }

    @Test
    void badTargetsAreRejectedWithTheLossNameAndShapes() {
        Tensor f = Tensor.zeros(3, 4);
        var e = assertThrows(IllegalArgumentException.class, () -> new CrossEntropy().apply(f, Tensor.zeros(4)));
        assertTrue(e.getMessage().startsWith("CrossEntropy:") && e.getMessage().contains("[3, 4]") && e.getMessage().contains("[4]"),
            e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new CrossEntropy().apply(f, Tensor.of(0, 1, 4)));
        assertThrows(IllegalArgumentException.class, () -> new CrossEntropy().apply(f, Tensor.of(0, 1.5, 2)));
        assertThrows(IllegalArgumentException.class, () -> new CrossEntropy().apply(f, Tensor.of(0, -1, 2)));
        e = assertThrows(IllegalArgumentException.class, () -> new NllLoss().apply(f, Tensor.zeros(3, 1)));
        assertTrue(e.getMessage().startsWith("NllLoss:"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new KlDivergence().apply(f, Tensor.zeros(3, 3)));
        assertTrue(e.getMessage().startsWith("KlDivergence:") && e.getMessage().contains("[3, 3]"), e.getMessage());
        assertThrows(NullPointerException.class, () -> new CrossEntropy(null));
    }
}

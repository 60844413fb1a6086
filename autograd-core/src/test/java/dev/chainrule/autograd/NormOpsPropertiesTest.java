package dev.chainrule.autograd;

import static dev.chainrule.autograd.TestGens.Case;
import static dev.chainrule.autograd.TestGens.assertGradient;
import static dev.chainrule.autograd.TestGens.assertSecondOrder;
import static dev.chainrule.autograd.TestGens.assertValues;
import static dev.chainrule.autograd.TestGens.between;
import static dev.chainrule.autograd.TestGens.bool;
import static dev.chainrule.autograd.TestGens.cases;
import static dev.chainrule.autograd.TestGens.theory;
import static dev.chainrule.autograd.TestGens.uniform;

import java.util.Arrays;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.RandomnessSource;

/**
 * Gradient properties of batch and layer normalization on generated shapes (with and without the
 * affine parameters): forward values and running statistics against the definition, gradients
 * against central differences (the first-order fused kernel), and second derivatives (the rule's
 * Tensor-op branch).
 */
class NormOpsPropertiesTest {

    private static final int N = 30;

    static Tensor values(RandomnessSource rs, int[] shape) {
        return Tensor.of(uniform(rs, Shape.size(shape), -2, 2), shape);
    }

    /** [N, C, ...] of rank 2–4 with at least two values per channel. */
    static int[] batchShape(RandomnessSource rs) {
        int rank = between(rs, 2, 4);
        int[] s = new int[rank];
        for (int i = 0; i < rank; i++) s[i] = between(rs, 1, 3);
        if (Shape.size(s) / s[1] < 2) s[0] = 2;
        return s;
    }

    static Case batchNormCase(RandomnessSource rs, boolean training) {
        int[] s = batchShape(rs);
        int c = s[1];
        boolean affine = bool(rs);
        double eps = bool(rs) ? 1e-5 : 1e-2;
        Tensor x = values(rs, s);
        Tensor mean = Tensor.of(uniform(rs, c, -1, 1), c), var = Tensor.of(uniform(rs, c, 0.5, 2), c);
        String label = "batchNorm training=" + training + " " + Shape.toString(s) + " affine=" + affine + " eps=" + eps;
        Function<Tensor[], Tensor> f = affine
            ? t -> t[0].batchNorm(training ? null : mean, training ? null : var, t[1], t[2], training, 0.1, eps)
            : t -> t[0].batchNorm(training ? null : mean, training ? null : var, null, null, training, 0.1, eps);
        return affine ? new Case(label, f, x, values(rs, new int[] {c}), values(rs, new int[] {c})) : new Case(label, f, x);
    }

    /** (x − mean)/√(var + eps)·γ + β per channel, from the definition. */
    static double[] naiveBatchNorm(double[] x, int[] s, double[] mean, double[] var, double[] w, double[] b, double eps) {
        int n = s[0], c = s[1], l = x.length / (n * c);
        double[] y = new double[x.length];
        for (int ch = 0; ch < c; ch++) {
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < l; j++) {
                    int at = (i * c + ch) * l + j;
                    y[at] = (x[at] - mean[ch]) / Math.sqrt(var[ch] + eps) * (w == null ? 1 : w[ch]) + (b == null ? 0 : b[ch]);
                }
            }
        }
        return y;
    }

    /** {mean, biased variance} per channel. */
    static double[][] channelStats(double[] x, int[] s) {
        int n = s[0], c = s[1], l = x.length / (n * c);
        double[] mean = new double[c], var = new double[c];
        for (int ch = 0; ch < c; ch++) {
            double sum = 0;
            for (int i = 0; i < n; i++) for (int j = 0; j < l; j++) sum += x[(i * c + ch) * l + j];
            mean[ch] = sum / (n * l);
            double ss = 0;
            for (int i = 0; i < n; i++) for (int j = 0; j < l; j++) ss += Math.pow(x[(i * c + ch) * l + j] - mean[ch], 2);
            var[ch] = ss / (n * l);
        }
        return new double[][] {mean, var};
    }

    @Test
    void batchNormTrainingNormalizesWithBatchStatisticsAndUpdatesTheRunningOnes() {
        theory(N).forAll(cases(rs -> batchNormCase(rs, true))).checkAssert(c -> {
            Tensor x = c.inputs()[0];
            Tensor w = c.inputs().length > 1 ? c.inputs()[1] : null, b = c.inputs().length > 1 ? c.inputs()[2] : null;
            double eps = Double.parseDouble(c.label().substring(c.label().indexOf("eps=") + 4));
            int[] s = x.shape();
            double[][] st = channelStats(x.toArray(), s);
            assertValues(naiveBatchNorm(x.toArray(), s, st[0], st[1], w == null ? null : w.toArray(), b == null ? null : b.toArray(), eps),
                c.f().apply(c.inputs()), 1e-10);
            // running statistics: r ← 0.7 r + 0.3 stat, with the unbiased variance m/(m − 1)·σ²
            int ch = s[1];
            double m = (double) x.size() / ch;
            Tensor rm = Tensor.full(0.5, ch), rv = Tensor.full(2.0, ch);
            x.batchNorm(rm, rv, w, b, true, 0.3, eps);
            double[] em = new double[ch], ev = new double[ch];
            for (int i = 0; i < ch; i++) {
                em[i] = 0.7 * 0.5 + 0.3 * st[0][i];
                ev[i] = 0.7 * 2.0 + 0.3 * st[1][i] * m / (m - 1);
            }
            assertValues(em, rm, 1e-12);
            assertValues(ev, rv, 1e-12);
            assertGradient(c);
            assertSecondOrder(c);
        });
    }

    @Test
    void batchNormEvalUsesTheRunningStatistics() {
        theory(N).forAll(cases(rs -> batchNormCase(rs, false))).checkAssert(c -> {
            assertGradient(c);
            assertSecondOrder(new Case(c.label() + " squared", t -> c.f().apply(t).square(), c.inputs()));
        });
    }

    static Case layerNormCase(RandomnessSource rs) {
        int rank = between(rs, 1, 3);
        int[] s = new int[rank];
        for (int i = 0; i < rank; i++) s[i] = between(rs, 1, 4);
        int k = between(rs, 1, rank);
        int[] ns = Arrays.copyOfRange(s, rank - k, rank);
        if (Shape.size(ns) < 2) {
            s[rank - 1] = 2;
            ns[k - 1] = 2;
        }
        boolean affine = bool(rs);
        Tensor x = values(rs, s);
        String label = "layerNorm " + Shape.toString(s) + " over " + Arrays.toString(ns) + " affine=" + affine + " d=" + Shape.size(ns);
        return affine
            ? new Case(label, t -> t[0].layerNorm(ns, t[1], t[2], 1e-5), x, values(rs, ns), values(rs, ns))
            : new Case(label, t -> t[0].layerNorm(ns, null, null, 1e-5), x);
    }

    @Test
    void layerNormNormalizesEachRow() {
        theory(N).forAll(cases(NormOpsPropertiesTest::layerNormCase)).checkAssert(c -> {
            Tensor x = c.inputs()[0];
            Tensor y = c.f().apply(c.inputs());
            int d = Integer.parseInt(c.label().substring(c.label().indexOf(" d=") + 3));
            double[] xv = x.toArray(), expected = new double[xv.length];
            double[] w = c.inputs().length > 1 ? c.inputs()[1].toArray() : null, b = c.inputs().length > 1 ? c.inputs()[2].toArray() : null;
            for (int r = 0; r < xv.length / d; r++) {
                double mean = 0, var = 0;
                for (int i = 0; i < d; i++) mean += xv[r * d + i] / d;
                for (int i = 0; i < d; i++) var += Math.pow(xv[r * d + i] - mean, 2) / d;
                for (int i = 0; i < d; i++) {
                    expected[r * d + i] = (xv[r * d + i] - mean) / Math.sqrt(var + 1e-5) * (w == null ? 1 : w[i]) + (b == null ? 0 : b[i]);
                }
            }
            assertValues(expected, y, 1e-10);
            assertGradient(c);
            assertSecondOrder(c);
        });
    }
}

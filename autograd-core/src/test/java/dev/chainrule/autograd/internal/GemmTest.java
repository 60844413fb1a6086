package dev.chainrule.autograd.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;

import dev.ludovic.netlib.blas.BLAS;
import dev.ludovic.netlib.blas.JavaBLAS;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Gemm against the textbook triple loop, for every transpose combination, batch offsets, beta,
 * sizes on both sides of the small-product threshold, through the BLAS in use and through the
 * pure-Java BLAS split across threads.
 */
class GemmTest {

    private static double[] naive(boolean ta, boolean tb, int m, int n, int k, double[] a, int aOff, double[] b, int bOff,
                                  double beta, double[] c0, int cOff) {
        double[] c = c0.clone();
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) {
                    double av = ta ? a[aOff + p * m + i] : a[aOff + i * k + p];
                    double bv = tb ? b[bOff + j * k + p] : b[bOff + p * n + j];
                    s += av * bv;
                }
                c[cOff + i * n + j] = beta * c0[cOff + i * n + j] + s;
            }
        }
        return c;
    }

    private static void check(BLAS blas, boolean split, long seed, int m, int n, int k, int flags) {
        boolean ta = (flags & 1) != 0, tb = (flags & 2) != 0;
        double beta = (flags & 4) != 0 ? 1.0 : 0.0;
        Random rng = new Random(seed);
        int off = 3;
        double[] a = new double[off + m * k], b = new double[off + k * n], c = new double[off + m * n];
        for (int i = 0; i < a.length; i++) a[i] = rng.nextGaussian();
        for (int i = 0; i < b.length; i++) b[i] = rng.nextGaussian();
        for (int i = 0; i < c.length; i++) c[i] = rng.nextGaussian();
        double[] want = naive(ta, tb, m, n, k, a, off, b, off, beta, c, off);
        if (blas == null) Gemm.gemm(ta, tb, m, n, k, a, off, b, off, beta, c, off);
        else Gemm.gemm(blas, split, ta, tb, m, n, k, a, off, b, off, beta, c, off);
        for (int i = off; i < c.length; i++) {
            assertEquals(want[i], c[i], 1e-9 * (1 + Math.abs(want[i])),
                () -> "seed " + seed + " m=" + m + " n=" + n + " k=" + k + " transA=" + ta + " transB=" + tb + " beta=" + beta);
        }
        for (int i = 0; i < off; i++) assertEquals(want[i], c[i], 0.0, "wrote before the offset");
    }

    @Test
    void matchesTripleLoopThroughTheBlasInUse() {
        qt().withExamples(60).forAll(integers().between(1, 90), integers().between(1, 90), integers().between(1, 90),
            integers().between(0, 7)).checkAssert((m, n, k, f) -> check(null, false, 31L * m + 7L * n + k + f, m, n, k, f));
    }

    @Test
    void matchesTripleLoopThroughPureJavaSplitAcrossThreads() {
        qt().withExamples(40).forAll(integers().between(32, 140), integers().between(1, 90), integers().between(64, 120),
            integers().between(0, 7)).checkAssert((m, n, k, f) -> check(JavaBLAS.getInstance(), true, 17L * m + n + k + f, m, n, k, f));
    }
}

package dev.chainrule.autograd.internal;

import dev.ludovic.netlib.blas.BLAS;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Row-major general matrix multiply {@code C = op(A) op(B) (+ C)} over {@code double[]}, with
 * {@code op(X)} either {@code X} or {@code Xᵀ} read in place (the transpose is never materialized).
 * Products large enough to repay a native call go to {@code dev.ludovic.netlib}'s BLAS, which uses
 * the system's native BLAS (e.g. OpenBLAS) when one is installed and its own Java kernels
 * otherwise; tiny products use a plain loop, which beats any call overhead.
 */
public final class Gemm {
    private Gemm() {}

    private static final Logger LOG = LoggerFactory.getLogger(Gemm.class);

    /** Below this many multiply-adds ({@code m·n·k}) the plain Java loop is used. */
    static final long SMALL = 16 * 16 * 16;

    private static final class Holder {
        static final BLAS BLAS_IMPL = load();

        private static BLAS load() {
            BLAS blas = BLAS.getInstance();
            LOG.info("Chainrule GEMM uses {}", blas.getClass().getName());
            return blas;
        }
    }

    /** The BLAS implementation in use (loading it logs its name once). */
    public static String implementation() {
        return Holder.BLAS_IMPL.getClass().getName();
    }

    /**
     * {@code C[m×n] = op(A) · op(B) + beta · C}, all row-major. {@code A} is {@code m×k}
     * ({@code k×m} when {@code transA}), {@code B} is {@code k×n} ({@code n×k} when {@code transB}).
     * Offsets select one matrix of a batch.
     */
    public static void gemm(boolean transA, boolean transB, int m, int n, int k,
                            double[] a, int aOff, double[] b, int bOff, double beta, double[] c, int cOff) {
        if ((long) m * n * k < SMALL) {
            small(transA, transB, m, n, k, a, aOff, b, bOff, beta, c, cOff);
            return;
        }
        // Row-major C = op(A) op(B) is column-major Cᵀ = op(B)ᵀ op(A)ᵀ: swap the operands.
        int lda = transA ? m : k;
        int ldb = transB ? k : n;
        Holder.BLAS_IMPL.dgemm(transB ? "T" : "N", transA ? "T" : "N", n, m, k,
            1.0, b, bOff, ldb, a, aOff, lda, beta, c, cOff, n);
    }

    private static void small(boolean transA, boolean transB, int m, int n, int k,
                              double[] a, int aOff, double[] b, int bOff, double beta, double[] c, int cOff) {
        if (beta == 0.0) {
            java.util.Arrays.fill(c, cOff, cOff + m * n, 0.0);
        } else if (beta != 1.0) {
            for (int i = 0; i < m * n; i++) c[cOff + i] *= beta;
        }
        for (int i = 0; i < m; i++) {
            int ci = cOff + i * n;
            for (int p = 0; p < k; p++) {
                double aip = transA ? a[aOff + p * m + i] : a[aOff + i * k + p];
                if (transB) {
                    for (int j = 0; j < n; j++) c[ci + j] += aip * b[bOff + j * k + p];
                } else {
                    int bp = bOff + p * n;
                    for (int j = 0; j < n; j++) c[ci + j] += aip * b[bp + j];
                }
            }
        }
    }
}

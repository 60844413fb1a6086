package dev.chainrule.autograd.internal;

import dev.ludovic.netlib.blas.BLAS;
import dev.ludovic.netlib.blas.NativeBLAS;
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

    /**
     * Below this many multiply-adds ({@code m·n·k}) the plain Java loop is used. GemmBench with
     * OpenBLAS (n = 8 … 48, all transpose cases): about even at n = 8, BLAS ahead from n = 16
     * on (2–4× at n = 24), so the cut sits near 10³; the tiny products of small models stay in the
     * loop. Overridable with {@code -Dchainrule.gemm.small=N}.
     */
    static final long SMALL = Long.getLong("chainrule.gemm.small", 1000);

    /**
     * Above this many multiply-adds a pure-Java BLAS is split by rows of C across
     * {@link Parallel#THREADS} threads; a native BLAS runs its own threads (OPENBLAS_NUM_THREADS).
     */
    static final long PARALLEL = 64 * 64 * 64;

    private static final class Holder {
        static final BLAS BLAS_IMPL = load();
        static final boolean NATIVE = BLAS_IMPL instanceof NativeBLAS;

        private static BLAS load() {
            // netlib reports each implementation it probes and skips (e.g. VectorBLAS without
            // jdk.incubator.vector) as a java.util.logging WARNING on every start, although it then
            // works fine; quiet its loader while it probes and report the outcome once, through SLF4J.
            java.util.logging.Logger probe = java.util.logging.Logger.getLogger("dev.ludovic.netlib.blas.InstanceBuilder");
            java.util.logging.Level level = probe.getLevel();
            BLAS blas;
            probe.setLevel(java.util.logging.Level.SEVERE);
            try {
                blas = BLAS.getInstance();
            } finally {
                probe.setLevel(level);
            }
            LOG.info("Chainrule GEMM uses {} ({})", blas.getClass().getName(), blas instanceof NativeBLAS
                ? "the system's native BLAS; OPENBLAS_NUM_THREADS limits its threads"
                : "pure Java: install a native BLAS such as libopenblas0 for full speed");
            return blas;
        }
    }

    /** The BLAS implementation in use (loading it logs its name once). */
    public static String implementation() {
        return Holder.BLAS_IMPL.getClass().getName();
    }

    /** The BLAS in use, for other kernels' level-3 routines (e.g. {@code dtrsm} in {@link LinalgKernels}). */
    static BLAS blas() {
        return Holder.BLAS_IMPL;
    }

    /** Whether products go to the system's native BLAS (through JNI). */
    public static boolean isNative() {
        return Holder.NATIVE;
    }

    /**
     * {@code C[m×n] = op(A) · op(B) + beta · C}, all row-major. {@code A} is {@code m×k}
     * ({@code k×m} when {@code transA}), {@code B} is {@code k×n} ({@code n×k} when {@code transB}).
     * Offsets select one matrix of a batch.
     */
    public static void gemm(boolean transA, boolean transB, int m, int n, int k,
                            double[] a, int aOff, double[] b, int bOff, double beta, double[] c, int cOff) {
        gemm(Holder.BLAS_IMPL, !Holder.NATIVE && Parallel.THREADS > 1, transA, transB, m, n, k, a, aOff, b, bOff, beta, c, cOff);
    }

    /** {@link #gemm} through a given BLAS; {@code split} allows splitting rows of C across threads. */
    static void gemm(BLAS blas, boolean split, boolean transA, boolean transB, int m, int n, int k,
                     double[] a, int aOff, double[] b, int bOff, double beta, double[] c, int cOff) {
        long work = (long) m * n * k;
        if (work < SMALL) {
            small(transA, transB, m, n, k, a, aOff, b, bOff, beta, c, cOff);
            return;
        }
        if (split && work >= PARALLEL && m >= 2 * ROWS) {
            // Rows [lo, hi) of C need rows [lo, hi) of A. netlib's bounds checks reject a column
            // block of a transposed A, so that case copies Aᵀ first: O(mk) next to the O(mnk) product.
            double[] a2 = transA ? Kernels.transposeLast2Range(a, aOff, k, m) : a;
            int a2Off = transA ? 0 : aOff;
            Parallel.forRange(m, ROWS, (lo, hi) ->
                blas(blas, false, transB, hi - lo, n, k, a2, a2Off + lo * k, k, b, bOff, beta, c, cOff + lo * n));
            return;
        }
        blas(blas, transA, transB, m, n, k, a, aOff, transA ? m : k, b, bOff, beta, c, cOff);
    }

    /** Rows of C per part when a pure-Java BLAS is split across threads. */
    private static final int ROWS = 16;

    private static void blas(BLAS blas, boolean transA, boolean transB, int m, int n, int k,
                             double[] a, int aOff, int lda, double[] b, int bOff, double beta, double[] c, int cOff) {
        // Row-major C = op(A) op(B) is column-major Cᵀ = op(B)ᵀ op(A)ᵀ: swap the operands.
        int ldb = transB ? k : n;
        blas.dgemm(transB ? "T" : "N", transA ? "T" : "N", n, m, k, 1.0, b, bOff, ldb, a, aOff, lda, beta, c, cOff, n);
    }

    private static void small(boolean transA, boolean transB, int m, int n, int k,
                              double[] a, int aOff, double[] b, int bOff, double beta, double[] c, int cOff) {
        if (beta == 0.0) {
            java.util.Arrays.fill(c, cOff, cOff + m * n, 0.0);
        } else if (beta != 1.0) {
            for (int i = 0; i < m * n; i++) c[cOff + i] *= beta;
        }
        if (transB && !transA) {                  // C[i][j] += A row i · B row j: both contiguous
            for (int i = 0; i < m; i++) {
                int ai = aOff + i * k, ci = cOff + i * n;
                for (int j = 0; j < n; j++) {
                    int bj = bOff + j * k;
                    double s = 0;
                    for (int p = 0; p < k; p++) s += a[ai + p] * b[bj + p];
                    c[ci + j] += s;
                }
            }
            return;
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

    // ---------------------------------------------------------------- float32: sgemm

    /**
     * Single-precision {@link #gemm}: {@code C = op(A) op(B) + beta · C} over {@code float[]} through
     * the BLAS's {@code sgemm} (which accumulates in float). Tiny products use a loop accumulating
     * in double.
     */
    public static void gemm(boolean transA, boolean transB, int m, int n, int k,
                            float[] a, int aOff, float[] b, int bOff, double beta, float[] c, int cOff) {
        BLAS blas = Holder.BLAS_IMPL;
        long work = (long) m * n * k;
        if (work < SMALL) {
            small(transA, transB, m, n, k, a, aOff, b, bOff, beta, c, cOff);
            return;
        }
        if (!Holder.NATIVE && Parallel.THREADS > 1 && work >= PARALLEL && m >= 2 * ROWS) {
            float[] a2 = transA ? transpose(a, aOff, k, m) : a;
            int a2Off = transA ? 0 : aOff;
            Parallel.forRange(m, ROWS, (lo, hi) ->
                sblas(blas, false, transB, hi - lo, n, k, a2, a2Off + lo * k, k, b, bOff, beta, c, cOff + lo * n));
            return;
        }
        sblas(blas, transA, transB, m, n, k, a, aOff, transA ? m : k, b, bOff, beta, c, cOff);
    }

    private static float[] transpose(float[] x, int off, int rows, int cols) {
        float[] t = new float[rows * cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) t[c * rows + r] = x[off + r * cols + c];
        }
        return t;
    }

    private static void sblas(BLAS blas, boolean transA, boolean transB, int m, int n, int k,
                              float[] a, int aOff, int lda, float[] b, int bOff, double beta, float[] c, int cOff) {
        int ldb = transB ? k : n;
        blas.sgemm(transB ? "T" : "N", transA ? "T" : "N", n, m, k, 1.0f, b, bOff, ldb, a, aOff, lda, (float) beta, c, cOff, n);
    }

    private static void small(boolean transA, boolean transB, int m, int n, int k,
                              float[] a, int aOff, float[] b, int bOff, double beta, float[] c, int cOff) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) {
                    s += (double) (transA ? a[aOff + p * m + i] : a[aOff + i * k + p]) * (transB ? b[bOff + j * k + p] : b[bOff + p * n + j]);
                }
                int ci = cOff + i * n + j;
                c[ci] = (float) (beta == 0.0 ? s : s + beta * c[ci]);
            }
        }
    }
}

package dev.chainrule.autograd.internal;

import dev.ludovic.netlib.blas.BLAS;
import dev.ludovic.netlib.lapack.LAPACK;
import dev.ludovic.netlib.lapack.NativeLAPACK;
import org.netlib.util.intW;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dense linear algebra on one row-major {@code n × n} matrix at a time (the ops loop over the
 * batch): Cholesky, triangular solves, LU solves, inverse, determinant and the symmetric
 * eigendecomposition, through {@code dev.ludovic.netlib}'s LAPACK (the system's native LAPACK
 * through JNI when one is installed, its pure-Java F2J translation otherwise) and BLAS
 * ({@code dtrsm}, shared with {@link Gemm}).
 *
 * <p>LAPACK is column-major, and a row-major matrix is the column-major storage of its transpose.
 * Each kernel uses that instead of copying where it can: a row-major lower triangle is a
 * column-major upper one, a row-major {@code A X = B} is the column-major {@code Xᵀ Aᵀ = Bᵀ}, and a
 * symmetric matrix is the same either way. Where a LAPACK routine has no transposed form (the LU
 * solve of a multi-column right-hand side, the eigenvectors) the kernel transposes explicitly,
 * O(n²) next to the O(n³) factorization.
 *
 * <p>Kernels never modify their inputs except where the name says {@code InPlace}; they return
 * LAPACK's {@code info} (0 on success) and leave the error message to the op.
 */
public final class LinalgKernels {
    private LinalgKernels() {}

    private static final Logger LOG = LoggerFactory.getLogger(LinalgKernels.class);

    private static final class Holder {
        static final LAPACK LAPACK_IMPL = load();
        static final boolean NATIVE = LAPACK_IMPL instanceof NativeLAPACK;

        private static LAPACK load() {
            // As for BLAS (see Gemm): netlib logs every implementation it probes and skips as a
            // java.util.logging WARNING; quiet it while it probes and report the outcome once, through SLF4J.
            java.util.logging.Logger probe = java.util.logging.Logger.getLogger("dev.ludovic.netlib.lapack.InstanceBuilder");
            java.util.logging.Level level = probe.getLevel();
            LAPACK lapack;
            probe.setLevel(java.util.logging.Level.SEVERE);
            try {
                lapack = LAPACK.getInstance();
            } finally {
                probe.setLevel(level);
            }
            LOG.info("Chainrule linear algebra uses {} ({})", lapack.getClass().getName(), lapack instanceof NativeLAPACK
                ? "the system's native LAPACK (liblapack.so.3)"
                : "pure Java: install a native LAPACK such as liblapack3 or libopenblas0 for full speed");
            return lapack;
        }
    }

    /** The LAPACK implementation in use (loading it logs its name once). */
    public static String implementation() {
        return Holder.LAPACK_IMPL.getClass().getName();
    }

    /** Whether factorizations go to the system's native LAPACK (through JNI). */
    public static boolean isNative() {
        return Holder.NATIVE;
    }

    private static LAPACK lapack() {
        return Holder.LAPACK_IMPL;
    }

    // ---------------------------------------------------------------- Cholesky

    /**
     * The lower Cholesky factor {@code L} (A = L Lᵀ) of the {@code n × n} matrix at {@code a[off]},
     * written to {@code out[off]} with zeros above the diagonal. Reads only the lower triangle of A.
     *
     * @return 0, or k &gt; 0 when the leading minor of order k is not positive (A is not positive definite)
     */
    public static int cholesky(double[] a, double[] out, int off, int n) {
        System.arraycopy(a, off, out, off, n * n);
        intW info = new intW(0);
        // Row-major lower = column-major upper: dpotrf('U') reads and writes exactly that triangle.
        lapack().dpotrf("U", n, out, off, n, info);
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) out[off + i * n + j] = 0.0;
        }
        return info.val;
    }

    // ---------------------------------------------------------------- triangular solve

    /**
     * Solves in place, with the triangular {@code n × n} matrix {@code A} at {@code a[aOff]}:
     * {@code A X = B} ({@code left}; B is {@code n × k} at {@code b[bOff]}) or {@code X A = B}
     * (B is {@code k × n}). Reads only A's upper or lower triangle, and not its diagonal when
     * {@code unit} (taken as ones). X overwrites B.
     */
    public static void solveTriangularInPlace(boolean left, boolean upper, boolean unit, int n, int k,
                                              double[] a, int aOff, double[] b, int bOff) {
        // Row-major A X = B is column-major Xᵀ Aᵀ = Bᵀ (a right-side solve with Aᵀ, whose triangle
        // is the other one), and X A = B is Aᵀ Xᵀ = Bᵀ: swap the side and the triangle, keep the data.
        String uplo = upper ? "L" : "U", diag = unit ? "U" : "N";
        BLAS blas = Gemm.blas();
        if (left) {
            blas.dtrsm("R", uplo, "N", diag, k, n, 1.0, a, aOff, n, b, bOff, k);
        } else {
            blas.dtrsm("L", uplo, "N", diag, n, k, 1.0, a, aOff, n, b, bOff, n);
        }
    }

    /** The index of the first zero on the diagonal of the {@code n × n} matrix at {@code a[off]}, or −1. */
    public static int zeroOnDiagonal(double[] a, int off, int n) {
        for (int i = 0; i < n; i++) {
            if (a[off + i * (n + 1)] == 0.0) return i;
        }
        return -1;
    }

    // ---------------------------------------------------------------- LU

    /**
     * LU factorization with partial pivoting, in place, of the {@code n × n} matrix at
     * {@code a[off]} (as LAPACK {@code dgetrf} sees it: the column-major Aᵀ); {@code piv} receives
     * the 1-based pivots. Solve with {@link #luSolveInPlace}; {@link #luLogAbsDet} reads the determinant.
     *
     * @return 0, or k &gt; 0 when U(k, k) is exactly zero (A is singular)
     */
    public static int luInPlace(double[] a, int off, int n, int[] piv) {
        intW info = new intW(0);
        lapack().dgetrf(n, n, a, off, n, piv, 0, info);
        return info.val;
    }

    /**
     * Solves {@code A X = B} in place with the factorization from {@link #luInPlace}: B is the
     * row-major {@code n × k} matrix at {@code b[bOff]}, X overwrites it.
     */
    public static void luSolveInPlace(double[] lu, int luOff, int n, int[] piv, double[] b, int bOff, int k) {
        intW info = new intW(0);
        // dgetrf factored the column-major Aᵀ, so trans = 'T' solves with A. The right-hand side must
        // be column-major: a single column already is; k columns are transposed there and back.
        if (k == 1) {
            lapack().dgetrs("T", n, 1, lu, luOff, n, piv, 0, b, bOff, n, info);
            return;
        }
        double[] cm = Kernels.transposeLast2Range(b, bOff, n, k);
        lapack().dgetrs("T", n, k, lu, luOff, n, piv, 0, cm, 0, n, info);
        for (int c = 0; c < k; c++) {
            for (int r = 0; r < n; r++) b[bOff + r * k + c] = cm[c * n + r];
        }
    }

    /**
     * log|det A| and sign(det A) from the factorization of {@link #luInPlace}: the sum of
     * log|U(i, i)| and the sign of the product of U's diagonal times the pivots' parity
     * (det Aᵀ = det A). A singular A gives (−∞, 0).
     *
     * @return {log|det A|, sign}
     */
    public static double[] luLogAbsDet(double[] lu, int off, int n, int[] piv) {
        double logAbs = 0, sign = 1;
        for (int i = 0; i < n; i++) {
            double u = lu[off + i * (n + 1)];
            if (piv[i] != i + 1) sign = -sign;
            if (u < 0) sign = -sign;
            if (u == 0) return new double[] {Double.NEGATIVE_INFINITY, 0};
            logAbs += Math.log(Math.abs(u));
        }
        return new double[] {logAbs, sign};
    }

    /** det A = Π U(i, i) · (−1)^(row swaps) from the factorization of {@link #luInPlace}. */
    public static double luDet(double[] lu, int off, int n, int[] piv) {
        double det = 1;
        for (int i = 0; i < n; i++) {
            det *= lu[off + i * (n + 1)];
            if (piv[i] != i + 1) det = -det;
        }
        return det;
    }

    /**
     * The inverse of the {@code n × n} matrix at {@code a[off]}, in place (LU then {@code dgetri}).
     * The inverse of the column-major Aᵀ is the column-major (A⁻¹)ᵀ, i.e. the row-major A⁻¹.
     *
     * @return 0, or k &gt; 0 when U(k, k) is exactly zero (A is singular)
     */
    public static int inverseInPlace(double[] a, int off, int n) {
        int[] piv = new int[n];
        int info = luInPlace(a, off, n, piv);
        if (info != 0) return info;
        intW w = new intW(0);
        double[] query = new double[1];
        lapack().dgetri(n, a, off, n, piv, 0, query, 0, -1, w);
        int lwork = Math.max(1, (int) query[0]);
        lapack().dgetri(n, a, off, n, piv, 0, new double[lwork], 0, lwork, w);
        return w.val;
    }

    // ---------------------------------------------------------------- symmetric eigendecomposition

    /**
     * Eigenvalues (ascending, into {@code w[wOff]}) and orthonormal eigenvectors (as the columns of
     * the row-major {@code n × n} matrix at {@code v[vOff]}) of the symmetric matrix at
     * {@code a[aOff]}, reading only its lower triangle ({@code dsyevd}, divide and conquer).
     *
     * @return 0, k &gt; 0 when the algorithm failed to converge, or −1 when the lower triangle holds
     *         NaN or ±∞ (dsyevd would return finite garbage for it)
     */
    public static int eigh(double[] a, int aOff, int n, double[] w, int wOff, double[] v, int vOff) {
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                if (!Double.isFinite(a[aOff + i * n + j])) return -1;
            }
        }
        double[] cm = new double[n * n];
        System.arraycopy(a, aOff, cm, 0, n * n);
        intW info = new intW(0);
        double[] wq = new double[1];
        int[] iq = new int[1];
        // Row-major lower triangle = column-major upper triangle.
        lapack().dsyevd("V", "U", n, cm, 0, n, w, wOff, wq, 0, -1, iq, 0, -1, info);
        int lwork = Math.max(1, (int) wq[0]), liwork = Math.max(1, iq[0]);
        lapack().dsyevd("V", "U", n, cm, 0, n, w, wOff, new double[lwork], 0, lwork, new int[liwork], 0, liwork, info);
        // Column-major eigenvectors are columns; in row-major storage they are rows: transpose.
        for (int r = 0; r < n; r++) {
            for (int c = 0; c < n; c++) v[vOff + r * n + c] = cm[c * n + r];
        }
        return info.val;
    }

    // ---------------------------------------------------------------- diagonals

    /** The main diagonal of each {@code rows × cols} matrix of a batch: {@code [batch, min(rows, cols)]}. */
    public static double[] diagonal(double[] x, int batch, int rows, int cols) {
        int d = Math.min(rows, cols);
        double[] out = new double[batch * d];
        for (int b = 0; b < batch; b++) {
            for (int i = 0; i < d; i++) out[b * d + i] = x[b * rows * cols + i * (cols + 1)];
        }
        return out;
    }

    /** Zero {@code rows × cols} matrices with {@code v}'s rows of length min(rows, cols) on their diagonals. */
    public static double[] diagEmbed(double[] v, int batch, int rows, int cols) {
        int d = Math.min(rows, cols);
        double[] out = new double[batch * rows * cols];
        for (int b = 0; b < batch; b++) {
            for (int i = 0; i < d; i++) out[b * rows * cols + i * (cols + 1)] = v[b * d + i];
        }
        return out;
    }
}

package dev.chainrule.autograd;

import static dev.chainrule.autograd.Tensor.SAVES_BOTH;
import static dev.chainrule.autograd.Tensor.SAVES_INPUTS;
import static dev.chainrule.autograd.Tensor.SAVES_NONE;
import static dev.chainrule.autograd.Tensor.SAVES_OUTPUT;
import static dev.chainrule.autograd.Tensor.grads;

import dev.chainrule.autograd.internal.Kernels;
import dev.chainrule.autograd.internal.LinalgKernels;
import java.util.Arrays;

/**
 * Linear-algebra primitives behind {@link Linalg}, batched over leading dimensions: each forward
 * loops over the batch with a LAPACK kernel ({@link LinalgKernels}), each backward rule is written
 * in Tensor ops (mostly other primitives of this file), so second derivatives work. The formulas
 * are the standard ones (Giles 2008, "An extended collection of matrix derivative results";
 * Murray 2016, "Differentiation of the Cholesky decomposition") as PyTorch implements them
 * ({@code FunctionsManual.cpp}), with G = dL/d(output).
 *
 * <p>Also here: the diagonal primitives {@code diagonal}/{@code diagEmbed} the rules need (linear,
 * each the other's adjoint); the triangle masks are {@link Tensor#tril}/{@link Tensor#triu}.
 */
final class LinalgOps {
    private LinalgOps() {}

    // ---------------------------------------------------------------- shapes and messages

    /** Checks that {@code a} is a batch of square matrices {@code [..., n, n]}; returns n. */
    static int square(String op, String name, Tensor a) {
        if (a.rank() < 2) {
            throw new IllegalArgumentException(op + ": " + name + " of shape " + Shape.toString(a.shape)
                + " is not a matrix; pass a square matrix or a batch of them, shape [..., n, n]");
        }
        int n = a.shape[a.rank() - 1];
        if (a.shape[a.rank() - 2] != n) {
            throw new IllegalArgumentException(op + ": " + name + " of shape " + Shape.toString(a.shape)
                + " is not square (" + a.shape[a.rank() - 2] + " x " + n + "); pass square matrices, shape [..., n, n]");
        }
        return n;
    }

    /** For messages about matrix {@code b} of a batch: "the matrix at batch index [1, 0] of shape [2, 2, 3, 3]", or "the matrix of shape [3, 3]" unbatched. */
    static String matrix(int[] shape, int b) {
        if (shape.length == 2) return "the matrix of shape " + Shape.toString(shape);
        int[] batch = Arrays.copyOf(shape, shape.length - 2);
        int[] idx = new int[batch.length];
        for (int d = batch.length - 1; d >= 0; d--) {
            idx[d] = b % batch[d];
            b /= batch[d];
        }
        return "the matrix at batch index " + Arrays.toString(idx) + " of shape " + Shape.toString(shape);
    }

    private static int batchCount(Tensor a) {
        int r = a.rank();
        return a.size() / (a.shape[r - 2] * a.shape[r - 1]);
    }

    /** {@code shape} with its last two dimensions replaced by {@code x, y}. */
    private static int[] withLast2(int[] shape, int x, int y) {
        int[] s = shape.clone();
        s[s.length - 2] = x;
        s[s.length - 1] = y;
        return s;
    }

    /** The batch shape of a matrix tensor followed by {@code tail}. */
    private static int[] batchThen(int[] shape, int... tail) {
        int[] s = Arrays.copyOf(shape, shape.length - 2 + tail.length);
        System.arraycopy(tail, 0, s, shape.length - 2, tail.length);
        return s;
    }

    /** Broadcasts the batch dimensions of two matrix operands; returns {a, b} with equal leading dims. */
    private static Tensor[] broadcastBatch(String op, Tensor a, Tensor b) {
        int[] ba = Arrays.copyOf(a.shape, a.rank() - 2), bb = Arrays.copyOf(b.shape, b.rank() - 2);
        int[] batch = Kernels.broadcastShape(ba, bb);
        if (batch == null) {
            throw new IllegalArgumentException(op + ": batch dimensions of A " + Shape.toString(a.shape) + " and B "
                + Shape.toString(b.shape) + " do not broadcast; the dimensions before the last two must be equal or 1");
        }
        int ra = a.rank(), rb = b.rank();
        int[] sa = Arrays.copyOf(batch, batch.length + 2), sb = Arrays.copyOf(batch, batch.length + 2);
        sa[batch.length] = a.shape[ra - 2];
        sa[batch.length + 1] = a.shape[ra - 1];
        sb[batch.length] = b.shape[rb - 2];
        sb[batch.length + 1] = b.shape[rb - 1];
        return new Tensor[] {a.broadcastTo(sa), b.broadcastTo(sb)};
    }

    // ---------------------------------------------------------------- masks and diagonals

    /** The main diagonal of each matrix, {@code [..., m, n] -> [..., min(m, n)]}. dx = diagEmbed(G). */
    static Tensor diagonal(Tensor x) {
        if (x.rank() < 2) {
            throw new IllegalArgumentException("diagonal: input of shape " + Shape.toString(x.shape)
                + " is not a matrix; pass shape [..., m, n]");
        }
        int r = x.rank(), rows = x.shape[r - 2], cols = x.shape[r - 1];
        return new Tensor(LinalgKernels.diagonal(x.d(), batchCount(x), rows, cols), batchThen(x.shape, Math.min(rows, cols)))
            .record("diagonal", SAVES_NONE, g -> grads(diagEmbed(g, rows, cols)), x);
    }

    /** Zero {@code rows × cols} matrices with {@code v [..., min(rows, cols)]} on the diagonal. dv = diagonal(G). */
    static Tensor diagEmbed(Tensor v, int rows, int cols) {
        int[] s = Arrays.copyOf(v.shape, v.rank() + 1);
        s[s.length - 2] = rows;
        s[s.length - 1] = cols;
        int batch = v.size() / Math.min(rows, cols);
        return new Tensor(LinalgKernels.diagEmbed(v.d(), batch, rows, cols), s)
            .record("diagEmbed", SAVES_NONE, g -> grads(diagonal(g)), v);
    }

    /** The identity, shaped {@code [n, n]} (a constant without graph). */
    static Tensor eye(int n) {
        double[] d = new double[n * n];
        for (int i = 0; i < n; i++) d[i * (n + 1)] = 1;
        return new Tensor(d, new int[] {n, n});
    }

    // ---------------------------------------------------------------- Cholesky

    /**
     * A = L Lᵀ, L lower (reads only A's lower triangle). Backward (Murray 2016, as PyTorch):
     * P = tril(Lᵀ G); S = (P + tril(P, −1)ᵀ) / 2 (P symmetrized, diagonal halved);
     * dA = L⁻ᵀ S L⁻¹, two triangular solves. dA is symmetric: the gradient for symmetric A.
     */
    static Tensor cholesky(Tensor a) {
        int n = square("cholesky", "input", a);
        double[] out = new double[a.size()];
        int batch = batchCount(a);
        for (int b = 0; b < batch; b++) {
            int info = LinalgKernels.cholesky(a.d(), out, b * n * n, n);
            if (info != 0) {
                throw new IllegalArgumentException("cholesky: " + matrix(a.shape, b) + " is not positive definite (its leading minor of order "
                    + info + " is not positive); pass a symmetric positive-definite matrix, e.g. add a multiple of the identity (jitter)");
            }
        }
        Tensor l = new Tensor(out, a.shape);
        return l.record("cholesky", SAVES_OUTPUT, g -> {
            Tensor p = MatmulOps.mm(l, g, true, false).tril(0);
            Tensor s = p.add(p.tril(-1).transpose()).mul(0.5);
            Tensor x = solveTriangularPrimitive(l.transpose(), s, true, true, false);
            return grads(solveTriangularPrimitive(l, x, false, false, false));
        }, a);
    }

    // ---------------------------------------------------------------- triangular solve

    /** X = A⁻¹ B ({@code left}) or B A⁻¹, A triangular; batch dimensions broadcast. */
    static Tensor solveTriangular(Tensor a, Tensor b, boolean upper, boolean left, boolean unit) {
        int n = square("solveTriangular", "A", a);
        Checks.sameDType("solveTriangular", a, "B", b);
        if (b.rank() < 2) {
            throw new IllegalArgumentException("solveTriangular: B of shape " + Shape.toString(b.shape)
                + " is not a matrix; pass B as [..., " + n + ", k] (left) or [..., k, " + n + "] (right); reshape a vector to a column");
        }
        int along = left ? b.shape[b.rank() - 2] : b.shape[b.rank() - 1];
        if (along != n) {
            throw new IllegalArgumentException("solveTriangular: A " + Shape.toString(a.shape) + " and B " + Shape.toString(b.shape)
                + ": with left = " + left + " B must be " + (left ? "[..., " + n + ", k]" : "[..., k, " + n + "]")
                + " to match A's n = " + n);
        }
        Tensor[] ab = broadcastBatch("solveTriangular", a, b);
        return solveTriangularPrimitive(ab[0], ab[1], upper, left, unit);
    }

    /**
     * The primitive, on operands with equal batch dimensions. Backward (as PyTorch):
     * dB = solveTriangular(Aᵀ, G, !upper, left, unit); dA = −dB Xᵀ (left) or −Xᵀ dB (right),
     * kept to A's triangle (without the diagonal when {@code unit}), the only entries X depends on.
     */
    static Tensor solveTriangularPrimitive(Tensor a, Tensor b, boolean upper, boolean left, boolean unit) {
        int n = a.shape[a.rank() - 1];
        int k = left ? b.shape[b.rank() - 1] : b.shape[b.rank() - 2];
        double[] x = b.d().clone();
        int batch = batchCount(a);
        for (int i = 0; i < batch; i++) {
            if (!unit) {
                int z = LinalgKernels.zeroOnDiagonal(a.d(), i * n * n, n);
                if (z >= 0) {
                    throw new IllegalArgumentException("solveTriangular: " + matrix(a.shape, i) + " is singular (diagonal element "
                        + z + " is 0); a triangular system needs a nonzero diagonal");
                }
            }
            LinalgKernels.solveTriangularInPlace(left, upper, unit, n, k, a.d(), i * n * n, x, i * n * k);
        }
        Tensor out = new Tensor(x, b.shape);
        return out.record(left ? "solveTriangular" : "solveTriangular(right)", SAVES_BOTH, g -> {
            Tensor gb = solveTriangularPrimitive(a.transpose(), g, !upper, left, unit);
            Tensor ga = null;
            if (a.requiresGrad) {
                ga = (left ? MatmulOps.mm(gb, out, false, true) : MatmulOps.mm(out, gb, true, false)).neg();
                ga = upper ? ga.triu(unit ? 1 : 0) : ga.tril(unit ? -1 : 0);
            }
            return grads(ga, b.requiresGrad ? gb : null);
        }, a, b);
    }

    // ---------------------------------------------------------------- general solve and inverse

    /** X = A⁻¹ B; B is {@code [..., n, k]} or a batch of vectors {@code [..., n]}; batch dimensions broadcast. */
    static Tensor solve(Tensor a, Tensor b) {
        int n = square("solve", "A", a);
        Checks.sameDType("solve", a, "B", b);
        // PyTorch's rule: B is a batch of vectors when it is 1-D, or when it has A's shape without the last dimension.
        boolean vector = b.rank() == 1 || (b.rank() == a.rank() - 1 && Arrays.equals(b.shape, Arrays.copyOf(a.shape, a.rank() - 1)));
        if (vector) {
            if (b.shape[b.rank() - 1] != n) {
                throw new IllegalArgumentException("solve: A " + Shape.toString(a.shape) + " and B " + Shape.toString(b.shape)
                    + ": the vector B must have length n = " + n);
            }
            int[] col = Arrays.copyOf(b.shape, b.rank() + 1);
            col[b.rank()] = 1;
            Tensor x = solve(a, b.reshape(col));
            return x.reshape(Arrays.copyOf(x.shape, x.rank() - 1));
        }
        if (b.rank() < 2 || b.shape[b.rank() - 2] != n) {
            throw new IllegalArgumentException("solve: A " + Shape.toString(a.shape) + " and B " + Shape.toString(b.shape)
                + ": B must be [..., " + n + ", k] or a vector [..., " + n + "] to match A's n = " + n);
        }
        Tensor[] ab = broadcastBatch("solve", a, b);
        return solvePrimitive(ab[0], ab[1]);
    }

    /** The primitive on equal batch dimensions. Backward: dB = A⁻ᵀ G = solve(Aᵀ, G), dA = −dB Xᵀ. */
    private static Tensor solvePrimitive(Tensor a, Tensor b) {
        int n = a.shape[a.rank() - 1], k = b.shape[b.rank() - 1];
        double[] lu = a.d().clone(), x = b.d().clone();
        int[] piv = new int[n];
        int batch = batchCount(a);
        for (int i = 0; i < batch; i++) {
            if (LinalgKernels.luInPlace(lu, i * n * n, n, piv) != 0) throw singular("solve", a.shape, i);
            LinalgKernels.luSolveInPlace(lu, i * n * n, n, piv, x, i * n * k, k);
        }
        Tensor out = new Tensor(x, b.shape);
        return out.record("solve", SAVES_BOTH, g -> {
            Tensor gb = solvePrimitive(a.transpose(), g);
            return grads(a.requiresGrad ? MatmulOps.mm(gb, out, false, true).neg() : null, b.requiresGrad ? gb : null);
        }, a, b);
    }

    private static IllegalArgumentException singular(String op, int[] shape, int b) {
        return new IllegalArgumentException(op + ": " + matrix(shape, b) + " is singular (its LU factorization has a zero pivot); "
            + "it has no inverse: check for repeated rows or columns, or regularize (add a multiple of the identity)");
    }

    /** A⁻¹. Backward: dA = −A⁻ᵀ G A⁻ᵀ (reuses the output). */
    static Tensor inverse(Tensor a) {
        return inverse("inverse", a);
    }

    /** {@link #inverse} with errors named after {@code op} (det and slogdet call it in their rules). */
    private static Tensor inverse(String op, Tensor a) {
        int n = square(op, "input", a);
        double[] y = a.d().clone();
        int batch = batchCount(a);
        for (int i = 0; i < batch; i++) {
            if (LinalgKernels.inverseInPlace(y, i * n * n, n) != 0) throw singular(op, a.shape, i);
        }
        Tensor out = new Tensor(y, a.shape);
        return out.record("inverse", SAVES_OUTPUT,
            g -> grads(MatmulOps.mm(MatmulOps.mm(out, g, true, false), out, false, true).neg()), a);
    }

    // ---------------------------------------------------------------- determinants

    /** det A (0 for a singular A). Backward: dA = G · det A · A⁻ᵀ (Jacobi's formula; needs A invertible). */
    static Tensor det(Tensor a) {
        int n = square("det", "input", a);
        double[] lu = a.d().clone(), d = new double[batchCount(a)];
        int[] piv = new int[n];
        for (int i = 0; i < d.length; i++) {
            LinalgKernels.luInPlace(lu, i * n * n, n, piv);
            d[i] = LinalgKernels.luDet(lu, i * n * n, n, piv);
        }
        Tensor out = new Tensor(d, Arrays.copyOf(a.shape, a.rank() - 2));
        return out.record("det", SAVES_BOTH, g -> grads(g.mul(out).reshape(batchThen(a.shape, 1, 1))
            .mul(inverse("det (backward)", a).transpose())), a);
    }

    /**
     * sign(det A) (a constant) and log|det A| (−∞ and sign 0 for a singular A). Backward of the
     * log: dA = G · A⁻ᵀ (needs A invertible).
     */
    static Linalg.SignLogDet slogdet(Tensor a) {
        int n = square("slogdet", "input", a);
        double[] lu = a.d().clone();
        int batch = batchCount(a);
        double[] sign = new double[batch], logAbs = new double[batch];
        int[] piv = new int[n];
        for (int i = 0; i < batch; i++) {
            LinalgKernels.luInPlace(lu, i * n * n, n, piv);
            double[] sl = LinalgKernels.luLogAbsDet(lu, i * n * n, n, piv);
            logAbs[i] = sl[0];
            sign[i] = sl[1];
        }
        int[] s = Arrays.copyOf(a.shape, a.rank() - 2);
        Tensor la = new Tensor(logAbs, s).record("slogdet", SAVES_INPUTS,
            g -> grads(g.reshape(batchThen(a.shape, 1, 1)).mul(inverse("slogdet (backward)", a).transpose())), a);
        return new Linalg.SignLogDet(Tensor.of(sign, s.clone(), a.dtype()), la);     // the sign in A's dtype, as PyTorch
    }

    // ---------------------------------------------------------------- symmetric eigendecomposition

    /**
     * A = V diag(w) Vᵀ for symmetric A (reads its lower triangle), w ascending. Two recorded results,
     * whose rules add up to PyTorch's (linear in (dL/dw, dL/dV), so splitting them is exact):
     * w: dA = V diag(G_w) Vᵀ;  V: dA = V (F ∘ (VᵀG_V − G_VᵀV) / 2) Vᵀ with F_ij = 1 / (w_j − w_i)
     * off the diagonal and 0 on it. F is infinite for repeated eigenvalues (see {@link Linalg#eigh}).
     */
    static Linalg.Eigh eigh(Tensor a) {
        int n = square("eigh", "input", a);
        int batch = batchCount(a);
        double[] w = new double[batch * n], v = new double[a.size()];
        for (int i = 0; i < batch; i++) {
            int info = LinalgKernels.eigh(a.d(), i * n * n, n, w, i * n, v, i * n * n);
            if (info < 0) {
                throw new IllegalArgumentException("eigh: " + matrix(a.shape, i) + " holds NaN or Inf in its lower triangle "
                    + "(the part eigh reads); its eigenvalues are undefined");
            }
            if (info != 0) {
                throw new IllegalArgumentException("eigh: the eigenvalue algorithm did not converge for " + matrix(a.shape, i)
                    + " (LAPACK dsyevd info " + info + "); check the input for NaN or huge values");
            }
        }
        Tensor values = new Tensor(w, batchThen(a.shape, n));
        Tensor vectors = new Tensor(v, a.shape);
        int[] row = batchThen(a.shape, 1, n), col = batchThen(a.shape, n, 1);
        values.record("eigh(values)", SAVES_OUTPUT,
            g -> grads(MatmulOps.mm(vectors.mul(g.reshape(row)), vectors, false, true)), a);
        vectors.record("eigh(vectors)", SAVES_OUTPUT, g -> {
            Tensor vtg = MatmulOps.mm(vectors, g, true, false);
            Tensor skew = vtg.sub(vtg.transpose()).mul(0.5);
            Tensor eye = eye(n);
            Tensor gaps = values.reshape(row).sub(values.reshape(col)).add(eye);      // w_j − w_i, 1 on the diagonal
            Tensor f = Tensor.scalar(1).div(gaps).mul(Tensor.scalar(1).sub(eye));
            return grads(MatmulOps.mm(MatmulOps.mm(vectors, skew.mul(f), false, false), vectors, false, true));
        }, a);
        return new Linalg.Eigh(values, vectors);
    }
}

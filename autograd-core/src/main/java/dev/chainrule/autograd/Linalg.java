package dev.chainrule.autograd;

import java.util.Objects;

/**
 * Differentiable linear algebra, PyTorch's {@code torch.linalg}: factorizations, solves,
 * inverse, determinants and the symmetric eigendecomposition. Every function takes a matrix
 * {@code [n, n]} or a batch of them {@code [..., n, n]} (the leading dimensions are the batch, and
 * broadcast between two operands), and returns the same batch.
 *
 * <p>The kernels are LAPACK's (through {@code dev.ludovic.netlib}: the system's native LAPACK when
 * one is installed, e.g. Debian's {@code liblapack3} or {@code libopenblas0}, a pure-Java
 * translation otherwise; the first call logs which). The backward rules are written in tensor ops,
 * so every function here is differentiable twice (and more).
 *
 * <p>Errors are {@link IllegalArgumentException}s naming the function, the input's shape and, for a
 * batch, the index of the offending matrix: a non-square input, shapes that do not fit, a matrix that
 * is not positive definite ({@link #cholesky}) or is singular ({@link #solve}, {@link #inverse},
 * {@link #solveTriangular} with a zero on the diagonal).
 *
 * <pre>{@code
 * Tensor l = Linalg.cholesky(k);                                   // K = L Lᵀ
 * Tensor z = Linalg.solveTriangular(l, y, false, true, false);     // z = L⁻¹ y
 * Tensor nll = z.square().sum().mul(0.5)                           // ½ yᵀK⁻¹y + ½ log det K
 *     .add(Linalg.diagonal(l).log().sum());
 * }</pre>
 */
public final class Linalg {
    private Linalg() {}

    /** sign(det A) (a constant, no graph) and log|det A|, each of A's batch shape. */
    public record SignLogDet(Tensor sign, Tensor logAbsDet) {}

    /**
     * The eigendecomposition A = V diag(w) Vᵀ of a symmetric A: eigenvalues {@code [..., n]} in
     * ascending order and orthonormal eigenvectors as the columns of {@code [..., n, n]}.
     */
    public record Eigh(Tensor eigenvalues, Tensor eigenvectors) {}

    /**
     * The lower Cholesky factor L of a symmetric positive-definite A: A = L Lᵀ (PyTorch's
     * {@code torch.linalg.cholesky}). Reads only A's lower triangle. Gradient (Murray 2016):
     * with P = tril(Lᵀ G) and S = (P + tril(P, −1)ᵀ) / 2, dA = L⁻ᵀ S L⁻¹ — symmetric, i.e. the
     * gradient with respect to a symmetric A, as in PyTorch.
     *
     * @param a {@code [..., n, n]}, symmetric positive definite
     * @return L, same shape, zero above the diagonal
     * @throws IllegalArgumentException if A is not square or a matrix of it is not positive definite
     */
    public static Tensor cholesky(Tensor a) {
        return LinalgOps.cholesky(Objects.requireNonNull(a, "cholesky: a is null"));
    }

    /**
     * Solves a triangular system (PyTorch's {@code torch.linalg.solve_triangular}, same arguments):
     * X = A⁻¹ B when {@code left}, X = B A⁻¹ otherwise. Reads only A's upper ({@code upper}) or
     * lower triangle, and not its diagonal when {@code unitriangular} (taken as ones).
     * Gradient: dB = solveTriangular(Aᵀ, G, !upper, left, unitriangular); dA = −dB Xᵀ (left) or
     * −Xᵀ dB (right), kept to the triangle A's values were read from.
     *
     * @param a {@code [..., n, n]} triangular
     * @param b {@code [..., n, k]} when {@code left}, {@code [..., k, n]} otherwise (batch dimensions broadcast)
     * @throws IllegalArgumentException if the shapes do not fit, or A has a zero on its diagonal
     *         (PyTorch returns ±∞ there instead) and {@code unitriangular} is false
     */
    public static Tensor solveTriangular(Tensor a, Tensor b, boolean upper, boolean left, boolean unitriangular) {
        Objects.requireNonNull(a, "solveTriangular: a is null");
        Objects.requireNonNull(b, "solveTriangular: b is null");
        return LinalgOps.solveTriangular(a, b, upper, left, unitriangular);
    }

    /**
     * Solves A X = B by LU factorization with partial pivoting (PyTorch's {@code torch.linalg.solve}).
     * B is a matrix {@code [..., n, k]} or a batch of vectors {@code [..., n]} (when it is 1-D or has
     * A's shape without its last dimension, PyTorch's rule); batch dimensions broadcast.
     * Gradient: dB = A⁻ᵀ G, dA = −dB Xᵀ.
     *
     * @throws IllegalArgumentException if the shapes do not fit or a matrix of A is singular
     */
    public static Tensor solve(Tensor a, Tensor b) {
        Objects.requireNonNull(a, "solve: a is null");
        Objects.requireNonNull(b, "solve: b is null");
        return LinalgOps.solve(a, b);
    }

    /**
     * A⁻¹ (PyTorch's {@code torch.linalg.inv}). Prefer {@link #solve} for A⁻¹ B: it is cheaper
     * and more accurate. Gradient: dA = −A⁻ᵀ G A⁻ᵀ (reuses the output).
     *
     * @throws IllegalArgumentException if A is not square or a matrix of it is singular
     */
    public static Tensor inverse(Tensor a) {
        return LinalgOps.inverse(Objects.requireNonNull(a, "inverse: a is null"));
    }

    /**
     * det A, of A's batch shape (PyTorch's {@code torch.linalg.det}), from an LU factorization;
     * 0 for a singular A. Gradient (Jacobi's formula): dA = G · det A · A⁻ᵀ. Unlike PyTorch's, the
     * gradient at a singular A is not available: backward throws there.
     *
     * @throws IllegalArgumentException if A is not square (and in backward, if A is singular)
     */
    public static Tensor det(Tensor a) {
        return LinalgOps.det(Objects.requireNonNull(a, "det: a is null"));
    }

    /**
     * sign(det A) and log|det A| (PyTorch's {@code torch.linalg.slogdet}), stable where det A
     * under- or overflows. A singular A gives sign 0 and log|det A| = −∞. The sign is a constant;
     * the gradient of log|det A| is dA = G · A⁻ᵀ (backward throws for a singular A).
     *
     * @throws IllegalArgumentException if A is not square
     */
    public static SignLogDet slogdet(Tensor a) {
        return LinalgOps.slogdet(Objects.requireNonNull(a, "slogdet: a is null"));
    }

    /**
     * log det A (PyTorch's {@code torch.logdet}): log|det A| where det A &gt; 0, NaN where it is
     * negative, −∞ where A is singular. A composite of {@link #slogdet}, log|det A| + log(sign),
     * so its gradient is slogdet's, dA = G · A⁻ᵀ. For a symmetric positive-definite A,
     * {@code 2 · sum(log(diagonal(cholesky(A))))} is cheaper.
     *
     * @throws IllegalArgumentException if A is not square
     */
    public static Tensor logdet(Tensor a) {
        SignLogDet s = slogdet(Objects.requireNonNull(a, "logdet: a is null"));
        return s.logAbsDet().add(s.sign().log());
    }

    /**
     * The eigendecomposition of a symmetric A (PyTorch's {@code torch.linalg.eigh}): A = V diag(w) Vᵀ,
     * eigenvalues w ascending, eigenvectors the columns of V (each determined up to sign). Reads
     * only A's lower triangle. Gradients (for symmetric A, symmetric themselves):
     * from w, dA = V diag(G_w) Vᵀ; from V, dA = V (F ∘ (VᵀG_V − G_VᵀV) / 2) Vᵀ with
     * F_ij = 1 / (w_j − w_i) off the diagonal and 0 on it.
     *
     * <p>Degenerate (repeated) eigenvalues: the eigenvalues and their gradient stay well defined,
     * but the eigenvectors of a repeated eigenvalue are not unique, and the gradient through V
     * divides by w_j − w_i = 0, so it holds ±∞ or NaN (as in PyTorch, whose documentation says the
     * same: gradients through eigenvectors are finite only for distinct eigenvalues; with
     * {@link Autograd#detectAnomaly(boolean)} on, backward stops there and names
     * {@code eigh(vectors)}), even for a loss that is invariant to the choice of eigenvectors
     * (V diag(h(w)) Vᵀ). A loss of the eigenvalues alone has finite gradients at repeated
     * eigenvalues; near-degenerate eigenvalues make the eigenvector gradient large.
     *
     * @throws IllegalArgumentException if A is not square, holds NaN or ±∞ in its lower triangle
     *         (LAPACK would return finite garbage), or LAPACK fails to converge
     */
    public static Eigh eigh(Tensor a) {
        return LinalgOps.eigh(Objects.requireNonNull(a, "eigh: a is null"));
    }

    /** The eigenvalues of a symmetric A, ascending (PyTorch's {@code torch.linalg.eigvalsh}): {@code eigh(a).eigenvalues()}. */
    public static Tensor eigvalsh(Tensor a) {
        return eigh(Objects.requireNonNull(a, "eigvalsh: a is null")).eigenvalues();
    }

    /**
     * The main diagonal of each matrix (PyTorch's {@code torch.linalg.diagonal}, offset 0):
     * {@code [..., m, n] -> [..., min(m, n)]}. Gradient: G placed on the diagonal of zeros.
     *
     * @throws IllegalArgumentException if the input has rank below 2
     */
    public static Tensor diagonal(Tensor a) {
        return LinalgOps.diagonal(Objects.requireNonNull(a, "diagonal: a is null"));
    }
}

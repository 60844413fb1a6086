package dev.chainrule.autograd;

import static dev.chainrule.autograd.LinalgGens.batch;
import static dev.chainrule.autograd.LinalgGens.matrixShape;
import static dev.chainrule.autograd.LinalgGens.signedWellConditioned;
import static dev.chainrule.autograd.LinalgGens.spd;
import static dev.chainrule.autograd.LinalgGens.sym;
import static dev.chainrule.autograd.LinalgGens.symmetricDistinct;
import static dev.chainrule.autograd.LinalgGens.triangularSource;
import static dev.chainrule.autograd.LinalgGens.uniformTensor;
import static dev.chainrule.autograd.LinalgGens.wellConditioned;
import static dev.chainrule.autograd.TestGens.Case;
import static dev.chainrule.autograd.TestGens.between;
import static dev.chainrule.autograd.TestGens.bool;
import static dev.chainrule.autograd.TestGens.cases;
import static dev.chainrule.autograd.TestGens.theory;

import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.quicktheories.core.RandomnessSource;

/**
 * Gradient properties of every {@link Linalg} function: backward against central finite
 * differences ({@link GradCheck#check}) on generated, well-conditioned matrices with batch
 * dimensions (matrices of rank 2–4), and second derivatives ({@link GradCheck#checkSecondOrder})
 * on smaller ones. Functions of a symmetric argument (cholesky, eigh) are checked through
 * (X + Xᵀ)/2 — their gradients are the symmetric ones, as in PyTorch — and eigh's eigenvectors
 * through V ∘ V, which does not depend on their signs.
 */
class LinalgGradientPropertiesTest {

    /** Each case: the op applied to generated inputs, mixed with a weight so every output element matters. */
    private static Case linalgCase(String op, RandomnessSource rs, int maxBatchRank, int maxN) {
        int[] batch = batch(rs, maxBatchRank);
        int n = between(rs, 1, maxN);
        String label = op + " batch " + Shape.toString(batch) + " n " + n;
        switch (op) {
            case "cholesky": {
                Tensor w = uniformTensor(rs, -1, 1, matrixShape(batch, n, n));
                return new Case(label, x -> Linalg.cholesky(sym(x[0])).mul(w), spd(rs, batch, n));
            }
            case "solveTriangular": {
                boolean upper = bool(rs), left = bool(rs), unit = bool(rs);
                int k = between(rs, 1, 3);
                // B's batch dimensions are a suffix of A's, or A's are dropped: broadcasting both ways
                int[] bBatch = bool(rs) ? Arrays.copyOfRange(batch, between(rs, 0, batch.length), batch.length) : batch;
                Tensor b = uniformTensor(rs, -1, 1, left ? matrixShape(bBatch, n, k) : matrixShape(bBatch, k, n));
                return new Case(label + " upper " + upper + " left " + left + " unit " + unit + " B " + Shape.toString(b.shape()),
                    x -> Linalg.solveTriangular(x[0], x[1], upper, left, unit), triangularSource(rs, batch, n), b);
            }
            case "solve": {
                boolean vector = bool(rs);
                Tensor b = vector ? uniformTensor(rs, -1, 1, Arrays.copyOf(matrixShape(batch, n, n), batch.length + 1))
                    : uniformTensor(rs, -1, 1, matrixShape(batch, n, between(rs, 1, 3)));
                return new Case(label + " B " + Shape.toString(b.shape()), x -> Linalg.solve(x[0], x[1]),
                    wellConditioned(rs, batch, n), b);
            }
            case "inverse":
                return new Case(label, x -> Linalg.inverse(x[0]), wellConditioned(rs, batch, n));
            case "det":
                return new Case(label, x -> Linalg.det(x[0]), signedWellConditioned(rs, batch, n));
            case "slogdet":
                return new Case(label, x -> Linalg.slogdet(x[0]).logAbsDet(), signedWellConditioned(rs, batch, n));
            case "logdet":
                return new Case(label, x -> Linalg.logdet(x[0]), wellConditioned(rs, batch, n));
            case "eigvalsh":
                return new Case(label, x -> Linalg.eigh(sym(x[0])).eigenvalues(), symmetricDistinct(rs, batch, n));
            case "eigvecs": {
                Tensor w = uniformTensor(rs, -1, 1, matrixShape(batch, n, n));
                return new Case(label, x -> Linalg.eigh(sym(x[0])).eigenvectors().square().mul(w), symmetricDistinct(rs, batch, n));
            }
            case "eighBoth": {
                Tensor w = uniformTensor(rs, -1, 1, matrixShape(batch, n, n));
                return new Case(label, x -> {
                    Linalg.Eigh e = Linalg.eigh(sym(x[0]));
                    // V diag(w²) Vᵀ: both outputs, and invariant to the eigenvectors' signs
                    Tensor v = e.eigenvectors();
                    return v.mul(e.eigenvalues().square().reshape(matrixShape(batch, 1, n))).matmul(v.transpose()).mul(w);
                }, symmetricDistinct(rs, batch, n));
            }
            case "diagonal": {
                int m = between(rs, 1, 4);
                return new Case(label + " x " + m, x -> Linalg.diagonal(x[0]).square(), uniformTensor(rs, -1, 1, matrixShape(batch, n, m)));
            }
            default:
                throw new AssertionError(op);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"cholesky", "solveTriangular", "solve", "inverse", "det", "slogdet", "logdet", "eigvalsh", "eigvecs",
        "eighBoth", "diagonal"})
    void gradientMatchesFiniteDifferences(String op) {
        theory(30).forAll(cases(rs -> linalgCase(op, rs, 2, 4))).checkAssert(TestGens::assertGradient);
    }

    @ParameterizedTest
    @ValueSource(strings = {"cholesky", "solveTriangular", "solve", "inverse", "det", "slogdet", "logdet", "eigvalsh", "eigvecs",
        "eighBoth", "diagonal"})
    void secondDerivativesMatchFiniteDifferences(String op) {
        theory(10).forAll(cases(rs -> linalgCase(op, rs, 1, 3))).checkAssert(TestGens::assertSecondOrder);
    }
}

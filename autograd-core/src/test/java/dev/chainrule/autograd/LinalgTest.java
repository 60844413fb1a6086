package dev.chainrule.autograd;

import static dev.chainrule.autograd.LinalgGens.batch;
import static dev.chainrule.autograd.LinalgGens.matrixShape;
import static dev.chainrule.autograd.LinalgGens.signedWellConditioned;
import static dev.chainrule.autograd.LinalgGens.spd;
import static dev.chainrule.autograd.LinalgGens.symmetricDistinct;
import static dev.chainrule.autograd.LinalgGens.triangularSource;
import static dev.chainrule.autograd.LinalgGens.uniformTensor;
import static dev.chainrule.autograd.LinalgGens.wellConditioned;
import static dev.chainrule.autograd.TestGens.Case;
import static dev.chainrule.autograd.TestGens.assertTensor;
import static dev.chainrule.autograd.TestGens.assertValues;
import static dev.chainrule.autograd.TestGens.between;
import static dev.chainrule.autograd.TestGens.bool;
import static dev.chainrule.autograd.TestGens.cases;
import static dev.chainrule.autograd.TestGens.theory;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chainrule.autograd.internal.LinalgKernels;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * {@link Linalg}: the identities (solve(A, A·X) = X, L·Lᵀ = A, logdet = log det, A⁻¹A = I,
 * V diag(w) Vᵀ = A, ...) on generated batched matrices, shapes and broadcasting, which triangle is
 * read, degenerate eigenvalues, the graph (names in {@link Dot}), and every error path by type and
 * message.
 */
@SuppressWarnings("try")
class LinalgTest {

    private static final double TOL = 1e-10;

    private static Tensor eyeLike(Tensor a) {
        int n = a.shape()[a.rank() - 1];
        return LinalgOps.eye(n).broadcastTo(a.shape());
    }

    // ================================================================ identities (generated)

    @Test
    void choleskyFactorTimesItsTransposeIsTheMatrixAndIsLowerWithPositiveDiagonal() {
        theory(40).forAll(cases(rs -> {
            int[] b = batch(rs, 2);
            return new Case("spd " + Shape.toString(b), x -> x[0], spd(rs, b, between(rs, 1, 5)));
        })).checkAssert(c -> {
            Tensor a = c.inputs()[0];
            Tensor l = Linalg.cholesky(a);
            assertArrayEquals(a.shape(), l.shape());
            assertTensor(a.toArray(), a.shape(), l.matmul(l.transpose()), TOL);
            assertValues(l.toArray(), l.tril(0), 0);
            for (double d : Linalg.diagonal(l).toArray()) assertTrue(d > 0, "diagonal " + d);
        });
    }

    @Test
    void solveUndoesMultiplicationAndTheInverseIsATwoSidedInverse() {
        theory(40).forAll(cases(rs -> {
            int[] b = batch(rs, 2);
            int n = between(rs, 1, 5);
            return new Case("A " + Shape.toString(b) + " n " + n, x -> x[0], wellConditioned(rs, b, n),
                uniformTensor(rs, -2, 2, matrixShape(b, n, between(rs, 1, 3))));
        })).checkAssert(c -> {
            Tensor a = c.inputs()[0], x = c.inputs()[1];
            assertTensor(x.toArray(), x.shape(), Linalg.solve(a, a.matmul(x)), 1e-9);
            Tensor inv = Linalg.inverse(a);
            assertTensor(eyeLike(a).toArray(), a.shape(), inv.matmul(a), 1e-9);
            assertTensor(eyeLike(a).toArray(), a.shape(), a.matmul(inv), 1e-9);
            assertTensor(inv.matmul(x).toArray(), x.shape(), Linalg.solve(a, x), 1e-9);
        });
    }

    @Test
    void solveTriangularUndoesMultiplicationByTheTriangle() {
        theory(40).forAll(cases(rs -> {
            int[] b = batch(rs, 2);
            int n = between(rs, 1, 5), k = between(rs, 1, 3);
            return new Case("T " + Shape.toString(b) + " n " + n + " k " + k, x -> x[0], triangularSource(rs, b, n),
                uniformTensor(rs, -2, 2, matrixShape(b, n, k)), uniformTensor(rs, -2, 2, matrixShape(b, k, n)),
                Tensor.of(new double[] {bool(rs) ? 1 : 0, bool(rs) ? 1 : 0}, 2));
        })).checkAssert(c -> {
            Tensor src = c.inputs()[0], xl = c.inputs()[1], xr = c.inputs()[2];
            boolean upper = c.inputs()[3].get(0) == 1, unit = c.inputs()[3].get(1) == 1;
            Tensor t = upper ? src.triu(0) : src.tril(0);
            if (unit) t = t.sub(LinalgOps.diagEmbed(Linalg.diagonal(t), t.shape()[t.rank() - 1], t.shape()[t.rank() - 1])).add(eyeLike(t));
            // the full source matrix goes in: the op must read only the chosen triangle (and not the diagonal when unit)
            assertTensor(xl.toArray(), xl.shape(), Linalg.solveTriangular(src, t.matmul(xl), upper, true, unit), 1e-9);
            assertTensor(xr.toArray(), xr.shape(), Linalg.solveTriangular(src, xr.matmul(t), upper, false, unit), 1e-9);
        });
    }

    @Test
    void logdetIsLogDetAndSlogdetAgreesWithDet() {
        theory(40).forAll(cases(rs -> {
            int[] b = batch(rs, 2);
            return new Case("A " + Shape.toString(b), x -> x[0], signedWellConditioned(rs, b, between(rs, 1, 5)));
        })).checkAssert(c -> {
            Tensor a = c.inputs()[0];
            double[] det = Linalg.det(a).toArray();
            Linalg.SignLogDet s = Linalg.slogdet(a);
            double[] logdet = Linalg.logdet(a).toArray(), sign = s.sign().toArray(), logAbs = s.logAbsDet().toArray();
            for (int i = 0; i < det.length; i++) {
                assertEquals(Math.signum(det[i]), sign[i]);
                assertEquals(Math.log(Math.abs(det[i])), logAbs[i], 1e-10);
                if (det[i] > 0) {
                    assertEquals(Math.log(det[i]), logdet[i], 1e-10);
                } else {
                    assertTrue(Double.isNaN(logdet[i]), "logdet of a negative determinant is NaN, as in PyTorch");
                }
            }
            // det of a product is the product of dets; det of the Cholesky-based SPD matrix is the squared diagonal product
            Tensor spd = a.matmul(a.transpose());
            Tensor viaCholesky = Linalg.diagonal(Linalg.cholesky(spd)).log().sum(-1, false).mul(2);
            assertValues(Linalg.logdet(spd).toArray(), viaCholesky, 1e-9);
        });
    }

    @Test
    void eighReconstructsTheMatrixWithOrthonormalEigenvectorsAndAscendingEigenvalues() {
        theory(40).forAll(cases(rs -> {
            int[] b = batch(rs, 2);
            int n = between(rs, 1, 5);
            Tensor a = bool(rs) ? symmetricDistinct(rs, b, n) : spd(rs, b, n);
            return new Case("A " + Shape.toString(b), x -> x[0], a);
        })).checkAssert(c -> {
            Tensor a = c.inputs()[0];
            int n = a.shape()[a.rank() - 1];
            Linalg.Eigh e = Linalg.eigh(a);
            Tensor v = e.eigenvectors(), w = e.eigenvalues();
            assertArrayEquals(Arrays.copyOf(a.shape(), a.rank() - 1), w.shape());
            int[] row = a.shape().clone();
            row[row.length - 2] = 1;
            assertTensor(a.toArray(), a.shape(), v.mul(w.reshape(row)).matmul(v.transpose()), 1e-9);
            assertTensor(eyeLike(a).toArray(), a.shape(), v.transpose().matmul(v), 1e-9);
            double[] wv = w.toArray();
            for (int i = 0; i < wv.length; i++) {
                if (i % n != 0) assertTrue(wv[i - 1] <= wv[i], "ascending: " + Arrays.toString(wv));
            }
            assertValues(wv, Linalg.eigvalsh(a), 0);
        });
    }

    // ================================================================ small exact values

    @Test
    void knownValues() {
        Tensor a = Tensor.of(new double[][] {{4, 2}, {2, 3}});
        assertTensor(new double[] {2, 0, 1, Math.sqrt(2)}, new int[] {2, 2}, Linalg.cholesky(a), TOL);
        assertEquals(8.0, Linalg.det(a).item(), TOL);
        assertEquals(Math.log(8), Linalg.logdet(a).item(), TOL);
        assertTensor(new double[] {3 / 8.0, -2 / 8.0, -2 / 8.0, 4 / 8.0}, new int[] {2, 2}, Linalg.inverse(a), TOL);
        assertTensor(new double[] {1 / 8.0, 2 / 8.0}, new int[] {2}, Linalg.solve(a, Tensor.of(1.0, 1.0)), TOL);
        Linalg.Eigh e = Linalg.eigh(Tensor.of(new double[][] {{2, 1}, {1, 2}}));
        assertTensor(new double[] {1, 3}, new int[] {2}, e.eigenvalues(), TOL);
        Linalg.SignLogDet s = Linalg.slogdet(Tensor.of(new double[][] {{0, 1}, {1, 0}}));
        assertEquals(-1.0, s.sign().item());
        assertEquals(0.0, s.logAbsDet().item(), TOL);
        assertEquals(-3.0, Linalg.det(Tensor.of(new double[][] {{0, 1, 0}, {1, 0, 0}, {0, 0, 3}})).item(), TOL);
        // singular: det 0, slogdet (0, −∞), logdet −∞, as PyTorch
        Tensor sing = Tensor.of(new double[][] {{1, 2}, {2, 4}});
        assertEquals(0.0, Linalg.det(sing).item(), 0.0);
        assertEquals(0.0, Linalg.slogdet(sing).sign().item());
        assertEquals(Double.NEGATIVE_INFINITY, Linalg.slogdet(sing).logAbsDet().item());
        assertEquals(Double.NEGATIVE_INFINITY, Linalg.logdet(sing).item());
        assertTensor(new double[] {2, 4, 1}, new int[] {3}, Linalg.diagonal(Tensor.of(new double[][] {{2, 0, 0, 9}, {0, 4, 0, 9}, {0, 0, 1, 9}})), 0);
    }

    @Test
    void choleskyAndEighReadOnlyTheLowerTriangle() {
        Tensor a = Tensor.of(new double[][] {{4, 2}, {2, 3}});
        Tensor junkAbove = Tensor.of(new double[][] {{4, 100}, {2, 3}});
        assertValues(Linalg.cholesky(a).toArray(), Linalg.cholesky(junkAbove), 0);
        assertValues(Linalg.eigh(a).eigenvalues().toArray(), Linalg.eigh(junkAbove).eigenvalues(), TOL);
    }

    @Test
    void shapesAndBroadcasting() {
        Tensor a = wellConditionedFixed(2, 1, 3);                     // [2, 1, 3, 3]
        Tensor b = Tensor.ones(4, 3, 2);
        assertArrayEquals(new int[] {2, 4, 3, 2}, Linalg.solve(a, b).shape());
        assertArrayEquals(new int[] {2, 1, 3}, Linalg.solve(a, Tensor.ones(2, 1, 3)).shape());    // batch of vectors
        assertArrayEquals(new int[] {3}, Linalg.solve(wellConditionedFixed(3), Tensor.ones(3)).shape());
        assertArrayEquals(new int[] {2, 1}, Linalg.det(a).shape());
        assertArrayEquals(new int[] {2, 1, 3}, Linalg.eigh(a.add(a.transpose())).eigenvalues().shape());
        assertArrayEquals(new int[] {2, 4, 3, 2}, Linalg.solveTriangular(a, b, false, true, false).shape());
        assertArrayEquals(new int[] {2, 4, 2, 3}, Linalg.solveTriangular(a, Tensor.ones(4, 2, 3), true, false, false).shape());
        assertArrayEquals(new int[0], Linalg.det(wellConditionedFixed(3)).shape());
        // broadcast inputs get their gradients summed back to their own shapes
        Tensor aa = a.detach().requiresGrad(), bb = b.detach().requiresGrad();
        Linalg.solve(aa, bb).sum().backward();
        assertArrayEquals(aa.shape(), aa.grad().shape());
        assertArrayEquals(bb.shape(), bb.grad().shape());
    }

    private static Tensor wellConditionedFixed(int... batchAndN) {
        int n = batchAndN[batchAndN.length - 1];
        int[] batch = Arrays.copyOf(batchAndN, batchAndN.length - 1);
        int count = Shape.size(batch);
        double[] d = new double[count * n * n];
        for (int i = 0; i < d.length; i++) d[i] = Math.sin(i + 1) * 0.5;
        for (int b = 0; b < count; b++) {
            for (int i = 0; i < n; i++) d[b * n * n + i * (n + 1)] += n + 1;
        }
        return Tensor.of(d, matrixShape(batch, n, n));
    }

    @Test
    void opsAreNamedInTheGraphAndGradientsAreSymmetricForSymmetricFunctions() {
        Tensor a = Tensor.of(new double[][] {{4, 2}, {2, 3}}).requiresGrad();
        Linalg.Eigh e = Linalg.eigh(a);
        Tensor loss = Linalg.cholesky(a).sum().add(Linalg.inverse(a).sum()).add(Linalg.det(a)).add(Linalg.slogdet(a).logAbsDet())
            .add(Linalg.solve(a, Tensor.of(1.0, 2.0)).sum()).add(Linalg.solveTriangular(a, Tensor.ones(2, 1), true, true, false).sum())
            .add(e.eigenvalues().sum()).add(e.eigenvectors().square().sum()).add(Linalg.diagonal(a).sum());
        String dot = Dot.of(loss);
        for (String op : List.of("cholesky", "inverse", "det", "slogdet", "solve", "solveTriangular", "eigh(values)", "eigh(vectors)", "diagonal")) {
            assertTrue(dot.contains("label=\"" + op + "\\n"), op + " in\n" + dot);
        }
        Tensor g = Autograd.grad(Linalg.cholesky(a).sum(), List.of(a), false).get(0);
        assertEquals(g.get(0, 1), g.get(1, 0), 1e-14);
    }

    @Test
    void theLapackImplementationIsReported() {
        String impl = LinalgKernels.implementation();
        assertTrue(impl.startsWith("dev.ludovic.netlib.lapack."), impl);
        assertEquals(impl.contains("JNI"), LinalgKernels.isNative());
    }

    // ================================================================ degenerate eigenvalues

    @Test
    void repeatedEigenvaluesGiveFiniteEigenvalueGradientsButNonFiniteEigenvectorGradients() {
        Tensor a = Tensor.of(new double[][] {{2, 0, 0}, {0, 2, 0}, {0, 0, 5}}).requiresGrad();
        Tensor gw = Autograd.grad(Linalg.eigh(a).eigenvalues().square().sum(), List.of(a), false).get(0);
        // d Σ w² / dA = 2A for symmetric A
        assertTensor(new double[] {4, 0, 0, 0, 4, 0, 0, 0, 10}, new int[] {3, 3}, gw, 1e-12);
        Tensor gv = Autograd.grad(Linalg.eigh(a).eigenvectors().square().sum(-1, false).sum(), List.of(a), false).get(0);
        assertFalse(allFinite(gv), "the eigenvector gradient divides by w_j - w_i = 0: " + gv);
        try (var s = Autograd.detectAnomaly(true)) {
            Tensor v = Linalg.eigh(a).eigenvectors().mul(Tensor.of(1.0, 2.0, 3.0)).square().sum();
            ArithmeticException ex = assertThrows(ArithmeticException.class, () -> v.backward());
            assertTrue(ex.getMessage().contains("'eigh(vectors)'"), ex.getMessage());
            assertTrue(ex.getMessage().contains("LinalgTest"), "the creation site is the user's line: " + ex.getMessage());
        }
    }

    private static boolean allFinite(Tensor t) {
        for (double d : t.toArray()) {
            if (!Double.isFinite(d)) return false;
        }
        return true;
    }

    // ================================================================ errors

    private static void assertIae(Executable call, String... parts) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        for (String p : parts) assertTrue(e.getMessage().contains(p), "'" + p + "' in: " + e.getMessage());
    }

    @Test
    void notPositiveDefiniteNamesTheOpTheShapeAndTheBatchIndex() {
        Tensor bad = Tensor.of(new double[] {4, 2, 2, 3, 1, 2, 2, 1, 1, 0, 0, 1}, 3, 2, 2);
        assertIae(() -> Linalg.cholesky(bad), "cholesky:", "batch index [1]", "[3, 2, 2]", "not positive definite", "order 2");
        Tensor bad4 = Tensor.of(new double[] {1, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0, -1}, 2, 2, 2, 2);
        assertIae(() -> Linalg.cholesky(bad4), "cholesky:", "batch index [1, 1]", "[2, 2, 2, 2]", "order 2");
        assertIae(() -> Linalg.cholesky(Tensor.of(new double[][] {{-1, 0}, {0, 1}})), "cholesky:", "the matrix of shape [2, 2]",
            "order 1");
    }

    @Test
    void singularMatricesNameTheOpTheShapeAndTheBatchIndex() {
        Tensor sing = Tensor.of(new double[] {1, 0, 0, 1, 1, 2, 2, 4}, 2, 2, 2);
        assertIae(() -> Linalg.solve(sing, Tensor.ones(2, 2, 1)), "solve:", "batch index [1]", "[2, 2, 2]", "singular");
        assertIae(() -> Linalg.inverse(sing), "inverse:", "batch index [1]", "[2, 2, 2]", "singular");
        Tensor tri = Tensor.of(new double[] {1, 0, 0, 1, 1, 0, 5, 0}, 2, 2, 2);
        assertIae(() -> Linalg.solveTriangular(tri, Tensor.ones(2, 2, 1), false, true, false), "solveTriangular:", "batch index [1]",
            "singular", "diagonal element 1");
        Linalg.solveTriangular(tri, Tensor.ones(2, 2, 1), false, true, true);     // unit diagonal: not read, fine
        // det and slogdet are defined at a singular matrix; their gradient there is not
        Tensor s1 = Tensor.of(new double[][] {{1, 2}, {2, 4}}).requiresGrad();
        assertIae(() -> Linalg.det(s1).backward(), "det (backward):", "singular");
        assertIae(() -> Linalg.slogdet(s1).logAbsDet().backward(), "slogdet (backward):", "singular");
    }

    @Test
    void nonSquareAndNonMatrixInputs() {
        Tensor rect = Tensor.ones(2, 3, 4);
        for (Executable call : List.<Executable>of(() -> Linalg.cholesky(rect), () -> Linalg.inverse(rect), () -> Linalg.det(rect),
            () -> Linalg.slogdet(rect), () -> Linalg.logdet(rect), () -> Linalg.eigh(rect), () -> Linalg.solve(rect, Tensor.ones(3)),
            () -> Linalg.solveTriangular(rect, Tensor.ones(3, 1), false, true, false))) {
            assertIae(call, "[2, 3, 4]", "not square", "[..., n, n]");
        }
        assertIae(() -> Linalg.cholesky(Tensor.ones(3)), "cholesky:", "[3]", "not a matrix");
        assertIae(() -> Linalg.det(Tensor.scalar(2)), "det:", "[]", "not a matrix");
        assertIae(() -> Linalg.diagonal(Tensor.ones(3)), "diagonal:", "[3]");
        assertIae(() -> Linalg.inverse(rect), "inverse:", "input of shape");
    }

    @Test
    void eighRejectsNonFiniteInputInsteadOfReturningGarbage() {
        Tensor nan = Tensor.of(new double[] {1, 0, 0, 1, Double.NaN, 1, 1, 2}, 2, 2, 2);
        assertIae(() -> Linalg.eigh(nan), "eigh:", "batch index [1]", "[2, 2, 2]", "NaN or Inf");
        Tensor infAbove = Tensor.of(new double[][] {{1, Double.POSITIVE_INFINITY}, {0, 1}});   // not read
        assertValues(new double[] {1, 1}, Linalg.eigvalsh(infAbove), TOL);
    }

    @Test
    void mismatchedShapes() {
        Tensor a = wellConditionedFixed(3);
        assertIae(() -> Linalg.solve(a, Tensor.ones(4, 2)), "solve:", "A [3, 3]", "B [4, 2]", "n = 3");
        assertIae(() -> Linalg.solve(a, Tensor.ones(4)), "solve:", "B [4]", "length n = 3");
        assertIae(() -> Linalg.solve(wellConditionedFixed(2, 3), Tensor.ones(3, 3, 1)), "solve:", "batch dimensions", "[2, 3, 3]",
            "[3, 3, 1]", "do not broadcast");
        assertIae(() -> Linalg.solveTriangular(a, Tensor.ones(2, 3), false, true, false), "solveTriangular:", "left = true",
            "[..., 3, k]");
        assertIae(() -> Linalg.solveTriangular(a, Tensor.ones(3, 2), false, false, false), "solveTriangular:", "left = false",
            "[..., k, 3]");
        assertIae(() -> Linalg.solveTriangular(a, Tensor.ones(3), false, true, false), "solveTriangular:", "not a matrix");
    }

    @Test
    void nullArgumentsAreNamed() {
        NullPointerException e = assertThrows(NullPointerException.class, () -> Linalg.cholesky(null));
        assertEquals("cholesky: a is null", e.getMessage());
        e = assertThrows(NullPointerException.class, () -> Linalg.solve(Tensor.ones(1, 1), null));
        assertEquals("solve: b is null", e.getMessage());
    }
}

package dev.chainrule.autograd;

import static dev.chainrule.autograd.TestGens.assertTensor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * {@code Autograd.jacobian/hessian/vjp/jvp/hvp} against hand-derived derivatives, their PyTorch
 * shapes, their consistency with each other, and their errors.
 */
@SuppressWarnings("try")
class FunctionalTransformsTest {

    private static final double TOL = 1e-12;
    private static final Tensor A = Tensor.of(new double[][] {{1, 2, -1}, {0.5, -3, 2}});

    @Test
    void jacobianOfElementwiseAndLinearMaps() {
        Tensor x = Tensor.of(1.0, -2.0, 0.5);
        // d(x²)/dx = diag(2x)
        assertTensor(new double[] {2, 0, 0, 0, -4, 0, 0, 0, 1}, new int[] {3, 3}, Autograd.jacobian(t -> t.square(), x), TOL);
        // d(Ax)/dx = A
        assertTensor(A.toArray(), new int[] {2, 3}, Autograd.jacobian(t -> A.matmul(t), x), TOL);
        // a scalar function's Jacobian is its gradient, shaped like x: d(Σ sin-free cubic)/dx = 3x²
        assertTensor(new double[] {3, 12, 0.75}, new int[] {3}, Autograd.jacobian(t -> t.pow(3).sum(), x), TOL);
    }

    @Test
    void jacobianOfAMatrixFunctionHasShapeOutThenIn() {
        Tensor x = Tensor.of(new double[][] {{1, 2, 3}, {4, 5, 6}});
        Tensor j = Autograd.jacobian(t -> t.matmul(t.transpose()), x);          // [2, 2] of [2, 3]
        assertArrayEquals(new int[] {2, 2, 2, 3}, j.shape());
        // d(XXᵀ)_ij / dX_kl = δ_ik X_jl + δ_jk X_il
        for (int i = 0; i < 2; i++) {
            for (int jj = 0; jj < 2; jj++) {
                for (int k = 0; k < 2; k++) {
                    for (int l = 0; l < 3; l++) {
                        double e = (i == k ? x.get(jj, l) : 0) + (jj == k ? x.get(i, l) : 0);
                        assertEquals(e, j.get(i, jj, k, l), TOL, "at " + i + jj + k + l);
                    }
                }
            }
        }
    }

    @Test
    void hessianOfCubicAndQuadraticForms() {
        Tensor x = Tensor.of(1.0, -2.0, 0.5);
        assertTensor(new double[] {6, 0, 0, 0, -12, 0, 0, 0, 3}, new int[] {3, 3}, Autograd.hessian(t -> t.pow(3).sum(), x), TOL);
        Tensor m = Tensor.of(new double[][] {{1, 2, 0}, {-1, 3, 4}, {0.5, 0, 2}});
        // H(xᵀMx) = M + Mᵀ
        Tensor h = Autograd.hessian(t -> t.matmul(m.matmul(t)), x);
        assertTensor(m.add(m.transpose()).toArray(), new int[] {3, 3}, h, TOL);
        // matrix argument: H shaped [2, 2, 2, 2]; Σ X_ij² has Hessian 2·I
        Tensor hm = Autograd.hessian(t -> t.square().sum(), Tensor.ones(2, 2));
        assertArrayEquals(new int[] {2, 2, 2, 2}, hm.shape());
        for (int i = 0; i < 16; i++) assertEquals(i % 5 == 0 ? 2.0 : 0.0, hm.toArray()[i], TOL);
        // a linear function has a zero Hessian (its gradient does not require grad)
        assertTensor(new double[9], new int[] {3, 3}, Autograd.hessian(t -> t.mul(2).sum(), x), 0);
    }

    @Test
    void hessianOfLogdetIsTheKnownForm() {
        // d² log det X [E] = −tr(X⁻¹ E X⁻¹ E): for X = diag(2, 4): H_(ij)(kl) = −(X⁻¹)_li (X⁻¹)_jk
        Tensor x = Tensor.of(new double[][] {{2, 0}, {0, 4}});
        Tensor h = Autograd.hessian(Linalg::logdet, x);
        double[] inv = {0.5, 0, 0, 0.25};
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 2; j++) {
                for (int k = 0; k < 2; k++) {
                    for (int l = 0; l < 2; l++) assertEquals(-inv[l * 2 + i] * inv[j * 2 + k], h.get(i, j, k, l), TOL);
                }
            }
        }
    }

    @Test
    void vjpJvpAndHvpAgreeWithTheJacobianAndHessian() {
        Function<Tensor, Tensor> f = t -> A.matmul(t.tanh()).exp();
        Tensor x = Tensor.of(0.3, -0.7, 1.1);
        Tensor j = Autograd.jacobian(f, x);                          // [2, 3]
        Tensor v2 = Tensor.of(0.5, -1.5), v3 = Tensor.of(1.0, 2.0, -0.5);
        assertTensor(v2.matmul(j).toArray(), new int[] {3}, Autograd.vjp(f, x, v2), TOL);
        assertTensor(j.matmul(v3).toArray(), new int[] {2}, Autograd.jvp(f, x, v3), TOL);
        Function<Tensor, Tensor> g = t -> f.apply(t).sum().log();
        Tensor h = Autograd.hessian(g, x);
        assertTensor(h.toArray(), new int[] {3, 3}, h.transpose(), 1e-10);       // symmetric
        assertTensor(h.matmul(v3).toArray(), new int[] {3}, Autograd.hvp(g, x, v3), TOL);
        // scalar output: v may be null (1)
        assertTensor(Autograd.jacobian(g, x).toArray(), new int[] {3}, Autograd.vjp(g, x, null), TOL);
    }

    @Test
    void severalInputs() {
        Tensor a = Tensor.of(1.0, 2.0), b = Tensor.of(3.0, -1.0);
        Function<Tensor[], Tensor> prod = t -> t[0].mul(t[1]).sum();          // Σ a_i b_i
        List<Tensor> j = Autograd.jacobian(prod, new Tensor[] {a, b});
        assertTensor(b.toArray(), new int[] {2}, j.get(0), TOL);
        assertTensor(a.toArray(), new int[] {2}, j.get(1), TOL);
        List<List<Tensor>> h = Autograd.hessian(prod, new Tensor[] {a, b});
        double[] zero = new double[4], eye = {1, 0, 0, 1};
        assertTensor(zero, new int[] {2, 2}, h.get(0).get(0), TOL);
        assertTensor(eye, new int[] {2, 2}, h.get(0).get(1), TOL);
        assertTensor(eye, new int[] {2, 2}, h.get(1).get(0), TOL);
        assertTensor(zero, new int[] {2, 2}, h.get(1).get(1), TOL);
        Tensor va = Tensor.of(1.0, 0.0), vb = Tensor.of(0.0, 2.0);
        // J·v = b·va + a·vb; H·v = (vb, va)
        assertEquals(3.0 + 4.0, Autograd.jvp(prod, new Tensor[] {a, b}, new Tensor[] {va, vb}).item(), TOL);
        List<Tensor> hv = Autograd.hvp(prod, new Tensor[] {a, b}, new Tensor[] {va, vb});
        assertTensor(vb.toArray(), new int[] {2}, hv.get(0), TOL);
        assertTensor(va.toArray(), new int[] {2}, hv.get(1), TOL);
        List<Tensor> vj = Autograd.vjp(t -> t[0].mul(t[1]), new Tensor[] {a, b}, Tensor.of(1.0, 10.0));
        assertTensor(new double[] {3, -10}, new int[] {2}, vj.get(0), TOL);
        assertTensor(new double[] {1, 20}, new int[] {2}, vj.get(1), TOL);
        // a matrix-valued function of two inputs: J_i shaped out ++ x_i
        List<Tensor> jm = Autograd.jacobian(t -> t[0].matmul(t[1]), new Tensor[] {Tensor.ones(2, 3), Tensor.ones(3, 4)});
        assertArrayEquals(new int[] {2, 4, 2, 3}, jm.get(0).shape());
        assertArrayEquals(new int[] {2, 4, 3, 4}, jm.get(1).shape());
    }

    @Test
    void resultsAreValuesAndNothingElseIsTouched() {
        Tensor w = Tensor.of(2.0, 3.0).requiresGrad();                     // a captured parameter
        Tensor x = Tensor.of(1.0, 1.0).requiresGrad();
        Tensor j;
        try (var s = Autograd.noGrad()) {                                   // works inside no-grad too
            j = Autograd.jacobian(t -> t.mul(w).sum(), x);
            assertFalse(Autograd.isGradEnabled());
        }
        assertTensor(new double[] {2, 3}, new int[] {2}, j, 0);
        assertTrue(j.isLeaf() && !j.isGradRequired());
        assertNull(w.grad());
        assertNull(x.grad());
        assertTrue(x.isLeaf());
    }

    @Test
    void aFunctionThatIgnoresItsInputHasZeroDerivatives() {
        Tensor x = Tensor.of(1.0, 2.0);
        assertTensor(new double[6], new int[] {3, 2}, Autograd.jacobian(t -> Tensor.ones(3), x), 0);
        assertTensor(new double[3], new int[] {3}, Autograd.jvp(t -> Tensor.ones(3), x, x), 0);
        assertTensor(new double[2], new int[] {2}, Autograd.vjp(t -> Tensor.ones(3), x, Tensor.ones(3)), 0);
        assertTensor(new double[2], new int[] {2}, Autograd.hvp(t -> Tensor.scalar(1), x, x), 0);
        assertTensor(new double[4], new int[] {2, 2}, Autograd.hessian(t -> Tensor.scalar(1), x), 0);
    }

    @Test
    void errors() {
        Tensor x = Tensor.of(1.0, 2.0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Autograd.hessian(t -> t.square(), x));
        assertEquals("hessian: f returned shape [2]; hessian needs a function with one output element (a scalar, e.g. a loss)",
            e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Autograd.hvp(t -> t.square(), x, x));
        assertTrue(e.getMessage().startsWith("hvp: f returned shape [2]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Autograd.vjp(t -> t.square(), x, Tensor.ones(3)));
        assertEquals("vjp: v has shape [3] but f's output has shape [2]; v must match the output", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Autograd.vjp(t -> t.square(), x, null));
        assertTrue(e.getMessage().startsWith("vjp: f returned shape [2]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Autograd.jvp(t -> t.square(), x, Tensor.ones(3)));
        assertEquals("jvp: v 0 has shape [3] but input 0 has shape [2]; they must match", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
            () -> Autograd.hvp(t -> t[0].sum(), new Tensor[] {x, x}, new Tensor[] {x}));
        assertEquals("hvp: 1 tangent for 2 inputs; pass one per input", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Autograd.jacobian(t -> t[0], new Tensor[0]));
        assertTrue(e.getMessage().startsWith("jacobian: no inputs"), e.getMessage());
        IllegalStateException s = assertThrows(IllegalStateException.class, () -> Autograd.jacobian(t -> null, x));
        assertEquals("jacobian: f returned null; it must return a tensor", s.getMessage());
    }
}

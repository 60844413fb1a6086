package dev.chainrule.autograd;

import static dev.chainrule.autograd.TestGens.assertValues;
import static dev.chainrule.autograd.TestGens.between;
import static dev.chainrule.autograd.TestGens.shape;
import static dev.chainrule.autograd.TestGens.size;
import static dev.chainrule.autograd.TestGens.tensor;
import static dev.chainrule.autograd.TestGens.theory;
import static dev.chainrule.autograd.TestGens.uniform;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/**
 * Mathematical identities between ops, checked on values and on gradients (two different graphs for
 * the same function must give the same derivative), and stability at extreme logits.
 */
class IdentitiesTest {

    private static Gen<Tensor> tensors(double lo, double hi, int minRank) {
        Gen<Tensor> g = rs -> {
            int[] s = shape(rs, minRank, 3);
            return tensor(uniform(rs, size(s), lo, hi), s);
        };
        return g.describedAs(t -> Shape.toString(t.shape()) + " " + java.util.Arrays.toString(t.toArray()));
    }

    /** f(x) and g(x) agree in value and in gradient (seeded with a fixed pattern). */
    private static void assertSameFunction(UnaryOperator<Tensor> f, UnaryOperator<Tensor> g, Tensor x, double tol) {
        Tensor xf = x.detach().requiresGrad(), xg = x.detach().requiresGrad();
        Tensor yf = f.apply(xf), yg = g.apply(xg);
        assertArrayEquals(yf.shape(), yg.shape());
        assertValues(yg.toArray(), yf, tol);
        double[] seed = new double[yf.size()];
        for (int i = 0; i < seed.length; i++) seed[i] = 1 + 0.5 * Math.sin(i);
        yf.backward(Tensor.of(seed, yf.shape()));
        yg.backward(Tensor.of(seed, yg.shape()));
        assertValues(xg.grad().toArray(), xf.grad(), tol);
    }

    @Test
    void tanhIsTwoSigmoidOfTwoXMinusOne() {
        theory(40).forAll(tensors(-6, 6, 0)).checkAssert(x ->
            assertSameFunction(Tensor::tanh, t -> t.mul(2).sigmoid().mul(2).sub(1), x, 1e-12));
    }

    @Test
    void logSoftmaxIsLogOfSoftmax() {
        theory(40).forAll(tensors(-5, 5, 1), SourceAxis.axes()).checkAssert((x, a) -> {
            int axis = Math.floorMod(a, x.rank());
            assertSameFunction(t -> t.logSoftmax(axis), t -> t.softmax(axis).log(), x, 1e-10);
        });
    }

    @Test
    void softplusOfXMinusSoftplusOfMinusXIsX() {
        theory(40).forAll(tensors(-40, 40, 0)).checkAssert(x ->
            assertSameFunction(t -> t.softplus().sub(t.neg().softplus()), t -> t, x, 1e-12));
    }

    @Test
    void composedOpsAgreeWithTheirDefinitions() {
        theory(30).forAll(tensors(-2, 2, 1)).checkAssert(x -> {
            int last = x.rank() - 1;
            assertSameFunction(t -> t.sub(1.5), t -> t.add(-1.5), x, 1e-15);
            assertSameFunction(t -> t.div(4), t -> t.mul(0.25), x, 1e-15);
            assertSameFunction(Tensor::square, t -> t.mul(t), x, 1e-15);
            assertSameFunction(t -> t.pow(3), t -> t.mul(t).mul(t), x, 1e-12);
            assertSameFunction(Tensor::mean, t -> t.sum().div(t.size()), x, 1e-15);
            assertSameFunction(t -> t.min(last, true), t -> t.neg().max(last, true).neg(), x, 0);
            assertSameFunction(t -> t.exp().log(), t -> t, x, 1e-12);
            assertSameFunction(t -> t.square().add(1).sqrt().square(), t -> t.square().add(1), x, 1e-12);
            assertSameFunction(t -> t.sum(last, false), t -> t.sum(last, true).reshape(t.sum(last, false).shape()), x, 1e-15);
            assertSameFunction(t -> t.logSumExp(last, true), t -> t.exp().sum(last, true).log(), x, 1e-12);
            assertSameFunction(Tensor::relu, t -> t.clamp(0, Double.POSITIVE_INFINITY), x, 0);
            assertSameFunction(Tensor::abs, t -> t.mul(t.sign()), x, 0);
            assertSameFunction(Tensor::sigmoid, t -> t.neg().exp().add(1).pow(-1), x, 1e-12);
            assertSameFunction(t -> t.transpose().transpose(), t -> t, x, 0);
        });
    }

    @Test
    void crossEntropyIsTheMeanNegativeLogLikelihoodOfTheTargets() {
        theory(30).forAll(tensors(-4, 4, 1), SourceAxis.axes()).checkAssert((x, seed) -> {
            int c = x.shape()[x.rank() - 1];
            int[] t = new int[x.size() / c];
            for (int i = 0; i < t.length; i++) t[i] = Math.floorMod(seed + 7 * i, c);
            assertSameFunction(l -> l.crossEntropy(t), l -> l.logSoftmax(-1).pick(t).mean().neg(), x, 1e-12);
            // an upstream gradient other than 1 scales the fused rule
            assertSameFunction(l -> l.crossEntropy(t).mul(-1.7), l -> l.logSoftmax(-1).pick(t).mean().mul(1.7), x, 1e-12);
        });
    }

    @Test
    void matmulTransposeIdentity() {
        java.util.SplittableRandom rng = new java.util.SplittableRandom(5);
        Tensor a = Tensor.randn(rng, 2, 3, 4), b = Tensor.randn(rng, 2, 4, 5);
        assertValues(b.transpose().matmul(a.transpose()).toArray(), a.matmul(b).transpose(), 1e-12);
        Tensor w = Tensor.randn(rng, 5, 4), bias = Tensor.randn(rng, 5);
        assertSameFunction(t -> t.linear(w, bias), t -> t.matmul(w.transpose()).add(bias), a, 1e-12);
        assertSameFunction(t -> t.linear(w, null), t -> t.matmul(w.transpose()), a, 1e-12);
    }

    // ================================================================ stability

    @Test
    void softmaxFamilyIsFiniteForLogitsOfPlusMinusAThousand() {
        Tensor x = Tensor.of(new double[][] {{1000, -1000, 0}, {-1000, -1000, -1000}, {1000, 1000, 999}}).requiresGrad();
        Tensor lse = x.logSumExp(1, false);
        assertValues(new double[] {1000, -1000 + Math.log(3), 1000 + Math.log(2 + Math.exp(-1))}, lse, 1e-12);
        Tensor ls = x.logSoftmax(1);
        assertTrue(allFinite(ls), ls.toString());
        assertEquals(-2000, ls.get(0, 1), 1e-9);
        assertEquals(0, ls.get(0, 0), 1e-12);
        Tensor sm = x.softmax(1);
        assertTrue(allFinite(sm), sm.toString());
        double z = 2 + Math.exp(-1);
        assertValues(new double[] {1, 0, 0, 1.0 / 3, 1.0 / 3, 1.0 / 3, 1 / z, 1 / z, Math.exp(-1) / z}, sm, 1e-12);
        Tensor ce = x.crossEntropy(1, 0, 2);
        assertTrue(Double.isFinite(ce.item()));
        assertEquals((2000 + Math.log(3) + (1 + Math.log(2 + Math.exp(-1)))) / 3, ce.item(), 1e-9);
        ce.backward();
        assertTrue(allFinite(x.grad()), x.grad().toString());
        x.zeroGrad();
        lse.sum().add(ls.sum()).backward();
        assertTrue(allFinite(x.grad()), x.grad().toString());

        Tensor extreme = Tensor.of(1000, -1000).requiresGrad();
        assertEquals(0.0, extreme.crossEntropy(0).item(), 1e-12);
        assertEquals(2000.0, extreme.crossEntropy(1).item(), 1e-9);
        assertArrayEquals(new double[] {1, 0}, extreme.sigmoid().toArray());
        assertArrayEquals(new double[] {1000, 0}, extreme.softplus().toArray());
    }

    @Test
    void softmaxOfTheNotesExample() {
        Tensor s = Tensor.of(1.2, 5.1, 2.7).softmax(0);
        assertArrayEquals(new double[] {0.018, 0.90, 0.08}, s.toArray(), 0.002);
        assertEquals(1.0, s.sum().item(), 1e-15);
        assertTrue(s.get(1) > s.get(2) && s.get(2) > s.get(0));
    }

    private static boolean allFinite(Tensor t) {
        for (double v : t.toArray()) if (!Double.isFinite(v)) return false;
        return true;
    }

    /** A small integer generator for axes and other choices (reduced modulo what is valid). */
    private static final class SourceAxis {
        static Gen<Integer> axes() {
            return rs -> between(rs, 0, 11);
        }
    }

    @Test
    void identitiesHoldOnAFixedGrid() {
        for (double v : List.of(-3.0, -0.5, 0.0, 0.25, 2.0)) {
            assertEquals(Math.tanh(v), 2 * Tensor.scalar(2 * v).sigmoid().item() - 1, 1e-15);
            assertEquals(v, Tensor.scalar(v).softplus().sub(Tensor.scalar(-v).softplus()).item(), 1e-15);
        }
    }
}

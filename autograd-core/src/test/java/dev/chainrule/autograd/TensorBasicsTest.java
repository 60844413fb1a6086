package dev.chainrule.autograd;

import static dev.chainrule.autograd.TestGens.between;
import static dev.chainrule.autograd.TestGens.broadcastableTo;
import static dev.chainrule.autograd.TestGens.shape;
import static dev.chainrule.autograd.TestGens.size;
import static dev.chainrule.autograd.TestGens.tensor;
import static dev.chainrule.autograd.TestGens.theory;
import static dev.chainrule.autograd.TestGens.uniform;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/** Factories, accessors, immutability and printing. */
@SuppressWarnings("try") // try (var s = Autograd.noGrad()) { ... } scopes are used for their effect only
class TensorBasicsTest {

    // ================================================================ factories

    @Test
    void scalar() {
        Tensor s = Tensor.scalar(2.5);
        assertEquals(0, s.rank());
        assertArrayEquals(new int[0], s.shape());
        assertEquals(1, s.size());
        assertEquals(2.5, s.item());
        assertEquals(2.5, s.get());
        assertTrue(s.isLeaf());
        assertFalse(s.isGradRequired());
        assertNull(s.grad());
        assertEquals(0, s.version());
    }

    @Test
    void ofValuesRowsAndShapedData() {
        double[] src = {1, 2, 3};
        Tensor v = Tensor.of(src);
        src[0] = 99;                                          // the factory copied its input
        assertArrayEquals(new int[] {3}, v.shape());
        assertArrayEquals(new double[] {1, 2, 3}, v.toArray());

        double[][] rows = {{1, 2, 3}, {4, 5, 6}};
        Tensor m = Tensor.of(rows);
        rows[1][2] = -1;
        assertArrayEquals(new int[] {2, 3}, m.shape());
        assertEquals(6.0, m.get(1, 2));
        assertEquals(2.0, m.get(0, 1));
        assertEquals(2, m.rank());
        assertEquals(6, m.size());

        double[] data = {1, 2, 3, 4, 5, 6, 7, 8};
        Tensor t = Tensor.of(data, 2, 2, 2);
        data[7] = 0;
        assertEquals(8.0, t.get(1, 1, 1));
        assertEquals(6.0, t.get(1, 0, 1));
        assertEquals(3, t.rank());

        Tensor s = Tensor.of(new double[] {7}, new int[0]);   // an empty shape is a scalar
        assertEquals(0, s.rank());
        assertEquals(7.0, s.item());
        Tensor one = Tensor.of(new double[] {7}, 1, 1);
        assertArrayEquals(new int[] {1, 1}, one.shape());
        assertEquals(7.0, one.item());
    }

    @Test
    void zerosOnesFull() {
        Tensor z = Tensor.zeros(2, 3);
        assertArrayEquals(new int[] {2, 3}, z.shape());
        assertArrayEquals(new double[6], z.toArray());
        assertArrayEquals(new double[] {1, 1, 1, 1}, Tensor.ones(4).toArray());
        Tensor f = Tensor.full(-0.5, 1, 2, 1);
        assertArrayEquals(new int[] {1, 2, 1}, f.shape());
        assertArrayEquals(new double[] {-0.5, -0.5}, f.toArray());
        assertEquals(0, Tensor.zeros().rank(), "no dimensions: a scalar");
        assertEquals(3.0, Tensor.full(3).item());
    }

    @Test
    void randomFactoriesAreReproducibleFromTheirGenerator() {
        Tensor a = Tensor.randn(new SplittableRandom(42), 3, 4);
        Tensor b = Tensor.randn(new SplittableRandom(42), 3, 4);
        Tensor c = Tensor.randn(new SplittableRandom(43), 3, 4);
        assertArrayEquals(a.toArray(), b.toArray());
        assertFalse(Arrays.equals(a.toArray(), c.toArray()));
        assertArrayEquals(new int[] {3, 4}, a.shape());

        RandomGenerator g1 = RandomGeneratorFactory.of("L64X128MixRandom").create(7);
        RandomGenerator g2 = RandomGeneratorFactory.of("L64X128MixRandom").create(7);
        assertArrayEquals(Tensor.rand(g1, 5).toArray(), Tensor.rand(g2, 5).toArray());

        // draws come from the generator in order: the same values as asking it directly
        SplittableRandom direct = new SplittableRandom(9);
        double[] expected = {direct.nextDouble(), direct.nextDouble(), direct.nextDouble()};
        assertArrayEquals(expected, Tensor.rand(new SplittableRandom(9), 3).toArray());
    }

    @Test
    void randomFactoriesHaveTheRightDistribution() {
        double[] n = Tensor.randn(new SplittableRandom(1), 100, 100).toArray();
        double mean = Arrays.stream(n).average().orElseThrow();
        double var = Arrays.stream(n).map(v -> (v - mean) * (v - mean)).sum() / n.length;
        assertEquals(0, mean, 0.05);
        assertEquals(1, var, 0.05);
        double[] u = Tensor.rand(new SplittableRandom(2), 10_000).toArray();
        assertTrue(Arrays.stream(u).allMatch(v -> v >= 0 && v < 1));
        assertEquals(0.5, Arrays.stream(u).average().orElseThrow(), 0.02);
    }

    // ================================================================ accessors

    @Test
    void accessorsReturnCopies() {
        Tensor t = Tensor.of(new double[] {1, 2, 3, 4, 5, 6}, 2, 3);
        int[] s = t.shape();
        s[0] = 100;
        assertArrayEquals(new int[] {2, 3}, t.shape());
        double[] d = t.toArray();
        d[0] = 100;
        assertEquals(1.0, t.get(0, 0));
        assertEquals(4.0, t.get(1, 0));
        assertEquals(3.0, t.get(0, 2));
    }

    @Test
    void requiresGradMarksLeavesOnly() {
        Tensor x = Tensor.of(1, 2);
        assertSame(x, x.requiresGrad());
        assertTrue(x.isGradRequired());
        Tensor y = x.mul(2);
        assertSame(y, y.requiresGrad());
        assertTrue(y.isGradRequired());
        assertFalse(y.isLeaf());
        assertEquals("mul", y.op());
        Tensor c = Tensor.of(1, 2).mul(2);                    // no input requires grad: a leaf without graph
        assertTrue(c.isLeaf());
        assertFalse(c.isGradRequired());
        assertNull(c.op());
    }

    @Test
    void argMaxIsTheFirstIndexOfTheMaximum() {
        Tensor x = Tensor.of(new double[][] {{1, 5, 5}, {7, 2, 3}});
        assertArrayEquals(new double[] {1, 0}, x.argMax(1).toArray());
        assertArrayEquals(new double[] {1, 0, 0}, x.argMax(0).toArray());
        assertArrayEquals(new int[] {2}, x.argMax(-1).shape());
        assertFalse(x.requiresGrad().argMax(1).isGradRequired());
    }

    @Test
    void shapeHelpers() {
        assertEquals("[]", Shape.toString(new int[0]));
        assertEquals("[2, 3]", Shape.toString(2, 3));
        assertEquals(1, Shape.size());
        assertEquals(24, Shape.size(2, 3, 4));
        assertArrayEquals(new int[] {4, 2, 3}, Shape.broadcast(new int[] {4, 1, 3}, new int[] {2, 1}));
        assertArrayEquals(new int[] {5}, Shape.broadcast(new int[0], new int[] {5}));
    }

    // ================================================================ immutability

    private static final List<String> OPS = List.of("add", "sub", "mul", "div", "addC", "mulC", "neg", "pow", "square", "exp",
        "log", "sqrt", "abs", "sigmoid", "tanh", "relu", "step", "sign", "softplus", "clamp", "transpose", "reshape",
        "sum", "sumAxis", "mean", "max", "min", "softmax", "logSoftmax", "logSumExp", "broadcastTo", "sumTo", "matmul",
        "linear", "pick", "crossEntropy", "detach", "backward");

    private static Tensor apply(String op, Tensor x, Tensor y) {
        int last = Math.max(0, x.rank() - 1);
        return switch (op) {
            case "add" -> x.add(y);
            case "sub" -> x.sub(y);
            case "mul" -> x.mul(y);
            case "div" -> x.div(y.abs().add(1));
            case "addC" -> x.add(2);
            case "mulC" -> x.mul(-3);
            case "neg" -> x.neg();
            case "pow" -> x.abs().pow(1.5);
            case "square" -> x.square();
            case "exp" -> x.exp();
            case "log" -> x.abs().add(1).log();
            case "sqrt" -> x.abs().sqrt();
            case "abs" -> x.abs();
            case "sigmoid" -> x.sigmoid();
            case "tanh" -> x.tanh();
            case "relu" -> x.relu();
            case "step" -> x.step();
            case "sign" -> x.sign();
            case "softplus" -> x.softplus();
            case "clamp" -> x.clamp(-0.5, 0.5);
            case "transpose" -> x.transpose();
            case "reshape" -> x.reshape(-1);
            case "sum" -> x.sum();
            case "sumAxis" -> x.rank() == 0 ? x.sum() : x.sum(last, true);
            case "mean" -> x.mean();
            case "max" -> x.max();
            case "min" -> x.rank() == 0 ? x.min() : x.min(last, false);
            case "softmax" -> x.rank() == 0 ? x : x.softmax(last);
            case "logSoftmax" -> x.rank() == 0 ? x : x.logSoftmax(last);
            case "logSumExp" -> x.rank() == 0 ? x : x.logSumExp(last, false);
            case "broadcastTo" -> {
                int[] t = new int[x.rank() + 1];
                t[0] = 2;
                System.arraycopy(x.shape(), 0, t, 1, x.rank());
                yield x.broadcastTo(t);
            }
            case "sumTo" -> x.sumTo(x.rank() == 0 ? new int[0] : new int[] {x.shape()[last]});
            case "matmul" -> x.rank() == 0 ? x : x.matmul(Tensor.ones(x.shape()[last]));
            case "linear" -> x.rank() == 0 ? x : x.linear(Tensor.ones(2, x.shape()[x.rank() - 1]), Tensor.of(1, 2));
            case "pick" -> x.rank() == 0 ? x : x.pick(new int[x.size() / x.shape()[x.rank() - 1]]);
            case "crossEntropy" -> x.rank() == 0 ? x : x.crossEntropy(new int[x.size() / x.shape()[x.rank() - 1]]);
            case "detach" -> x.detach();
            case "backward" -> {
                Tensor out = x.mul(y).sum();
                if (out.isGradRequired()) out.backward();
                yield out;
            }
            default -> throw new AssertionError(op);
        };
    }

    @Test
    void noOpMutatesItsInputs() {
        Gen<Object[]> gen = rs -> {
            int[] s = shape(rs, 0, 3);
            int[] t = broadcastableTo(rs, s);
            return new Object[] {OPS.get(between(rs, 0, OPS.size() - 1)), tensor(uniform(rs, size(s), -2, 2), s),
                tensor(uniform(rs, size(t), -2, 2), t), between(rs, 0, 1) == 1};
        };
        theory(200).forAll(gen.describedAs(o -> o[0] + " " + o[1] + " " + o[2] + " grad " + o[3])).checkAssert(o -> {
            String op = (String) o[0];
            Tensor x = (Tensor) o[1], y = (Tensor) o[2];
            if ((Boolean) o[3]) {
                x.requiresGrad();
                y.requiresGrad();
            }
            double[] xs = x.toArray(), ys = y.toArray();
            int[] xShape = x.shape(), yShape = y.shape();
            Tensor out = apply(op, x, y);
            assertArrayEquals(xs, x.toArray(), op + " changed its input");
            assertArrayEquals(ys, y.toArray(), op + " changed its other input");
            assertArrayEquals(xShape, x.shape());
            assertArrayEquals(yShape, y.shape());
            assertEquals(0, x.version());
            assertEquals(0, y.version());
            if (!op.equals("backward")) assertNull(x.grad(), op + " must not touch grad");
            if (op.equals("detach") || (out != x && !op.equals("backward"))) {
                // writing into the result (allowed under noGrad) never writes through to the input
                try (var s = Autograd.noGrad()) {
                    Tensor copy = out.detach();
                    copy.mulInPlace(0);
                    if (out.isLeaf() && !out.isGradRequired()) out.mulInPlace(0);
                }
                assertArrayEquals(xs, x.toArray(), op + " result shares storage with its input");
            }
        });
    }

    // ================================================================ printing

    @Test
    void toStringIsNumpyLike() {
        assertEquals("tensor(3.)", Tensor.scalar(3).toString());
        assertEquals("tensor(-1.5)", Tensor.scalar(-1.5).toString());
        assertEquals("tensor(-0.)", Tensor.scalar(-0.0).toString());
        assertEquals("tensor([1., 2., 3.])", Tensor.of(1, 2, 3).toString());
        assertEquals("tensor([-1.,  2.])", Tensor.of(-1, 2).toString());
        assertEquals("tensor([0.50, 0.25])", Tensor.of(0.5, 0.25).toString());
        assertEquals("tensor([ 1.5, 10.0])", Tensor.of(1.5, 10).toString());
        assertEquals("tensor([[1., 2.],\n        [3., 4.]])", Tensor.of(new double[][] {{1, 2}, {3, 4}}).toString());
        assertEquals("tensor([[[1., 2.]],\n\n        [[3., 4.]]])", Tensor.of(new double[] {1, 2, 3, 4}, 2, 1, 2).toString());
        assertEquals("tensor([[[ 1., -2.],\n         [ 3.,  4.]]])", Tensor.of(new double[] {1, -2, 3, 4}, 1, 2, 2).toString());
        assertEquals("tensor([ 1., nan, inf])", Tensor.of(1, Double.NaN, Double.POSITIVE_INFINITY).toString());
        assertEquals("tensor([1.e-05, 1.e+00])", Tensor.of(1e-5, 1).toString());
        assertEquals("tensor(1.e+08)", Tensor.scalar(1e8).toString());
        assertEquals("tensor(0.33333333)", Tensor.scalar(1.0 / 3).toString());
    }

    @Test
    void longTensorsAreSummarized() {
        String s = Tensor.zeros(1001).toString();
        assertEquals("tensor([0., 0., 0., ..., 0., 0., 0.])", s);
        String m = Tensor.of(java.util.stream.IntStream.range(0, 2000).asDoubleStream().toArray(), 40, 50).toString();
        assertTrue(m.startsWith("tensor([[   0.,    1.,    2., ...,   47.,   48.,   49.],"), m);
        assertTrue(m.contains("...,\n"), m);
        assertTrue(m.endsWith("1997., 1998., 1999.]])"), m);
        assertNotEquals(-1, m.indexOf("[1950., 1951., 1952., ..., 1997., 1998., 1999.]"), m);
    }
}

package dev.chainrule.autograd;

import static dev.chainrule.autograd.TestGens.Case;
import static dev.chainrule.autograd.TestGens.assertGradient;
import static dev.chainrule.autograd.TestGens.assertTensor;
import static dev.chainrule.autograd.TestGens.assertValues;
import static dev.chainrule.autograd.TestGens.awayFrom;
import static dev.chainrule.autograd.TestGens.awayFromZero;
import static dev.chainrule.autograd.TestGens.between;
import static dev.chainrule.autograd.TestGens.bool;
import static dev.chainrule.autograd.TestGens.broadcastIndex;
import static dev.chainrule.autograd.TestGens.broadcastPair;
import static dev.chainrule.autograd.TestGens.broadcastShape;
import static dev.chainrule.autograd.TestGens.broadcastableTo;
import static dev.chainrule.autograd.TestGens.cases;
import static dev.chainrule.autograd.TestGens.distinct;
import static dev.chainrule.autograd.TestGens.shape;
import static dev.chainrule.autograd.TestGens.size;
import static dev.chainrule.autograd.TestGens.tensor;
import static dev.chainrule.autograd.TestGens.theory;
import static dev.chainrule.autograd.TestGens.uniform;
import static dev.chainrule.autograd.TestGens.unflatten;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.function.BiFunction;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.RandomnessSource;

/**
 * One property per differentiable primitive: on generated shapes and values, the analytic gradient
 * (reverse mode) equals GradCheck's central differences; where cheap, the forward values are also
 * compared with a naive reference so that a wrong forward cannot hide behind a matching backward.
 */
class OpGradientPropertiesTest {

    private static final int N = 40;

    // ================================================================ binary, tensor operand

    private static void binaryProperty(String op, BiFunction<Tensor, Tensor, Tensor> f, DoubleBinaryOperator ref,
                                       boolean positiveRight) {
        theory(N).forAll(cases(rs -> {
            int[][] s = broadcastPair(rs);
            Tensor a = tensor(TestGens.uniform(rs, size(s[0]), -2, 2), s[0]);
            Tensor b = tensor(positiveRight ? awayFromZero(rs, size(s[1]), 2) : TestGens.uniform(rs, size(s[1]), -2, 2), s[1]);
            return new Case(op + " " + Shape.toString(s[0]) + " " + Shape.toString(s[1]), x -> f.apply(x[0], x[1]), a, b);
        })).checkAssert(c -> {
            Tensor a = c.inputs()[0], b = c.inputs()[1];
            Tensor out = f.apply(a, b);
            int[] os = broadcastShape(a.shape(), b.shape());
            double[] expected = new double[size(os)];
            double[] ad = a.toArray(), bd = b.toArray();
            for (int i = 0; i < expected.length; i++) {
                int[] idx = unflatten(i, os);
                expected[i] = ref.applyAsDouble(ad[broadcastIndex(idx, a.shape())], bd[broadcastIndex(idx, b.shape())]);
            }
            assertTensor(expected, os, out, 1e-12);
            assertGradient(c);
        });
    }

    @Test
    void add() {
        binaryProperty("add", Tensor::add, (x, y) -> x + y, false);
    }

    @Test
    void sub() {
        binaryProperty("sub", Tensor::sub, (x, y) -> x - y, false);
    }

    @Test
    void mul() {
        binaryProperty("mul", Tensor::mul, (x, y) -> x * y, false);
    }

    @Test
    void div() {
        binaryProperty("div", Tensor::div, (x, y) -> x / y, true);
    }

    @Test
    void binaryOpsWithTheSameTensorOnBothSides() {
        theory(20).forAll(cases(rs -> {
            int[] s = shape(rs, 0, 3);
            return new Case("x op x " + Shape.toString(s),
                x -> x[0].add(x[0]).mul(x[0]).sub(x[0].div(x[0].square().add(1))), tensor(uniform(rs, size(s), -2, 2), s));
        })).checkAssert(TestGens::assertGradient);
    }

    // ================================================================ binary, double operand

    @Test
    void scalarOperandOps() {
        theory(N).forAll(cases(rs -> {
            int[] s = shape(rs, 0, 3);
            double c = (bool(rs) ? 1 : -1) * uniform(rs, 0.25, 3);
            int which = between(rs, 0, 3);
            String[] names = {"add", "sub", "mul", "div"};
            return new Case(names[which] + "(" + c + ") " + Shape.toString(s), x -> switch (which) {
                case 0 -> x[0].add(c);
                case 1 -> x[0].sub(c);
                case 2 -> x[0].mul(c);
                default -> x[0].div(c);
            }, tensor(uniform(rs, size(s), -2, 2), s));
        })).checkAssert(c -> {
            Tensor x = c.inputs()[0];
            Tensor out = c.f().apply(new Tensor[] {x});
            double cst = Double.parseDouble(c.label().substring(c.label().indexOf('(') + 1, c.label().indexOf(')')));
            double[] d = x.toArray();
            double[] expected = new double[d.length];
            for (int i = 0; i < d.length; i++) {
                expected[i] = switch (c.label().substring(0, 3)) {
                    case "add" -> d[i] + cst;
                    case "sub" -> d[i] - cst;
                    case "mul" -> d[i] * cst;
                    default -> d[i] / cst;
                };
            }
            assertTensor(expected, x.shape(), out, 1e-12);
            assertGradient(c);
        });
    }

    // ================================================================ unary elementwise

    interface Values {
        double[] draw(RandomnessSource rs, int n);
    }

    private static void unaryProperty(String op, UnaryOperator<Tensor> f, DoubleUnaryOperator ref, Values values) {
        theory(N).forAll(cases(rs -> {
            int[] s = shape(rs, 0, 3);
            return new Case(op + " " + Shape.toString(s), x -> f.apply(x[0]), tensor(values.draw(rs, size(s)), s));
        })).checkAssert(c -> {
            Tensor x = c.inputs()[0];
            double[] d = x.toArray();
            double[] expected = new double[d.length];
            for (int i = 0; i < d.length; i++) expected[i] = ref.applyAsDouble(d[i]);
            assertTensor(expected, x.shape(), f.apply(x), 1e-12);
            assertGradient(c);
        });
    }

    private static Values range(double lo, double hi) {
        return (rs, n) -> uniform(rs, n, lo, hi);
    }

    @Test
    void neg() {
        unaryProperty("neg", Tensor::neg, v -> -v, range(-3, 3));
    }

    @Test
    void powWithGeneratedExponent() {
        theory(N).forAll(cases(rs -> {
            int[] s = shape(rs, 0, 3);
            double[] exponents = {-2, -1.5, -1, -0.5, 0, 0.5, 1, 1.5, 2, 2.5, 3, 4};
            double p = exponents[between(rs, 0, exponents.length - 1)];
            return new Case("pow(" + p + ") " + Shape.toString(s), x -> x[0].pow(p), tensor(uniform(rs, size(s), 0.3, 2.5), s));
        })).checkAssert(c -> {
            double p = Double.parseDouble(c.label().substring(4, c.label().indexOf(')')));
            double[] d = c.inputs()[0].toArray();
            double[] expected = new double[d.length];
            for (int i = 0; i < d.length; i++) expected[i] = Math.pow(d[i], p);
            assertValues(expected, c.inputs()[0].pow(p), 1e-12);
            assertGradient(c);
        });
    }

    @Test
    void powWithIntegerExponentOfNegativeBase() {
        theory(20).forAll(cases(rs -> {
            int[] s = shape(rs, 0, 3);
            double p = between(rs, 2, 4);
            return new Case("pow(" + p + ") " + Shape.toString(s), x -> x[0].pow(p), tensor(uniform(rs, size(s), -2, 2), s));
        })).checkAssert(TestGens::assertGradient);
    }

    @Test
    void square() {
        unaryProperty("square", Tensor::square, v -> v * v, range(-3, 3));
    }

    @Test
    void exp() {
        unaryProperty("exp", Tensor::exp, Math::exp, range(-3, 3));
    }

    @Test
    void log() {
        unaryProperty("log", Tensor::log, Math::log, range(0.2, 5));
    }

    @Test
    void sqrt() {
        unaryProperty("sqrt", Tensor::sqrt, Math::sqrt, range(0.2, 5));
    }

    @Test
    void abs() {
        unaryProperty("abs", Tensor::abs, Math::abs, (rs, n) -> awayFromZero(rs, n, 3));
    }

    @Test
    void sigmoid() {
        unaryProperty("sigmoid", Tensor::sigmoid, v -> 1 / (1 + Math.exp(-v)), range(-6, 6));
    }

    @Test
    void tanh() {
        unaryProperty("tanh", Tensor::tanh, Math::tanh, range(-3, 3));
    }

    @Test
    void relu() {
        unaryProperty("relu", Tensor::relu, v -> Math.max(v, 0), (rs, n) -> awayFromZero(rs, n, 3));
    }

    @Test
    void step() {
        unaryProperty("step", Tensor::step, v -> v > 0 ? 1 : 0, (rs, n) -> awayFromZero(rs, n, 3));
    }

    @Test
    void sign() {
        unaryProperty("sign", Tensor::sign, Math::signum, (rs, n) -> awayFromZero(rs, n, 3));
    }

    @Test
    void softplus() {
        unaryProperty("softplus", Tensor::softplus, v -> Math.log1p(Math.exp(v)), range(-8, 8));
    }

    @Test
    void clamp() {
        unaryProperty("clamp(-0.5, 0.75)", x -> x.clamp(-0.5, 0.75), v -> Math.min(Math.max(v, -0.5), 0.75),
            (rs, n) -> awayFrom(rs, n, -2, 2, 0.05, -0.5, 0.75));
    }

    /** Tensors large enough for the kernels' parallel split (2 × 2^15 elements and more) give the same values. */
    @Test
    void largeTensorsMatchElementwiseReferences() {
        java.util.SplittableRandom rng = new java.util.SplittableRandom(13);
        int rows = 300, cols = 350;                                  // 105,000 elements
        Tensor a = Tensor.randn(rng, rows, cols).requiresGrad(), b = Tensor.randn(rng, rows, cols);
        Tensor row = Tensor.randn(rng, cols);
        double[] ad = a.toArray(), bd = b.toArray(), rd = row.toArray();
        double[] sum = new double[ad.length], prod = new double[ad.length], bc = new double[ad.length];
        double[] th = new double[ad.length], sp = new double[ad.length], sc = new double[ad.length];
        for (int i = 0; i < ad.length; i++) {
            sum[i] = ad[i] + bd[i];
            prod[i] = ad[i] * bd[i];
            bc[i] = ad[i] - rd[i % cols];
            th[i] = Math.tanh(ad[i]);
            sp[i] = Math.log1p(Math.exp(ad[i]));
            sc[i] = ad[i] * 3;
        }
        assertValues(sum, a.add(b), 1e-15);
        assertValues(prod, a.mul(b), 1e-15);
        assertValues(bc, a.sub(row), 1e-15);
        assertValues(th, a.tanh(), 1e-15);
        assertValues(sp, a.softplus(), 1e-12);
        assertValues(sc, a.mul(3), 1e-15);
        a.tanh().mul(b).sum().backward();
        double[] g = new double[ad.length];
        for (int i = 0; i < ad.length; i++) g[i] = (1 - th[i] * th[i]) * bd[i];
        assertValues(g, a.grad(), 1e-12);
    }

    @Test
    void subgradientsAtKinksFollowTheDocumentedConventions() {
        Tensor x = Tensor.of(-1, 0, 2).requiresGrad();
        x.relu().sum().backward();
        assertArrayEquals(new double[] {0, 0, 1}, x.grad().toArray());
        x.zeroGrad();
        x.abs().sum().backward();
        assertArrayEquals(new double[] {-1, 0, 1}, x.grad().toArray());
        x.zeroGrad();
        x.step().add(x.sign()).sum().backward();
        assertArrayEquals(new double[] {0, 0, 0}, x.grad().toArray());
        x.zeroGrad();
        Tensor y = Tensor.of(-1, 0, 0.5, 1, 2).requiresGrad();
        y.clamp(0, 1).sum().backward();      // passes only strictly inside (0, 1)
        assertArrayEquals(new double[] {0, 0, 1, 0, 0}, y.grad().toArray());
    }

    // ================================================================ linear algebra

    /** Naive NumPy matmul: 1-D operands promoted and squeezed, batch dimensions broadcast. */
    static Tensor naiveMatmul(Tensor a, Tensor b) {
        int[] as = a.shape(), bs = b.shape();
        boolean va = as.length == 1, vb = bs.length == 1;
        int[] pa = va ? new int[] {1, as[0]} : as;
        int[] pb = vb ? new int[] {bs[0], 1} : bs;
        int m = pa[pa.length - 2], k = pa[pa.length - 1], n = pb[pb.length - 1];
        int[] batchA = Arrays.copyOf(pa, pa.length - 2), batchB = Arrays.copyOf(pb, pb.length - 2);
        int[] batch = broadcastShape(batchA, batchB);
        int nb = size(batch);
        double[] ad = a.toArray(), bd = b.toArray();
        double[] out = new double[nb * m * n];
        for (int bi = 0; bi < nb; bi++) {
            int[] idx = unflatten(bi, batch);
            int oa = broadcastIndex(idx, batchA) * m * k, ob = broadcastIndex(idx, batchB) * k * n;
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double s = 0;
                    for (int p = 0; p < k; p++) s += ad[oa + i * k + p] * bd[ob + p * n + j];
                    out[bi * m * n + i * n + j] = s;
                }
            }
        }
        int[] shape = Arrays.copyOf(batch, batch.length + 2);
        shape[batch.length] = m;
        shape[batch.length + 1] = n;
        if (va) shape = dropAxis(shape, shape.length - 2);
        if (vb) shape = dropAxis(shape, shape.length - 1);
        return Tensor.of(out, shape);
    }

    private static int[] dropAxis(int[] s, int axis) {
        int[] out = new int[s.length - 1];
        for (int i = 0, j = 0; i < s.length; i++) if (i != axis) out[j++] = s[i];
        return out;
    }

    private static int[] cat(int[] lead, int... tail) {
        int[] s = Arrays.copyOf(lead, lead.length + tail.length);
        System.arraycopy(tail, 0, s, lead.length, tail.length);
        return s;
    }

    @Test
    void matmul() {
        String[] kinds = {"1x1", "1x2", "2x1", "2x2", "3x2", "2x3", "3x3", "4x3 broadcast batch", "3x1", "1x3", "3x3 batch of 1"};
        theory(60).forAll(cases(rs -> {
            int kind = between(rs, 0, kinds.length - 1);
            int m = between(rs, 1, 4), k = between(rs, 1, 4), n = between(rs, 1, 4), b = between(rs, 1, 3), b2 = between(rs, 2, 3);
            int[] sa, sb;
            switch (kind) {
                case 0 -> { sa = new int[] {k}; sb = new int[] {k}; }
                case 1 -> { sa = new int[] {k}; sb = new int[] {k, n}; }
                case 2 -> { sa = new int[] {m, k}; sb = new int[] {k}; }
                case 3 -> { sa = new int[] {m, k}; sb = new int[] {k, n}; }
                case 4 -> { sa = new int[] {b, m, k}; sb = new int[] {k, n}; }
                case 5 -> { sa = new int[] {m, k}; sb = new int[] {b, k, n}; }
                case 6 -> { sa = new int[] {b, m, k}; sb = new int[] {b, k, n}; }
                case 7 -> { sa = new int[] {b2, 1, m, k}; sb = new int[] {b, k, n}; }
                case 8 -> { sa = new int[] {b, m, k}; sb = new int[] {k}; }
                case 9 -> { sa = new int[] {k}; sb = new int[] {b, k, n}; }
                default -> { sa = new int[] {1, m, k}; sb = new int[] {b2, k, n}; }
            }
            return new Case("matmul " + kinds[kind] + " " + Shape.toString(sa) + " x " + Shape.toString(sb),
                x -> x[0].matmul(x[1]), tensor(uniform(rs, size(sa), -2, 2), sa), tensor(uniform(rs, size(sb), -2, 2), sb));
        })).checkAssert(c -> {
            Tensor a = c.inputs()[0], b = c.inputs()[1];
            Tensor expected = naiveMatmul(a, b);
            assertTensor(expected.toArray(), expected.shape(), a.matmul(b), 1e-12);
            assertGradient(c);
        });
    }

    @Test
    void matmulLargeEnoughForBlasMatchesNaiveForwardAndBackward() {
        java.util.SplittableRandom rng = new java.util.SplittableRandom(7);
        int[][][] shapes = {{{20, 30}, {30, 25}}, {{3, 17, 19}, {3, 19, 21}}, {{2, 1, 16, 20}, {3, 20, 18}}, {{40}, {40, 30}}};
        for (int[][] s : shapes) {
            Tensor a = Tensor.randn(rng, s[0]).requiresGrad(), b = Tensor.randn(rng, s[1]).requiresGrad();
            Tensor c = a.matmul(b);
            Tensor expected = naiveMatmul(a, b);
            assertTensor(expected.toArray(), expected.shape(), c, 1e-10);
            Tensor r = Tensor.randn(rng, c.shape());
            c.mul(r).sum().backward();
            // d sum(C ⊙ R) / dA = R Bᵀ summed over broadcast batch dims; same for B with Aᵀ R.
            Tensor a2 = a.detach().requiresGrad(), b2 = b.detach().requiresGrad();
            naiveSumProduct(a2, b2, r);
            assertValues(a2.grad().toArray(), a.grad(), 1e-9);
            assertValues(b2.grad().toArray(), b.grad(), 1e-9);
        }
    }

    /** sum(A B ⊙ R) built from mul and sum only (no matmul), then backward. */
    private static void naiveSumProduct(Tensor a, Tensor b, Tensor r) {
        boolean va = a.rank() == 1, vb = b.rank() == 1;
        Tensor pa = va ? a.reshape(1, -1) : a, pb = vb ? b.reshape(-1, 1) : b;
        int rb = pb.rank();
        // [..., m, k, 1] * [..., 1, k, n] summed over k
        int[] sa = cat(pa.shape(), 1), sb = pb.shape();
        int[] sb2 = new int[rb + 1];
        System.arraycopy(sb, 0, sb2, 0, rb - 2);
        sb2[rb - 2] = 1;
        sb2[rb - 1] = sb[rb - 2];
        sb2[rb] = sb[rb - 1];
        Tensor prod = pa.reshape(sa).mul(pb.reshape(sb2)).sum(-2, false);
        if (va) prod = prod.sum(-2, false);
        if (vb) prod = prod.sum(-1, false);
        prod.mul(r).sum().backward();
    }

    @Test
    void linear() {
        theory(N).forAll(cases(rs -> {
            int in = between(rs, 1, 4), out = between(rs, 1, 4);
            int rank = between(rs, 1, 3);
            int[] xs = rank == 1 ? new int[] {in} : rank == 2 ? new int[] {between(rs, 1, 4), in}
                : new int[] {between(rs, 1, 3), between(rs, 1, 3), in};
            boolean withBias = bool(rs);
            Tensor x = tensor(uniform(rs, size(xs), -2, 2), xs);
            Tensor w = tensor(uniform(rs, out * in, -2, 2), new int[] {out, in});
            if (!withBias) return new Case("linear no bias " + Shape.toString(xs) + " W [" + out + ", " + in + "]",
                t -> t[0].linear(t[1], null), x, w);
            Tensor b = tensor(uniform(rs, out, -2, 2), new int[] {out});
            return new Case("linear with bias " + Shape.toString(xs) + " W [" + out + ", " + in + "]",
                t -> t[0].linear(t[1], t[2]), x, w, b);
        })).checkAssert(c -> {
            Tensor[] t = c.inputs();
            Tensor expected = t[0].matmul(t[1].transpose());
            if (t.length == 3) expected = expected.add(t[2]);
            Tensor actual = c.f().apply(t);
            assertTensor(expected.toArray(), expected.shape(), actual, 1e-12);
            assertGradient(c);
        });
    }

    @Test
    void linearLargeEnoughForBlasWithBias() {
        java.util.SplittableRandom rng = new java.util.SplittableRandom(11);
        Tensor x = Tensor.randn(rng, 2, 12, 20).requiresGrad(), w = Tensor.randn(rng, 30, 20).requiresGrad();
        Tensor b = Tensor.randn(rng, 30).requiresGrad();
        Tensor y = x.linear(w, b);
        Tensor ref = naiveMatmul(x, w.transpose()).add(b);
        assertTensor(ref.toArray(), new int[] {2, 12, 30}, y, 1e-10);
        Tensor r = Tensor.randn(rng, 2, 12, 30);
        y.mul(r).sum().backward();
        Tensor x2 = x.detach().requiresGrad(), w2 = w.detach().requiresGrad(), b2 = b.detach().requiresGrad();
        x2.matmul(w2.transpose()).add(b2).mul(r).sum().backward();
        assertValues(x2.grad().toArray(), x.grad(), 1e-10);
        assertValues(w2.grad().toArray(), w.grad(), 1e-10);
        assertValues(b2.grad().toArray(), b.grad(), 1e-10);
    }

    // ================================================================ layout

    @Test
    void transpose() {
        theory(N).forAll(cases(rs -> {
            int[] s = shape(rs, 0, 3);
            return new Case("transpose " + Shape.toString(s), x -> x[0].transpose(), tensor(uniform(rs, size(s), -2, 2), s));
        })).checkAssert(c -> {
            Tensor x = c.inputs()[0];
            Tensor t = x.transpose();
            int r = x.rank();
            if (r >= 2) {
                int[] s = x.shape();
                assertArrayEquals(cat(Arrays.copyOf(s, r - 2), s[r - 1], s[r - 2]), t.shape());
                for (int i = 0; i < x.size(); i++) {
                    int[] idx = unflatten(i, s);
                    int[] tidx = idx.clone();
                    tidx[r - 2] = idx[r - 1];
                    tidx[r - 1] = idx[r - 2];
                    assertEquals(x.get(idx), t.get(tidx));
                }
            } else {
                assertArrayEquals(x.toArray(), t.toArray());
            }
            assertGradient(c);
        });
    }

    @Test
    void reshapeIncludingInferredDimension() {
        theory(N).forAll(cases(rs -> {
            int[] s = shape(rs, 0, 3);
            int n = size(s);
            // a random factorization of n into up to 3 factors, one of them possibly -1
            int[] target = new int[between(rs, n == 1 ? 0 : 1, 3)];
            int rest = n;
            for (int i = 0; i < target.length; i++) {
                if (i == target.length - 1) {
                    target[i] = rest;
                } else {
                    int f = 1;
                    for (int d = between(rs, 1, rest); d >= 1; d--) {
                        if (rest % d == 0) { f = d; break; }
                    }
                    target[i] = f;
                    rest /= f;
                }
            }
            if (target.length > 0 && bool(rs)) target[between(rs, 0, target.length - 1)] = -1;
            return new Case("reshape " + Shape.toString(s) + " to " + Shape.toString(target), x -> x[0].reshape(target),
                tensor(uniform(rs, n, -2, 2), s));
        })).checkAssert(c -> {
            Tensor x = c.inputs()[0];
            Tensor y = c.f().apply(new Tensor[] {x});
            assertArrayEquals(x.toArray(), y.toArray());
            assertEquals(x.size(), size(y.shape()));
            assertGradient(c);
        });
    }

    @Test
    void broadcastTo() {
        theory(N).forAll(cases(rs -> {
            int[] target = shape(rs, 0, 3);
            int[] s = broadcastableTo(rs, target);
            return new Case("broadcastTo " + Shape.toString(s) + " -> " + Shape.toString(target), x -> x[0].broadcastTo(target),
                tensor(uniform(rs, size(s), -2, 2), s));
        })).checkAssert(c -> {
            Tensor x = c.inputs()[0];
            Tensor y = c.f().apply(new Tensor[] {x});
            int[] target = y.shape();
            double[] expected = new double[size(target)];
            for (int i = 0; i < expected.length; i++) expected[i] = x.toArray()[broadcastIndex(unflatten(i, target), x.shape())];
            assertValues(expected, y, 0);
            assertGradient(c);
        });
    }

    @Test
    void sumTo() {
        theory(N).forAll(cases(rs -> {
            int[] s = shape(rs, 0, 3);
            int[] target = broadcastableTo(rs, s);
            return new Case("sumTo " + Shape.toString(s) + " -> " + Shape.toString(target), x -> x[0].sumTo(target),
                tensor(uniform(rs, size(s), -2, 2), s));
        })).checkAssert(c -> {
            Tensor x = c.inputs()[0];
            Tensor y = c.f().apply(new Tensor[] {x});
            int[] target = y.shape();
            double[] expected = new double[size(target)];
            double[] d = x.toArray();
            for (int i = 0; i < d.length; i++) expected[broadcastIndex(unflatten(i, x.shape()), target)] += d[i];
            assertValues(expected, y, 1e-12);
            assertGradient(c);
        });
    }

    // ================================================================ reductions

    /** Naive reduction over one axis (or all when axis is null), for the forward check. */
    private static double[] reduce(Tensor x, Integer axis, DoubleBinaryOperator op, double init) {
        int[] s = x.shape();
        double[] d = x.toArray();
        if (axis == null) {
            double acc = init;
            for (double v : d) acc = op.applyAsDouble(acc, v);
            return new double[] {acc};
        }
        int[] os = s.clone();
        os[axis] = 1;
        double[] out = new double[size(os)];
        Arrays.fill(out, init);
        for (int i = 0; i < d.length; i++) {
            int o = broadcastIndex(unflatten(i, s), os);
            out[o] = op.applyAsDouble(out[o], d[i]);
        }
        return out;
    }

    private interface AxisOp {
        Tensor apply(Tensor x, int axis, boolean keepDims);
    }

    private static void reductionProperty(String op, UnaryOperator<Tensor> all, AxisOp axisOp, DoubleBinaryOperator ref,
                                          double init, boolean divideByCount, boolean distinctValues) {
        theory(N).forAll(cases(rs -> {
            boolean whole = between(rs, 0, 3) == 0;
            int[] s = shape(rs, whole ? 0 : 1, 3);
            double[] v = distinctValues ? distinct(rs, size(s)) : uniform(rs, size(s), -2, 2);
            if (whole) return new Case(op + "() " + Shape.toString(s), x -> all.apply(x[0]), tensor(v, s));
            int axis = between(rs, -s.length, s.length - 1);
            boolean keep = bool(rs);
            return new Case(op + "(axis " + axis + ", keepDims " + keep + ") " + Shape.toString(s),
                x -> axisOp.apply(x[0], axis, keep), tensor(v, s));
        })).checkAssert(c -> {
            Tensor x = c.inputs()[0];
            Tensor y = c.f().apply(new Tensor[] {x});
            String label = c.label();
            int[] s = x.shape();
            if (label.startsWith(op + "()")) {
                assertEquals(0, y.rank(), "a full reduction is a scalar");
                double e = reduce(x, null, ref, init)[0] / (divideByCount ? x.size() : 1);
                assertValues(new double[] {e}, y, 1e-12);
            } else {
                int axis = Integer.parseInt(label.substring(label.indexOf("axis ") + 5, label.indexOf(',')));
                boolean keep = label.contains("keepDims true");
                int ax = axis < 0 ? axis + s.length : axis;
                double[] e = reduce(x, ax, ref, init);
                if (divideByCount) for (int i = 0; i < e.length; i++) e[i] /= s[ax];
                int[] ks = s.clone();
                ks[ax] = 1;
                assertTensor(e, keep ? ks : dropAxis(s, ax), y, 1e-12);
            }
            assertGradient(c);
        });
    }

    @Test
    void sum() {
        reductionProperty("sum", Tensor::sum, Tensor::sum, Double::sum, 0, false, false);
    }

    @Test
    void mean() {
        reductionProperty("mean", Tensor::mean, Tensor::mean, Double::sum, 0, true, false);
    }

    @Test
    void max() {
        reductionProperty("max", Tensor::max, Tensor::max, Math::max, Double.NEGATIVE_INFINITY, false, true);
    }

    @Test
    void min() {
        reductionProperty("min", Tensor::min, Tensor::min, Math::min, Double.POSITIVE_INFINITY, false, true);
    }

    @Test
    void maxWithExactTiesSplitsTheGradientEqually() {
        // Finite differences are invalid at a tie, so the expected gradient is worked out by hand:
        // d max / d x_i = [x_i = max] / #{j : x_j = max}.
        Tensor x = Tensor.of(new double[][] {{1, 3, 3}, {2, 2, 2}, {5, -1, 5}}).requiresGrad();
        x.max(1, false).mul(Tensor.of(1, 3, 10)).sum().backward();
        assertArrayEquals(new double[] {0, 0.5, 0.5, 1, 1, 1, 5, 0, 5}, x.grad().toArray(), 1e-15);

        x.zeroGrad();
        x.max(0, true).sum().backward();            // column maxima: 5 | 3 | 5 (tie in none of the columns)
        assertArrayEquals(new double[] {0, 1, 0, 0, 0, 0, 1, 0, 1}, x.grad().toArray(), 1e-15);

        Tensor y = Tensor.of(4, 1, 4, 4).requiresGrad();
        y.max().backward();
        assertArrayEquals(new double[] {1.0 / 3, 0, 1.0 / 3, 1.0 / 3}, y.grad().toArray(), 1e-15);

        Tensor z = Tensor.of(-2, 7, -2).requiresGrad();
        z.min().mul(6).backward();
        assertArrayEquals(new double[] {3, 0, 3}, z.grad().toArray(), 1e-15);

        Tensor w = Tensor.of(new double[] {1, 1, 1, 1, 1, 1, 1, 1}, 2, 2, 2).requiresGrad();
        w.max(2, true).sum().backward();
        assertArrayEquals(new double[] {0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5}, w.grad().toArray(), 1e-15);
    }

    // ================================================================ softmax family

    private static void softmaxProperty(String op, AxisOp f) {
        theory(N).forAll(cases(rs -> {
            int[] s = shape(rs, 1, 3);
            int axis = between(rs, -s.length, s.length - 1);
            boolean keep = bool(rs);
            return new Case(op + "(axis " + axis + ", keepDims " + keep + ") " + Shape.toString(s),
                x -> f.apply(x[0], axis, keep), tensor(uniform(rs, size(s), -3, 3), s));
        })).checkAssert(c -> {
            Tensor x = c.inputs()[0];
            String label = c.label();
            int axis = Integer.parseInt(label.substring(label.indexOf("axis ") + 5, label.indexOf(',')));
            int ax = axis < 0 ? axis + x.rank() : axis;
            boolean keep = label.contains("keepDims true");
            double[] lse = reduce(x.exp(), ax, Double::sum, 0);
            for (int i = 0; i < lse.length; i++) lse[i] = Math.log(lse[i]);
            int[] ks = x.shape();
            ks[ax] = 1;
            Tensor y = c.f().apply(new Tensor[] {x});
            double[] d = x.toArray();
            double[] expected = new double[d.length];
            for (int i = 0; i < d.length; i++) {
                double l = lse[broadcastIndex(unflatten(i, x.shape()), ks)];
                expected[i] = op.equals("softmax") ? Math.exp(d[i] - l) : d[i] - l;
            }
            if (op.equals("logSumExp")) {
                assertTensor(lse, keep ? ks : dropAxis(x.shape(), ax), y, 1e-12);
            } else {
                assertTensor(expected, x.shape(), y, 1e-12);
            }
            assertGradient(c);
        });
    }

    @Test
    void softmax() {
        softmaxProperty("softmax", (x, axis, keep) -> x.softmax(axis));
    }

    @Test
    void logSoftmax() {
        softmaxProperty("logSoftmax", (x, axis, keep) -> x.logSoftmax(axis));
    }

    @Test
    void logSumExp() {
        softmaxProperty("logSumExp", Tensor::logSumExp);
    }

    // ================================================================ indexing and losses

    private static int[] classes(RandomnessSource rs, int rows, int classes) {
        int[] t = new int[rows];
        for (int i = 0; i < rows; i++) t[i] = between(rs, 0, classes - 1);
        return t;
    }

    @Test
    void pick() {
        theory(N).forAll(cases(rs -> {
            int[] s = shape(rs, 1, 3);
            int c = s[s.length - 1];
            int[] idx = classes(rs, size(s) / c, c);
            return new Case("pick " + Arrays.toString(idx) + " " + Shape.toString(s), x -> x[0].pick(idx),
                tensor(uniform(rs, size(s), -2, 2), s));
        })).checkAssert(c -> {
            Tensor x = c.inputs()[0];
            int[] s = x.shape();
            int classes = s[s.length - 1];
            int[] idx = Arrays.stream(c.label().substring(c.label().indexOf('[') + 1, c.label().indexOf(']')).split(", "))
                .mapToInt(Integer::parseInt).toArray();
            double[] expected = new double[idx.length];
            for (int r = 0; r < idx.length; r++) expected[r] = x.toArray()[r * classes + idx[r]];
            assertTensor(expected, dropAxis(s, s.length - 1), x.pick(idx), 0);
            assertGradient(c);
        });
    }

    @Test
    void crossEntropy() {
        theory(N).forAll(cases(rs -> {
            int[] s = shape(rs, 1, 3);
            int c = s[s.length - 1];
            int[] t = classes(rs, size(s) / c, c);
            return new Case("crossEntropy " + Arrays.toString(t) + " " + Shape.toString(s), x -> x[0].crossEntropy(t),
                tensor(uniform(rs, size(s), -3, 3), s));
        })).checkAssert(c -> {
            Tensor x = c.inputs()[0];
            int[] s = x.shape();
            int[] t = Arrays.stream(c.label().substring(c.label().indexOf('[') + 1, c.label().indexOf(']')).split(", "))
                .mapToInt(Integer::parseInt).toArray();
            double expected = x.logSoftmax(-1).pick(t).mean().neg().item();
            Tensor y = x.crossEntropy(t);
            assertEquals(0, y.rank());
            assertEquals(expected, y.item(), 1e-12);
            assertEquals(s.length, x.rank());
            assertGradient(c);
        });
    }
}

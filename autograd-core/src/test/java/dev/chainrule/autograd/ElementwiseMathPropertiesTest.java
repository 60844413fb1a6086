package dev.chainrule.autograd;

import static dev.chainrule.autograd.MathGens.assertSameFunction;
import static dev.chainrule.autograd.MathGens.broadcastShapes;
import static dev.chainrule.autograd.MathGens.grid;
import static dev.chainrule.autograd.MathGens.shape4;
import static dev.chainrule.autograd.TestGens.Case;
import static dev.chainrule.autograd.TestGens.assertGradient;
import static dev.chainrule.autograd.TestGens.assertTensor;
import static dev.chainrule.autograd.TestGens.assertValues;
import static dev.chainrule.autograd.TestGens.awayFrom;
import static dev.chainrule.autograd.TestGens.between;
import static dev.chainrule.autograd.TestGens.broadcastIndex;
import static dev.chainrule.autograd.TestGens.broadcastShape;
import static dev.chainrule.autograd.TestGens.cases;
import static dev.chainrule.autograd.TestGens.size;
import static dev.chainrule.autograd.TestGens.tensor;
import static dev.chainrule.autograd.TestGens.theory;
import static dev.chainrule.autograd.TestGens.uniform;
import static dev.chainrule.autograd.TestGens.unflatten;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chainrule.autograd.internal.SpecialFunctions;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.BiFunction;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.quicktheories.core.RandomnessSource;

/**
 * The elementwise math and activations of issue 8 (sin ... hardtanh, maximum/minimum): on generated
 * shapes up to rank 4, forward values against a scalar reference and gradients against finite
 * differences; second derivatives for every op (the piecewise ones away from their kinks); identities;
 * the one-pass first-order rules against the differentiable ones; and NaN propagation as in PyTorch.
 */
class ElementwiseMathPropertiesTest {

    private static final int N = 30;

    interface Values {
        double[] draw(RandomnessSource rs, int n);
    }

    private static Values range(double lo, double hi) {
        return (rs, n) -> uniform(rs, n, lo, hi);
    }

    private static Values off(double lo, double hi, double... kinks) {
        return (rs, n) -> awayFrom(rs, n, lo, hi, 0.05, kinks);
    }

    private static final double SQRT2 = Math.sqrt(2);

    /** Naive normal CDF through erf, independent of the library's erfc path (fine away from the far left tail). */
    private static double phi(double x) {
        return 0.5 * (1 + SpecialFunctions.erf(x / SQRT2));
    }

    private record Op(String name, UnaryOperator<Tensor> f, DoubleUnaryOperator ref, Values values) {}

    private static Op op(String name) {
        return switch (name) {
            case "sin" -> new Op(name, Tensor::sin, Math::sin, range(-4, 4));
            case "cos" -> new Op(name, Tensor::cos, Math::cos, range(-4, 4));
            case "tan" -> new Op(name, Tensor::tan, Math::tan, range(-1.2, 1.2));
            case "atan" -> new Op(name, Tensor::atan, Math::atan, range(-4, 4));
            case "log1p" -> new Op(name, Tensor::log1p, v -> Math.log(1 + v), range(-0.8, 3));
            case "expm1" -> new Op(name, Tensor::expm1, v -> Math.exp(v) - 1, range(-3, 3));
            case "reciprocal" -> new Op(name, Tensor::reciprocal, v -> 1 / v, (rs, n) -> TestGens.awayFromZero(rs, n, 3));
            case "erf" -> new Op(name, Tensor::erf, SpecialFunctions::erf, range(-3, 3));
            case "gelu" -> new Op(name, Tensor::gelu, v -> v * phi(v), range(-4, 4));
            case "silu" -> new Op(name, Tensor::silu, v -> v / (1 + Math.exp(-v)), range(-5, 5));
            case "leakyRelu" -> new Op(name, x -> x.leakyRelu(0.1), v -> v > 0 ? v : 0.1 * v, off(-3, 3, 0));
            case "leakyReluSteep" -> new Op(name, x -> x.leakyRelu(-1.5), v -> v > 0 ? v : -1.5 * v, off(-3, 3, 0));
            case "elu" -> new Op(name, x -> x.elu(1), v -> v > 0 ? v : Math.expm1(v), off(-4, 3, 0));
            case "eluAlpha" -> new Op(name, x -> x.elu(0.3), v -> v > 0 ? v : 0.3 * Math.expm1(v), off(-4, 3, 0));
            case "hardtanh" -> new Op(name, x -> x.hardtanh(-1, 0.5), v -> Math.min(Math.max(v, -1), 0.5), off(-2, 2, -1, 0.5));
            default -> throw new AssertionError(name);
        };
    }

    private static final String[] UNARY = {"sin", "cos", "tan", "atan", "log1p", "expm1", "reciprocal", "erf", "gelu", "silu",
        "leakyRelu", "leakyReluSteep", "elu", "eluAlpha", "hardtanh"};

    @ParameterizedTest
    @ValueSource(strings = {"sin", "cos", "tan", "atan", "log1p", "expm1", "reciprocal", "erf", "gelu", "silu",
        "leakyRelu", "leakyReluSteep", "elu", "eluAlpha", "hardtanh"})
    void unaryForwardAndGradient(String name) {
        Op op = op(name);
        theory(N).forAll(cases(rs -> {
            int[] s = shape4(rs, 0);
            return new Case(name + " " + Shape.toString(s), x -> op.f().apply(x[0]), tensor(op.values().draw(rs, size(s)), s));
        })).checkAssert(c -> {
            Tensor x = c.inputs()[0];
            double[] d = x.toArray(), expected = new double[d.length];
            for (int i = 0; i < d.length; i++) expected[i] = op.ref().applyAsDouble(d[i]);
            assertTensor(expected, x.shape(), op.f().apply(x), 1e-13);
            assertGradient(c);
        });
    }

    /** Second derivatives; the product with x makes those of the piecewise-linear ops non-trivial. */
    @ParameterizedTest
    @ValueSource(strings = {"sin", "cos", "tan", "atan", "log1p", "expm1", "reciprocal", "erf", "gelu", "silu",
        "leakyRelu", "leakyReluSteep", "elu", "eluAlpha", "hardtanh"})
    void unarySecondOrder(String name) {
        Op op = op(name);
        theory(12).forAll(cases(rs -> {
            int[] s = shape4(rs, 0);
            if (size(s) > 12) s = new int[] {between(rs, 1, 3), between(rs, 1, 4)};
            return new Case(name + " " + Shape.toString(s), x -> op.f().apply(x[0]).mul(x[0]), tensor(op.values().draw(rs, size(s)), s));
        })).checkAssert(TestGens::assertSecondOrder);
    }

    /** The one-pass first-order rule (backward without createGraph) equals the differentiable one (with createGraph). */
    @ParameterizedTest
    @ValueSource(strings = {"erf", "gelu", "leakyRelu", "leakyReluSteep", "elu", "eluAlpha", "hardtanh"})
    void firstOrderFastPathMatchesTheDifferentiableRule(String name) {
        Op op = op(name);
        SplittableRandom rng = new SplittableRandom(3);
        double[] v = new double[200];
        for (int i = 0; i < v.length; i++) v[i] = rng.nextDouble(-6, 6);
        v[0] = 0;                                   // both branches agree at the kinks too
        v[1] = -1;
        v[2] = 0.5;
        Tensor x = Tensor.of(v).requiresGrad(), seed = Tensor.randn(rng, 200);
        Tensor fast = Autograd.grad(op.f().apply(x), List.of(x), seed, false, false).get(0);
        Tensor differentiable = Autograd.grad(op.f().apply(x), List.of(x), seed, false, true).get(0);
        assertValues(differentiable.toArray(), fast, 1e-13);
    }

    // ================================================================ maximum / minimum

    private static void binaryProperty(String name, BiFunction<Tensor, Tensor, Tensor> f, DoubleBinaryOperator ref) {
        theory(N).forAll(cases(rs -> {
            int[][] s = broadcastShapes(rs, 2);
            // a on the grid 0.25k, b on 0.25k + 0.125: never a tie, never within eps of one
            Tensor a = tensor(grid(rs, size(s[0]), -2, 2, 0), s[0]), b = tensor(grid(rs, size(s[1]), -2, 2, 0.125), s[1]);
            return new Case(name + " " + Shape.toString(s[0]) + " " + Shape.toString(s[1]), x -> f.apply(x[0], x[1]), a, b);
        })).checkAssert(c -> {
            Tensor a = c.inputs()[0], b = c.inputs()[1];
            int[] os = broadcastShape(a.shape(), b.shape());
            double[] expected = new double[size(os)], ad = a.toArray(), bd = b.toArray();
            for (int i = 0; i < expected.length; i++) {
                int[] idx = unflatten(i, os);
                expected[i] = ref.applyAsDouble(ad[broadcastIndex(idx, a.shape())], bd[broadcastIndex(idx, b.shape())]);
            }
            assertTensor(expected, os, f.apply(a, b), 0);
            assertGradient(c);
            TestGens.assertSecondOrder(new Case(c.label(), x -> f.apply(x[0], x[1]).square(), a, b));
        });
    }

    @Test
    void maximum() {
        binaryProperty("maximum", Tensor::maximum, Math::max);
    }

    @Test
    void minimum() {
        binaryProperty("minimum", Tensor::minimum, Math::min);
    }

    @Test
    void maximumAndMinimumSplitATieHalfAndHalf() {
        Tensor a = Tensor.of(new double[][] {{1, 2, 3}, {2, 5, 0}}).requiresGrad(), b = Tensor.of(2, 2, 2).requiresGrad();
        a.maximum(b).mul(Tensor.of(1, 10, 100)).sum().backward();
        assertArrayEquals(new double[] {0, 5, 100, 0.5, 10, 0}, a.grad().toArray());
        assertArrayEquals(new double[] {1.5, 5, 100}, b.grad().toArray());   // broadcast: summed over the rows
        a.zeroGrad();
        b.zeroGrad();
        a.minimum(b).sum().backward();
        assertArrayEquals(new double[] {1, 0.5, 0, 0.5, 0, 1}, a.grad().toArray());
        assertArrayEquals(new double[] {0.5, 1.5, 1}, b.grad().toArray());
        Tensor same = Tensor.of(1, -2).requiresGrad();
        same.maximum(same).sum().backward();                     // max(x, x) = x: the halves add up to 1
        assertArrayEquals(new double[] {1, 1}, same.grad().toArray());
    }

    // ================================================================ identities

    @Test
    void identities() {
        theory(25).forAll(cases(rs -> {
            int[] s = shape4(rs, 0);
            return new Case(Shape.toString(s), x -> x[0], tensor(uniform(rs, size(s), -1.4, 1.4), s));
        })).checkAssert(c -> {
            Tensor x = c.inputs()[0];
            assertSameFunction(t -> t.sin().square().add(t.cos().square()), t -> t.mul(0).add(1), x, 1e-15);
            assertSameFunction(Tensor::expm1, t -> t.exp().sub(1), x, 1e-14);
            assertSameFunction(t -> t.abs().log1p(), t -> t.abs().add(1).log(), x, 1e-14);
            assertSameFunction(Tensor::tan, t -> t.sin().div(t.cos()), x, 1e-13);
            assertSameFunction(t -> t.tan().atan(), t -> t, x, 1e-14);
            assertSameFunction(Tensor::reciprocal, t -> t.pow(-1), x.add(3), 1e-15);
            assertSameFunction(Tensor::silu, t -> t.mul(t.neg().exp().add(1).reciprocal()), x, 1e-14);
            assertSameFunction(t -> t.hardtanh(-0.5, 0.5), t -> t.clamp(-0.5, 0.5), x, 0);
            assertSameFunction(t -> t.leakyRelu(0), Tensor::relu, x, 0);
            assertSameFunction(t -> t.leakyRelu(0.2), t -> t.relu().sub(t.neg().relu().mul(0.2)), x, 1e-15);
            assertSameFunction(Tensor::gelu, t -> t.mul(t.div(Math.sqrt(2)).erf().add(1)).mul(0.5), x, 1e-14);
            assertSameFunction(t -> t.elu(0.7), t -> t.relu().add(t.neg().relu().neg().expm1().mul(0.7)), x, 1e-14);
            assertSameFunction(Tensor::erf, t -> t.neg().erf().neg(), x, 0);                      // odd
            Tensor y = x.mul(-0.7).add(0.1);
            assertSameFunction(t -> t.maximum(y).add(t.minimum(y)), t -> t.add(y), x, 1e-15);
        });
    }

    @Test
    void erfAgreesWithItsSeriesAndComplement() {
        for (double v = -6; v <= 6; v += 0.0625) {
            double e = SpecialFunctions.erf(v), c = SpecialFunctions.erfc(v);
            assertEquals(1.0, e + c, 1e-15, "erf + erfc at " + v);
            assertEquals(-e, SpecialFunctions.erf(-v), 0, "odd at " + v);
            if (Math.abs(v) < 1.5) assertEquals(erfSeries(v), e, 1e-15 * Math.abs(e) + 1e-300, "series at " + v);
        }
        assertEquals(1.0, SpecialFunctions.erf(Double.POSITIVE_INFINITY));
        assertEquals(-1.0, SpecialFunctions.erf(Double.NEGATIVE_INFINITY));
        assertEquals(0.0, SpecialFunctions.erfc(Double.POSITIVE_INFINITY));
        assertEquals(2.0, SpecialFunctions.erfc(Double.NEGATIVE_INFINITY));
        assertTrue(Double.isNaN(SpecialFunctions.erf(Double.NaN)) && Double.isNaN(SpecialFunctions.erfc(Double.NaN)));
        // the left tail of Φ stays relative-accurate, where 1 + erf(x/√2) would cancel to 0
        assertEquals(6.220960574271785e-16, SpecialFunctions.normalCdf(-8), 1e-29);
        assertEquals(7.619853024160527e-24, SpecialFunctions.normalCdf(-10), 1e-37);
    }

    /** erf(x) = (2/√π) Σ (−1)^n x^(2n+1) / (n! (2n+1)), summed until the terms vanish. */
    private static double erfSeries(double x) {
        double term = x, sum = x;
        for (int n = 1; n < 60; n++) {
            term *= -x * x / n;
            sum += term / (2 * n + 1);
        }
        return sum * 2 / Math.sqrt(Math.PI);
    }

    // ================================================================ NaN semantics

    private static void assertNaNAt(Tensor t, int... positions) {
        double[] d = t.toArray();
        for (int i = 0; i < d.length; i++) {
            boolean expected = false;
            for (int p : positions) expected |= p == i;
            assertEquals(expected, Double.isNaN(d[i]), "element " + i + " of " + t);
        }
    }

    @Test
    void activationsPropagateNaNAsPyTorch() {
        double nan = Double.NaN;
        Tensor x = Tensor.of(nan, -1, 0, 2);
        for (UnaryOperator<Tensor> f : List.<UnaryOperator<Tensor>>of(Tensor::relu, t -> t.leakyRelu(0.1), t -> t.elu(1),
            Tensor::gelu, Tensor::silu, t -> t.hardtanh(-0.5, 1), t -> t.clamp(-0.5, 1), Tensor::erf, Tensor::abs,
            Tensor::sin, Tensor::expm1, Tensor::log1p, Tensor::atan)) {
            assertNaNAt(f.apply(x), 0);
        }
        assertArrayEquals(new double[] {0, 0, 2}, Tensor.of(-1, 0, 2).relu().toArray());
        assertEquals(0.0, Tensor.scalar(-0.0).relu().item());
        assertEquals(Double.doubleToRawLongBits(0.0), Double.doubleToRawLongBits(Tensor.scalar(-0.0).relu().item()),
            "relu(-0) is +0, as max(0, x)");
        Tensor a = Tensor.of(nan, 1, 2, 3), b = Tensor.of(1, nan, 2, 1);
        assertNaNAt(a.maximum(b), 0, 1);
        assertNaNAt(a.minimum(b), 0, 1);
        assertArrayEquals(new double[] {2, 3}, Tensor.of(2, 3).maximum(Tensor.of(1, 3)).toArray());
        // relu's gradient at a large tensor (parallel kernel) keeps the same semantics
        double[] big = new double[70_000];
        big[123] = nan;
        big[124] = -1;
        big[125] = 5;
        Tensor r = Tensor.of(big).relu();
        assertTrue(Double.isNaN(r.get(123)) && r.get(124) == 0 && r.get(125) == 5);
    }

    @Test
    void maximumGradientAtNaNGoesToBothSidesAsPyTorch() {
        Tensor a = Tensor.of(Double.NaN, 1, 2, 3).requiresGrad(), b = Tensor.of(1, Double.NaN, 2, 1).requiresGrad();
        a.maximum(b).sum().backward();
        assertArrayEquals(new double[] {1, 1, 0.5, 1}, a.grad().toArray());
        assertArrayEquals(new double[] {1, 1, 0.5, 0}, b.grad().toArray());
    }

    // ================================================================ large tensors (parallel kernels)

    @Test
    void largeTensorsMatchScalarReferences() {
        SplittableRandom rng = new SplittableRandom(17);
        Tensor x = Tensor.randn(rng, 300, 350).mul(3).requiresGrad();           // 105,000 elements: split across threads
        double[] d = x.toArray();
        for (String name : UNARY) {
            Op op = op(name);
            if (name.equals("log1p") || name.equals("reciprocal") || name.equals("tan")) continue;
            double[] expected = new double[d.length];
            for (int i = 0; i < d.length; i++) expected[i] = op.ref().applyAsDouble(d[i]);
            assertClose(name, expected, op.f().apply(x).toArray(), name.equals("gelu") ? 1e-12 : 1e-14);
        }
        Tensor seed = Tensor.randn(rng, 300, 350);
        for (String name : new String[] {"erf", "gelu", "leakyRelu", "elu"}) {
            Op op = op(name);
            Tensor fast = Autograd.grad(op.f().apply(x), List.of(x), seed, false, false).get(0);
            Tensor differentiable = Autograd.grad(op.f().apply(x), List.of(x), seed, false, true).get(0);
            assertClose(name + " gradient", differentiable.toArray(), fast.toArray(), 1e-12);
        }
    }

    /** Elementwise |a − e| ≤ tol·max(1, |e|) in one plain loop (an assertion per element is slow on 10^5 elements). */
    private static void assertClose(String what, double[] expected, double[] actual, double tol) {
        assertEquals(expected.length, actual.length, what);
        int worst = -1;
        double excess = 0;
        for (int i = 0; i < expected.length; i++) {
            double over = Math.abs(actual[i] - expected[i]) - tol * Math.max(1, Math.abs(expected[i]));
            if (over > excess || over != over) {
                excess = over;
                worst = i;
                if (over != over) break;
            }
        }
        int at = worst;
        assertTrue(at < 0, () -> what + ": element " + at + " expected " + expected[at] + " but was " + actual[at]);
    }
}

package dev.chainrule.autograd;

import static dev.chainrule.autograd.TestGens.Case;
import static dev.chainrule.autograd.TestGens.awayFrom;
import static dev.chainrule.autograd.TestGens.awayFromZero;
import static dev.chainrule.autograd.TestGens.between;
import static dev.chainrule.autograd.TestGens.bool;
import static dev.chainrule.autograd.TestGens.broadcastPair;
import static dev.chainrule.autograd.TestGens.broadcastableTo;
import static dev.chainrule.autograd.TestGens.cases;
import static dev.chainrule.autograd.TestGens.distinct;
import static dev.chainrule.autograd.TestGens.size;
import static dev.chainrule.autograd.TestGens.tensor;
import static dev.chainrule.autograd.TestGens.theory;
import static dev.chainrule.autograd.TestGens.uniform;

import java.util.function.Function;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.RandomnessSource;

/**
 * Second derivatives: GradCheck.checkSecondOrder builds a Hessian-vector product with
 * {@code Autograd.grad(..., createGraph = true)} and compares its gradient with finite differences.
 * Every smooth op, and the piecewise ops away from their kinks (where the second derivative is 0).
 */
class SecondOrderTest {

    private static final int N = 15;

    /** Shapes of rank 0–2 with dims 1–3 keep the nested finite differences cheap. */
    private static int[] small(RandomnessSource rs, int minRank) {
        int rank = between(rs, minRank, 2);
        int[] s = new int[rank];
        for (int i = 0; i < rank; i++) s[i] = between(rs, 1, 3);
        return s;
    }

    private static Tensor t(RandomnessSource rs, int[] s, double lo, double hi) {
        return tensor(uniform(rs, size(s), lo, hi), s);
    }

    private static Case unary(String op, RandomnessSource rs) {
        int[] s = small(rs, 0);
        return switch (op) {
            case "neg" -> new Case(op, x -> x[0].neg(), t(rs, s, -2, 2));
            case "pow" -> {
                double p = new double[] {-1.5, -1, 0.5, 2, 2.5, 3}[between(rs, 0, 5)];
                yield new Case("pow(" + p + ")", x -> x[0].pow(p), t(rs, s, 0.4, 2));
            }
            case "square" -> new Case(op, x -> x[0].square(), t(rs, s, -2, 2));
            case "exp" -> new Case(op, x -> x[0].exp(), t(rs, s, -2, 2));
            case "log" -> new Case(op, x -> x[0].log(), t(rs, s, 0.4, 3));
            case "sqrt" -> new Case(op, x -> x[0].sqrt(), t(rs, s, 0.4, 3));
            case "sigmoid" -> new Case(op, x -> x[0].sigmoid(), t(rs, s, -4, 4));
            case "tanh" -> new Case(op, x -> x[0].tanh(), t(rs, s, -2, 2));
            case "softplus" -> new Case(op, x -> x[0].softplus(), t(rs, s, -4, 4));
            case "scalarOps" -> {
                double c = uniform(rs, 0.5, 2);
                yield new Case("scalar ops " + c, x -> x[0].add(c).mul(x[0].sub(c)).div(c).mul(c), t(rs, s, -2, 2));
            }
            case "relu" -> new Case(op, x -> x[0].relu().mul(x[0]), tensor(awayFromZero(rs, size(s), 2), s));
            case "abs" -> new Case(op, x -> x[0].abs().mul(x[0]), tensor(awayFromZero(rs, size(s), 2), s));
            case "stepSign" -> new Case(op, x -> x[0].step().add(x[0].sign()).mul(x[0].square()), tensor(awayFromZero(rs, size(s), 2), s));
            case "clamp" -> new Case(op, x -> x[0].clamp(-0.5, 0.5).mul(x[0]),
                tensor(awayFrom(rs, size(s), -1.5, 1.5, 0.05, -0.5, 0.5), s));
            default -> throw new AssertionError(op);
        };
    }

    @ParameterizedTest
    @ValueSource(strings = {"neg", "pow", "square", "exp", "log", "sqrt", "sigmoid", "tanh", "softplus", "scalarOps",
        "relu", "abs", "stepSign", "clamp"})
    void unaryOps(String op) {
        theory(N).forAll(cases(rs -> unary(op, rs))).checkAssert(TestGens::assertSecondOrder);
    }

    @ParameterizedTest
    @ValueSource(strings = {"add", "sub", "mul", "div"})
    void binaryOpsWithBroadcasting(String op) {
        theory(N).forAll(cases(rs -> {
            int[][] s = broadcastPair(rs);
            Function<Tensor[], Tensor> f = switch (op) {
                case "add" -> x -> x[0].add(x[1]).square();
                case "sub" -> x -> x[0].sub(x[1]).square();
                case "mul" -> x -> x[0].mul(x[1]);
                default -> x -> x[0].div(x[1]);
            };
            Tensor b = op.equals("div") ? tensor(awayFromZero(rs, size(s[1]), 2), s[1]) : t(rs, s[1], -2, 2);
            return new Case(op + " " + Shape.toString(s[0]) + " " + Shape.toString(s[1]), f, t(rs, s[0], -2, 2), b);
        })).checkAssert(TestGens::assertSecondOrder);
    }

    @Test
    void matmul() {
        theory(30).forAll(cases(rs -> {
            int m = between(rs, 1, 3), k = between(rs, 1, 3), n = between(rs, 1, 3), b = between(rs, 1, 2);
            int[][][] kinds = {{{k}, {k}}, {{k}, {k, n}}, {{m, k}, {k}}, {{m, k}, {k, n}}, {{b, m, k}, {k, n}},
                {{b, m, k}, {b, k, n}}, {{2, 1, m, k}, {b, k, n}}};
            int[][] s = kinds[between(rs, 0, kinds.length - 1)];
            return new Case("matmul " + Shape.toString(s[0]) + " x " + Shape.toString(s[1]), x -> x[0].matmul(x[1]).tanh(),
                t(rs, s[0], -1.5, 1.5), t(rs, s[1], -1.5, 1.5));
        })).checkAssert(TestGens::assertSecondOrder);
    }

    @Test
    void linear() {
        theory(N).forAll(cases(rs -> {
            int in = between(rs, 1, 3), out = between(rs, 1, 3);
            int[] xs = bool(rs) ? new int[] {between(rs, 1, 3), in} : new int[] {2, between(rs, 1, 2), in};
            if (bool(rs)) {
                return new Case("linear no bias " + Shape.toString(xs), x -> x[0].linear(x[1], null).sigmoid(),
                    t(rs, xs, -1.5, 1.5), t(rs, new int[] {out, in}, -1.5, 1.5));
            }
            return new Case("linear " + Shape.toString(xs), x -> x[0].linear(x[1], x[2]).sigmoid(),
                t(rs, xs, -1.5, 1.5), t(rs, new int[] {out, in}, -1.5, 1.5), t(rs, new int[] {out}, -1, 1));
        })).checkAssert(TestGens::assertSecondOrder);
    }

    @ParameterizedTest
    @ValueSource(strings = {"transpose", "reshape", "broadcastTo", "sumTo", "sum", "sumAxis", "mean", "meanAxis", "max", "min"})
    void layoutAndReductions(String op) {
        theory(N).forAll(cases(rs -> {
            int[] s = small(rs, 1);
            int axis = between(rs, -s.length, s.length - 1);
            boolean keep = bool(rs);
            // the square makes the second derivative non-trivial (a linear op alone has a zero Hessian)
            return switch (op) {
                case "transpose" -> new Case(op, x -> x[0].transpose().square(), t(rs, s, -2, 2));
                case "reshape" -> new Case(op, x -> x[0].reshape(-1).square(), t(rs, s, -2, 2));
                case "broadcastTo" -> {
                    int[] target = {3, s[s.length - 1]};
                    int[] src = {s[s.length - 1]};
                    yield new Case(op, x -> x[0].broadcastTo(target).square(), t(rs, src, -2, 2));
                }
                case "sumTo" -> {
                    int[] target = broadcastableTo(rs, s);
                    yield new Case(op + " to " + Shape.toString(target), x -> x[0].sumTo(target).square(), t(rs, s, -2, 2));
                }
                case "sum" -> new Case(op, x -> x[0].sum().square(), t(rs, s, -2, 2));
                case "sumAxis" -> new Case(op + " " + axis, x -> x[0].sum(axis, keep).square(), t(rs, s, -2, 2));
                case "mean" -> new Case(op, x -> x[0].mean().square(), t(rs, s, -2, 2));
                case "meanAxis" -> new Case(op + " " + axis, x -> x[0].mean(axis, keep).square(), t(rs, s, -2, 2));
                case "max" -> new Case(op + " " + axis, x -> x[0].max(axis, keep).square(), tensor(distinct(rs, size(s)), s));
                default -> new Case(op + " " + axis, x -> x[0].min(axis, keep).square(), tensor(distinct(rs, size(s)), s));
            };
        })).checkAssert(TestGens::assertSecondOrder);
    }

    @ParameterizedTest
    @ValueSource(strings = {"softmax", "logSoftmax", "logSumExp", "pick", "crossEntropy"})
    void softmaxFamilyAndLosses(String op) {
        theory(N).forAll(cases(rs -> {
            int[] s = small(rs, 1);
            int axis = between(rs, -s.length, s.length - 1);
            boolean keep = bool(rs);
            int classes = s[s.length - 1];
            int[] idx = new int[size(s) / classes];
            for (int i = 0; i < idx.length; i++) idx[i] = between(rs, 0, classes - 1);
            Tensor x0 = t(rs, s, -2, 2);
            return switch (op) {
                case "softmax" -> new Case(op + " " + axis + " " + Shape.toString(s), x -> x[0].softmax(axis), x0);
                case "logSoftmax" -> new Case(op + " " + axis + " " + Shape.toString(s), x -> x[0].logSoftmax(axis), x0);
                case "logSumExp" -> new Case(op + " " + axis + " " + Shape.toString(s), x -> x[0].logSumExp(axis, keep), x0);
                case "pick" -> new Case(op + " " + Shape.toString(s), x -> x[0].pick(idx).square(), x0);
                default -> new Case(op + " " + Shape.toString(s), x -> x[0].crossEntropy(idx), x0);
            };
        })).checkAssert(TestGens::assertSecondOrder);
    }

    @Test
    void randomCompositions() {
        theory(25).forAll(CompositionPropertiesTest.trees()).checkAssert(TestGens::assertSecondOrder);
    }
}

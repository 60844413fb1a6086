package dev.chainrule.autograd;

import static dev.chainrule.autograd.TestGens.Case;
import static dev.chainrule.autograd.TestGens.assertValues;
import static dev.chainrule.autograd.TestGens.between;
import static dev.chainrule.autograd.TestGens.bool;
import static dev.chainrule.autograd.TestGens.size;
import static dev.chainrule.autograd.TestGens.tensor;
import static dev.chainrule.autograd.TestGens.theory;
import static dev.chainrule.autograd.TestGens.uniform;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.quicktheories.core.RandomnessSource;

/**
 * Random expression trees (depth ≤ 4) over the differentiable ops, on three inputs whose shapes
 * broadcast together ({@code [m, n]}, a broadcastable {@code [n]}/{@code [m, 1]}/{@code [1, n]}, and a scalar).
 * Trees reuse inputs freely, so reuse and diamonds are exercised; every subtree's shape broadcasts
 * against {@code [m, n]}.
 */
class CompositionPropertiesTest {

    /** An expression over the inputs with a readable rendering. */
    record Expr(String text, Function<Tensor[], Tensor> f) {
        @Override
        public String toString() {
            return text;
        }
    }

    private static final List<String> UNARY = List.of("neg", "tanh", "sigmoid", "softplus", "exp", "square", "log1p(x²)",
        "sqrt(x²+1)", "pow3", "mul(c)", "add(c)", "div(c)", "sum(-1, keep)", "mean(-1, keep)", "logSumExp(-1, keep)",
        "softmax(-1)", "logSoftmax(-1)", "linear(W)", "matmul(Wᵀ)", "reshape∘reshape");
    private static final List<String> BINARY = List.of("add", "sub", "mul", "div(y²+0.5)");

    static Expr expr(RandomnessSource rs, int depth) {
        if (depth == 0 || between(rs, 0, 3) == 0) {
            int i = between(rs, 0, 2);
            return new Expr("x" + i, x -> x[i]);
        }
        if (bool(rs)) {
            Expr a = expr(rs, depth - 1), b = expr(rs, depth - 1);
            String op = BINARY.get(between(rs, 0, BINARY.size() - 1));
            Function<Tensor[], Tensor> f = switch (op) {
                case "add" -> x -> a.f().apply(x).add(b.f().apply(x));
                case "sub" -> x -> a.f().apply(x).sub(b.f().apply(x));
                case "mul" -> x -> a.f().apply(x).mul(b.f().apply(x));
                default -> x -> a.f().apply(x).div(b.f().apply(x).square().add(0.5));
            };
            return new Expr(op + "(" + a + ", " + b + ")", f);
        }
        Expr a = expr(rs, depth - 1);
        String op = UNARY.get(between(rs, 0, UNARY.size() - 1));
        double c = uniform(rs, 0.5, 2);
        Function<Tensor, Tensor> u = switch (op) {
            case "neg" -> Tensor::neg;
            case "tanh" -> Tensor::tanh;
            case "sigmoid" -> Tensor::sigmoid;
            case "softplus" -> Tensor::softplus;
            case "exp" -> Tensor::exp;
            case "square" -> Tensor::square;
            case "log1p(x²)" -> t -> t.square().add(1).log();
            case "sqrt(x²+1)" -> t -> t.square().add(1).sqrt();
            case "pow3" -> t -> t.pow(3);
            case "mul(c)" -> t -> t.mul(c);
            case "add(c)" -> t -> t.add(c);
            case "div(c)" -> t -> t.div(c);
            case "sum(-1, keep)" -> t -> t.rank() == 0 ? t : t.sum(-1, true);
            case "mean(-1, keep)" -> t -> t.rank() == 0 ? t : t.mean(-1, true);
            case "logSumExp(-1, keep)" -> t -> t.rank() == 0 ? t : t.logSumExp(-1, true);
            case "softmax(-1)" -> t -> t.rank() == 0 ? t : t.softmax(-1);
            case "logSoftmax(-1)" -> t -> t.rank() == 0 ? t : t.logSoftmax(-1);
            case "linear(W)" -> t -> t.rank() == 0 ? t : t.linear(weight(t.shape()[t.rank() - 1]), null);
            case "matmul(Wᵀ)" -> t -> t.rank() == 0 ? t : t.matmul(weight(t.shape()[t.rank() - 1]).transpose());
            default -> t -> t.reshape(-1).reshape(t.shape());
        };
        String name = op.contains("(c)") ? op.replace("c", String.format(java.util.Locale.ROOT, "%.3f", c)) : op;
        return new Expr(name + "(" + a + ")", x -> u.apply(a.f().apply(x)));
    }

    /** A fixed, non-symmetric d×d matrix (a constant: no gradient flows into it). */
    static Tensor weight(int d) {
        double[] w = new double[d * d];
        for (int i = 0; i < w.length; i++) w[i] = Math.sin(1.3 * i + 0.4);
        return Tensor.of(w, d, d);
    }

    static Gen<Case> trees() {
        Gen<Case> g = rs -> {
            int m = between(rs, 1, 3), n = between(rs, 1, 3);
            int[] a = {m, n};
            int[] b = switch (between(rs, 0, 3)) {
                case 0 -> new int[] {n};
                case 1 -> new int[] {m, 1};
                case 2 -> new int[] {1, n};
                default -> new int[] {m, n};
            };
            Expr e = expr(rs, 4);
            int tail = between(rs, 0, 2);
            Function<Tensor[], Tensor> f = switch (tail) {
                case 0 -> e.f();
                case 1 -> x -> e.f().apply(x).sum();
                default -> x -> e.f().apply(x).mean();
            };
            String text = (tail == 0 ? "" : tail == 1 ? "sum " : "mean ") + e;
            return new Case(text, f, tensor(uniform(rs, size(a), -1.5, 1.5), a), tensor(uniform(rs, size(b), -1.5, 1.5), b),
                Tensor.scalar(uniform(rs, -1.5, 1.5)));
        };
        return g.describedAs(Case::toString).assuming(CompositionPropertiesTest::moderate);
    }

    /** Keeps finite differences meaningful: no overflow, no values so large that eps = 1e-6 drowns in rounding. */
    private static boolean moderate(Case c) {
        Tensor out = c.f().apply(c.inputs());
        for (double v : out.toArray()) if (!(Math.abs(v) < 1e5)) return false;
        return true;
    }

    @Test
    void randomCompositionsHaveCorrectGradients() {
        theory(60).forAll(trees()).checkAssert(TestGens::assertGradient);
    }

    @Test
    void backwardWithASeedAgreesWithAutogradGrad() {
        theory(40).forAll(trees()).checkAssert(c -> {
            Tensor[] x1 = leaves(c.inputs()), x2 = leaves(c.inputs());
            Tensor y1 = c.f().apply(x1), y2 = c.f().apply(x2);
            double[] seed = new double[y1.size()];
            for (int i = 0; i < seed.length; i++) seed[i] = Math.cos(i + 0.5);
            Tensor s = Tensor.of(seed, y1.shape());
            if (!y1.isGradRequired()) return;
            List<Tensor> g = Autograd.grad(y1, Arrays.asList(x1), s, false, false);
            y2.backward(s);
            for (int i = 0; i < x2.length; i++) {
                Tensor got = x2[i].grad() == null ? Tensor.zeros(x2[i].shape()) : x2[i].grad();
                assertArrayEquals(x2[i].shape(), got.shape(), "grad shape of input " + i + " in " + c);
                assertValues(g.get(i).toArray(), got, 1e-12);
                assertTrue(x1[i].grad() == null, "Autograd.grad must not accumulate into grad");
            }
        });
    }

    @Test
    void backwardTwiceWithRetainGraphDoublesTheGradient() {
        theory(30).forAll(trees()).checkAssert(c -> {
            Tensor[] x = leaves(c.inputs());
            Tensor y = c.f().apply(x);
            if (!y.isGradRequired()) return;
            Tensor seed = Tensor.ones(y.shape());
            y.backward(seed, true);
            double[][] once = new double[x.length][];
            for (int i = 0; i < x.length; i++) once[i] = x[i].grad() == null ? null : x[i].grad().toArray();
            y.backward(seed, false);
            for (int i = 0; i < x.length; i++) {
                if (once[i] == null) continue;
                double[] twice = once[i].clone();
                for (int j = 0; j < twice.length; j++) twice[j] *= 2;
                assertValues(twice, x[i].grad(), 1e-12);
            }
        });
    }

    /**
     * Ops skip the gradients of inputs that do not require grad (mul, div, matmul, linear have such
     * shortcuts): with any subset of inputs marked, the marked ones get the same gradients as when
     * all are marked, and the others get none.
     */
    @Test
    void onlyInputsThatRequireGradGetGradients() {
        Gen<Object[]> gen = rs -> {
            int m = between(rs, 1, 3), k = between(rs, 1, 3), n = between(rs, 1, 3);
            Tensor a = tensor(uniform(rs, m * k, -1.5, 1.5), new int[] {m, k});
            Tensor w = tensor(uniform(rs, n * k, -1.5, 1.5), new int[] {n, k});
            Tensor b = tensor(uniform(rs, n, -1.5, 1.5), new int[] {n});
            Tensor d = tensor(uniform(rs, m * n, 0.5, 1.5), new int[] {m, n});
            return new Object[] {new Tensor[] {a, w, b, d}, between(rs, 0, 15)};
        };
        Function<Tensor[], Tensor> f = x -> x[0].linear(x[1], x[2]).mul(x[3]).div(x[3].add(x[0].matmul(x[1].transpose())).square().add(1))
            .add(x[0].matmul(x[1].transpose()).mul(x[2])).sum();
        theory(40).forAll(gen.describedAs(o -> Arrays.toString((Tensor[]) o[0]) + " mask " + o[1])).checkAssert(o -> {
            Tensor[] in = (Tensor[]) o[0];
            int mask = (Integer) o[1];
            Tensor[] all = leaves(in);
            List<Tensor> want = Autograd.grad(f.apply(all), Arrays.asList(all), false);
            Tensor[] some = new Tensor[in.length];
            for (int i = 0; i < in.length; i++) some[i] = (mask & (1 << i)) != 0 ? in[i].detach().requiresGrad() : in[i].detach();
            Tensor y = f.apply(some);
            if (mask == 0) {
                assertTrue(!y.isGradRequired());
                return;
            }
            y.backward();
            for (int i = 0; i < in.length; i++) {
                if ((mask & (1 << i)) != 0) {
                    assertValues(want.get(i).toArray(), some[i].grad(), 1e-12);
                } else {
                    assertTrue(some[i].grad() == null, "input " + i + " does not require grad");
                }
            }
        });
    }

    private static Tensor[] leaves(Tensor[] inputs) {
        Tensor[] x = new Tensor[inputs.length];
        for (int i = 0; i < x.length; i++) x[i] = inputs[i].detach().requiresGrad();
        return x;
    }
}

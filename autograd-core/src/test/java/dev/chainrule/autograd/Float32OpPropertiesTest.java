package dev.chainrule.autograd;

import static dev.chainrule.autograd.DType.FLOAT32;
import static dev.chainrule.autograd.DType.FLOAT64;
import static dev.chainrule.autograd.TestGens.awayFrom;
import static dev.chainrule.autograd.TestGens.awayFromZero;
import static dev.chainrule.autograd.TestGens.between;
import static dev.chainrule.autograd.TestGens.bool;
import static dev.chainrule.autograd.TestGens.broadcastPair;
import static dev.chainrule.autograd.TestGens.broadcastableTo;
import static dev.chainrule.autograd.TestGens.distinct;
import static dev.chainrule.autograd.TestGens.size;
import static dev.chainrule.autograd.TestGens.theory;
import static dev.chainrule.autograd.TestGens.uniform;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chainrule.autograd.ConvOpsPropertiesTest.Conv;
import dev.chainrule.autograd.OpGradientPropertiesTest.Values;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.function.BinaryOperator;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.quicktheories.core.Gen;
import org.quicktheories.core.RandomnessSource;

/**
 * Every differentiable op in FLOAT32 (issue 10, "Tests"): for each op on generated shapes and
 * float32-representable values (the generators of the float64 property tests, rounded to float, on
 * the same kink-free domains),
 * <ol>
 *   <li>forward agreement: the op on FLOAT32 inputs against the same op on FLOAT64 inputs holding the
 *       same values, {@code |y32 − y64| ≤ atol·max(1, ‖y64‖∞) + rtol·|y64|};</li>
 *   <li>dtypes: the result and the gradient of every FLOAT32 input are FLOAT32;</li>
 *   <li>gradient: the vector-Jacobian product {@code rᵀ ∂f/∂x} from backward on FLOAT32 leaves (seed
 *       r, a fixed float32 vector) against central differences of {@code Σ r·f(x)} computed in FLOAT64
 *       (step 1e-6, the same as {@link GradCheck}), {@code |g32 − g_fd| ≤ gradAtol·max(1, ‖g_fd‖∞) +
 *       gradRtol·|g_fd|}.</li>
 * </ol>
 * Tolerances ({@link Tol}; the unit roundoff of float32 is u = 2⁻²⁴ ≈ 6·10⁻⁸):
 * <ul>
 *   <li>{@code EXACT} (arithmetic, sqrt, piecewise-linear activations, layout, indexing, selection): forward
 *       atol 1e-7, rtol 1e-6; gradient atol 1e-5, rtol 1e-4. The result of one correctly rounded operation
 *       on exact float inputs is within u·|y| of the float64 one; 1e-6 allows a few roundings in a native
 *       float kernel (e.g. {@code (float) c · x} for a double c). Gradients chain two or three such
 *       roundings and the finite difference itself is accurate to about 1e-9.</li>
 *   <li>{@code TRANSCENDENTAL} (exp, log, tanh, erf, gelu, pow, ...): forward atol 1e-6, rtol 1e-5; gradient
 *       atol 1e-4, rtol 1e-3. Float libm-style kernels are accurate to a few ulp, composites (gelu,
 *       softplus, silu) round several intermediates; 1e-5 ≈ 80 ulp leaves room for vectorized
 *       approximations as PyTorch uses, and the gradient multiplies two such values.</li>
 *   <li>{@code ACCUMULATING} (sums, means, products, softmax, norms, matmul/einsum/conv through sgemm,
 *       normalization, cumsum): forward atol 1e-5, rtol 1e-4; gradient atol 1e-4, rtol 1e-3. A float sum of
 *       k ≤ 64 terms is within about k·u·Σ|terms| of the exact one (sgemm accumulates in float, as
 *       PyTorch's CPU kernels do), and cancellation makes the error relative to the largest terms, hence
 *       the atol scaled by the result's magnitude.</li>
 *   <li>{@code LINALG} (solve, inverse, det, cholesky, eigh): forward atol 1e-4, rtol 1e-3; gradient atol
 *       1e-3, rtol 1e-2. The generated matrices are well conditioned (condition number below about 10),
 *       and the error of a factorization is about cond·n·u on top of the accumulation.</li>
 * </ul>
 * Example count {@link #N} per op (modest: the class runs ~100 ops in seconds). The list of ops is
 * checked against Tensor's and Linalg's public methods by {@link #everyPublicOpHasAFloat32Property}.
 */
class Float32OpPropertiesTest {

    static final int N = 12;
    static final double EPS = 1e-6;

    /** Forward and gradient tolerances, see the class comment for why each. */
    enum Tol {
        EXACT(1e-7, 1e-6, 1e-5, 1e-4),
        TRANSCENDENTAL(1e-6, 1e-5, 1e-4, 1e-3),
        ACCUMULATING(1e-5, 1e-4, 1e-4, 1e-3),
        LINALG(1e-4, 1e-3, 1e-3, 1e-2);

        final double atol, rtol, gradAtol, gradRtol;

        Tol(double atol, double rtol, double gradAtol, double gradRtol) {
            this.atol = atol;
            this.rtol = rtol;
            this.gradAtol = gradAtol;
            this.gradRtol = gradRtol;
        }
    }

    /** One input: values rounded to float (so FLOAT32 and FLOAT64 hold the same numbers) and a shape. */
    record In(double[] values, int[] shape) {
        In {
            values = values.clone();
            for (int i = 0; i < values.length; i++) values[i] = (float) values[i];
        }

        Tensor tensor(DType dtype) {
            return Tensor.of(values, dtype, shape);
        }
    }

    /** One generated example: the function of the inputs, its tolerance class and the inputs. */
    record Spec(String label, Tol tol, Function<Tensor[], Tensor> f, In... inputs) {
        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder(label);
            for (int i = 0; i < inputs.length; i++) {
                sb.append("\n  input ").append(i).append(' ').append(Shape.toString(inputs[i].shape)).append(": ")
                    .append(Arrays.toString(inputs[i].values));
            }
            return sb.toString();
        }
    }

    interface Builder {
        Spec build(RandomnessSource rs);
    }

    /** The ops, by name (method name, then a variant); each name's method name must be a public op. */
    static final Map<String, Builder> OPS = new LinkedHashMap<>();
    /** Ops with no gradient (their results do not require grad): forward agreement and dtype only. */
    static final Set<String> NOT_DIFFERENTIABLE = Set.of("gt", "ge", "lt", "le", "eq", "ne", "gt(double)", "ge(double)", "lt(double)",
        "le(double)", "eq(double)", "ne(double)");

    static void op(String name, Builder b) {
        if (OPS.put(name, b) != null) throw new AssertionError("duplicate op " + name);
    }

    static Stream<String> ops() {
        return OPS.keySet().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ops")
    void float32AgreesWithFloat64AndFiniteDifferences(String name) {
        Builder b = OPS.get(name);
        Gen<Spec> g = b::build;
        theory(N).forAll(g.describedAs(Spec::toString)).checkAssert(s -> check(name, s));
    }

    static void check(String name, Spec s) {
        Tensor[] x64 = new Tensor[s.inputs.length], x32 = new Tensor[s.inputs.length];
        for (int i = 0; i < x64.length; i++) {
            x64[i] = s.inputs[i].tensor(FLOAT64);
            x32[i] = s.inputs[i].tensor(FLOAT32).requiresGrad();
        }
        Tensor y64;
        try (var scope = Autograd.noGrad()) {
            y64 = s.f.apply(x64);
        }
        Tensor y32 = s.f.apply(x32);
        assertEquals(FLOAT64, y64.dtype(), () -> s + "\nthe FLOAT64 run");
        assertEquals(FLOAT32, y32.dtype(), () -> s + "\nthe result of FLOAT32 inputs");
        assertArrayEquals(y64.shape(), y32.shape(), () -> s + "\nshape");
        close(s + "\nforward (FLOAT32 vs FLOAT64)", y64.toArray(), y32.toArray(), s.tol.atol, s.tol.rtol);
        if (!y32.isGradRequired()) {
            assertTrue(NOT_DIFFERENTIABLE.contains(name), () -> s + "\nthe result does not require grad");
            return;
        }
        SplittableRandom rng = new SplittableRandom(s.label.hashCode());
        double[] r = new double[y32.size()];
        for (int i = 0; i < r.length; i++) r[i] = (float) rng.nextDouble(-1, 1);
        List<Tensor> gs = Autograd.grad(y32, List.of(x32), Tensor.of(r, FLOAT32, y32.shape()), false, false);
        for (int i = 0; i < x32.length; i++) {
            Tensor g = gs.get(i);
            int at = i;
            assertEquals(FLOAT32, g.dtype(), () -> s + "\nthe gradient of input " + at);
            assertArrayEquals(x32[i].shape(), g.shape(), () -> s + "\nthe gradient's shape of input " + at);
            close(s + "\ngradient of input " + i + " (FLOAT32 backward vs FLOAT64 central differences)", numericVjp(s, r, i), g.toArray(),
                s.tol.gradAtol, s.tol.gradRtol);
        }
    }

    /** d/dx_i Σ r·f(x) by central differences, in FLOAT64. */
    static double[] numericVjp(Spec s, double[] r, int input) {
        double[] out = new double[s.inputs[input].values.length];
        try (var scope = Autograd.noGrad()) {
            for (int e = 0; e < out.length; e++) {
                out[e] = (dot(s, r, input, e, EPS) - dot(s, r, input, e, -EPS)) / (2 * EPS);
            }
        }
        return out;
    }

    private static double dot(Spec s, double[] r, int input, int element, double delta) {
        Tensor[] xs = new Tensor[s.inputs.length];
        for (int i = 0; i < xs.length; i++) {
            double[] v = s.inputs[i].values.clone();
            if (i == input) v[element] += delta;
            xs[i] = Tensor.of(v, s.inputs[i].shape);
        }
        double[] y = s.f.apply(xs).toArray();
        double acc = 0;
        for (int j = 0; j < y.length; j++) acc += r[j] * y[j];
        return acc;
    }

    static void close(String what, double[] ref, double[] got, double atol, double rtol) {
        assertEquals(ref.length, got.length, what);
        double scale = 1;
        for (double v : ref) {
            if (Double.isFinite(v)) scale = Math.max(scale, Math.abs(v));
        }
        for (int i = 0; i < ref.length; i++) {
            double err = Math.abs(got[i] - ref[i]);
            boolean ok = err <= atol * scale + rtol * Math.abs(ref[i]) || ref[i] == got[i] || (Double.isNaN(ref[i]) && Double.isNaN(got[i]));
            int at = i;
            double sc = scale;
            assertTrue(ok, () -> what + ": element " + at + ": expected " + ref[at] + " but was " + got[at] + " (|error| " + err
                + " > " + (atol * sc + rtol * Math.abs(ref[at])) + ")\n expected " + Arrays.toString(ref) + "\n actual   "
                + Arrays.toString(got));
        }
    }

    // ================================================================ generators

    static int[] shape(RandomnessSource rs, int minRank, int maxRank) {
        return TestGens.shape(rs, minRank, maxRank);
    }

    static In uni(RandomnessSource rs, int[] shape, double lo, double hi) {
        return new In(uniform(rs, size(shape), lo, hi), shape);
    }

    static In vals(Values v, RandomnessSource rs, int[] shape) {
        return new In(v.draw(rs, size(shape)), shape);
    }

    /** Distinct values −2..2 (no ties, so max/sort/pool winners are unique): LayoutGens.values. */
    static In dist(RandomnessSource rs, int[] shape) {
        return new In(LayoutGens.values(rs, size(shape)), shape);
    }

    static In of(Tensor t) {
        return new In(t.toArray(), t.shape());
    }

    static Values range(double lo, double hi) {
        return (rs, n) -> uniform(rs, n, lo, hi);
    }

    static final Values AWAY = (rs, n) -> awayFromZero(rs, n, 3);

    static String str(int[] a) {
        return Arrays.toString(a);
    }

    /** An axis of a rank-{@code rank} shape (rank ≥ 1), in either form. */
    static int axis(RandomnessSource rs, int rank) {
        return LayoutGens.anyForm(rs, between(rs, 0, rank - 1), rank);
    }

    static int pos(int axis, int rank) {
        return axis < 0 ? axis + rank : axis;
    }

    /** Captured tensors (masks, indices) in the dtype of the run, so the FLOAT32 run has only FLOAT32 tensors. */
    static Tensor like(Tensor t, Tensor[] x) {
        return t.to(x[0].dtype());
    }

    // ================================================================ elementwise

    static void unary(String name, Tol tol, UnaryOperator<Tensor> f, Values v) {
        op(name, rs -> {
            int[] s = shape(rs, 0, 3);
            return new Spec(name + " " + str(s), tol, x -> f.apply(x[0]), vals(v, rs, s));
        });
    }

    static void binary(String name, BinaryOperator<Tensor> f, Values left, Values right) {
        op(name, rs -> {
            int[][] s = broadcastPair(rs);
            return new Spec(name + " " + str(s[0]) + " " + str(s[1]), Tol.EXACT, x -> f.apply(x[0], x[1]), vals(left, rs, s[0]),
                vals(right, rs, s[1]));
        });
    }

    static {
        Tol e = Tol.EXACT, t = Tol.TRANSCENDENTAL;
        unary("neg", e, Tensor::neg, range(-3, 3));
        op("pow", rs -> {
            int[] s = shape(rs, 0, 3);
            double[] ps = {-2, -1.5, -1, -0.5, 0.5, 1, 1.5, 2, 2.5, 3};
            double p = ps[between(rs, 0, ps.length - 1)];
            return new Spec("pow(" + p + ") " + str(s), t, x -> x[0].pow(p), uni(rs, s, 0.3, 2.5));
        });
        op("pow(integer) of negative base", rs -> {
            int[] s = shape(rs, 0, 3);
            double p = between(rs, 2, 4);
            return new Spec("pow(" + p + ") " + str(s), t, x -> x[0].pow(p), uni(rs, s, -2, 2));
        });
        unary("square", e, Tensor::square, range(-3, 3));
        unary("exp", t, Tensor::exp, range(-3, 3));
        unary("log", t, Tensor::log, range(0.2, 5));
        unary("sqrt", e, Tensor::sqrt, range(0.2, 5));
        unary("abs", e, Tensor::abs, AWAY);
        unary("sigmoid", t, Tensor::sigmoid, range(-6, 6));
        unary("tanh", t, Tensor::tanh, range(-3, 3));
        unary("relu", e, Tensor::relu, AWAY);
        unary("step", e, Tensor::step, AWAY);
        unary("sign", e, Tensor::sign, AWAY);
        unary("softplus", t, Tensor::softplus, range(-8, 8));
        unary("clamp", e, x -> x.clamp(-0.5, 0.75), (rs, n) -> awayFrom(rs, n, -2, 2, 0.05, -0.5, 0.75));
        unary("sin", t, Tensor::sin, range(-3, 3));
        unary("cos", t, Tensor::cos, range(-3, 3));
        unary("tan", t, Tensor::tan, range(-1.2, 1.2));
        unary("atan", t, Tensor::atan, range(-3, 3));
        unary("log1p", t, Tensor::log1p, range(-0.8, 3));
        unary("expm1", t, Tensor::expm1, range(-3, 3));
        unary("reciprocal", e, Tensor::reciprocal, (rs, n) -> awayFromZero(rs, n, 3));
        unary("erf", t, Tensor::erf, range(-3, 3));
        unary("gelu", t, Tensor::gelu, range(-3, 3));
        unary("silu", t, Tensor::silu, range(-4, 4));
        unary("leakyRelu", e, x -> x.leakyRelu(0.1), AWAY);
        unary("elu", t, x -> x.elu(1.0), AWAY);
        unary("hardtanh", e, x -> x.hardtanh(-0.5, 0.75), (rs, n) -> awayFrom(rs, n, -2, 2, 0.05, -0.5, 0.75));

        Values u2 = range(-2, 2);
        binary("add", Tensor::add, u2, u2);
        binary("sub", Tensor::sub, u2, u2);
        binary("mul", Tensor::mul, u2, u2);
        binary("div", Tensor::div, u2, (rs, n) -> awayFromZero(rs, n, 2));
        // grids of spacing 0.25 offset by 0 and 0.1: the two sides never tie
        binary("maximum", Tensor::maximum, (rs, n) -> MathGens.grid(rs, n, -2, 2, 0), (rs, n) -> MathGens.grid(rs, n, -2, 2, 0.1));
        binary("minimum", Tensor::minimum, (rs, n) -> MathGens.grid(rs, n, -2, 2, 0), (rs, n) -> MathGens.grid(rs, n, -2, 2, 0.1));
        Values g0 = (rs, n) -> MathGens.grid(rs, n, -1, 1, 0);
        binary("gt", Tensor::gt, g0, g0);
        binary("ge", Tensor::ge, g0, g0);
        binary("lt", Tensor::lt, g0, g0);
        binary("le", Tensor::le, g0, g0);
        binary("eq", Tensor::eq, g0, g0);
        binary("ne", Tensor::ne, g0, g0);
        String[] cmp = {"gt", "ge", "lt", "le", "eq", "ne"};
        for (int k = 0; k < cmp.length; k++) {
            int which = k;
            op(cmp[k] + "(double)", rs -> {
                int[] s = shape(rs, 0, 3);
                double c = 0.25 * between(rs, -4, 4);
                return new Spec(cmp[which] + "(" + c + ") " + str(s), Tol.EXACT, x -> switch (which) {
                    case 0 -> x[0].gt(c);
                    case 1 -> x[0].ge(c);
                    case 2 -> x[0].lt(c);
                    case 3 -> x[0].le(c);
                    case 4 -> x[0].eq(c);
                    default -> x[0].ne(c);
                }, vals(g0, rs, s));
            });
        }
        String[] names = {"add", "sub", "mul", "div"};
        for (int k = 0; k < names.length; k++) {
            int which = k;
            op(names[k] + "(double)", rs -> {
                int[] s = shape(rs, 0, 3);
                double c = (bool(rs) ? 1 : -1) * uniform(rs, 0.25, 3);     // a double, not rounded: it must not promote
                return new Spec(names[which] + "(" + c + ") " + str(s), Tol.EXACT, x -> switch (which) {
                    case 0 -> x[0].add(c);
                    case 1 -> x[0].sub(c);
                    case 2 -> x[0].mul(c);
                    default -> x[0].div(c);
                }, uni(rs, s, -2, 2));
            });
        }
        op("add(rank-0 FLOAT64 tensor)", rs -> {
            int[] s = shape(rs, 1, 3);
            Tensor c = Tensor.scalar(uniform(rs, -2, 2));                      // FLOAT64 in both runs: no promotion
            return new Spec("add(scalar " + c.item() + ") then mul(it) " + str(s), Tol.EXACT, x -> x[0].add(c).mul(c), uni(rs, s, -2, 2));
        });
        op("where", rs -> {
            int[] s = shape(rs, 0, 3);
            int[] ms = broadcastableTo(rs, s);
            double[] m = new double[size(ms)];
            for (int i = 0; i < m.length; i++) m[i] = between(rs, 0, 1);
            Tensor mask = Tensor.of(m, ms);
            return new Spec("where mask " + str(ms) + " " + Arrays.toString(m) + " " + str(s), Tol.EXACT,
                x -> Tensor.where(like(mask, x), x[0], x[1]), uni(rs, s, -2, 2), uni(rs, broadcastableTo(rs, s), -2, 2));
        });
        op("maskedFill", rs -> {
            int[] s = shape(rs, 0, 3);
            int[] ms = broadcastableTo(rs, s);
            double[] m = new double[size(ms)];
            for (int i = 0; i < m.length; i++) m[i] = between(rs, 0, 1);
            Tensor mask = Tensor.of(m, ms);
            double v = uniform(rs, -3, 3);
            return new Spec("maskedFill " + v + " mask " + str(ms) + " " + Arrays.toString(m) + " " + str(s), Tol.EXACT,
                x -> x[0].maskedFill(like(mask, x), v), uni(rs, s, -2, 2));
        });
    }

    // ================================================================ layout

    static void layout(String name, Function<RandomnessSource, Object[]> build) {
        op(name, rs -> {
            Object[] o = build.apply(rs);           // {label, f, shape}
            @SuppressWarnings("unchecked") Function<Tensor[], Tensor> f = (Function<Tensor[], Tensor>) o[1];
            return new Spec(name + " " + o[0], Tol.EXACT, f, dist(rs, (int[]) o[2]));
        });
    }

    static Object[] with(String label, Function<Tensor[], Tensor> f, int[] shape) {
        return new Object[] {label + " " + str(shape), f, shape};
    }

    /** Multiplies piece k by k + 1 and joins them again: every piece's gradient is distinguishable. */
    static Tensor rejoin(List<Tensor> pieces, int axis) {
        List<Tensor> scaled = new ArrayList<>();
        for (int k = 0; k < pieces.size(); k++) scaled.add(pieces.get(k).mul(k + 1));
        return Tensor.cat(axis, scaled);
    }

    static {
        layout("broadcastTo", rs -> {
            int[] target = LayoutGens.shape(rs, 0, 4);
            return with("to " + str(target), x -> x[0].broadcastTo(target), broadcastableTo(rs, target));
        });
        op("sumTo", rs -> {
            int[] s = LayoutGens.shape(rs, 0, 4);
            int[] target = broadcastableTo(rs, s);
            return new Spec("sumTo " + str(target) + " " + str(s), Tol.ACCUMULATING, x -> x[0].sumTo(target), uni(rs, s, -2, 2));
        });
        layout("transpose", rs -> with("", x -> x[0].transpose(), LayoutGens.shape(rs, 0, 4)));
        layout("reshape", rs -> {
            int[] s = LayoutGens.shape(rs, 1, 4);
            int[] target = bool(rs) ? new int[] {-1} : new int[] {s[s.length - 1], -1};
            return with("to " + str(target), x -> x[0].reshape(target), s);
        });
        layout("permute", rs -> {
            int[] s = LayoutGens.shape(rs, 0, 4);
            int[] p = LayoutGens.permutation(rs, s.length);
            return with(str(p), x -> x[0].permute(p), s);
        });
        layout("transpose(a, b)", rs -> {
            int[] s = LayoutGens.shape(rs, 1, 4);
            int a = axis(rs, s.length), b = axis(rs, s.length);
            return with(a + ", " + b, x -> x[0].transpose(a, b), s);
        });
        layout("squeeze", rs -> with("", x -> x[0].squeeze(), LayoutGens.shape(rs, 0, 4)));
        layout("squeeze(axis)", rs -> {
            int[] s = LayoutGens.shape(rs, 1, 4);
            int a = axis(rs, s.length);
            s[pos(a, s.length)] = 1;
            return with("" + a, x -> x[0].squeeze(a), s);
        });
        layout("unsqueeze", rs -> {
            int[] s = LayoutGens.shape(rs, 0, 3);
            int a = LayoutGens.anyForm(rs, between(rs, 0, s.length), s.length + 1);
            return with("" + a, x -> x[0].unsqueeze(a), s);
        });
        layout("flatten", rs -> with("", x -> x[0].flatten(), LayoutGens.shape(rs, 0, 4)));
        layout("flatten(start, end)", rs -> {
            int[] s = LayoutGens.shape(rs, 1, 4);
            int a = between(rs, 0, s.length - 1), b = between(rs, a, s.length - 1);
            return with(a + ", " + b, x -> x[0].flatten(a, b), s);
        });
        layout("expand", rs -> {
            int[] s = LayoutGens.shape(rs, 1, 3);
            int[] sizes = new int[s.length + 1];
            sizes[0] = between(rs, 1, 3);
            for (int i = 0; i < s.length; i++) {
                if (bool(rs)) {
                    s[i] = 1;
                    sizes[i + 1] = between(rs, 1, 3);
                } else {
                    sizes[i + 1] = -1;
                }
            }
            return with("to " + str(sizes), x -> x[0].expand(sizes), s);
        });
        layout("repeat", rs -> {
            int[] s = LayoutGens.shape(rs, 0, 3);
            int[] reps = new int[s.length + between(rs, 0, 1)];
            for (int i = 0; i < reps.length; i++) reps[i] = between(rs, 1, 3);
            return with(str(reps), x -> x[0].repeat(reps), s);
        });
        layout("flip", rs -> {
            int[] s = LayoutGens.shape(rs, 1, 4);
            int[] axes = Arrays.copyOf(LayoutGens.permutation(rs, s.length), between(rs, 1, s.length));
            return with(str(axes), x -> x[0].flip(axes), s);
        });
        layout("slice", rs -> {
            int[] s = LayoutGens.shape(rs, 1, 4);
            int a = axis(rs, s.length), n = s[pos(a, s.length)];
            int start = between(rs, 0, n - 1), end = between(rs, start + 1, n), step = between(rs, 1, 2);
            return with(a + ", " + start + ":" + end + ":" + step, x -> x[0].slice(a, start, end, step), s);
        });
        layout("slice(axis, start, end)", rs -> {
            int[] s = LayoutGens.shape(rs, 1, 4);
            int a = axis(rs, s.length), n = s[pos(a, s.length)];
            int start = between(rs, -n, n - 1);
            return with(a + ", " + start + ":MAX", x -> x[0].slice(a, start, Integer.MAX_VALUE), s);
        });
        layout("select", rs -> {
            int[] s = LayoutGens.shape(rs, 1, 4);
            int a = axis(rs, s.length), i = between(rs, 0, s[pos(a, s.length)] - 1);
            return with(a + ", " + i, x -> x[0].select(a, i), s);
        });
        layout("split", rs -> {
            int[] s = LayoutGens.shape(rs, 1, 3);
            int a = axis(rs, s.length), n = s[pos(a, s.length)];
            int first = between(rs, 1, n);
            int[] sizes = first == n ? new int[] {n} : new int[] {first, n - first};
            return with(a + ", " + str(sizes), x -> rejoin(x[0].split(a, sizes), a), s);
        });
        layout("splitEvery", rs -> {
            int[] s = LayoutGens.shape(rs, 1, 3);
            int a = axis(rs, s.length), size = between(rs, 1, 3);
            return with(size + ", " + a, x -> rejoin(x[0].splitEvery(size, a), a), s);
        });
        layout("chunk", rs -> {
            int[] s = LayoutGens.shape(rs, 1, 3);
            int a = axis(rs, s.length), n = between(rs, 1, 3);
            return with(n + ", " + a, x -> rejoin(x[0].chunk(n, a), a), s);
        });
        layout("pad", rs -> {
            int[] s = LayoutGens.shape(rs, 1, 3);
            int[] p = new int[2 * between(rs, 1, s.length)];
            for (int i = 0; i < p.length; i++) p[i] = between(rs, s[s.length - 1 - i / 2] > 1 ? -1 : 0, 2);
            double v = uniform(rs, -1, 1);
            return with(v + ", " + str(p), x -> x[0].pad(v, p), s);
        });
        layout("tril", rs -> {
            int k = between(rs, -2, 2);
            return with("" + k, x -> x[0].tril(k), LayoutGens.shape(rs, 2, 4));
        });
        layout("triu", rs -> {
            int k = between(rs, -2, 2);
            return with("" + k, x -> x[0].triu(k), LayoutGens.shape(rs, 2, 4));
        });
        op("cat", rs -> {
            int[] s = LayoutGens.shape(rs, 1, 3);
            int a = axis(rs, s.length), p = pos(a, s.length);
            int k = between(rs, 1, 3);
            In[] ins = new In[k];
            for (int i = 0; i < k; i++) {
                int[] si = s.clone();
                si[p] = between(rs, 1, 3);
                ins[i] = dist(rs, si);
            }
            return new Spec("cat " + a + " of " + k, Tol.EXACT, x -> Tensor.cat(a, x), ins);
        });
        op("stack", rs -> {
            int[] s = LayoutGens.shape(rs, 0, 3);
            int a = LayoutGens.anyForm(rs, between(rs, 0, s.length), s.length + 1);
            int k = between(rs, 1, 3);
            In[] ins = new In[k];
            for (int i = 0; i < k; i++) ins[i] = dist(rs, s);
            return new Spec("stack " + a + " of " + k + " " + str(s), Tol.EXACT, x -> Tensor.stack(a, List.of(x)), ins);
        });
        String[][] specs = {{"ij,jk->ik", "2", "3", "3", "4"}, {"bij,bjk->bik", "2", "2", "3", "2", "3", "2"}, {"ii->i", "3", "3"},
            {"ij->", "3", "4"}, {"i,j->ij", "3", "4"}, {"ij,ij->i", "3", "2", "3", "2"}, {"...ij->...ji", "2", "2", "3"},
            {"ijk->kj", "2", "3", "2"}};
        op("einsum", rs -> {
            String[] sp = specs[between(rs, 0, specs.length - 1)];
            String[] operands = sp[0].split("->")[0].split(",");
            In[] ins = new In[operands.length];
            int at = 1;
            for (int i = 0; i < operands.length; i++) {
                int rank = operands[i].startsWith("...") ? 3 : operands[i].length();
                int[] sh = new int[rank];
                for (int d = 0; d < rank; d++) sh[d] = Integer.parseInt(sp[at++]);
                ins[i] = uni(rs, sh, -2, 2);
            }
            return new Spec("einsum " + sp[0], Tol.ACCUMULATING, x -> Tensor.einsum(sp[0], x), ins);
        });
    }

    // ================================================================ indexing

    static {
        op("pick", rs -> {
            int[] s = shape(rs, 1, 3);
            int c = s[s.length - 1];
            int[] idx = new int[size(s) / c];
            for (int i = 0; i < idx.length; i++) idx[i] = between(rs, 0, c - 1);
            return new Spec("pick " + str(idx) + " " + str(s), Tol.EXACT, x -> x[0].pick(idx), dist(rs, s));
        });
        op("indexSelect", rs -> {
            int[] s = LayoutGens.shape(rs, 1, 3);
            int a = axis(rs, s.length), n = s[pos(a, s.length)];
            int[] idx = new int[between(rs, 1, 4)];
            for (int i = 0; i < idx.length; i++) idx[i] = between(rs, 0, n - 1);
            return new Spec("indexSelect " + a + " " + str(idx) + " " + str(s), Tol.EXACT, x -> x[0].indexSelect(a, idx), dist(rs, s));
        });
        op("gather", rs -> {
            int[] s = LayoutGens.shape(rs, 1, 3);
            int a = axis(rs, s.length);
            Tensor index = gatherIndex(rs, s, pos(a, s.length));
            int[] is = index.shape();
            double[] idx = index.toArray();
            return new Spec("gather " + a + " index " + str(is) + " " + Arrays.toString(idx) + " " + str(s), Tol.EXACT,
                x -> x[0].gather(a, like(index, x)), dist(rs, s));
        });
        op("scatterAdd", rs -> {
            int[] s = LayoutGens.shape(rs, 1, 3);
            int a = axis(rs, s.length);
            Tensor index = gatherIndex(rs, s, pos(a, s.length));
            int[] is = index.shape();
            double[] idx = index.toArray();
            return new Spec("scatterAdd " + a + " index " + str(is) + " " + Arrays.toString(idx) + " " + str(s), Tol.EXACT,
                x -> x[0].scatterAdd(a, like(index, x), x[1]), uni(rs, s, -2, 2), uni(rs, is, -2, 2));
        });
    }

    // ================================================================ matrix products

    static {
        op("matmul", rs -> {
            int m = between(rs, 1, 4), k = between(rs, 1, 5), n = between(rs, 1, 4), b = between(rs, 1, 3);
            int[][][] kinds = {{{k}, {k}}, {{k}, {k, n}}, {{m, k}, {k}}, {{m, k}, {k, n}}, {{b, m, k}, {k, n}}, {{b, m, k}, {b, k, n}},
                {{2, 1, m, k}, {b, k, n}}};
            int[][] s = kinds[between(rs, 0, kinds.length - 1)];
            return new Spec("matmul " + str(s[0]) + " x " + str(s[1]), Tol.ACCUMULATING, x -> x[0].matmul(x[1]), uni(rs, s[0], -2, 2),
                uni(rs, s[1], -2, 2));
        });
        op("matmul large enough for sgemm", rs -> {
            int m = between(rs, 8, 12), k = between(rs, 16, 24), n = between(rs, 8, 12);
            return new Spec("matmul [" + m + ", " + k + "] x [" + k + ", " + n + "]", Tol.ACCUMULATING, x -> x[0].matmul(x[1]),
                uni(rs, new int[] {m, k}, -1, 1), uni(rs, new int[] {k, n}, -1, 1));
        });
        op("linear", rs -> {
            int in = between(rs, 1, 4), out = between(rs, 1, 4);
            int[] xs = bool(rs) ? new int[] {in} : new int[] {between(rs, 1, 3), between(rs, 1, 3), in};
            In x = uni(rs, xs, -2, 2), w = uni(rs, new int[] {out, in}, -2, 2);
            if (bool(rs)) return new Spec("linear no bias " + str(xs) + " W [" + out + ", " + in + "]", Tol.ACCUMULATING,
                t -> t[0].linear(t[1], null), x, w);
            return new Spec("linear " + str(xs) + " W [" + out + ", " + in + "]", Tol.ACCUMULATING, t -> t[0].linear(t[1], t[2]), x, w,
                uni(rs, new int[] {out}, -2, 2));
        });
    }

    // ================================================================ reductions and softmax

    interface AxisOp {
        Tensor apply(Tensor x, int axis, boolean keep);
    }

    static void reduction(String name, Tol tol, UnaryOperator<Tensor> all, AxisOp axisOp, Values v, int minAxisLength) {
        op(name + "()", rs -> {
            int[] s = shape(rs, 0, 3);
            if (minAxisLength > 1 && size(s) < minAxisLength) s = new int[] {minAxisLength};
            return new Spec(name + "() " + str(s), tol, x -> all.apply(x[0]), vals(v, rs, s));
        });
        op(name + "(axis)", rs -> {
            int[] s = shape(rs, 1, 3);
            int a = axis(rs, s.length);
            s[pos(a, s.length)] = Math.max(s[pos(a, s.length)], minAxisLength);
            boolean keep = bool(rs);
            return new Spec(name + "(" + a + ", keep " + keep + ") " + str(s), tol, x -> axisOp.apply(x[0], a, keep), vals(v, rs, s));
        });
    }

    interface AxesOp {
        Tensor apply(Tensor x, int[] axes, boolean keep);
    }

    static void reductionAxes(String name, Tol tol, AxesOp f, Values v) {
        op(name + "(axes)", rs -> {
            int[] s = LayoutGens.shape(rs, 1, 4);
            int[] axes = Arrays.copyOf(LayoutGens.permutation(rs, s.length), between(rs, 1, s.length));
            for (int i = 0; i < axes.length; i++) axes[i] = LayoutGens.anyForm(rs, axes[i], s.length);
            boolean keep = bool(rs);
            return new Spec(name + "(" + str(axes) + ", keep " + keep + ") " + str(s), tol, x -> f.apply(x[0], axes, keep), vals(v, rs, s));
        });
    }

    static {
        Tol a = Tol.ACCUMULATING;
        Values u2 = range(-2, 2), d = TestGens::distinct;
        Values prodValues = (rs, n) -> {
            double[] x = new double[n];
            for (int i = 0; i < n; i++) x[i] = (bool(rs) ? 1 : -1) * uniform(rs, 0.5, 1.5);
            return x;
        };
        reduction("sum", a, Tensor::sum, Tensor::sum, u2, 1);
        reduction("mean", a, Tensor::mean, Tensor::mean, u2, 1);
        reduction("max", Tol.EXACT, Tensor::max, Tensor::max, d, 1);
        reduction("min", Tol.EXACT, Tensor::min, Tensor::min, d, 1);
        reduction("prod", a, Tensor::prod, Tensor::prod, prodValues, 1);
        reduction("var", a, Tensor::var, (x, ax, keep) -> x.var(ax, 1, keep), u2, 2);
        reduction("std", a, Tensor::std, (x, ax, keep) -> x.std(ax, 0, keep), d, 2);
        reduction("logSumExp", a, x -> x.flatten().logSumExp(0, false), Tensor::logSumExp, range(-3, 3), 1);
        reductionAxes("sum", a, Tensor::sum, u2);
        reductionAxes("mean", a, Tensor::mean, u2);
        reductionAxes("max", Tol.EXACT, Tensor::max, d);
        reductionAxes("min", Tol.EXACT, Tensor::min, d);
        reductionAxes("norm(p)", a, (x, axes, keep) -> x.norm(2, axes, keep), AWAY);
        double[] ps = {1, 2, 3};
        op("norm", rs -> {
            int[] s = shape(rs, 0, 3);
            double p = ps[between(rs, 0, 2)];
            return new Spec("norm(" + p + ") " + str(s), a, x -> x[0].norm(p), vals(AWAY, rs, s));
        });
        op("norm(p, axis)", rs -> {
            int[] s = shape(rs, 1, 3);
            double p = ps[between(rs, 0, 2)];
            int ax = axis(rs, s.length);
            boolean keep = bool(rs);
            return new Spec("norm(" + p + ", " + ax + ", keep " + keep + ") " + str(s), a, x -> x[0].norm(p, ax, keep), vals(AWAY, rs, s));
        });
        op("cumsum", rs -> {
            int[] s = LayoutGens.shape(rs, 1, 4);
            int ax = axis(rs, s.length);
            return new Spec("cumsum(" + ax + ") " + str(s), a, x -> x[0].cumsum(ax), uni(rs, s, -2, 2));
        });
        op("softmax", rs -> {
            int[] s = shape(rs, 1, 3);
            int ax = axis(rs, s.length);
            return new Spec("softmax(" + ax + ") " + str(s), a, x -> x[0].softmax(ax), uni(rs, s, -3, 3));
        });
        op("logSoftmax", rs -> {
            int[] s = shape(rs, 1, 3);
            int ax = axis(rs, s.length);
            return new Spec("logSoftmax(" + ax + ") " + str(s), a, x -> x[0].logSoftmax(ax), uni(rs, s, -3, 3));
        });
        op("crossEntropy", rs -> {
            int[] s = shape(rs, 1, 3);
            int c = s[s.length - 1];
            int[] tg = new int[size(s) / c];
            for (int i = 0; i < tg.length; i++) tg[i] = between(rs, 0, c - 1);
            return new Spec("crossEntropy " + str(tg) + " " + str(s), a, x -> x[0].crossEntropy(tg), uni(rs, s, -3, 3));
        });
        op("crossEntropy large enough for the float kernels", rs -> {
            int rows = between(rs, 30, 40), c = between(rs, 10, 20);
            int[] tg = new int[rows];
            for (int i = 0; i < rows; i++) tg[i] = between(rs, 0, c - 1);
            return new Spec("crossEntropy [" + rows + ", " + c + "]", a, x -> x[0].crossEntropy(tg), uni(rs, new int[] {rows, c}, -4, 4));
        });
        op("sort", rs -> {
            int[] s = LayoutGens.shape(rs, 1, 3);
            int ax = axis(rs, s.length);
            boolean desc = bool(rs);
            return new Spec("sort(" + ax + ", descending " + desc + ") " + str(s), Tol.EXACT, x -> x[0].sort(ax, desc).values(), dist(rs, s));
        });
        op("topk", rs -> {
            int[] s = LayoutGens.shape(rs, 1, 3);
            int ax = axis(rs, s.length);
            int k = between(rs, 1, s[pos(ax, s.length)]);
            return new Spec("topk(" + k + ", " + ax + ") " + str(s), Tol.EXACT, x -> x[0].topk(k, ax).values(), dist(rs, s));
        });
    }

    // ================================================================ convolution, pooling, normalization

    static int[] cat(int[] a, int... b) {
        return ConvOpsPropertiesTest.concat(a, b);
    }

    static {
        Tol a = Tol.ACCUMULATING;
        op("conv", rs -> {
            Conv g = ConvOpsPropertiesTest.conv(rs);
            In x = uni(rs, g.xShape(), -1, 1), w = uni(rs, g.wShape(), -1, 1);
            if (!g.bias()) return new Spec("conv " + g, a, t -> t[0].conv(t[1], null, g.s(), g.p(), g.dil(), g.groups()), x, w);
            return new Spec("conv " + g, a, t -> t[0].conv(t[1], t[2], g.s(), g.p(), g.dil(), g.groups()), x, w, uni(rs, new int[] {g.o()}, -1, 1));
        });
        op("conv1d", rs -> {
            int c = between(rs, 1, 3), o = between(rs, 1, 3), k = between(rs, 1, 3), l = k + between(rs, 0, 4);
            return new Spec("conv1d c=" + c + " o=" + o + " k=" + k + " l=" + l, a, t -> t[0].conv1d(t[1], t[2], 1, 1, 1, 1),
                uni(rs, new int[] {2, c, l}, -1, 1), uni(rs, new int[] {o, c, k}, -1, 1), uni(rs, new int[] {o}, -1, 1));
        });
        op("conv2d", rs -> {
            int c = between(rs, 1, 2), o = between(rs, 1, 2), k = between(rs, 1, 2), h = k + between(rs, 0, 2), wd = k + between(rs, 0, 2);
            int stride = between(rs, 1, 2);
            return new Spec("conv2d c=" + c + " o=" + o + " k=" + k + " " + h + "x" + wd + " stride " + stride, a,
                t -> t[0].conv2d(t[1], null, stride, 0, 1, 1), uni(rs, new int[] {1, c, h, wd}, -1, 1), uni(rs, new int[] {o, c, k, k}, -1, 1));
        });
        op("convTranspose", rs -> {
            Conv g = ConvOpsPropertiesTest.conv(rs);
            int[] op = ConvOpsPropertiesTest.outputPadding(g);
            In gy = uni(rs, cat(new int[] {g.n(), g.o()}, g.out()), -1, 1), w = uni(rs, g.wShape(), -1, 1);
            if (!g.bias()) return new Spec("convTranspose " + g, a,
                t -> t[0].convTranspose(t[1], null, g.s(), g.p(), op, g.dil(), g.groups()), gy, w);
            return new Spec("convTranspose " + g, a, t -> t[0].convTranspose(t[1], t[2], g.s(), g.p(), op, g.dil(), g.groups()), gy, w,
                uni(rs, new int[] {g.c()}, -1, 1));
        });
        op("unfold", rs -> {
            int c = between(rs, 1, 2), k = between(rs, 1, 2), h = k + between(rs, 0, 2), wd = k + between(rs, 0, 2), p = between(rs, 0, 1);
            int[] kk = {k, k}, one = {1, 1}, pp = {p, p};
            return new Spec("unfold k=" + k + " pad " + p + " [1, " + c + ", " + h + ", " + wd + "]", Tol.EXACT,
                t -> t[0].unfold(kk, one, pp, one), dist(rs, new int[] {1, c, h, wd}));
        });
        op("fold", rs -> {
            int c = between(rs, 1, 2), k = between(rs, 1, 2), h = k + between(rs, 0, 2), wd = k + between(rs, 0, 2);
            int l = (h - k + 1) * (wd - k + 1);
            int[] kk = {k, k}, one = {1, 1}, zero = {0, 0}, out = {h, wd};
            return new Spec("fold k=" + k + " to " + h + "x" + wd + " c=" + c, a, t -> t[0].fold(out, kk, one, zero, one),
                uni(rs, new int[] {1, c * k * k, l}, -1, 1));
        });
        op("maxPool", rs -> {
            int d = between(rs, 1, 2), k = between(rs, 1, 3), s = between(rs, 1, 2), p = between(rs, 0, k / 2);
            int[] in = new int[d];
            for (int i = 0; i < d; i++) in[i] = k + between(rs, 0, 3);
            int[] kk = new int[d], ss = new int[d], pp = new int[d], dd = new int[d];
            Arrays.fill(kk, k);
            Arrays.fill(ss, s);
            Arrays.fill(pp, p);
            Arrays.fill(dd, 1);
            return new Spec("maxPool " + d + "-D k=" + k + " s=" + s + " p=" + p + " in " + str(in), Tol.EXACT,
                t -> t[0].maxPool(kk, ss, pp, dd), dist(rs, cat(new int[] {1, 2}, in)));
        });
        op("maxPool2d", rs -> {
            int k = between(rs, 1, 2), h = k + between(rs, 0, 3), wd = k + between(rs, 0, 3);
            return new Spec("maxPool2d k=" + k + " " + h + "x" + wd, Tol.EXACT, t -> t[0].maxPool2d(k, k, 0), dist(rs, new int[] {2, 1, h, wd}));
        });
        op("avgPool", rs -> {
            int k = between(rs, 1, 3), s = between(rs, 1, 2), p = between(rs, 0, k / 2), l = k + between(rs, 0, 4);
            boolean include = bool(rs);
            return new Spec("avgPool k=" + k + " s=" + s + " p=" + p + " include " + include + " l=" + l, a,
                t -> t[0].avgPool(new int[] {k}, new int[] {s}, new int[] {p}, include), uni(rs, new int[] {2, 2, l}, -2, 2));
        });
        op("avgPool2d", rs -> {
            int k = between(rs, 1, 2), h = k + between(rs, 0, 3), wd = k + between(rs, 0, 3);
            return new Spec("avgPool2d k=" + k + " " + h + "x" + wd, a, t -> t[0].avgPool2d(k, 1, 0), uni(rs, new int[] {1, 2, h, wd}, -2, 2));
        });
        op("adaptiveAvgPool", rs -> {
            int h = between(rs, 1, 5), wd = between(rs, 1, 5), oh = between(rs, 1, h), ow = between(rs, 1, wd);
            return new Spec("adaptiveAvgPool " + h + "x" + wd + " to " + oh + "x" + ow, a, t -> t[0].adaptiveAvgPool(oh, ow),
                uni(rs, new int[] {1, 2, h, wd}, -2, 2));
        });
        op("batchNorm", rs -> {
            int n = between(rs, 2, 3), c = between(rs, 1, 3), l = between(rs, 1, 3);
            int[] s = {n, c, l};
            boolean training = bool(rs);
            Tensor rm = Tensor.of(uniform(rs, c, -0.5, 0.5), c), rv = Tensor.of(uniform(rs, c, 0.5, 1.5), c);
            String label = "batchNorm " + (training ? "training" : "eval") + " " + str(s);
            // training: no running statistics (they would be updated by every finite-difference evaluation)
            return new Spec(label, a, t -> training ? t[0].batchNorm(null, null, t[1], t[2], true, 0.1, 1e-5)
                : t[0].batchNorm(like(rm, t), like(rv, t), t[1], t[2], false, 0.1, 1e-5),
                dist(rs, s), uni(rs, new int[] {c}, 0.5, 1.5), uni(rs, new int[] {c}, -1, 1));
        });
        op("layerNorm", rs -> {
            int[] s = LayoutGens.shape(rs, 1, 3);
            int k = between(rs, 1, s.length);
            int[] ns = Arrays.copyOfRange(s, s.length - k, s.length);
            if (size(ns) < 2) {
                s[s.length - 1] = 3;
                ns[ns.length - 1] = 3;
            }
            boolean affine = bool(rs);
            if (!affine) return new Spec("layerNorm " + str(ns) + " " + str(s), a, t -> t[0].layerNorm(ns, null, null, 1e-5), dist(rs, s));
            return new Spec("layerNorm affine " + str(ns) + " " + str(s), a, t -> t[0].layerNorm(ns, t[1], t[2], 1e-5), dist(rs, s),
                uni(rs, ns, 0.5, 1.5), uni(rs, ns, -1, 1));
        });
    }

    // ================================================================ linear algebra

    static {
        Tol l = Tol.LINALG;
        op("cholesky", rs -> {
            int n = between(rs, 1, 3);
            int[] b = LinalgGens.batch(rs, 1);
            return new Spec("cholesky(sym) n=" + n + " batch " + str(b), l, t -> Linalg.cholesky(LinalgGens.sym(t[0])),
                of(LinalgGens.spd(rs, b, n)));
        });
        op("solveTriangular", rs -> {
            int n = between(rs, 1, 3), k = between(rs, 1, 3);
            boolean upper = bool(rs), left = bool(rs), unit = bool(rs);
            int[] bs = left ? new int[] {n, k} : new int[] {k, n};
            return new Spec("solveTriangular upper " + upper + " left " + left + " unit " + unit + " n=" + n, l,
                t -> Linalg.solveTriangular(t[0], t[1], upper, left, unit), of(LinalgGens.triangularSource(rs, new int[0], n)),
                uni(rs, bs, -1, 1));
        });
        op("solve", rs -> {
            int n = between(rs, 1, 3), k = between(rs, 1, 2);
            int[] b = LinalgGens.batch(rs, 1);
            return new Spec("solve n=" + n + " k=" + k + " batch " + str(b), l, t -> Linalg.solve(t[0], t[1]),
                of(LinalgGens.wellConditioned(rs, b, n)), uni(rs, LinalgGens.matrixShape(b, n, k), -1, 1));
        });
        op("inverse", rs -> {
            int n = between(rs, 1, 3);
            return new Spec("inverse n=" + n, l, t -> Linalg.inverse(t[0]), of(LinalgGens.wellConditioned(rs, LinalgGens.batch(rs, 1), n)));
        });
        op("det", rs -> {
            int n = between(rs, 1, 3);
            return new Spec("det n=" + n, l, t -> Linalg.det(t[0]), of(LinalgGens.signedWellConditioned(rs, LinalgGens.batch(rs, 1), n)));
        });
        op("slogdet", rs -> {
            int n = between(rs, 1, 3);
            return new Spec("slogdet.logAbsDet n=" + n, l, t -> Linalg.slogdet(t[0]).logAbsDet(),
                of(LinalgGens.signedWellConditioned(rs, LinalgGens.batch(rs, 1), n)));
        });
        op("logdet", rs -> {
            int n = between(rs, 1, 3);
            return new Spec("logdet n=" + n, l, t -> Linalg.logdet(t[0]), of(LinalgGens.spd(rs, LinalgGens.batch(rs, 1), n)));
        });
        op("eigh", rs -> {
            int n = between(rs, 1, 3);
            boolean vectors = bool(rs);
            // eigenvectors up to sign: their squares are well defined
            return new Spec("eigh(sym) " + (vectors ? "eigenvectors²" : "eigenvalues") + " n=" + n, l,
                t -> vectors ? Linalg.eigh(LinalgGens.sym(t[0])).eigenvectors().square() : Linalg.eigh(LinalgGens.sym(t[0])).eigenvalues(),
                of(LinalgGens.symmetricDistinct(rs, LinalgGens.batch(rs, 1), n)));
        });
        op("eigvalsh", rs -> {
            int n = between(rs, 1, 3);
            return new Spec("eigvalsh(sym) n=" + n, l, t -> Linalg.eigvalsh(LinalgGens.sym(t[0])),
                of(LinalgGens.symmetricDistinct(rs, LinalgGens.batch(rs, 1), n)));
        });
        op("diagonal", rs -> {
            int[] s = LayoutGens.shape(rs, 2, 4);
            return new Spec("diagonal " + str(s), Tol.EXACT, t -> Linalg.diagonal(t[0]), dist(rs, s));
        });
    }

    // ================================================================ large tensors

    /**
     * Ops on tensors large enough for the float kernels' blocks (512 elements) and parallel split
     * (2 × 2^15 elements and more): forward against FLOAT64 as above, and the FLOAT32 gradient against
     * the FLOAT64 analytic gradient on the same values (finite differences over 10^5 elements would take
     * minutes; the FLOAT64 gradients are checked against them by the float64 property tests).
     */
    static final Map<String, Function<SplittableRandom, Spec>> LARGE = new LinkedHashMap<>();

    static In big(SplittableRandom rng, double lo, double hi, int... shape) {
        double[] v = new double[Shape.size(shape)];
        for (int i = 0; i < v.length; i++) v[i] = rng.nextDouble(lo, hi);
        return new In(v, shape);
    }

    static In bigAway(SplittableRandom rng, double max, int... shape) {
        double[] v = new double[Shape.size(shape)];
        for (int i = 0; i < v.length; i++) v[i] = (rng.nextBoolean() ? 1 : -1) * rng.nextDouble(0.1, max);
        return new In(v, shape);
    }

    static void large(String name, Tol tol, Function<Tensor[], Tensor> f, Function<SplittableRandom, In[]> inputs) {
        LARGE.put(name, rng -> new Spec(name, tol, f, inputs.apply(rng)));
    }

    static {
        Tol e = Tol.EXACT, t = Tol.TRANSCENDENTAL, a = Tol.ACCUMULATING;
        int[] s = {256, 300};
        Object[][] unary = {{"neg", e, -3, 3}, {"square", e, -3, 3}, {"exp", t, -3, 3}, {"log", t, 0.2, 5}, {"sqrt", e, 0.2, 5},
            {"sigmoid", t, -6, 6}, {"tanh", t, -3, 3}, {"softplus", t, -8, 8}, {"sin", t, -3, 3}, {"cos", t, -3, 3}, {"atan", t, -3, 3},
            {"log1p", t, -0.8, 3}, {"expm1", t, -3, 3}, {"erf", t, -3, 3}, {"gelu", t, -3, 3}, {"silu", t, -4, 4}};
        for (Object[] u : unary) {
            String name = (String) u[0];
            Method m;
            try {
                m = Tensor.class.getMethod(name);
            } catch (NoSuchMethodException ex) {
                throw new AssertionError(ex);
            }
            Method op = m;
            large(name, (Tol) u[1], x -> {
                try {
                    return (Tensor) op.invoke(x[0]);
                } catch (ReflectiveOperationException ex) {
                    throw new AssertionError(ex);
                }
            }, rng -> new In[] {big(rng, ((Number) u[2]).doubleValue(), ((Number) u[3]).doubleValue(), s)});
        }
        large("abs", e, x -> x[0].abs(), rng -> new In[] {bigAway(rng, 3, s)});
        large("relu", e, x -> x[0].relu(), rng -> new In[] {bigAway(rng, 3, s)});
        large("leakyRelu", e, x -> x[0].leakyRelu(0.01), rng -> new In[] {bigAway(rng, 3, s)});
        large("elu", t, x -> x[0].elu(1), rng -> new In[] {bigAway(rng, 3, s)});
        large("reciprocal", e, x -> x[0].reciprocal(), rng -> new In[] {bigAway(rng, 3, s)});
        large("pow(1.5)", t, x -> x[0].pow(1.5), rng -> new In[] {big(rng, 0.3, 2.5, s)});
        large("clamp", e, x -> x[0].clamp(-0.5, 0.75), rng -> new In[] {big(rng, -2, 2, s)});
        large("add", e, x -> x[0].add(x[1]), rng -> new In[] {big(rng, -2, 2, s), big(rng, -2, 2, s)});
        large("sub row", e, x -> x[0].sub(x[1]), rng -> new In[] {big(rng, -2, 2, s), big(rng, -2, 2, 300)});
        large("mul column", e, x -> x[0].mul(x[1]), rng -> new In[] {big(rng, -2, 2, s), big(rng, -2, 2, 256, 1)});
        large("div", e, x -> x[0].div(x[1]), rng -> new In[] {big(rng, -2, 2, s), bigAway(rng, 2, s)});
        large("mul(double) add(double)", e, x -> x[0].mul(0.1).add(0.3), rng -> new In[] {big(rng, -2, 2, s)});
        large("maximum", e, x -> x[0].maximum(x[1]), rng -> new In[] {big(rng, -2, 2, s), big(rng, -2, 2, 300)});
        large("sum", a, x -> x[0].sum(), rng -> new In[] {big(rng, -2, 2, s)});
        large("mean(axis 0)", a, x -> x[0].mean(0, false), rng -> new In[] {big(rng, -2, 2, s)});
        large("sum(axis 1)", a, x -> x[0].sum(1, true), rng -> new In[] {big(rng, -2, 2, s)});
        large("softmax", a, x -> x[0].softmax(1), rng -> new In[] {big(rng, -4, 4, s)});
        large("logSoftmax", a, x -> x[0].logSoftmax(1), rng -> new In[] {big(rng, -4, 4, s)});
        int[] targets = new SplittableRandom(1).ints(256, 0, 300).toArray();
        large("crossEntropy", a, x -> x[0].crossEntropy(targets), rng -> new In[] {big(rng, -4, 4, s)});
        large("cumsum", a, x -> x[0].cumsum(1), rng -> new In[] {big(rng, -1, 1, 30, 350)});
        large("matmul", a, x -> x[0].matmul(x[1]), rng -> new In[] {big(rng, -1, 1, 120, 200), big(rng, -1, 1, 200, 90)});
        large("linear", a, x -> x[0].linear(x[1], x[2]), rng -> new In[] {big(rng, -1, 1, 64, 100), big(rng, -1, 1, 80, 100), big(rng, -1, 1, 80)});
        large("conv2d", a, x -> x[0].conv2d(x[1], x[2], 1, 1, 1, 1),
            rng -> new In[] {big(rng, -1, 1, 4, 3, 24, 24), big(rng, -1, 1, 8, 3, 3, 3), big(rng, -1, 1, 8)});
        large("conv2d stride 2 groups 2", a, x -> x[0].conv2d(x[1], null, 2, 0, 1, 2),
            rng -> new In[] {big(rng, -1, 1, 2, 4, 20, 20), big(rng, -1, 1, 6, 2, 3, 3)});
        large("maxPool2d", e, x -> x[0].maxPool2d(2, 2, 0), rng -> new In[] {big(rng, -1, 1, 4, 8, 24, 24)});
        large("avgPool2d", a, x -> x[0].avgPool2d(3, 1, 1), rng -> new In[] {big(rng, -1, 1, 2, 4, 24, 24)});
        large("batchNorm training", a, x -> x[0].batchNorm(null, null, x[1], x[2], true, 0.1, 1e-5),
            rng -> new In[] {big(rng, -1, 1, 32, 8, 12, 12), big(rng, 0.5, 1.5, 8), big(rng, -1, 1, 8)});
        large("layerNorm", a, x -> x[0].layerNorm(new int[] {300}, x[1], x[2], 1e-5),
            rng -> new In[] {big(rng, -2, 2, s), big(rng, 0.5, 1.5, 300), big(rng, -1, 1, 300)});
    }

    static Stream<String> largeOps() {
        return LARGE.keySet().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("largeOps")
    void largeFloat32TensorsAgreeWithFloat64(String name) {
        Spec s = LARGE.get(name).apply(new SplittableRandom(name.hashCode()));
        Tensor[] x64 = new Tensor[s.inputs.length], x32 = new Tensor[s.inputs.length];
        for (int i = 0; i < x64.length; i++) {
            x64[i] = s.inputs[i].tensor(FLOAT64).requiresGrad();
            x32[i] = s.inputs[i].tensor(FLOAT32).requiresGrad();
        }
        Tensor y64 = s.f.apply(x64), y32 = s.f.apply(x32);
        assertEquals(FLOAT32, y32.dtype(), name);
        assertArrayEquals(y64.shape(), y32.shape(), name);
        close(name + " forward", y64.toArray(), y32.toArray(), s.tol.atol, s.tol.rtol);
        SplittableRandom rng = new SplittableRandom(7);
        double[] r = new double[y32.size()];
        for (int i = 0; i < r.length; i++) r[i] = (float) rng.nextDouble(-1, 1);
        List<Tensor> g64 = Autograd.grad(y64, List.of(x64), Tensor.of(r, y64.shape()), false, false);
        List<Tensor> g32 = Autograd.grad(y32, List.of(x32), Tensor.of(r, FLOAT32, y32.shape()), false, false);
        for (int i = 0; i < x32.length; i++) {
            assertEquals(FLOAT32, g32.get(i).dtype(), name + " gradient " + i);
            close(name + " gradient of input " + i + " (FLOAT32 vs FLOAT64 backward)", g64.get(i).toArray(), g32.get(i).toArray(),
                s.tol.gradAtol, s.tol.gradRtol);
        }
    }

    // ================================================================ coverage of the list

    /** Public methods returning a Tensor that are not ops with a gradient to check, each with its reason. */
    static final Map<String, String> NOT_OPS = Map.ofEntries(
        Map.entry("to", "the conversion itself: DTypeTest"),
        Map.entry("requiresGrad", "marks a leaf"), Map.entry("detach", "cuts the graph"), Map.entry("grad", "an accessor"),
        Map.entry("argMax", "index-valued, no gradient (Float32CoverageTest)"), Map.entry("argMin", "index-valued, no gradient"),
        Map.entry("addInPlace", "in-place update: DTypeTest"), Map.entry("mulInPlace", "in-place update: DTypeTest"),
        Map.entry("lerpInPlace", "in-place update: DTypeTest"), Map.entry("addcmulInPlace", "in-place update: DTypeTest"),
        Map.entry("addcdivInPlace", "in-place update: DTypeTest"), Map.entry("addcdivSqrtInPlace", "in-place update: DTypeTest"),
        Map.entry("clampInPlace", "in-place update: DTypeTest"), Map.entry("copyFrom", "in-place update: DTypeTest"),
        Map.entry("convertInPlace", "in-place conversion: DTypeTest"));

    @Test
    void everyPublicOpHasAFloat32Property() {
        Set<String> covered = new TreeSet<>();
        for (String k : OPS.keySet()) covered.add(k.split("[ (]")[0]);
        Set<String> missing = new TreeSet<>();
        for (Class<?> c : List.of(Tensor.class, Linalg.class)) {
            for (Method m : c.getDeclaredMethods()) {
                if (!Modifier.isPublic(m.getModifiers()) || m.isSynthetic()) continue;
                Class<?> r = m.getReturnType();
                boolean tensorValued = r == Tensor.class || r == ValuesAndIndices.class || r.getEnclosingClass() == Linalg.class
                    || (r == List.class && !Modifier.isStatic(m.getModifiers()));
                if (!tensorValued) continue;
                boolean factory = Modifier.isStatic(m.getModifiers()) && c == Tensor.class
                    && !Set.of("where", "cat", "stack", "einsum").contains(m.getName());
                if (factory || NOT_OPS.containsKey(m.getName())) continue;
                if (!covered.contains(m.getName())) missing.add(c.getSimpleName() + "." + m.getName());
            }
        }
        assertTrue(missing.isEmpty(), "ops without a float32 property in " + Float32OpPropertiesTest.class.getSimpleName() + ": " + missing);
    }

    /** An index for gather/scatterAdd along axis {@code p} of shape {@code s}: 1–4 entries on p, at most s[d] elsewhere. */
    private static Tensor gatherIndex(RandomnessSource rs, int[] s, int p) {
        int[] is = s.clone();
        for (int d = 0; d < is.length; d++) is[d] = d == p ? between(rs, 1, 4) : between(rs, 1, s[d]);
        double[] idx = new double[size(is)];
        for (int i = 0; i < idx.length; i++) idx[i] = between(rs, 0, s[p] - 1);
        return Tensor.of(idx, is);
    }
}

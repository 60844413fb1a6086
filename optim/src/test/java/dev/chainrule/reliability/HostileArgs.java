package dev.chainrule.reliability;

import dev.chainrule.autograd.Autograd;
import dev.chainrule.autograd.CustomOp;
import dev.chainrule.autograd.Tensor;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.WildcardType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;
import java.util.random.RandomGenerator;

/**
 * Argument generators for {@link HostileInputTest}: for each parameter type of the public API, a mix
 * of plausible values (so that calls get past the first check and reach deeper code) and hostile ones
 * (null, empty, negative, huge, overflowing, NaN/±Inf, odd shapes, tensors in odd graph states, lambdas
 * that throw or return null or the wrong shape). Every value comes with a short description, so that a
 * failing call can be printed and reproduced. All randomness comes from one seeded generator per call.
 */
final class HostileArgs {

    /** Thrown by the hostile lambdas; the API must let it through unchanged. */
    static final class LambdaFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        LambdaFailure() {
            super("thrown by a hostile lambda of the test", null, false, false);
        }
    }

    /** A generated value and how to print it. */
    record Arg(Object value, String desc) {}

    /** No generator for this type: the method is reported, not silently skipped. */
    static final class NoGenerator extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NoGenerator(Type t) {
            super("no generator for " + t.getTypeName(), null, false, false);
        }
    }

    /** Elements of a "huge but cheap" tensor: 1 MiB of doubles, too many for a dense Jacobian or an outer product. */
    static final int HUGE = 1 << 17;

    final SplittableRandom rng;
    /** The tensor the call is about (its receiver or first tensor argument): plausible ints and shapes fit it. */
    Tensor context;
    /** False for calls whose cost is legitimately superlinear in their input (GradCheck): no huge tensors. */
    boolean allowHuge = true;
    /** False for calls whose cost is quadratic in the number of tensors (Hessian blocks): no lists of thousands. */
    boolean manyTensors = true;
    /** Whether the last generated argument was a lambda that may throw {@link LambdaFailure}. */
    boolean throwingLambda;
    /** Extension point for the types of nn and optim (see {@link HostileInputTest}). */
    java.util.function.BiFunction<Type, Boolean, Arg> extra = (t, plausible) -> null;
    final Path tmp;
    /** How deeply producers are nested right now (see HostileInputTest.Producers). */
    int depth;

    HostileArgs(long seed, Path tmp) {
        this.rng = new SplittableRandom(seed);
        this.tmp = tmp;
    }

    boolean chance(double p) {
        return rng.nextDouble() < p;
    }

    <T> T pick(List<T> xs) {
        return xs.get(rng.nextInt(xs.size()));
    }

    // ================================================================ dispatch

    /** A value of {@code type}; {@code nullable} false for receivers and the producers of receivers. */
    Arg gen(Type type, boolean plausibleOnly) {
        Class<?> raw = raw(type);
        if (raw == int.class) return box(plausibleOnly || chance(0.5) ? plausibleInt() : hostileInt());
        if (raw == long.class) return box(plausibleOnly || chance(0.4) ? (long) rng.nextInt(0, 5) : pick(HOSTILE_LONGS));
        if (raw == double.class) return box(plausibleOnly || chance(0.5) ? plausibleDouble() : pick(HOSTILE_DOUBLES));
        if (raw == boolean.class) return new Arg(rng.nextBoolean(), null);
        if (raw == char.class) return new Arg(pick(List.of(',', ';', '\t', '"', '\n', '\0')), null);
        if (!plausibleOnly && chance(0.04)) return new Arg(null, "null");
        Arg a = extra.apply(type, plausibleOnly);
        if (a != null) return a;
        if (raw == Tensor.class) return tensor(plausibleOnly);
        if (raw == int[].class) return ints(plausibleOnly);
        if (raw == long[].class) return longs(plausibleOnly);
        if (raw == double[].class) return doubles(plausibleOnly);
        if (raw == float[].class) return floats(plausibleOnly);
        if (raw == double[][].class) return rows(plausibleOnly);
        if (raw == String.class) return string(plausibleOnly);
        if (raw == String[].class) return strings(plausibleOnly);
        if (raw == Tensor[].class) return tensorArray(plausibleOnly);
        if (raw == List.class || raw == Iterable.class || raw == java.util.Collection.class) {
            Type e = typeArg(type, 0);
            if (raw(e) == Tensor.class) return tensorList(plausibleOnly);
            if (raw(e) == int[].class) return intsList(plausibleOnly);
        }
        if (raw == Function.class) {
            Type in = typeArg(type, 0);
            if (raw(in) == Tensor[].class) return manyFunction(plausibleOnly);
            if (raw(in) == Tensor.class) return oneFunction(plausibleOnly);
        }
        if (raw == ToDoubleFunction.class) return indexFunction(plausibleOnly);
        if (raw == CustomOp.Backward.class) return backward(plausibleOnly);
        if (raw == CustomOp.class) return customOp(plausibleOnly);
        if (raw == RandomGenerator.class) return random(plausibleOnly);
        if (raw == Object.class) return chance(0.5) ? tensor(true) : new Arg("x", "\"x\"");
        throw new NoGenerator(type);
    }

    static Class<?> raw(Type t) {
        if (t instanceof Class<?> c) return c;
        if (t instanceof ParameterizedType p) return (Class<?>) p.getRawType();
        if (t instanceof WildcardType w) return raw(w.getUpperBounds()[0]);
        if (t instanceof java.lang.reflect.TypeVariable<?> v) return raw(v.getBounds()[0]);
        if (t instanceof java.lang.reflect.GenericArrayType g) return java.lang.reflect.Array.newInstance(raw(g.getGenericComponentType()), 0).getClass();
        return Object.class;
    }

    static Type typeArg(Type t, int i) {
        if (t instanceof ParameterizedType p) {
            Type a = p.getActualTypeArguments()[i];
            return a instanceof WildcardType w ? w.getUpperBounds()[0] : a;
        }
        return Object.class;
    }

    private static Arg box(Object v) {
        return new Arg(v, null);
    }

    // ================================================================ numbers

    static final List<Integer> HOSTILE_INTS = List.of(0, -1, -2, -3, 1, 2, 3, 5, Integer.MIN_VALUE, Integer.MIN_VALUE + 1,
        Integer.MAX_VALUE, Integer.MAX_VALUE - 8, Integer.MAX_VALUE - 9, 1 << 16, 65537, 46341, 1 << 20, 1 << 30, 1_000_003, -65536);
    static final List<Long> HOSTILE_LONGS = List.of(0L, -1L, 1L, Long.MIN_VALUE, Long.MAX_VALUE, 1L << 40, 1L << 31, -(1L << 31));
    static final List<Double> HOSTILE_DOUBLES = List.of(Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 0.0,
        -0.0, Double.MAX_VALUE, -Double.MAX_VALUE, Double.MIN_VALUE, -Double.MIN_VALUE, 1e-300, 1e300, -1.0, 1.0, 0.5, 2.0,
        1e-8, 1e6, 1e12, -0.5, 3.5, 1.0 + 1e-16, 0.9999999999999999, 2147483648.0, -2147483649.0);

    int hostileInt() {
        if (context != null && chance(0.4)) {
            int r = context.rank(), n = context.size();
            return pick(List.of(r, -r - 1, r + 1, -r, n, n + 1, -n, r == 0 ? 0 : context.shape()[0] + 1));
        }
        return pick(HOSTILE_INTS);
    }

    int plausibleInt() {
        if (context != null && context.rank() > 0 && chance(0.6)) {
            int r = context.rank();
            int[] s = context.shape();
            return switch (rng.nextInt(4)) {
                case 0 -> rng.nextInt(-r, r);                 // a valid axis
                case 1 -> s[rng.nextInt(r)];                  // a dimension
                case 2 -> rng.nextInt(1, Math.max(2, s[rng.nextInt(r)] + 1));   // a count within a dimension
                default -> rng.nextInt(0, r);
            };
        }
        return rng.nextInt(0, 4);
    }

    double plausibleDouble() {
        return switch (rng.nextInt(4)) {
            case 0 -> rng.nextDouble(0.01, 1);
            case 1 -> rng.nextDouble(-3, 3);
            case 2 -> rng.nextInt(0, 4);
            default -> 1e-3;
        };
    }

    // ================================================================ arrays

    Arg ints(boolean plausibleOnly) {
        if (plausibleOnly || chance(0.5)) {
            int[] v;
            if (context != null && chance(0.6)) {
                int[] s = context.shape();
                v = switch (rng.nextInt(4)) {
                    case 0 -> s;                                               // the context's shape
                    case 1 -> axes(s.length, true);                            // a permutation of its axes
                    case 2 -> axes(s.length, false);                           // some of its axes
                    default -> broadcastable(s);                               // a shape it broadcasts to or from
                };
            } else {
                v = new int[rng.nextInt(0, 4)];
                for (int i = 0; i < v.length; i++) v[i] = rng.nextInt(1, 4);
            }
            return new Arg(v, Arrays.toString(v));
        }
        int[] v = switch (rng.nextInt(16)) {
            case 0 -> new int[0];
            case 1 -> new int[] {0};
            case 2 -> new int[] {-1};
            case 3 -> new int[] {Integer.MAX_VALUE};
            case 4 -> new int[] {Integer.MIN_VALUE, 1};
            case 5 -> new int[] {Integer.MAX_VALUE, Integer.MAX_VALUE};
            case 6 -> new int[] {65536, 65536};
            case 7 -> new int[] {65536, 65536, 65536, 65536};
            case 8 -> new int[] {46341, 46341};
            case 9 -> new int[] {-1, -1};
            case 10 -> new int[] {1, -1, 2};
            case 11 -> filled(100, 1);                                          // rank 100
            case 12 -> filled(100_000, 1);                                      // a huge array
            case 13 -> context == null ? new int[] {0, 0} : dup(context.rank());
            case 14 -> new int[] {1 << 20, 1 << 12};
            default -> { int[] x = new int[rng.nextInt(1, 5)]; for (int i = 0; i < x.length; i++) x[i] = hostileInt(); yield x; }
        };
        return new Arg(v, v.length > 8 ? "int[" + v.length + "] of " + v[0] : Arrays.toString(v));
    }

    private int[] filled(int n, int v) {
        int[] a = new int[n];
        Arrays.fill(a, v);
        return a;
    }

    private int[] dup(int rank) {
        return rank == 0 ? new int[] {0, 0} : new int[] {0, 0, -rank};
    }

    /** A random permutation of 0..r−1 ({@code all}) or a random subset, some negative. */
    private int[] axes(int r, boolean all) {
        List<Integer> ax = new ArrayList<>();
        for (int i = 0; i < r; i++) ax.add(i);
        for (int i = r - 1; i > 0; i--) java.util.Collections.swap(ax, i, rng.nextInt(i + 1));
        int n = all ? r : rng.nextInt(0, r + 1);
        int[] out = new int[n];
        for (int i = 0; i < n; i++) out[i] = chance(0.3) ? ax.get(i) - r : ax.get(i);
        return out;
    }

    private int[] broadcastable(int[] s) {
        int lead = rng.nextInt(0, 2);
        int[] out = new int[s.length + lead];
        for (int i = 0; i < out.length; i++) {
            int d = i < lead ? rng.nextInt(1, 3) : s[i - lead];
            out[i] = chance(0.3) ? 1 : d;
        }
        return out;
    }

    Arg longs(boolean plausibleOnly) {
        long[] v = plausibleOnly || chance(0.5) ? new long[] {0, 1, 2} : switch (rng.nextInt(4)) {
            case 0 -> new long[0];
            case 1 -> new long[] {-1};
            case 2 -> new long[] {Long.MAX_VALUE, Long.MIN_VALUE};
            default -> new long[] {1L << 40};
        };
        return new Arg(v, Arrays.toString(v));
    }

    Arg doubles(boolean plausibleOnly) {
        int n = context != null && chance(0.5) ? context.size() : rng.nextInt(1, 7);
        if (!plausibleOnly && chance(0.5)) {
            switch (rng.nextInt(5)) {
                case 0: return new Arg(new double[0], "[]");
                case 1: return new Arg(new double[100_000], "double[100000]");
                case 2: return new Arg(new double[] {Double.NaN}, "[NaN]");
                case 3: return new Arg(new double[] {Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}, "[Inf, -Inf]");
                default: n = Math.max(1, n + (chance(0.5) ? 1 : -1));
            }
        }
        n = Math.min(n, HUGE);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = rng.nextDouble(-2, 2);
        return new Arg(v, "double[" + n + "]");
    }

    /** {@link #doubles} as floats (for {@code Tensor.of(float[], int...)}). */
    Arg floats(boolean plausibleOnly) {
        Arg d = doubles(plausibleOnly);
        double[] v = (double[]) d.value();
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) f[i] = (float) v[i];
        return new Arg(f, d.desc() == null ? null : d.desc().replace("double", "float"));
    }

    Arg rows(boolean plausibleOnly) {
        double[][] v = plausibleOnly || chance(0.5) ? new double[][] {{1, 2}, {3, 4}, {5, 6}} : switch (rng.nextInt(6)) {
            case 0 -> new double[0][];
            case 1 -> new double[][] {{}};
            case 2 -> new double[][] {null};
            case 3 -> new double[][] {{1, 2}, {3}};
            case 4 -> new double[][] {{1}, null};
            default -> new double[][] {{Double.NaN, 1}};
        };
        return new Arg(v, Arrays.deepToString(v));
    }

    Arg string(boolean plausibleOnly) {
        List<String> good = List.of("ij,jk->ik", "ii", "ij->ji", "bij,bjk->bik", "...ij->...ji", "i,i->", "x", "op");
        List<String> bad = List.of("", " ", "->", "ij->", "a->b", "...", "......", "ii->ii", "i,j,k", "\u0000", "é->é",
            "ab,bc,cd,de,ef,fg,gh,hi,ij,jk->ak", "A".repeat(60), "a".repeat(10_000), ",", ",,->", "i->i->i", "..i->i", "ij,->");
        String s = plausibleOnly || chance(0.4) ? pick(good) : pick(bad);
        return new Arg(s, '"' + (s.length() > 40 ? s.substring(0, 20) + "...(" + s.length() + " chars)" : s) + '"');
    }

    Arg strings(boolean plausibleOnly) {
        String[] v = plausibleOnly || chance(0.5) ? new String[] {"a", "b"} : switch (rng.nextInt(3)) {
            case 0 -> new String[0];
            case 1 -> new String[] {null};
            default -> new String[] {"", "a", "a"};
        };
        return new Arg(v, Arrays.toString(v));
    }

    // ================================================================ tensors

    private static final int[][] SHAPES = {{}, {1}, {2}, {3}, {5}, {1, 1}, {2, 3}, {3, 2}, {3, 3}, {2, 1, 3}, {1, 2, 1, 2},
        {2, 2, 2, 2}, {1, 1, 1, 1, 1, 1, 1, 1}, {4, 1}, {2, 3, 4}};

    /** A tensor: plausible ones take the context's shape or a broadcast-compatible one. */
    Arg tensor(boolean plausibleOnly) {
        int[] shape;
        String kind;
        if (context != null && chance(plausibleOnly ? 0.7 : 0.4)) {
            shape = chance(0.6) ? context.shape() : broadcastable(context.shape());
            if (shape.length == 0 && chance(0.5)) shape = new int[0];
        } else if (!plausibleOnly && allowHuge && chance(0.015)) {
            shape = pick(List.of(new int[] {HUGE}, new int[] {1, HUGE}, new int[] {HUGE, 1}, new int[] {256, 512},
                new int[] {2, 65536}));
        } else {
            shape = SHAPES[rng.nextInt(SHAPES.length)];
        }
        int n = 1;
        for (int d : shape) n *= d;
        double[] v = new double[n];
        int values = plausibleOnly ? rng.nextInt(3) : rng.nextInt(8);
        if (n > 4096) {                                           // huge: a cheap pattern, with a NaN or an Inf now and then
            for (int i = 0; i < n; i++) v[i] = (i % 7 - 3) * 0.5;
            kind = "pattern";
            if (values == 3) { v[rng.nextInt(n)] = Double.NaN; kind = "pattern with NaN"; }
            if (values == 4) { v[rng.nextInt(n)] = Double.POSITIVE_INFINITY; kind = "pattern with Inf"; }
            values = -1;
        } else {
            kind = null;
        }
        switch (values) {
            case 0 -> { for (int i = 0; i < n; i++) v[i] = rng.nextDouble(-2, 2); kind = "normal"; }
            case 1 -> { for (int i = 0; i < n; i++) v[i] = rng.nextInt(0, 3); kind = "ints 0..2"; }
            case 2 -> { for (int i = 0; i < n; i++) v[i] = rng.nextDouble(0.1, 2); kind = "positive"; }
            case 3 -> { for (int i = 0; i < n; i++) v[i] = rng.nextDouble(-2, 2); v[rng.nextInt(n)] = Double.NaN; kind = "with NaN"; }
            case 4 -> { for (int i = 0; i < n; i++) v[i] = rng.nextDouble(-2, 2);
                        v[rng.nextInt(n)] = chance(0.5) ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY; kind = "with Inf"; }
            case 5 -> kind = "zeros";
            case 6 -> { for (int i = 0; i < n; i++) v[i] = pick(HOSTILE_DOUBLES); kind = "extremes"; }
            case -1 -> { }
            default -> { for (int i = 0; i < n; i++) v[i] = rng.nextInt(-3, 70000); kind = "ints -3..70000"; }
        }
        Tensor t = Tensor.of(v, shape);
        String state = "leaf";
        int graph = plausibleOnly ? rng.nextInt(3) : rng.nextInt(6);
        switch (graph) {
            case 1 -> { t.requiresGrad(); state = "leaf rg"; }
            case 2 -> { t = Tensor.of(v, shape).requiresGrad().mul(1.0); state = "op result"; }
            case 3 -> {                                           // an op result whose graph was released by backward
                Tensor y = Tensor.of(v, shape).requiresGrad().mul(1.0);
                y.sum().backward();
                t = y;
                state = "released op result";
            }
            case 4 -> {                                           // an op result whose saved input was then modified in place
                Tensor w = Tensor.of(v, shape).requiresGrad();
                Tensor y = w.mul(w);
                try (var s = Autograd.noGrad()) {
                    w.mulInPlace(1.0);
                }
                t = y;
                state = "op result, saved input modified";
            }
            default -> { }
        }
        return new Arg(t, "Tensor" + java.util.Arrays.toString(shape) + " " + kind + " " + state);
    }

    Arg tensorArray(boolean plausibleOnly) {
        List<Arg> ts = tensors(plausibleOnly);
        Tensor[] a = new Tensor[ts.size()];
        for (int i = 0; i < a.length; i++) a[i] = (Tensor) ts.get(i).value();
        return new Arg(a, describe(ts));
    }

    Arg tensorList(boolean plausibleOnly) {
        List<Arg> ts = tensors(plausibleOnly);
        List<Tensor> l = new ArrayList<>();
        for (Arg a : ts) l.add((Tensor) a.value());
        return new Arg(l, "List" + describe(ts));
    }

    private String describe(List<Arg> ts) {
        if (ts.size() > 4) return "[" + ts.size() + " tensors like " + ts.get(0).desc() + "]";
        List<String> d = new ArrayList<>();
        for (Arg a : ts) d.add(a.desc());
        return d.toString();
    }

    private List<Arg> tensors(boolean plausibleOnly) {
        List<Arg> out = new ArrayList<>();
        if (!plausibleOnly && chance(0.4)) {
            switch (rng.nextInt(4)) {
                case 0 -> { }                                               // empty
                case 1 -> { out.add(tensor(true)); out.add(new Arg(null, "null")); }
                case 2 -> { Arg t = tensor(true); for (int i = 0, n = manyTensors ? 5000 : 40; i < n; i++) out.add(t); }   // many
                default -> { for (int i = 0; i < 3; i++) out.add(tensor(false)); }
            }
            return out;
        }
        int n = rng.nextInt(1, 4);
        for (int i = 0; i < n; i++) out.add(tensor(true));
        return out;
    }

    Arg intsList(boolean plausibleOnly) {
        List<int[]> l = new ArrayList<>();
        for (int i = 0, n = rng.nextInt(0, 3); i < n; i++) l.add((int[]) ints(plausibleOnly).value());
        return new Arg(l, "List of " + l.size() + " int[]");
    }

    // ================================================================ functions

    Arg manyFunction(boolean plausibleOnly) {
        int k = plausibleOnly ? rng.nextInt(3) : rng.nextInt(allowHuge ? 9 : 8);
        throwingLambda |= k == 4;
        return switch (k) {
            case 0 -> new Arg((Function<Tensor[], Tensor>) xs -> xs.length == 0 ? Tensor.scalar(0) : xs[0].tanh().sum(), "xs -> xs[0].tanh().sum()");
            case 1 -> new Arg((Function<Tensor[], Tensor>) xs -> xs.length == 0 ? Tensor.scalar(0) : xs[0].mul(xs[xs.length - 1]), "xs -> xs[0] * xs[last]");
            case 2 -> new Arg((Function<Tensor[], Tensor>) xs -> xs.length == 0 ? Tensor.scalar(0) : xs[0].square(), "xs -> xs[0]^2");
            case 3 -> new Arg((Function<Tensor[], Tensor>) xs -> null, "xs -> null");
            case 4 -> new Arg((Function<Tensor[], Tensor>) xs -> { throw new LambdaFailure(); }, "xs -> throw");
            case 5 -> new Arg((Function<Tensor[], Tensor>) xs -> Tensor.scalar(1), "xs -> constant scalar");
            case 6 -> new Arg((Function<Tensor[], Tensor>) xs -> xs.length == 0 ? Tensor.scalar(0) : xs[0], "xs -> xs[0]");
            case 7 -> new Arg((Function<Tensor[], Tensor>) xs -> xs.length == 0 ? Tensor.scalar(0) : xs[0].detach().sum(), "xs -> xs[0].detach().sum()");
            default -> new Arg((Function<Tensor[], Tensor>) xs -> Tensor.zeros(HUGE), "xs -> zeros(2^17)");
        };
    }

    Arg oneFunction(boolean plausibleOnly) {
        int k = plausibleOnly ? rng.nextInt(3) : rng.nextInt(8);
        throwingLambda |= k == 4;
        return switch (k) {
            case 0 -> new Arg((Function<Tensor, Tensor>) x -> x.tanh().sum(), "x -> x.tanh().sum()");
            case 1 -> new Arg((Function<Tensor, Tensor>) x -> x.square(), "x -> x^2");
            case 2 -> new Arg((Function<Tensor, Tensor>) x -> x.mul(x).sum(), "x -> sum(x*x)");
            case 3 -> new Arg((Function<Tensor, Tensor>) x -> null, "x -> null");
            case 4 -> new Arg((Function<Tensor, Tensor>) x -> { throw new LambdaFailure(); }, "x -> throw");
            case 5 -> new Arg((Function<Tensor, Tensor>) x -> Tensor.scalar(2), "x -> constant");
            case 6 -> new Arg((Function<Tensor, Tensor>) x -> x, "x -> x");
            default -> new Arg((Function<Tensor, Tensor>) x -> x.reshape(-1).repeat(2), "x -> x.flatten().repeat(2)");
        };
    }

    Arg indexFunction(boolean plausibleOnly) {
        int k = plausibleOnly ? 0 : rng.nextInt(5);
        throwingLambda |= k == 2;
        return switch (k) {
            case 0 -> new Arg((ToDoubleFunction<int[]>) i -> i.length == 0 ? 1 : i[0], "i -> i[0]");
            case 1 -> new Arg((ToDoubleFunction<int[]>) i -> Double.NaN, "i -> NaN");
            case 2 -> new Arg((ToDoubleFunction<int[]>) i -> { throw new LambdaFailure(); }, "i -> throw");
            case 3 -> new Arg((ToDoubleFunction<int[]>) i -> { if (i.length > 0) i[0] = -7; return 0; }, "i -> (i[0] = -7)");
            default -> new Arg((ToDoubleFunction<int[]>) i -> i.length, "i -> rank");
        };
    }

    Arg backward(boolean plausibleOnly) {
        int k = plausibleOnly ? 0 : rng.nextInt(7);
        throwingLambda |= k == 3;
        return switch (k) {
            case 0 -> new Arg((CustomOp.Backward) (s, g) -> {
                List<Tensor> out = new ArrayList<>();
                for (Tensor in : s.inputs()) out.add(Tensor.zeros(in.shape()));
                return out;
            }, "(s, g) -> zeros per input");
            case 1 -> new Arg((CustomOp.Backward) (s, g) -> null, "(s, g) -> null");
            case 2 -> new Arg((CustomOp.Backward) (s, g) -> List.of(), "(s, g) -> []");
            case 3 -> new Arg((CustomOp.Backward) (s, g) -> { throw new LambdaFailure(); }, "(s, g) -> throw");
            case 4 -> new Arg((CustomOp.Backward) (s, g) -> { List<Tensor> l = new ArrayList<>(); for (Tensor in : s.inputs()) l.add(g); return l; },
                "(s, g) -> g per input");
            case 5 -> new Arg((CustomOp.Backward) (s, g) -> { List<Tensor> l = new ArrayList<>(); for (Tensor in : s.inputs()) l.add(null); return l; },
                "(s, g) -> nulls");
            default -> new Arg((CustomOp.Backward) (s, g) -> { List<Tensor> l = new ArrayList<>(); for (Tensor in : s.inputs()) l.add(Tensor.zeros(HUGE)); return l; },
                "(s, g) -> zeros(2^17) per input");
        };
    }

    Arg customOp(boolean plausibleOnly) {
        Arg f = manyFunction(plausibleOnly);
        Arg b = backward(plausibleOnly);
        @SuppressWarnings("unchecked")
        CustomOp op = CustomOp.define("fuzz", (Function<Tensor[], Tensor>) f.value(), (CustomOp.Backward) b.value());
        return new Arg(op, "CustomOp(" + f.desc() + ", " + b.desc() + ")");
    }

    Arg random(boolean plausibleOnly) {
        long seed = rng.nextLong();
        return new Arg(new SplittableRandom(seed), "SplittableRandom(" + seed + "L)");
    }
}

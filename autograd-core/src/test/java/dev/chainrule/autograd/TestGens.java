package dev.chainrule.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;

import java.util.Arrays;
import java.util.function.Function;
import org.quicktheories.QuickTheory;
import org.quicktheories.core.Gen;
import org.quicktheories.core.RandomnessSource;
import org.quicktheories.impl.Constraint;

/**
 * Generators and assertions shared by the autograd-core tests: shapes of rank 0–3 with dimensions
 * 1–4, broadcast-compatible shape pairs, and values drawn from ranges that keep finite differences
 * valid (away from kinks, ties and domain edges). Every generator draws from QuickTheories'
 * {@link RandomnessSource}, so examples are reproducible from the seed QuickTheories prints on a
 * failure and shrink towards small shapes and values.
 */
final class TestGens {
    private TestGens() {}

    /** Fixed seed for every property; override with -Dchainrule.seed=... to explore others. */
    static final long SEED = Long.getLong("chainrule.seed", 0x5EED_C0DEL);

    /** Multiplies every property's example count; raise it (-Dchainrule.exampleFactor=10) for a long exploratory run. */
    static final int EXAMPLE_FACTOR = Integer.getInteger("chainrule.exampleFactor", 1);

    /** A theory with a fixed seed and a modest number of examples. */
    static QuickTheory theory(int examples) {
        return qt().withExamples(examples * EXAMPLE_FACTOR).withFixedSeed(SEED);
    }

    // ------------------------------------------------------------------ primitive draws

    static int between(RandomnessSource rs, int lo, int hi) {
        return (int) rs.next(Constraint.between(lo, hi).withShrinkPoint(lo));
    }

    static boolean bool(RandomnessSource rs) {
        return between(rs, 0, 1) == 1;
    }

    /** Uniform-ish double in [lo, hi] with a resolution of (hi − lo) / 10^6. */
    static double uniform(RandomnessSource rs, double lo, double hi) {
        long k = rs.next(Constraint.between(0, 1_000_000).withShrinkPoint(500_000));
        return lo + (hi - lo) * (k / 1e6);
    }

    static double[] uniform(RandomnessSource rs, int n, double lo, double hi) {
        double[] d = new double[n];
        for (int i = 0; i < n; i++) d[i] = uniform(rs, lo, hi);
        return d;
    }

    /** Values with |x| in [0.1, max]: away from the kink of relu, abs, step and sign at 0. */
    static double[] awayFromZero(RandomnessSource rs, int n, double max) {
        double[] d = new double[n];
        for (int i = 0; i < n; i++) d[i] = (bool(rs) ? 1 : -1) * uniform(rs, 0.1, max);
        return d;
    }

    /** Values in [lo, hi] that keep at least {@code margin} away from every point in {@code kinks}. */
    static double[] awayFrom(RandomnessSource rs, int n, double lo, double hi, double margin, double... kinks) {
        double[] d = new double[n];
        for (int i = 0; i < n; i++) {
            double v = uniform(rs, lo, hi);
            for (double k : kinks) {
                if (Math.abs(v - k) < margin) v = v < k ? k - margin - 0.05 : k + margin + 0.05;
            }
            d[i] = v;
        }
        return d;
    }

    /**
     * Pairwise distinct values (any two at least 0.15 apart) in random order, so that max/min have
     * a unique winner on every axis and central differences with eps 1e-6 never cross a tie.
     */
    static double[] distinct(RandomnessSource rs, int n) {
        int[] perm = LayoutGens.permutation(rs, n);
        double[] d = new double[n];
        for (int i = 0; i < n; i++) d[i] = (perm[i] - n / 2.0) * 0.25 + uniform(rs, 0, 0.1);
        return d;
    }

    // ------------------------------------------------------------------ shapes

    static int[] shape(RandomnessSource rs, int minRank, int maxRank) {
        int rank = between(rs, minRank, maxRank);
        int[] s = new int[rank];
        for (int i = 0; i < rank; i++) s[i] = between(rs, 1, 4);
        return s;
    }

    /** A shape that broadcasts to {@code out}: some leading dimensions dropped, some others set to 1. */
    static int[] broadcastableTo(RandomnessSource rs, int[] out) {
        int drop = between(rs, 0, out.length);
        int[] s = Arrays.copyOfRange(out, drop, out.length);
        for (int i = 0; i < s.length; i++) {
            if (between(rs, 0, 2) == 0) s[i] = 1;
        }
        return s;
    }

    /** Two shapes that broadcast together (rank 0–3 each). */
    static int[][] broadcastPair(RandomnessSource rs) {
        int[] out = shape(rs, 0, 3);
        int[] a = broadcastableTo(rs, out), b = broadcastableTo(rs, out);
        if (bool(rs)) return new int[][] {a, b};
        return new int[][] {out, bool(rs) ? b : out.clone()};
    }

    static int size(int[] shape) {
        int n = 1;
        for (int d : shape) n *= d;
        return n;
    }

    static Tensor tensor(double[] data, int[] shape) {
        return Tensor.of(data, shape);
    }

    // ------------------------------------------------------------------ cases

    /** One generated example: inputs and the function of them to check, with a readable description. */
    record Case(String label, Function<Tensor[], Tensor> f, Tensor... inputs) {
        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder(label);
            for (int i = 0; i < inputs.length; i++) {
                sb.append("\n  input ").append(i).append(" shape ").append(Shape.toString(inputs[i].shape()))
                    .append(": ").append(Arrays.toString(inputs[i].toArray()));
            }
            return sb.toString();
        }
    }

    static Gen<Case> cases(Function<RandomnessSource, Case> build) {
        Gen<Case> g = build::apply;
        return g.describedAs(Case::toString);
    }

    /** Analytic gradient (backward through Autograd.grad) equals central finite differences. */
    static void assertGradient(Case c) {
        GradCheck.Result r = GradCheck.check(c.f(), c.inputs());
        assertTrue(r.passed(), () -> c + "\n" + r);
    }

    static void assertGradient(Case c, double eps, double atol, double rtol) {
        GradCheck.Result r = GradCheck.check(c.f(), eps, atol, rtol, c.inputs());
        assertTrue(r.passed(), () -> c + "\n" + r);
    }

    /** Second derivatives (a Hessian-vector product through createGraph) equal finite differences. */
    static void assertSecondOrder(Case c) {
        GradCheck.Result r = GradCheck.checkSecondOrder(c.f(), c.inputs());
        assertTrue(r.passed(), () -> c + "\n" + r);
    }

    // ------------------------------------------------------------------ assertions

    static void assertValues(double[] expected, Tensor actual, double tol) {
        double[] a = actual.toArray();
        assertEquals(expected.length, a.length, "size of " + actual);
        for (int i = 0; i < a.length; i++) {
            double e = expected[i];
            double t = tol * Math.max(1, Math.abs(e));
            int at = i;
            assertTrue(Math.abs(e - a[i]) <= t || e == a[i],
                () -> "element " + at + ": expected " + e + " but was " + a[at] + "\n expected " + Arrays.toString(expected)
                    + "\n actual   " + Arrays.toString(a));
        }
    }

    static void assertTensor(double[] expected, int[] shape, Tensor actual, double tol) {
        assertArrayEquals(shape, actual.shape(), () -> "shape of " + actual);
        assertValues(expected, actual, tol);
    }

    // ------------------------------------------------------------------ naive references

    /** Row-major flat index of {@code out}'s multi-index {@code idx} inside a tensor of {@code shape} broadcast to it. */
    static int broadcastIndex(int[] idx, int[] shape) {
        int off = idx.length - shape.length;
        int flat = 0;
        for (int d = 0; d < shape.length; d++) {
            int i = shape[d] == 1 ? 0 : idx[d + off];
            flat = flat * shape[d] + i;
        }
        return flat;
    }

    static int[] unflatten(int flat, int[] shape) {
        int[] idx = new int[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) {
            idx[d] = flat % shape[d];
            flat /= shape[d];
        }
        return idx;
    }

    /** NumPy broadcast of two shapes, computed independently of the library. */
    static int[] broadcastShape(int[] a, int[] b) {
        int r = Math.max(a.length, b.length);
        int[] out = new int[r];
        for (int i = 0; i < r; i++) {
            int da = i - (r - a.length) >= 0 ? a[i - (r - a.length)] : 1;
            int db = i - (r - b.length) >= 0 ? b[i - (r - b.length)] : 1;
            out[i] = Math.max(da, db);
        }
        return out;
    }
}

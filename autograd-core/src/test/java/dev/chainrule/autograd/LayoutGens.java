package dev.chainrule.autograd;

import static dev.chainrule.autograd.TestGens.between;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.function.Executable;
import org.quicktheories.core.RandomnessSource;

/**
 * Generators and naive references for the layout, indexing and einsum tests: shapes of rank 0–4
 * (dimensions 1–4, at most 1–3 at rank 4 so that GradCheck's Jacobians stay small), permutations,
 * and multi-index helpers that the references use instead of the library's strides.
 */
final class LayoutGens {
    private LayoutGens() {}

    /** A shape of rank minRank..maxRank (≤ 4); dimensions 1–4, or 1–3 at rank 4. */
    static int[] shape(RandomnessSource rs, int minRank, int maxRank) {
        int rank = between(rs, minRank, maxRank);
        int[] s = new int[rank];
        for (int i = 0; i < rank; i++) s[i] = between(rs, 1, rank == 4 ? 3 : 4);
        return s;
    }

    /** A uniformly drawn permutation of 0..n−1. */
    static int[] permutation(RandomnessSource rs, int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        for (int i = n - 1; i > 0; i--) {
            int j = between(rs, 0, i);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    /** {@code axis} written as itself or, half of the time, counted from the end (negative). */
    static int anyForm(RandomnessSource rs, int axis, int rank) {
        return TestGens.bool(rs) ? axis : axis - rank;
    }

    /** Values −2..2 that are all distinct, so a misplaced element cannot go unnoticed. */
    static double[] values(RandomnessSource rs, int n) {
        double[] d = TestGens.distinct(rs, n);
        for (int i = 0; i < n; i++) d[i] /= Math.max(1, n / 8.0);
        return d;
    }

    static Tensor tensor(RandomnessSource rs, int[] shape) {
        return Tensor.of(values(rs, TestGens.size(shape)), shape);
    }

    // ------------------------------------------------------------------ multi-indices

    static int[] unflatten(int flat, int[] shape) {
        return TestGens.unflatten(flat, shape);
    }

    static int flat(int[] idx, int[] shape) {
        int f = 0;
        for (int d = 0; d < shape.length; d++) f = f * shape[d] + idx[d];
        return f;
    }

    /** x's value at a multi-index, read with a row-major formula of its own. */
    static double at(Tensor x, int... idx) {
        return x.toArray()[flat(idx, x.shape())];
    }

    /** The values {@code f(idx)} for every multi-index of {@code shape}, row-major. */
    static double[] fill(int[] shape, java.util.function.ToDoubleFunction<int[]> f) {
        double[] out = new double[TestGens.size(shape)];
        for (int i = 0; i < out.length; i++) out[i] = f.applyAsDouble(unflatten(i, shape));
        return out;
    }

    // ------------------------------------------------------------------ assertions

    /** The exception's type and every fragment of its message. */
    static <T extends Throwable> T assertThrowsWith(Class<T> type, Executable call, String... fragments) {
        T e = assertThrows(type, call);
        for (String f : fragments) {
            assertTrue(e.getMessage() != null && e.getMessage().contains(f),
                "message should contain \"" + f + "\" but was: " + e.getMessage());
        }
        return e;
    }

    static String str(int[] a) {
        return Arrays.toString(a);
    }
}

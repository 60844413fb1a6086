package dev.chainrule.autograd;

import static dev.chainrule.autograd.TestGens.assertValues;
import static dev.chainrule.autograd.TestGens.between;
import static dev.chainrule.autograd.TestGens.bool;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.function.Executable;
import org.quicktheories.core.RandomnessSource;

/**
 * Generators and assertions of the math/reduction test classes, on top of {@link TestGens}: shapes
 * up to rank 4 (dimensions 1–3 from rank 3 on, so that full-Jacobian gradient checks stay cheap),
 * broadcast-compatible pairs and triples, and two-graph identity and error assertions.
 */
final class MathGens {
    private MathGens() {}

    /** Rank {@code minRank}–4; dimensions 1–4 up to rank 2 and 1–3 beyond. */
    static int[] shape4(RandomnessSource rs, int minRank) {
        int rank = between(rs, minRank, 4);
        int[] s = new int[rank];
        for (int i = 0; i < rank; i++) s[i] = between(rs, 1, rank <= 2 ? 4 : 3);
        return s;
    }

    /** A shape that broadcasts to {@code out}: some leading dimensions dropped, some others set to 1. */
    static int[] broadcastableTo(RandomnessSource rs, int[] out) {
        return TestGens.broadcastableTo(rs, out);
    }

    /** Shapes (rank up to 4) that broadcast together; the first {@code n} of them. */
    static int[][] broadcastShapes(RandomnessSource rs, int n) {
        int[] out = shape4(rs, 0);
        int[][] s = new int[n][];
        int full = between(rs, 0, n - 1);                  // usually one operand has the full shape
        for (int i = 0; i < n; i++) s[i] = i == full && bool(rs) ? out.clone() : broadcastableTo(rs, out);
        return s;
    }

    /**
     * n values on a grid of spacing 0.25 offset by {@code offset} within [lo, hi]: two draws with
     * different offsets (mod 0.25) never tie and stay at least the offset difference apart.
     */
    static double[] grid(RandomnessSource rs, int n, double lo, double hi, double offset) {
        int steps = (int) Math.floor((hi - lo) / 0.25);
        double[] d = new double[n];
        for (int i = 0; i < n; i++) d[i] = lo + 0.25 * between(rs, 0, steps - 1) + offset;
        return d;
    }

    /**
     * Values with pairwise distinct magnitudes (at least 0.15 apart, all at least 0.3) and random
     * signs: |x| has a unique max per slice, away from abs's kink at 0.
     */
    static double[] distinctMagnitudes(RandomnessSource rs, int n) {
        int[] perm = LayoutGens.permutation(rs, n);
        double[] d = new double[n];
        for (int i = 0; i < n; i++) d[i] = (bool(rs) ? 1 : -1) * (0.3 + 0.2 * perm[i] + TestGens.uniform(rs, 0, 0.05));
        return d;
    }

    /** f(x) and g(x) agree in value and in gradient (seeded with a fixed pattern). */
    static void assertSameFunction(UnaryOperator<Tensor> f, UnaryOperator<Tensor> g, Tensor x, double tol) {
        Tensor xf = x.detach().requiresGrad(), xg = x.detach().requiresGrad();
        Tensor yf = f.apply(xf), yg = g.apply(xg);
        assertArrayEquals(yg.shape(), yf.shape(), "shapes");
        assertValues(yg.toArray(), yf, tol);
        double[] seed = new double[yf.size()];
        for (int i = 0; i < seed.length; i++) seed[i] = 1 + 0.5 * Math.sin(i);
        yf.backward(Tensor.of(seed, yf.shape()));
        yg.backward(Tensor.of(seed, yg.shape()));
        assertValues(xg.grad().toArray(), xf.grad(), tol);
    }

    static <T extends Throwable> T assertThrowsWith(Class<T> type, Executable call, String... fragments) {
        T e = assertThrows(type, call);
        for (String f : fragments) {
            assertTrue(e.getMessage() != null && e.getMessage().contains(f),
                "message should contain \"" + f + "\" but was: " + e.getMessage());
        }
        return e;
    }

    static String str(int[] shape) {
        return Arrays.toString(shape);
    }
}

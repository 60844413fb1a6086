package dev.chainrule.nn.init;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.chainrule.autograd.Tensor;
import dev.chainrule.nn.TestData;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class InitializerTest {

    /** 250,000 samples: the standard error of a mean is std/500, of a std about std/700. */
    private static final int[] BIG = {500, 500};

    private static double[] stats(Tensor t) {
        double[] v = t.toArray();
        double mean = 0, min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY;
        for (double x : v) {
            mean += x;
            min = Math.min(min, x);
            max = Math.max(max, x);
        }
        mean /= v.length;
        double var = 0;
        for (double x : v) var += (x - mean) * (x - mean);
        return new double[] {mean, Math.sqrt(var / (v.length - 1)), min, max};
    }

    private static void assertStats(Tensor t, double mean, double std) {
        double[] s = stats(t);
        assertEquals(mean, s[0], 5 * std / 500 + 1e-12, "mean");
        assertEquals(std, s[1], 0.01 * std + 1e-12, "std");
    }

    private static void assertUniform(Initializer init, int fanIn, int fanOut, double lo, double hi) {
        Tensor t = init.init(BIG, fanIn, fanOut, new SplittableRandom(1));
        double[] s = stats(t);
        assertTrue(s[2] >= lo && s[3] < hi, () -> init + ": samples [" + s[2] + ", " + s[3] + "] outside [" + lo + ", " + hi + ")");
        // The extremes come close to the bounds: the range is not narrower than asked.
        assertTrue(s[2] < lo + 1e-3 * (hi - lo) && s[3] > hi - 1e-3 * (hi - lo), init + ": range too narrow");
        assertStats(t, (lo + hi) / 2, (hi - lo) / Math.sqrt(12));
    }

    @Test
    void zerosAndConstant() {
        Tensor z = new Zeros().init(new int[] {3, 4}, 4, 3, new SplittableRandom(0));
        assertArrayEquals(new int[] {3, 4}, z.shape());
        for (double v : z.toArray()) assertEquals(0.0, v);
        Tensor c = new Constant(0.1).init(new int[] {5}, 4, 5, new SplittableRandom(0));
        for (double v : c.toArray()) assertEquals(0.1, v);
        assertFalse(c.isGradRequired(), "initializers return plain tensors; layers mark them as parameters");
    }

    @Test
    void uniformRules() {
        assertUniform(new Uniform(-0.3, 0.7), 10, 10, -0.3, 0.7);
        assertUniform(new LeCunUniform(), 64, 10, -1 / 8.0, 1 / 8.0);
        assertUniform(new GlorotUniform(), 100, 50, -Math.sqrt(6.0 / 150), Math.sqrt(6.0 / 150));
    }

    @Test
    void normalRules() {
        assertStats(new Normal(0, 0.01).init(BIG, 3, 3, new SplittableRandom(2)), 0, 0.01);
        assertStats(new Normal(1.5, 2).init(BIG, 3, 3, new SplittableRandom(3)), 1.5, 2);
        assertStats(new XavierNormal().init(BIG, 100, 7, new SplittableRandom(4)), 0, Math.sqrt(1.0 / 100));
        assertStats(new HeNormal().init(BIG, 50, 7, new SplittableRandom(5)), 0, Math.sqrt(2.0 / 50));
    }

    @Test
    void fanScaledRulesShrinkWithFanIn() {
        double wide = stats(new HeNormal().init(BIG, 10, 10, new SplittableRandom(6)))[1];
        double narrow = stats(new HeNormal().init(BIG, 1000, 10, new SplittableRandom(6)))[1];
        assertEquals(10, wide / narrow, 0.2);
    }

    @Test
    void sameSeedSameValuesForEveryRule() {
        List<Initializer> all = List.of(new Zeros(), new Constant(2), new Normal(0, 1), new Uniform(0, 1),
            new LeCunUniform(), new GlorotUniform(), new XavierNormal(), new HeNormal());
        TestData.props(30).forAll(integers().between(1, 6), integers().between(1, 6), longs().all())
            .checkAssert((rows, cols, seed) -> {
                for (Initializer init : all) {
                    Tensor a = init.init(new int[] {rows, cols}, cols, rows, new SplittableRandom(seed));
                    Tensor b = init.init(new int[] {rows, cols}, cols, rows, new SplittableRandom(seed));
                    assertArrayEquals(new int[] {rows, cols}, a.shape(), init.toString());
                    assertArrayEquals(a.toArray(), b.toArray(), init + " with seed " + seed);
                }
            });
    }

    @Test
    void differentSeedsDiffer() {
        Tensor a = new GlorotUniform().init(new int[] {8, 8}, new SplittableRandom(1));
        Tensor b = new GlorotUniform().init(new int[] {8, 8}, new SplittableRandom(2));
        assertFalse(java.util.Arrays.equals(a.toArray(), b.toArray()));
    }

    @Test
    void fansFromShape() {
        assertArrayEquals(new int[] {3, 5}, Initializer.fans(new int[] {5, 3}));
        assertArrayEquals(new int[] {7, 7}, Initializer.fans(new int[] {7}));
        assertArrayEquals(new int[] {1, 1}, Initializer.fans(new int[] {}));
        assertArrayEquals(new int[] {3 * 4, 5 * 4}, Initializer.fans(new int[] {5, 3, 2, 2}));
        // the shape-only overload uses those fans: bound 1/sqrt(16) for [2, 16]
        Tensor t = new LeCunUniform().init(new int[] {2, 16}, new SplittableRandom(0));
        for (double v : t.toArray()) assertTrue(Math.abs(v) <= 0.25);
    }

    @Test
    void badArguments() {
        var rng = new SplittableRandom(0);
        assertThrows(IllegalArgumentException.class, () -> new Normal(0, -1));
        assertThrows(IllegalArgumentException.class, () -> new Uniform(1, 0));
        assertThrows(IllegalArgumentException.class, () -> new Constant(Double.NaN));
        var e = assertThrows(IllegalArgumentException.class, () -> new HeNormal().init(new int[] {2, 0}, 1, 1, rng));
        assertTrue(e.getMessage().startsWith("HeNormal:"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new GlorotUniform().init(new int[] {2, 2}, 0, 2, rng));
        assertThrows(NullPointerException.class, () -> new Zeros().init(new int[] {2}, 2, 2, null));
    }
}

package dev.chainrule.nn.init;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chainrule.autograd.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Fan computations never overflow: huge fans give finite, tiny bounds, and fans past an int are rejected. */
class FansTest {

    @Test
    void hugeFansGiveFiniteNonZeroWeights() {
        SplittableRandom rng = new SplittableRandom(1);
        int big = Integer.MAX_VALUE;
        for (Initializer init : new Initializer[] {new GlorotUniform(), new HeNormal(), new LeCunUniform(), new XavierNormal()}) {
            double[] w = init.init(new int[] {4}, big, big, rng).toArray();
            for (double v : w) {
                assertTrue(Double.isFinite(v) && v != 0 && Math.abs(v) < 1e-3, init + " gave " + v);
            }
        }
        // Glorot's bound is sqrt(6 / (fanIn + fanOut)): with two maximal fans the int sum would wrap to -2.
        double[] w = new GlorotUniform().init(new int[] {1000}, big, big, rng).toArray();
        double bound = Math.sqrt(6.0 / (2.0 * big));
        for (double v : w) assertTrue(Math.abs(v) <= bound, v + " outside ±" + bound);
    }

    @Test
    void fansOfAShapeAreComputedWithoutOverflow() {
        assertArrayEquals(new int[] {3 * 25, 2 * 25}, Initializer.fans(new int[] {2, 3, 5, 5}));
        assertArrayEquals(new int[] {1, 1}, Initializer.fans(new int[0]));
        assertArrayEquals(new int[] {7, 7}, Initializer.fans(new int[] {7}));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Initializer.fans(new int[] {1, 65536, 65536}));
        assertTrue(e.getMessage().contains("more than a tensor can hold"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Initializer.fans(new int[] {2, 0}));
        assertTrue(e.getMessage().contains("dimension 0"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Initializer.fans(new int[] {65536, 65536, 65536, 65536}));
        Tensor t = new HeNormal().init(new int[] {3, 4}, new SplittableRandom(2));
        assertEquals(12, t.size());
    }
}

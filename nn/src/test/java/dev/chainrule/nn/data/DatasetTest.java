package dev.chainrule.nn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.chainrule.autograd.Autograd;
import dev.chainrule.autograd.Tensor;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class DatasetTest {

    @Test
    void constructorRejectsDifferentSampleCountsNamingBothShapes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> new Dataset(Tensor.zeros(4, 3), Tensor.zeros(5, 1)));
        assertTrue(e.getMessage().contains("[4, 3]") && e.getMessage().contains("[5, 1]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Dataset(Tensor.scalar(1), Tensor.zeros(1)));
    }

    @Test
    void batchGathersRowsInIndexOrder() {
        // x: [3, 2, 2], y: [3]
        double[] xs = new double[12];
        for (int i = 0; i < 12; i++) xs[i] = i;
        Dataset d = new Dataset(Tensor.of(xs, 3, 2, 2), Tensor.of(10, 11, 12));
        assertEquals(3, d.size());
        Batch b = d.batch(new int[] {2, 0, 2});
        assertArrayEquals(new int[] {3, 2, 2}, b.x().shape());
        assertArrayEquals(new double[] {8, 9, 10, 11, 0, 1, 2, 3, 8, 9, 10, 11}, b.x().toArray());
        assertArrayEquals(new double[] {12, 10, 12}, b.y().toArray());
        assertArrayEquals(new int[] {3}, b.y().shape());

        Dataset s = d.subset(new int[] {1});
        assertEquals(1, s.size());
        assertArrayEquals(new double[] {4, 5, 6, 7}, s.x().toArray());
        assertArrayEquals(new double[] {11}, s.y().toArray());

        assertThrows(IllegalArgumentException.class, () -> d.batch(new int[] {3}));
        assertThrows(IllegalArgumentException.class, () -> d.batch(new int[] {-1}));
        assertThrows(IllegalArgumentException.class, () -> d.batch(new int[0]));
    }

    @Test
    @SuppressWarnings("try")
    void snapshotIsCutFromTheGraphAndFromLaterChanges() {
        Tensor x = Tensor.of(new double[] {1, 2, 3, 4}, 2, 2).requiresGrad();
        Tensor y = Tensor.of(5, 6);
        Dataset d = new Dataset(x, y);
        assertFalse(d.x().isGradRequired());
        try (var s = Autograd.noGrad()) {
            x.mulInPlace(0);
        }
        assertArrayEquals(new double[] {1, 2, 3, 4}, d.x().toArray());
        assertArrayEquals(new double[] {3, 4}, d.batch(new int[] {1}).x().toArray());
    }

    @Test
    void splitIsADisjointCoverWithTheRequestedSizes() {
        qt().forAll(integers().between(2, 200), integers().between(1, 99), longs().all()).checkAssert((n, pct, seed) -> {
            Dataset d = DataLoaderTest.indexed(n);
            double fraction = pct / 100.0;
            Dataset.Split split = d.split(fraction, new SplittableRandom(seed));
            int expectedTest = Math.max(1, Math.min(n - 1, (int) Math.round(n * fraction)));
            assertEquals(expectedTest, split.test().size());
            assertEquals(n - expectedTest, split.train().size());
            TreeSet<Integer> all = new TreeSet<>();
            for (Dataset part : new Dataset[] {split.train(), split.test()}) {
                for (int r = 0; r < part.size(); r++) {
                    int id = (int) part.x().get(r, 0);
                    assertEquals(-id, part.y().get(r));
                    assertTrue(all.add(id), "sample " + id + " is in both parts or twice");
                }
            }
            assertEquals(n, all.size());
        });
    }

    @Test
    void splitIsReproducibleAndShuffled() {
        Dataset d = DataLoaderTest.indexed(50);
        Dataset.Split a = d.split(0.2, new SplittableRandom(3));
        Dataset.Split b = d.split(0.2, new SplittableRandom(3));
        Dataset.Split c = d.split(0.2, new SplittableRandom(4));
        assertEquals(10, a.test().size());
        assertArrayEquals(a.test().x().toArray(), b.test().x().toArray());
        assertArrayEquals(a.train().y().toArray(), b.train().y().toArray());
        assertFalse(Arrays.equals(a.test().y().toArray(), c.test().y().toArray()));
        // Not simply the last 10 samples.
        double[] lastTen = new double[10];
        for (int i = 0; i < 10; i++) lastTen[i] = -(40 + i);
        assertFalse(Arrays.equals(lastTen, a.test().y().toArray()));
    }

    @Test
    void splitRejectsBadFractions() {
        Dataset d = DataLoaderTest.indexed(10);
        for (double f : new double[] {0, 1, -0.1, 1.5, Double.NaN}) {
            assertThrows(IllegalArgumentException.class, () -> d.split(f, new SplittableRandom(1)), "fraction " + f);
        }
        assertThrows(IllegalArgumentException.class, () -> DataLoaderTest.indexed(1).split(0.5, new SplittableRandom(1)));
    }
}

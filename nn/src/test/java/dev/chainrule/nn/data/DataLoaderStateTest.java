package dev.chainrule.nn.data;

import static dev.chainrule.nn.data.DataLoaderTest.epoch;
import static dev.chainrule.nn.data.DataLoaderTest.flatten;
import static dev.chainrule.nn.data.DataLoaderTest.indexed;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chainrule.autograd.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The loader's whole random state is its epoch counter: orders are a pure function of (seed, epoch),
 * an epoch resumes at any batch, and batch sizes up to Integer.MAX_VALUE work; a Batch validates itself.
 */
class DataLoaderStateTest {

    @Test
    void settingTheEpochReproducesThatEpochsOrder() {
        DataLoader a = DataLoader.builder(indexed(25)).batchSize(4).shuffle(99L).build();
        List<int[]> orders = new ArrayList<>();
        for (int e = 0; e < 5; e++) {
            assertEquals(e, a.epoch());
            orders.add(flatten(epoch(a)));
        }
        DataLoader b = DataLoader.builder(indexed(25)).batchSize(4).shuffle(99L).build();
        b.setEpoch(3);
        assertArrayEquals(orders.get(3), flatten(epoch(b)), "epoch 3 of a fresh loader set to 3");
        assertArrayEquals(orders.get(4), flatten(epoch(b)));
        assertEquals(5, b.epoch());
        b.setEpoch(0);
        assertArrayEquals(orders.get(0), flatten(epoch(b)));
        for (int e = 0; e < 5; e++) assertArrayEquals(orders.get(e), DataLoader.permutation(25, 99L, e), "the public pure function, epoch " + e);
        assertThrows(IllegalArgumentException.class, () -> DataLoader.permutation(0, 1L, 0));
        assertThrows(IllegalArgumentException.class, () -> DataLoader.permutation(3, 1L, -1));
        assertEquals(99L, b.shuffleSeed());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.setEpoch(-1));
        assertEquals("DataLoader.setEpoch: -1 is negative", e.getMessage());
    }

    @Test
    void anEpochResumesAtAnyBatchInTheOrderOfTheWholeEpoch() {
        DataLoader a = DataLoader.builder(indexed(23)).batchSize(5).shuffle(new SplittableRandom(4)).build();
        List<int[]> whole = epoch(a);                               // 5 batches: 5, 5, 5, 5, 3
        for (int first = 0; first <= 5; first++) {
            a.setEpoch(0);
            Iterator<Batch> it = a.iterator(first);
            List<int[]> rest = new ArrayList<>();
            while (it.hasNext()) {
                Batch b = it.next();
                int[] ids = new int[b.size()];
                for (int r = 0; r < ids.length; r++) ids[r] = (int) b.x().get(r, 0);
                rest.add(ids);
            }
            assertEquals(5 - first, rest.size());
            for (int i = 0; i < rest.size(); i++) assertArrayEquals(whole.get(first + i), rest.get(i), "batch " + (first + i));
            assertEquals(1, a.epoch(), "a resumed epoch still counts as one");
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> a.iterator(6));
        assertEquals("DataLoader.iterator: first batch 6 is not in [0, 5] (this loader has 5 batches per epoch)", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> a.iterator(-1));
    }

    @Test
    void shuffleFromAGeneratorDrawsOneSeedAtBuildTime() {
        SplittableRandom rng = new SplittableRandom(8);
        DataLoader a = DataLoader.builder(indexed(10)).batchSize(3).shuffle(rng).build();
        long seed = new SplittableRandom(8).nextLong();
        assertEquals(seed, a.shuffleSeed());
        int[] first = flatten(epoch(a));
        rng.nextLong();                                              // later use of the generator does not matter
        DataLoader b = DataLoader.builder(indexed(10)).batchSize(3).shuffle(seed).build();
        assertArrayEquals(first, flatten(epoch(b)));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> DataLoader.builder(indexed(3)).build().shuffleSeed());
        assertTrue(e.getMessage().contains("does not shuffle"), e.getMessage());
    }

    @Test
    void permutationsAreUniform() {
        // All 6 orders of 3 samples, over 6000 epochs: each about 1000 times (a chi-square test at 5 degrees of freedom).
        DataLoader l = DataLoader.builder(indexed(3)).batchSize(3).shuffle(2026L).build();
        Map<String, Integer> counts = new HashMap<>();
        for (int e = 0; e < 6000; e++) counts.merge(Arrays.toString(flatten(epoch(l))), 1, Integer::sum);
        assertEquals(6, counts.size(), counts.toString());
        double chi2 = 0;
        for (int c : counts.values()) chi2 += (c - 1000.0) * (c - 1000.0) / 1000.0;
        assertTrue(chi2 < 20.5, "chi-square " + chi2 + " (p < 0.001 at 5 degrees of freedom): " + counts);
    }

    @Test
    void theLargestBatchSizeGivesOneBatchPerEpoch() {
        Dataset d = indexed(7);
        DataLoader full = DataLoader.builder(d).batchSize(Integer.MAX_VALUE).build();
        assertEquals(1, full.batchesPerEpoch(), "ceil(7 / (2^31 - 1)) computed without overflow");
        List<int[]> batches = epoch(full);
        assertEquals(1, batches.size());
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 6}, batches.get(0));
        DataLoader shuffled = DataLoader.builder(d).batchSize(Integer.MAX_VALUE).shuffle(1L).build();
        assertEquals(7, flatten(epoch(shuffled)).length);
        assertEquals(1, DataLoader.builder(d).batchSize(Integer.MAX_VALUE - 1).build().batchesPerEpoch());
        assertThrows(IllegalArgumentException.class, () -> DataLoader.builder(d).batchSize(Integer.MAX_VALUE).dropLast(true).build());
        DataLoader dropped = DataLoader.builder(d).batchSize(7).dropLast(true).build();
        assertEquals(1, dropped.batchesPerEpoch());
        assertFalse(dropped.iterator(1).hasNext(), "resuming after the last batch yields nothing");
    }

    @Test
    void aBatchValidatesItsComponents() {
        NullPointerException n = assertThrows(NullPointerException.class, () -> new Batch(null, Tensor.ones(2)));
        assertEquals("Batch: x is null", n.getMessage());
        n = assertThrows(NullPointerException.class, () -> new Batch(Tensor.ones(2), null));
        assertEquals("Batch: y is null", n.getMessage());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Batch(Tensor.scalar(1), Tensor.ones(1)));
        assertTrue(e.getMessage().startsWith("Batch: x [] and y [1] must both be batch-first"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Batch(Tensor.ones(3, 2), Tensor.ones(2)));
        assertTrue(e.getMessage().startsWith("Batch: x [3, 2] and y [2]"), e.getMessage());
        assertEquals(3, new Batch(Tensor.ones(3, 2), Tensor.ones(3)).size());
        assertThrows(NullPointerException.class, () -> new Dataset.Split(null, indexed(2)));
    }
}

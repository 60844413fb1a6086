package dev.chainrule.nn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.chainrule.autograd.Tensor;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class DataLoaderTest {

    /** Sample i has x = [i, i + 0.5] and y = [-i], so a batch row tells which sample it is. */
    static Dataset indexed(int n) {
        double[] x = new double[2 * n];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            x[2 * i] = i;
            x[2 * i + 1] = i + 0.5;
            y[i] = -i;
        }
        return new Dataset(Tensor.of(x, n, 2), Tensor.of(y, n));
    }

    /** The sample ids of one epoch, batch by batch, checking that x and y rows belong together. */
    static List<int[]> epoch(DataLoader loader) {
        List<int[]> out = new ArrayList<>();
        for (Batch b : loader) {
            int k = b.x().shape()[0];
            assertEquals(k, b.y().shape()[0]);
            assertEquals(k, b.size());
            assertFalse(b.x().isGradRequired());
            int[] ids = new int[k];
            for (int r = 0; r < k; r++) {
                ids[r] = (int) b.x().get(r, 0);
                assertEquals(ids[r] + 0.5, b.x().get(r, 1));
                assertEquals(-ids[r], b.y().get(r));
            }
            out.add(ids);
        }
        return out;
    }

    static int[] flatten(List<int[]> batches) {
        return batches.stream().flatMapToInt(java.util.Arrays::stream).toArray();
    }

    @Test
    void everySampleExactlyOncePerEpochForAnySettings() {
        qt().forAll(integers().between(1, 40), integers().between(1, 50), longs().all())
            .checkAssert((n, b, seed) -> {
                boolean shuffle = (seed & 1) != 0;
                boolean dropLast = (seed & 2) != 0;
                if (dropLast && b > n) {
                    assertThrows(IllegalArgumentException.class,
                        () -> DataLoader.builder(indexed(n)).batchSize(b).dropLast(true).build());
                    return;
                }
                DataLoader.Builder builder = DataLoader.builder(indexed(n)).batchSize(b).dropLast(dropLast);
                if (shuffle) builder.shuffle(new SplittableRandom(seed));
                DataLoader loader = builder.build();
                int expectedBatches = dropLast ? n / b : (n + b - 1) / b;
                assertEquals(expectedBatches, loader.batchesPerEpoch());
                for (int e = 0; e < 3; e++) {
                    List<int[]> batches = epoch(loader);
                    assertEquals(expectedBatches, batches.size());
                    for (int i = 0; i < batches.size(); i++) {
                        int size = batches.get(i).length;
                        if (i < batches.size() - 1 || dropLast) assertEquals(b.intValue(), size);
                        else assertEquals(n - (expectedBatches - 1) * b, size);
                    }
                    int[] seen = new int[n];
                    for (int id : flatten(batches)) seen[id]++;
                    int covered = 0;
                    for (int c : seen) {
                        assertTrue(c == 0 || c == 1, "a sample appeared " + c + " times in one epoch");
                        covered += c;
                    }
                    assertEquals(dropLast ? (n / b) * b : n, covered);
                    if (!shuffle && !dropLast) {
                        for (int i = 0; i < n; i++) assertEquals(1, seen[i]);
                    }
                }
            });
    }

    @Test
    void fixedOrderWithoutShuffle() {
        DataLoader loader = DataLoader.builder(indexed(7)).batchSize(3).build();
        for (int e = 0; e < 2; e++) {
            List<int[]> batches = epoch(loader);
            assertArrayEquals(new int[] {0, 1, 2}, batches.get(0));
            assertArrayEquals(new int[] {3, 4, 5}, batches.get(1));
            assertArrayEquals(new int[] {6}, batches.get(2));
        }
        DataLoader dropped = DataLoader.builder(indexed(7)).batchSize(3).dropLast(true).build();
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5}, flatten(epoch(dropped)));
    }

    @Test
    void shuffleIsReproducibleFromSeedAndDiffersAcrossEpochs() {
        DataLoader a = DataLoader.builder(indexed(20)).batchSize(4).shuffle(new SplittableRandom(7)).build();
        DataLoader b = DataLoader.builder(indexed(20)).batchSize(4).shuffle(new SplittableRandom(7)).build();
        int[] a1 = flatten(epoch(a)), a2 = flatten(epoch(a)), a3 = flatten(epoch(a));
        assertArrayEquals(a1, flatten(epoch(b)));
        assertArrayEquals(a2, flatten(epoch(b)));
        assertArrayEquals(a3, flatten(epoch(b)));
        // 20! orders: equal consecutive epochs would mean the loader does not reshuffle.
        assertFalse(java.util.Arrays.equals(a1, a2));
        assertFalse(java.util.Arrays.equals(a2, a3));
        int[] identity = java.util.stream.IntStream.range(0, 20).toArray();
        assertFalse(java.util.Arrays.equals(a1, identity));
        DataLoader c = DataLoader.builder(indexed(20)).batchSize(4).shuffle(new SplittableRandom(8)).build();
        assertFalse(java.util.Arrays.equals(a1, flatten(epoch(c))));
    }

    @Test
    void gradientDescentVariantsAreBatchSizes() {
        Dataset d = indexed(10);
        DataLoader full = DataLoader.builder(d).batchSize(d.size()).build();
        assertEquals(1, full.batchesPerEpoch());
        Batch only = full.iterator().next();
        assertArrayEquals(d.x().toArray(), only.x().toArray());
        assertArrayEquals(d.y().toArray(), only.y().toArray());

        DataLoader sgd = DataLoader.builder(d).batchSize(1).shuffle(new SplittableRandom(1)).build();
        assertEquals(10, sgd.batchesPerEpoch());
        for (Batch b : sgd) assertArrayEquals(new int[] {1, 2}, b.x().shape());

        DataLoader big = DataLoader.builder(d).batchSize(64).build();
        assertEquals(1, big.batchesPerEpoch());
        assertEquals(10, big.iterator().next().size());
        assertEquals(64, big.batchSize());
        assertTrue(big.dataset() == d);
    }

    @Test
    void iteratorEndsCleanly() {
        Iterator<Batch> it = DataLoader.builder(indexed(3)).batchSize(2).build().iterator();
        it.next();
        it.next();
        assertFalse(it.hasNext());
        assertThrows(NoSuchElementException.class, it::next);
    }

    @Test
    void rejectsBadSettings() {
        Dataset d = indexed(5);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DataLoader.builder(d).batchSize(0));
        assertTrue(e.getMessage().startsWith("DataLoader: batch size 0 "), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> DataLoader.builder(d).batchSize(-3));
        IllegalArgumentException drop = assertThrows(IllegalArgumentException.class,
            () -> DataLoader.builder(d).batchSize(6).dropLast(true).build());
        assertTrue(drop.getMessage().contains("6") && drop.getMessage().contains("5"), drop.getMessage());
        assertThrows(NullPointerException.class, () -> DataLoader.builder(d).shuffle(null));
        assertThrows(NullPointerException.class, () -> DataLoader.builder(null));
        assertNotEquals("", DataLoader.builder(d).build().toString());
    }
}

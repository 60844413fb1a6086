package dev.chainrule.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chainrule.autograd.Tensor;
import dev.chainrule.nn.data.Dataset;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The three ways of building a {@link ShardedData}: global indices, shapes, lineage, loader errors. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ShardedDataTest {

    private JavaSparkContext sc;

    @BeforeAll
    void start() {
        sc = TestSpark.context();
    }

    /** Shard i holds i + 1 samples of shape [2, 3] with targets [2]; sample values encode (shard, row). */
    private static Dataset shard(int i) {
        int n = i + 1;
        double[] x = new double[n * 6], y = new double[n * 2];
        for (int r = 0; r < n; r++) {
            for (int j = 0; j < 6; j++) x[r * 6 + j] = 100 * i + 10 * r + j;
            y[r * 2] = i;
            y[r * 2 + 1] = r;
        }
        return new Dataset(Tensor.of(x, n, 2, 3), Tensor.of(y, n, 2));
    }

    @Test
    void loaderShardsGetConsecutiveGlobalIndicesAndComeBackInOrder() {
        try (ShardedData data = ShardedData.fromLoader(sc, 4, ShardedDataTest::shard)) {
            assertEquals(10, data.size());
            assertEquals(4, data.partitions());
            assertArrayEquals(new int[] {2, 3}, data.featureShape());
            assertArrayEquals(new int[] {2}, data.targetShape());
            for (int p = 0; p < 4; p++) assertEquals(p + 1, data.rows(p));
            assertEquals(6, data.offset(3));
            Dataset all = data.toDataset();
            assertArrayEquals(new int[] {10, 2, 3}, all.x().shape());
            // global sample 7 is shard 3, row 1
            assertEquals(3.0, all.y().get(7, 0));
            assertEquals(1.0, all.y().get(7, 1));
            assertEquals(310.0 + 4, all.x().get(7, 1, 1));
        }
    }

    @Test
    void aFailingLoaderIsNamedByShard() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> ShardedData.fromLoader(sc, 3, i -> {
            if (i == 2) throw new IOException("disk on fire");
            return shard(i);
        }));
        assertEquals("ShardedData: partition 2: the shard loader failed: java.io.IOException: disk on fire", e.getMessage());
        assertEquals(IOException.class, e.getCause().getClass());
    }

    @Test
    void shardsOfDifferentShapesAreRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ShardedData.fromLoader(sc, 2,
            i -> i == 0 ? shard(0) : new Dataset(Tensor.zeros(2, 5), Tensor.zeros(2, 2))));
        assertEquals("ShardedData: partition 1 has samples of feature shape [5] and target shape [2] but partition 0 has [2, 3] and [2]; "
            + "every sample must have the same shapes", e.getMessage());
    }

    @Test
    void parallelizedSamplesAreCutFromTheirLineageOthersKeepIt() {
        List<Sample> samples = new ArrayList<>();
        for (int i = 0; i < 9; i++) samples.add(Sample.of(new double[] {i, -i}, i % 2));
        assertTrue(ShardedData.shipsData(sc.parallelize(samples, 3).map(s -> s).rdd()));
        assertFalse(ShardedData.shipsData(sc.textFile("pom.xml").rdd()));
        try (ShardedData data = ShardedData.fromSamples(sc.parallelize(samples, 3), new int[] {2}, new int[0])) {
            assertTrue(data.rdd().rdd().isLocallyCheckpointed());
            assertEquals(9, data.size());
            assertEquals(6, data.offset(2));
            assertEquals(-7.0, data.toDataset().x().get(7, 1));
        }
    }
}

package dev.chainrule.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chainrule.autograd.Tensor;
import dev.chainrule.nn.Mlp;
import dev.chainrule.nn.Module;
import dev.chainrule.nn.data.Dataset;
import dev.chainrule.nn.loss.CrossEntropy;
import dev.chainrule.optim.Adam;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Bad input gets a clear error naming the partition and rows (not a Spark stack trace to decode),
 * and a failed step leaves the driver's parameters as they were; uneven and empty partitions are
 * not an error: they give exactly the result of the same shards summed on one machine.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BadInputTest {

    private static final java.util.concurrent.atomic.AtomicInteger BUILDS = new java.util.concurrent.atomic.AtomicInteger();

    private JavaSparkContext sc;
    private final Dataset dataset = Reference.blobs(55, 4);

    @BeforeAll
    void start() {
        sc = TestSpark.context();
    }

    private SparkTrainer.Builder trainer(ModelFactory factory) {
        return SparkTrainer.builder(sc, factory, CrossEntropy::new, Reference.adam()).batchSize(16).epochs(2).seed(5);
    }

    @Test
    void emptyPartitionsAndPartitionsBelowTheirShareGiveTheShardedReferenceResult() {
        int[] sizes = {0, 20, 0, 1, 34};
        try (ShardedData data = ShardedData.fromDataset(sc, dataset, sizes)) {
            assertEquals(5, data.partitions());
            assertEquals(20, data.offset(3));
            SparkTrainer t = trainer(Reference.mlp()).build();
            double[] losses = t.fit(data).stepLosses();
            Reference.Run ref = Reference.sharded(Reference.mlp(), CrossEntropy::new, Reference.adam(), dataset, sizes, 16, 2, 5);
            assertArrayEquals(ref.stepLosses(), losses, 0.0);
            assertArrayEquals(ref.parameters(), Reference.flat(t.model()), 0.0);
            Reference.Run plain = Reference.trainer(Reference.mlp(), CrossEntropy::new, Reference.adam(), dataset, 16, 2, 5);
            assertTrue(Reference.elementwiseRelativeDifference(Reference.flat(t.model()), plain.parameters()) <= 1e-12);
        }
    }

    @Test
    void dataWithoutAnySampleIsRejected() {
        try (ShardedData data = ShardedData.fromLoader(sc, 3, shard -> null)) {
            assertEquals(0, data.size());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> trainer(Reference.mlp()).build().fit(data));
            assertEquals("SparkTrainer.fit: the training data has no samples (all 3 partitions are empty)", e.getMessage());
        }
    }

    @Test
    void aLabelOutOfRangeNamesThePartitionAndRowsAndTheParametersStayAsAfterTheLastGoodStep() {
        double[] y = dataset.y().toArray();
        y[40] = 3;   // 3 classes: 0, 1, 2
        Dataset bad = new Dataset(dataset.x(), Tensor.of(y, y.length));
        try (ShardedData data = ShardedData.fromDataset(sc, bad, 3)) {
            IllegalArgumentException check = assertThrows(IllegalArgumentException.class, () -> data.checkClassIndices(3));
            assertEquals("ShardedData.checkClassIndices: partition 2, row 3 of that partition (global sample 40): target 3.0 is not a class "
                + "index in [0, 3)", check.getMessage());

            List<double[]> after = new ArrayList<>();
            SparkTrainer[] self = new SparkTrainer[1];
            SparkTrainer t = trainer(Reference.mlp()).listener(s -> after.add(Reference.flat(self[0].model()))).build();
            self[0] = t;
            double[] initial = Reference.flat(t.model());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.fit(data));
            assertTrue(e.getMessage().matches("SparkTrainer: step \\d+ \\(epoch \\d, batch \\d\\): partition 2 failed in step \\d+ on its \\d+ rows "
                + "of the batch \\(global samples [0-9, ]*40[0-9, ]*; a 'position' below counts these rows\\): CrossEntropy: target 3.0 at position \\d+ "
                + "is not a class index in \\[0, 3\\).*; the update was not applied, the driver's parameters are unchanged"), e.getMessage());
            assertEquals(IllegalArgumentException.class, e.getCause().getClass());
            assertEquals(after.size(), t.step());
            assertEquals(after.size(), t.optimizer().stepCount());
            assertArrayEquals(after.isEmpty() ? initial : after.get(after.size() - 1), Reference.flat(t.model()), 0.0);
        }
    }

    @Test
    void samplesOfTheWrongWidthAreReportedByPartitionAndRow() {
        List<Sample> samples = new ArrayList<>();
        for (int i = 0; i < 12; i++) samples.add(Sample.of(new double[] {1, 2, 3, 4}, i % 3));
        samples.set(8, Sample.of(new double[] {1, 2, 3}, 0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> ShardedData.fromSamples(sc.parallelize(samples, 3), new int[] {4}, new int[0]));
        assertEquals("ShardedData: partition 2, row 0 of that partition: 3 feature values, expected 4 (feature shape [4])", e.getMessage());

        double[] x = dataset.x().toArray();
        x[4 * 30 + 2] = Double.NaN;
        e = assertThrows(IllegalArgumentException.class,
            () -> ShardedData.fromDataset(sc, new Dataset(Tensor.of(x, 55, 4), dataset.y()), 2));
        assertEquals("ShardedData: partition 1, row 2 of that partition: feature 2 is NaN; every value must be finite", e.getMessage());
    }

    @Test
    void dataWiderThanTheModelFailsTheFirstStepNamingThePartition() {
        try (ShardedData data = ShardedData.fromDataset(sc, dataset, 2)) {
            SparkTrainer t = trainer(() -> Mlp.builder().sizes(5, 8, 3).seed(1).build()).build();
            double[] before = Reference.flat(t.model());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.fit(data));
            // whichever of the two partitions fails first is reported
            assertTrue(e.getMessage().matches("SparkTrainer: step 0 \\(epoch 1, batch 1\\): partition [01] failed in step 0 on its \\d+ rows .*"
                + "layers\\.0 \\(Linear in=5, out=8\\): input shape \\[\\d+, 4\\] does not end in 5.*"), e.getMessage());
            assertArrayEquals(before, Reference.flat(t.model()), 0.0);
        }
    }

    @Test
    void aFactoryThatIsNotSerializableIsRejectedBeforeAnyJob() {
        int jobsBefore = sc.statusTracker().getJobIdsForGroup(null).length;
        Object notSerializable = new Object();
        ModelFactory capturing = () -> {
            notSerializable.hashCode();
            return Mlp.builder().sizes(4, 8, 3).seed(1).build();
        };
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> trainer(capturing).build());
        assertTrue(e.getMessage().startsWith("SparkTrainer: the model factory ("), e.getMessage());
        assertTrue(e.getMessage().contains("is not serializable: java.io.NotSerializableException: java.lang.Object"), e.getMessage());
        assertEquals(jobsBefore, sc.statusTracker().getJobIdsForGroup(null).length, "no Spark job was started");
    }

    @Test
    void aFactoryRoundTripsThroughBytesAndOtherBytesAreRejected() throws Exception {
        ModelFactory f = () -> Mlp.builder().sizes(4, 8, 3).seed(1).build();
        assertArrayEquals(Reference.flat(f.create()), Reference.flat(ModelFactory.fromBytes(ModelFactory.toBytes(f)).create()), 0.0);
        java.io.IOException e = assertThrows(java.io.IOException.class, () -> ModelFactory.fromBytes(Serialization.toBytes("not a factory")));
        assertEquals("ModelFactory.fromBytes: the data holds a java.lang.String, not a ModelFactory", e.getMessage());
        Object notSerializable = new Object();
        assertThrows(java.io.NotSerializableException.class, () -> ModelFactory.toBytes(() -> {
            notSerializable.hashCode();
            return f.create();
        }));
    }

    @Test
    void aFactoryThatBuildsDifferentModelsIsRejected() {
        ModelFactory unseeded = () -> Mlp.builder().sizes(4, 8, 3).rng(new SplittableRandom()).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> trainer(unseeded).build());
        assertTrue(e.getMessage().startsWith("SparkTrainer: the model factory built two models with different initial values of layers.0.weight"),
            e.getMessage());

        ModelFactory growing = () -> Mlp.builder().sizes(4, 8 + BUILDS.getAndIncrement(), 3).seed(1).build();
        e = assertThrows(IllegalArgumentException.class, () -> trainer(growing).build());
        assertTrue(e.getMessage().contains("differ from the driver's"), e.getMessage());
    }

    @Test
    void anOptimizerOverOtherParametersIsRejected() {
        Module other = Mlp.builder().sizes(4, 8, 3).seed(1).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> SparkTrainer.builder(sc, Reference.mlp(), CrossEntropy::new, m -> Adam.builder(other).build()).build());
        assertTrue(e.getMessage().startsWith("SparkTrainer: the optimizer must update exactly the parameters of the model it is given"),
            e.getMessage());
    }
}

package dev.chainrule.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chainrule.nn.Module;
import dev.chainrule.nn.data.Dataset;
import dev.chainrule.nn.loss.CrossEntropy;
import dev.chainrule.optim.Optimizer;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The property that makes data-parallel training trustworthy: for 1, 2, 3 and 7 partitions, with Adam
 * and with SGD + momentum, on a model with dropout, the Spark run's loss curve and final parameters
 * equal bit for bit a single-machine loop summing the same shards in the same order, and equal plain
 * {@code Trainer} training (same global batches, same shuffling) within 1e-12 relative.
 * 55 samples, batches of 16 (the last of each epoch has 7), 2 epochs: 8 steps per run.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class EquivalenceTestBase {

    private static final Logger LOG = LoggerFactory.getLogger(EquivalenceTestBase.class);

    static final int N = 55;
    static final int BATCH = 16;
    static final int EPOCHS = 2;
    static final long SEED = 5;

    private JavaSparkContext sc;
    private final Dataset data = Reference.blobs(N, 2);
    private final Map<Integer, ShardedData> sharded = new HashMap<>();

    abstract String master();

    @BeforeAll
    void start() {
        sc = TestSpark.context(master());
    }

    @AfterAll
    void stop() {
        sharded.values().forEach(ShardedData::close);
    }

    static Stream<Arguments> cases() {
        return Stream.of(1, 2, 3, 7).flatMap(p -> Stream.of(Arguments.of(p, "adam"), Arguments.of(p, "sgd-momentum")));
    }

    private static Function<Module, Optimizer> optimizer(String name) {
        return name.equals("adam") ? Reference.adam() : Reference.sgdMomentum();
    }

    @ParameterizedTest(name = "{0} partitions, {1}")
    @MethodSource("cases")
    void sparkEqualsShardedReferenceBitForBitAndTrainerWithin1e12(int partitions, String opt) {
        ShardedData shards = sharded.computeIfAbsent(partitions, p -> ShardedData.fromDataset(sc, data, p));
        int[] sizes = new int[partitions];
        for (int p = 0; p < partitions; p++) sizes[p] = shards.rows(p);

        SparkTrainer trainer = SparkTrainer.builder(sc, Reference.mlp(), CrossEntropy::new, optimizer(opt))
            .batchSize(BATCH).epochs(EPOCHS).seed(SEED).build();
        SparkHistory history = trainer.fit(shards);
        double[] losses = history.stepLosses();
        double[] params = Reference.flat(trainer.model());

        Reference.Run sharded = Reference.sharded(Reference.mlp(), CrossEntropy::new, optimizer(opt), data, sizes, BATCH, EPOCHS, SEED);
        assertEquals(8, losses.length);
        assertArrayEquals(sharded.stepLosses(), losses, 0.0, "loss curve vs the sharded reference");
        assertArrayEquals(sharded.parameters(), params, 0.0, "final parameters vs the sharded reference");

        Reference.Run plain = Reference.trainer(Reference.mlp(), CrossEntropy::new, optimizer(opt), data, BATCH, EPOCHS, SEED);
        double lossDiff = Reference.elementwiseRelativeDifference(losses, plain.stepLosses());
        double paramDiff = Reference.relativeDifference(params, plain.parameters());
        double paramElementDiff = Reference.elementwiseRelativeDifference(params, plain.parameters());
        LOG.info("SPARK-EQUIVALENCE {} {} partitions {}: bit-identical to the sharded reference; vs Trainer: step losses {} (elementwise relative), parameters {} (normwise), {} (elementwise); "
            + "mean step {} ms", master(), partitions, opt, lossDiff, paramDiff, paramElementDiff, String.format("%.1f", history.meanStepMillis()));
        assertTrue(lossDiff <= 1e-12, "loss curve differs from Trainer's by " + lossDiff + " relative");
        assertTrue(paramDiff <= 1e-12, "parameters differ from Trainer's by " + paramDiff + " relative (normwise)");
        assertTrue(paramElementDiff <= 1e-12, "a parameter differs from Trainer's by " + paramElementDiff + " relative");
        // The runs must actually train: the dropout network's loss falls.
        assertTrue(losses[losses.length - 1] < losses[0], "loss did not decrease: " + losses[0] + " -> " + losses[losses.length - 1]);
    }
}

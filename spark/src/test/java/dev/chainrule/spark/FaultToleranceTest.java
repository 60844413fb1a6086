package dev.chainrule.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chainrule.nn.Mlp;
import dev.chainrule.nn.data.Dataset;
import dev.chainrule.nn.loss.CrossEntropy;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Task failures in {@code local[2,2]} (two attempts per task): a task that throws once is retried by
 * Spark and the run equals the fault-free run bit for bit; a task that fails every attempt fails the
 * step with a clear error, leaves the driver's parameters and optimizer state as they were, and
 * calling fit again continues to the same result as an uninterrupted run.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FaultToleranceTest {

    private JavaSparkContext sc;
    private ShardedData data;
    private final Dataset dataset = Reference.blobs(55, 3);
    /** The fault-free run both tests compare with. */
    private SparkTrainer clean;
    private double[] cleanLosses;

    @BeforeAll
    void start() {
        sc = TestSpark.context();   // local[2,2]: a failed task gets a second attempt
        data = ShardedData.fromDataset(sc, dataset, 3);
        Flaky.reset();
        clean = trainer().build();
        cleanLosses = clean.fit(data).stepLosses();
        assertFalse(Flaky.FIRED.get());
    }

    @AfterAll
    void stop() {
        data.close();
    }

    @BeforeEach
    void reset() {
        Flaky.reset();
    }

    static ModelFactory flaky() {
        return () -> new Flaky(Mlp.builder().sizes(4, 16, 16, 3).dropout(0.25).seed(11).build());
    }

    private SparkTrainer.Builder trainer() {
        return SparkTrainer.builder(sc, flaky(), CrossEntropy::new, Reference.adam()).batchSize(16).epochs(2).seed(5);
    }

    @Test
    void aTaskThatFailsOnceIsRetriedAndTheRunEqualsTheFaultFreeRunBitForBit() {
        SparkTrainer faulty = trainer().listener(s -> {
            if (s.step() == 1) Flaky.ONCE.set(true);   // partition 1's first attempt in step 2 throws
        }).build();
        double[] faultyLosses = faulty.fit(data).stepLosses();
        assertTrue(Flaky.FIRED.get(), "the fault was injected");
        assertFalse(Flaky.ONCE.get());
        assertArrayEquals(cleanLosses, faultyLosses, 0.0);
        assertArrayEquals(Reference.flat(clean.model()), Reference.flat(faulty.model()), 0.0);
    }

    @Test
    void aTaskThatAlwaysFailsFailsTheStepCleanlyAndFitResumesFromIt() {
        List<double[]> after = new ArrayList<>();
        SparkTrainer[] self = new SparkTrainer[1];
        SparkTrainer t = trainer().listener(s -> {
            after.add(Reference.flat(self[0].model()));
            if (s.step() == 1) Flaky.ALWAYS.set(true);   // step 2, a full batch of 16, has rows in partition 1
        }).build();
        self[0] = t;
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> t.fit(data));
        assertTrue(e.getMessage().startsWith("SparkTrainer: step 2 (epoch 1, batch 3): partition 1 failed in step 2 on its "), e.getMessage());
        assertTrue(e.getMessage().contains("injected fault in partition 1, attempt 1"), e.getMessage());
        assertTrue(e.getMessage().endsWith("the update was not applied, the driver's parameters are unchanged"), e.getMessage());
        assertEquals(IllegalStateException.class, e.getCause().getClass(), "the cause is the task's own error, not Spark's wrapper");
        assertEquals(2, t.step());
        assertEquals(2, t.optimizer().stepCount());
        assertArrayEquals(after.get(1), Reference.flat(t.model()), 0.0, "the parameters are those after the last good step");

        Flaky.ALWAYS.set(false);
        double[] rest = t.fit(data).stepLosses();
        assertEquals(cleanLosses.length - 2, rest.length);
        for (int i = 0; i < rest.length; i++) assertEquals(cleanLosses[i + 2], rest[i], 0.0, "step " + (i + 2));
        assertArrayEquals(Reference.flat(clean.model()), Reference.flat(t.model()), 0.0);
    }
}

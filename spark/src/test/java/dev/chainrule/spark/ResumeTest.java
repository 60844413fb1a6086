package dev.chainrule.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chainrule.nn.data.Dataset;
import dev.chainrule.nn.loss.CrossEntropy;
import dev.chainrule.optim.Accuracy;
import dev.chainrule.optim.Adam;
import dev.chainrule.optim.EpochSummary;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * A driver that checkpoints every k steps and crashes (a listener throws) is replaced by a new trainer
 * that restores the checkpoint and finishes the run: its loss curve, epoch summaries and final
 * parameters equal the uninterrupted run bit for bit, also when the checkpoint was taken at the last
 * step of an epoch. A checkpoint of another run is rejected before anything changes.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ResumeTest {

    private JavaSparkContext sc;
    private ShardedData data;
    private final Dataset dataset = Reference.blobs(55, 6);

    private SparkTrainer uninterruptedTrainer;
    private SparkHistory uninterrupted;

    @BeforeAll
    void start() {
        sc = TestSpark.context();
        data = ShardedData.fromDataset(sc, dataset, 3);
        uninterruptedTrainer = trainer().build();
        uninterrupted = uninterruptedTrainer.fit(data, data);
    }

    @AfterAll
    void stop() {
        data.close();
    }

    /** 55 samples in batches of 16: 4 steps per epoch, 2 epochs. */
    private SparkTrainer.Builder trainer() {
        return SparkTrainer.builder(sc, Reference.mlp(), CrossEntropy::new, Reference.adam()).batchSize(16).epochs(2).seed(5)
            .metric(Accuracy::multiclass);
    }

    private void crashAndResume(Path file, int every, long crashAfterStep) throws IOException {
        SparkTrainer crashing = trainer().checkpoint(file, every).listener(s -> {
            if (s.step() == crashAfterStep) throw new IllegalStateException("driver crash");
        }).build();
        IllegalStateException crash = assertThrows(IllegalStateException.class, () -> crashing.fit(data, data));
        assertEquals("driver crash", crash.getMessage());
        try (var files = Files.list(file.getParent())) {
            assertEquals(List.of(file), files.toList(), "the atomic write (temporary file, fsync, move) leaves only the checkpoint");
        }

        SparkTrainer resumed = trainer().build();
        long restored = resumed.restore(file);
        long expected = (crashAfterStep + 1) / every * every;
        assertEquals(expected, restored);
        assertEquals(expected, resumed.optimizer().stepCount());
        SparkHistory rest = resumed.fit(data, data);

        double[] all = uninterrupted.stepLosses();
        double[] tail = rest.stepLosses();
        assertEquals(all.length - expected, tail.length);
        for (int i = 0; i < tail.length; i++) assertEquals(all[(int) expected + i], tail[i], 0.0, "step " + (expected + i));
        assertArrayEquals(Reference.flat(uninterruptedTrainer.model()), Reference.flat(resumed.model()), 0.0);
        List<EpochSummary> before = uninterrupted.epochs();
        List<EpochSummary> after = rest.epochs();
        int firstEpoch = before.size() - after.size();
        // a checkpoint at the last step of epoch e (before its summary) reports epoch e again
        assertEquals(expected % 4 == 0 ? (int) expected / 4 - 1 : (int) expected / 4, firstEpoch);
        for (int i = 0; i < after.size(); i++) assertEquals(before.get(firstEpoch + i), after.get(i), "epoch " + (firstEpoch + i + 1));
    }

    @Test
    void aCrashedDriverResumesFromItsLastCheckpointBitForBit(@TempDir Path dir) throws IOException {
        crashAndResume(dir.resolve("run.safetensors"), 3, 6);   // checkpoint after 6 updates, in the middle of epoch 2
    }

    @Test
    void aCheckpointAtTheLastStepOfAnEpochStillGivesThatEpochsSummary(@TempDir Path dir) throws IOException {
        crashAndResume(dir.resolve("run.safetensors"), 4, 4);   // checkpoint after the 4th update = end of epoch 1
    }

    @Test
    void aCheckpointOfAnotherRunIsRejectedAndNothingChanges(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("run.safetensors");
        uninterruptedTrainer.saveCheckpoint(file);

        SparkTrainer otherBatch = SparkTrainer.builder(sc, Reference.mlp(), CrossEntropy::new, Reference.adam()).batchSize(8).epochs(2)
            .seed(5).build();
        double[] before = Reference.flat(otherBatch.model());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> otherBatch.restore(file));
        assertTrue(e.getMessage().contains("the checkpoint does not fit this trainer: batch size 16 (this trainer: 8)"), e.getMessage());
        assertEquals(0, otherBatch.step());
        assertArrayEquals(before, Reference.flat(otherBatch.model()), 0.0);

        SparkTrainer otherBetas = SparkTrainer.builder(sc, Reference.mlp(), CrossEntropy::new,
            m -> Adam.builder(m).lr(0.01).betas(0.8, 0.999).build()).batchSize(16).epochs(2).seed(5).build();
        e = assertThrows(IllegalArgumentException.class, () -> otherBetas.restore(file));
        assertTrue(e.getMessage().contains("hyperparameters differ: beta1 0.9 (here 0.8)"), e.getMessage());
        assertEquals(0, otherBetas.step());
        assertEquals(0, otherBetas.optimizer().stepCount());
        assertArrayEquals(before, Reference.flat(otherBetas.model()), 0.0);

        SparkTrainer same = trainer().build();
        assertEquals(8, same.restore(file));
        try (ShardedData fewer = ShardedData.fromDataset(sc, Reference.blobs(40, 6), 2)) {
            e = assertThrows(IllegalArgumentException.class, () -> same.fit(fewer));
            assertTrue(e.getMessage().contains("written while training on 55 samples, but this data has 40"), e.getMessage());
        }
        assertEquals(0, same.fit(data).steps().size(), "a finished run has nothing left to do");

        Path garbage = dir.resolve("garbage.safetensors");
        Files.write(garbage, new byte[] {1, 2, 3});
        assertThrows(IOException.class, () -> trainer().build().restore(garbage));
    }
}

package dev.chainrule.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.chainrule.autograd.Tensor;
import dev.chainrule.nn.data.DataLoader;
import dev.chainrule.nn.data.Dataset;
import dev.chainrule.nn.loss.MeanSquaredError;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** logEvery(0), the checkpoint options' validation, Scheduler.setPeriod and optimizer state files. */
class TrainerOptionsTest {

    @TempDir
    Path dir;

    private static Dataset data() {
        return new Dataset(Tensor.of(new double[] {0, 1, 1, 0, 1, 1, 0, 0}, 4, 2), Tensor.of(new double[] {1, 2, 3, 0}, 4, 1));
    }

    private static List<String> infoLines(Runnable body) {
        Logger logger = (Logger) LoggerFactory.getLogger(Trainer.class);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        Level before = logger.getLevel();
        logger.setLevel(Level.INFO);
        logger.setAdditive(false);
        try {
            body.run();
        } finally {
            logger.setLevel(before);
            logger.setAdditive(true);
            logger.detachAppender(appender);
        }
        return appender.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    @Test
    void logEveryZeroTurnsEpochLoggingOff() {
        var model = new TestSupport.LinearModel(2);
        Trainer quiet = Trainer.builder(model, new MeanSquaredError(), Sgd.builder(model).lr(0.1).build()).epochs(4).logEvery(0).build();
        assertEquals(List.of(), infoLines(() -> quiet.fit(DataLoader.builder(data()).batchSize(2).build())));
        Trainer loud = Trainer.builder(model, new MeanSquaredError(), Sgd.builder(model).lr(0.1).build()).epochs(4).build();
        assertEquals(4, infoLines(() -> loud.fit(DataLoader.builder(data()).batchSize(2).build())).size());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> Trainer.builder(model, new MeanSquaredError(), Sgd.builder(model).build()).logEvery(-1));
        assertEquals("Trainer: logEvery must be >= 0 (0 turns epoch logging off), got -1", e.getMessage());
    }

    @Test
    void checkpointOptionsAreValidated() {
        var model = new TestSupport.LinearModel(2);
        Trainer.Builder b = Trainer.builder(model, new MeanSquaredError(), Sgd.builder(model).build());
        SgdTest.assertMessage("Trainer: checkpointEvery needs a directory; call checkpoints(dir)", () -> b.checkpointEvery(5).build());
        SgdTest.assertMessage("Trainer: checkpoints(dir) with neither checkpointEvery(n) nor checkpointEachEpoch(true) would never"
            + " write a checkpoint", () -> Trainer.builder(model, new MeanSquaredError(), Sgd.builder(model).build())
            .checkpoints(dir).checkpointEachEpoch(false).build());
        SgdTest.assertMessage("Trainer: keepCheckpoints must be positive, got 0", () -> b.keepCheckpoints(0));
        SgdTest.assertMessage("Trainer: checkpointEvery must be >= 0 (0: only at epoch ends), got -1", () -> b.checkpointEvery(-1));
        assertThrows(NullPointerException.class, () -> b.checkpoints(null));
        Trainer noDir = Trainer.builder(model, new MeanSquaredError(), Sgd.builder(model).build()).build();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> noDir.resume(DataLoader.builder(data()).build()));
        assertEquals("Trainer.resume: no checkpoint directory; build the trainer with checkpoints(dir)", e.getMessage());
    }

    @Test
    void resumingAnEmptyDirectoryStartsTheRunAndTheFilesKeepTheNewestK() throws IOException {
        var model = new TestSupport.LinearModel(2);
        Trainer t = Trainer.builder(model, new MeanSquaredError(), Adam.builder(model).lr(0.1).build())
            .epochs(5).logEvery(0).checkpoints(dir.resolve("new")).checkpointEvery(3).keepCheckpoints(2).build();
        History h = t.resume(DataLoader.builder(data()).batchSize(2).shuffle(3L).build());
        assertEquals(5, h.size());
        try (var s = Files.list(dir.resolve("new"))) {
            assertEquals(List.of("checkpoint-000000000009.safetensors", "checkpoint-000000000010.safetensors"),
                s.map(p -> p.getFileName().toString()).sorted().toList(), "10 updates: saves at 3, 6, 9 and each epoch end; 2 kept");
        }
    }

    @Test
    void schedulerPeriodCanBeRestored() {
        Sgd sgd = Sgd.builder(List.of(Tensor.ones(1).requiresGrad())).lr(1).build();
        Scheduler s = new Scheduler(sgd, new HyperbolicDecay(1));
        s.setPeriod(9);
        assertEquals(9, s.period());
        assertEquals(1.0, sgd.learningRate(), 0.0, "setPeriod does not touch the rate");
        assertEquals(0.1, s.advance(), 1e-15);
        SgdTest.assertMessage("Scheduler.setPeriod: period -1 is negative", () -> s.setPeriod(-1));
        NullPointerException n = assertThrows(NullPointerException.class, () -> new Scheduler(sgd, null));
        assertEquals("Scheduler: schedule is null", n.getMessage());
    }

    @Test
    void optimizerStateRoundTripsThroughAFileAndOtherFilesAreRejected() throws IOException {
        List<Tensor> ps = OptimizerStateTest.parameters(3);
        RmsProp opt = RmsProp.builder(ps).lr(0.01).centered(true).momentum(0.5).build();
        for (int k = 1; k <= 3; k++) OptimizerStateTest.step(opt, ps, k);
        Path f = dir.resolve("opt.safetensors");
        opt.stateDict().write(f);
        OptimizerState back = OptimizerState.read(f);
        assertEquals(opt.stateDict(), back);
        RmsProp fresh = RmsProp.builder(OptimizerStateTest.parameters(4)).lr(0.01).centered(true).momentum(0.5).build();
        fresh.loadStateDict(back);
        assertEquals(opt.stateDict(), fresh.stateDict());

        Path other = dir.resolve("other.safetensors");
        dev.chainrule.nn.io.SafeTensors.write(Map.of("w", Tensor.ones(2)), other);
        IOException e = assertThrows(IOException.class, () -> OptimizerState.read(other));
        assertTrue(e.getMessage().startsWith(other + ": not an optimizer state written by OptimizerState.write"), e.getMessage());
        dev.chainrule.nn.io.SafeTensors.write(Map.of(), Map.of("format", "chainrule-optimizer", "optimizer", "{\"format_version\":2}"), other);
        e = assertThrows(IOException.class, () -> OptimizerState.read(other));
        assertTrue(e.getMessage().contains("format version 2 is not supported"), e.getMessage());
        dev.chainrule.nn.io.SafeTensors.write(Map.of(), Map.of("format", "chainrule-optimizer", "optimizer", "{\"format_version\":1,"
            + "\"type\":\"Sgd\",\"hyperparameters\":{},\"learning_rate\":-1,\"step_count\":0,\"parameter_shapes\":[],\"parameter_steps\":[]}"), other);
        e = assertThrows(IOException.class, () -> OptimizerState.read(other));
        assertEquals(other + ": OptimizerState: learning rate -1.0 must be >= 0 and finite", e.getMessage());
    }
}

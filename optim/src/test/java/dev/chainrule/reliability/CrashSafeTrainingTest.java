package dev.chainrule.reliability;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.chainrule.autograd.Tensor;
import dev.chainrule.nn.Module;
import dev.chainrule.nn.data.DataLoader;
import dev.chainrule.nn.io.SafeTensors;
import dev.chainrule.optim.History;
import dev.chainrule.optim.Trainer;
import dev.chainrule.optim.TrainingListener;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Crash-safe training, in one JVM: a run interrupted after any update (here by an exception, which
 * leaves the in-memory objects ahead of the last checkpoint) and resumed with freshly built objects
 * ends bit for bit where an uninterrupted run ends; a corrupt newest checkpoint is moved aside with
 * a WARN and the previous one used; a checkpoint of another architecture, optimizer or data order is
 * rejected before anything changes. {@link KillTest} does the same with SIGKILL.
 */
class CrashSafeTrainingTest {

    @TempDir
    static Path shared;
    @TempDir
    Path dir;

    private static Map<String, double[]> reference;
    private static String referenceLosses;

    /** Thrown by a listener to interrupt a run after a given update. */
    static final class Crash extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Crash() {
            super("simulated crash");
        }
    }

    static TrainingListener crashAfter(int update) {
        return new TrainingListener() {
            @Override
            public void onBatchEnd(int epoch, int batch, double loss) {
                if ((epoch - 1) * CrashRun.BATCHES_PER_EPOCH + batch == update) throw new Crash();
            }
        };
    }

    static Map<String, double[]> values(Module m) {
        Map<String, double[]> out = new LinkedHashMap<>();
        m.namedParameters().forEach((n, t) -> out.put(n, t.toArray()));
        return out;
    }

    static void assertSameBits(Map<String, double[]> expected, Map<String, double[]> actual, String what) {
        assertEquals(expected.keySet(), actual.keySet(), what);
        for (String k : expected.keySet()) assertArrayEquals(expected.get(k), actual.get(k), 0.0, what + ": " + k);
    }

    @BeforeAll
    static void uninterrupted() {
        CrashRun.Parts r = CrashRun.build(shared.resolve("reference"));
        History h = r.fit();
        assertEquals(CrashRun.EPOCHS, h.size());
        reference = values(r.model());
        referenceLosses = CrashRun.losses(h);
        Figures.report("crash", "uninterrupted run: %d epochs, final train loss %.4f, best epoch %d, accuracy %.3f",
            h.size(), h.last().trainLoss(), h.bestEpoch(), h.last().trainMetric());
    }

    private static List<Path> files(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.sorted().toList();
        }
    }

    @Test
    void interruptedAfterAnyUpdateAndResumedEndsBitForBit() throws IOException {
        for (int update : new int[] {1, 5, 6, 12, 13, 48, 49, 96}) {
            Path d = dir.resolve("crash-" + update);
            CrashRun.Parts crashing = CrashRun.build(d, true, 24, crashAfter(update));
            assertThrows(Crash.class, crashing::resume, "update " + update);
            CrashRun.Parts resumed = CrashRun.build(d);
            History h = resumed.resume();
            assertEquals(referenceLosses, CrashRun.losses(h), "history after a crash at update " + update);
            assertSameBits(reference, values(resumed.model()), "parameters after a crash at update " + update);
        }
        Figures.report("crash", "8 in-process interruptions (updates 1 to 96) resumed bit-identically");
    }

    @Test
    void aFinishedRunResumesToTheSameResultWithoutTraining() throws IOException {
        CrashRun.Parts first = CrashRun.build(dir);
        first.fit();
        List<String> names = files(dir).stream().map(p -> p.getFileName().toString()).toList();
        assertEquals(List.of("checkpoint-000000000090.safetensors", "checkpoint-000000000095.safetensors",
            "checkpoint-000000000096.safetensors"), names, "the last 3 are kept");
        int[] batches = new int[1];
        CrashRun.Parts again = CrashRun.build(dir, true, 24, new TrainingListener() {
            @Override
            public void onBatchEnd(int epoch, int batch, double loss) {
                batches[0]++;
            }
        });
        History h = again.resume();
        assertEquals(0, batches[0], "nothing left to train");
        assertEquals(referenceLosses, CrashRun.losses(h));
        assertSameBits(reference, values(again.model()), "a finished run");

        SafeTensors.Contents c = SafeTensors.readContents(dir.resolve("checkpoint-000000000096.safetensors"));
        assertEquals("chainrule-training", c.metadata().get("format"));
        assertTrue(c.metadata().get("training").startsWith("{\"format_version\":1,"), c.metadata().get("training"));
        assertTrue(c.tensors().containsKey("model.layers.0.weight") && c.tensors().containsKey("optimizer.0.exp_avg")
            && c.tensors().containsKey("best.0"), c.tensors().keySet().toString());

        IllegalStateException e = assertThrows(IllegalStateException.class, () -> CrashRun.build(dir).fit());
        assertTrue(e.getMessage().contains("holds checkpoints of an earlier run; call resume(...)"), e.getMessage());
    }

    /** Runs {@code body} with the Trainer's WARN log captured. */
    static List<String> warnings(Runnable body) {
        Logger logger = (Logger) LoggerFactory.getLogger(Trainer.class);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        try {
            body.run();
        } finally {
            logger.detachAppender(appender);
        }
        List<String> out = new ArrayList<>();
        for (ILoggingEvent e : appender.list) if (e.getLevel() == Level.WARN) out.add(e.getFormattedMessage());
        return out;
    }

    @Test
    void aCorruptOrPartialNewestCheckpointIsMovedAsideWithAWarningAndThePreviousOneIsUsed() throws IOException {
        assertThrows(Crash.class, () -> CrashRun.build(dir, true, 24, crashAfter(50)).resume());
        // Saved at updates 40, 45 (every 5) and 48 (end of epoch 4); the crash came before the save at 50.
        Path newest = dir.resolve("checkpoint-000000000048.safetensors");
        byte[] bytes = Files.readAllBytes(newest);
        Files.write(newest, java.util.Arrays.copyOf(bytes, bytes.length / 2));       // a partial file
        Path stale = dir.resolve(".checkpoint-000000000050.safetensors.5eed.tmp"); // what a save killed mid-write leaves
        Files.write(stale, new byte[] {1, 2, 3});

        CrashRun.Parts resumed = CrashRun.build(dir);
        History[] h = new History[1];
        List<String> warns = warnings(() -> h[0] = resumed.resume());
        assertEquals(1, warns.size(), warns.toString());
        assertTrue(warns.get(0).startsWith("Trainer.resume: checkpoint " + newest + " is corrupt or partial ("), warns.get(0));
        assertTrue(warns.get(0).contains("falling back to the previous one"), warns.get(0));
        assertEquals(referenceLosses, CrashRun.losses(h[0]));
        assertSameBits(reference, values(resumed.model()), "resumed from the previous checkpoint");
        assertTrue(Files.exists(dir.resolve("checkpoint-000000000048.safetensors.corrupt")));
        assertFalse(Files.exists(stale), "the interrupted save's temporary file is removed");
    }

    @Test
    void whenNoCheckpointIsReadableResumeFailsAndSaysSo() throws IOException {
        assertThrows(Crash.class, () -> CrashRun.build(dir, true, 24, crashAfter(20)).resume());
        for (Path f : files(dir)) Files.write(f, "not a checkpoint".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        CrashRun.Parts parts = CrashRun.build(dir);
        Map<String, double[]> before = values(parts.model());
        UncheckedIOException e = assertThrows(UncheckedIOException.class, parts::resume);
        assertTrue(e.getCause().getMessage().startsWith("Trainer.resume: none of the 3 checkpoints in " + dir + " is readable"),
            e.getCause().getMessage());
        assertSameBits(before, values(parts.model()), "nothing was loaded");
    }

    /** Resumes {@code parts} from {@code d}, expects a rejection naming the differences, and checks that nothing changed. */
    static String assertRejected(CrashRun.Parts parts, Supplier<History> resume, String... fragments) {
        Map<String, double[]> before = values(parts.model());
        List<Integer> versions = new ArrayList<>();
        for (Tensor t : parts.model().parameters()) versions.add(t.version());
        long steps = parts.optimizer().stepCount();
        IllegalStateException e = assertThrows(IllegalStateException.class, resume::get);
        for (String f : fragments) assertTrue(e.getMessage().contains(f), "'" + f + "' not in: " + e.getMessage());
        assertTrue(e.getMessage().endsWith("nothing was changed"), e.getMessage());
        assertSameBits(before, values(parts.model()), "a rejected checkpoint changed the model");
        List<Integer> after = new ArrayList<>();
        for (Tensor t : parts.model().parameters()) after.add(t.version());
        assertEquals(versions, after, "a rejected checkpoint wrote a parameter");
        assertEquals(steps, parts.optimizer().stepCount());
        assertEquals(0, parts.train().epoch(), "the loader was not touched");
        return e.getMessage();
    }

    @Test
    void aCheckpointOfAnotherArchitectureOptimizerOrDataOrderIsRejectedAndNothingChanges() {
        assertThrows(Crash.class, () -> CrashRun.build(dir, true, 24, crashAfter(30)).resume());

        CrashRun.Parts narrower = CrashRun.build(dir, true, 16, null);
        String m = assertRejected(narrower, narrower::resume, "is a checkpoint of another run",
            "shape mismatch: layers.0.weight (file [24, 2], model [16, 2])", "optimizer: parameter 0 has shape [24, 2] in the state but [16, 2] here");
        Figures.report("crash", "another architecture: %s", m.substring(0, Math.min(220, m.length())) + "...");

        CrashRun.Parts sgd = CrashRun.build(dir, false, 24, null);
        m = assertRejected(sgd, sgd::resume, "optimizer: it is the state of Adam, not of Sgd");
        Figures.report("crash", "another optimizer: %s", m);

        CrashRun.Parts parts = CrashRun.build(dir);
        DataLoader reseeded = DataLoader.builder(parts.train().dataset()).batchSize(10).shuffle(7L).build();
        assertRejected(parts, () -> parts.trainer().resume(reseeded, parts.validation()),
            "training loader differs: the run had shuffle seed " + parts.train().shuffleSeed() + " (now seed 7)");
    }
}

package dev.chainrule.reliability;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chainrule.autograd.Tensor;
import dev.chainrule.nn.io.SafeTensors;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The crash test that matters: a child JVM trains {@link CrashRun} (spirals MLP, Adam, dropout,
 * shuffling, a schedule, validation, restore-best) with checkpoints and is killed with SIGKILL
 * ({@link Process#destroyForcibly()}) at 20 seeded random points, half in the middle of an epoch
 * (after a random update) and half in the middle of a save (the child pauses half-way through writing
 * a random checkpoint, through the {@code chainrule.test.pauseInWrite} hook); some runs are killed
 * twice. Each is then resumed in a new child, which must end with parameters and history bit-identical
 * to an uninterrupted child run's.
 */
class KillTest {

    private static final long SEED = 20261201L;
    private static final int KILLS = 20;
    private static final long CHILD_TIMEOUT_S = 120;

    @TempDir
    Path tmp;

    private final AtomicInteger children = new AtomicInteger();
    private final List<Long> childMillis = java.util.Collections.synchronizedList(new ArrayList<>());

    /** One kill point: after update {@code update} (mid-epoch) or half-way through write {@code write} (mid-save). */
    record Point(boolean midSave, int update, int write) {
        @Override
        public String toString() {
            return midSave ? "mid-save (write " + write + ")" : "mid-epoch (after update " + update + ")";
        }
    }

    private static String java() {
        return System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
    }

    private static String classPath() {
        // Surefire may run tests from a manifest-only jar; the real test class path is then in this property.
        String cp = System.getProperty("surefire.test.class.path");
        return cp != null && !cp.isBlank() ? cp : System.getProperty("java.class.path");
    }

    private Process start(Path dir, Path result, Path log, String pauseSpec) throws IOException {
        // A small, quick-starting JVM: C1 only, serial GC, no logging backend (Logback's start-up is a third
        // of a child's CPU time), single-threaded BLAS. The uninterrupted reference run uses the same flags.
        List<String> cmd = new ArrayList<>(List.of(java(), "-Xmx96m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
            "-XX:-UsePerfData", "-Dslf4j.provider=org.slf4j.helpers.NOP_FallbackServiceProvider"));
        if (pauseSpec != null) cmd.add("-Dchainrule.test.pauseInWrite=" + pauseSpec);
        cmd.addAll(List.of("-cp", classPath(), CrashRun.class.getName(), dir.toString(), result.toString()));
        children.incrementAndGet();
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(log.toFile());
        pb.environment().put("OPENBLAS_NUM_THREADS", "1");
        return pb.start();
    }

    /** Reads the child's stdout on a daemon thread into a queue (so a pipe never fills up). */
    private static BlockingQueue<String> lines(Process p) {
        BlockingQueue<String> q = new LinkedBlockingQueue<>();
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) q.add(line);
            } catch (IOException e) {
                // the child was killed
            } finally {
                q.add("EOF");
            }
        });
        t.setDaemon(true);
        t.start();
        return q;
    }

    private static String tail(Path log) {
        try {
            String s = Files.readString(log);
            return s.length() > 2000 ? s.substring(s.length() - 2000) : s;
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** Runs a child to completion and returns its result file's contents. */
    private SafeTensors.Contents complete(Path dir, String name) throws Exception {
        Path result = tmp.resolve(name + ".safetensors");
        Path log = tmp.resolve(name + ".log");
        long t0 = System.nanoTime();
        Process p = start(dir, result, log, null);
        BlockingQueue<String> out = lines(p);
        boolean done = false;
        for (String line; !(line = out.poll(CHILD_TIMEOUT_S, TimeUnit.SECONDS)).equals("EOF"); ) done |= line.equals("DONE");
        assertTrue(p.waitFor(CHILD_TIMEOUT_S, TimeUnit.SECONDS), name + ": child did not exit");
        childMillis.add((System.nanoTime() - t0) / 1_000_000);
        assertEquals(0, p.exitValue(), name + ": child failed:\n" + tail(log));
        assertTrue(done, name + ": child did not finish:\n" + tail(log));
        return SafeTensors.readContents(result);
    }

    /** Starts a child that resumes from {@code dir} and SIGKILLs it at {@code point}. */
    private void kill(Path dir, Point point, String name) throws Exception {
        Path marker = tmp.resolve(name + ".paused");
        Path log = tmp.resolve(name + ".log");
        long t0 = System.nanoTime();
        Process p = start(dir, tmp.resolve(name + ".unused"), log, point.midSave() ? point.write() + ":" + marker : null);
        BlockingQueue<String> out = lines(p);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(CHILD_TIMEOUT_S);
        boolean reached = false;
        while (!reached && System.nanoTime() < deadline) {
            String line = out.poll(2, TimeUnit.MILLISECONDS);
            if (line != null && line.equals("EOF")) break;
            if (point.midSave()) {
                reached = Files.exists(marker);
            } else if (line != null && line.startsWith("BATCH ")) {
                reached = Integer.parseInt(line.substring(6)) >= point.update();
            }
        }
        assertTrue(reached, name + ": the child never reached " + point + ":\n" + tail(log));
        p.destroyForcibly();                               // SIGKILL on Linux
        assertTrue(p.waitFor(CHILD_TIMEOUT_S, TimeUnit.SECONDS));
        childMillis.add((System.nanoTime() - t0) / 1_000_000);
        assertEquals(137, p.exitValue(), name + ": not killed by SIGKILL (128 + 9)");
        if (point.midSave()) {
            try (Stream<Path> s = Files.list(dir)) {
                assertTrue(s.anyMatch(f -> f.getFileName().toString().endsWith(".tmp")),
                    name + ": a save killed half-way leaves its temporary file");
            }
        }
    }

    private static void assertSameResult(SafeTensors.Contents expected, SafeTensors.Contents actual, String what) {
        assertEquals(expected.metadata().get("history"), actual.metadata().get("history"), what + ": history");
        assertEquals(expected.tensors().keySet(), actual.tensors().keySet(), what);
        for (Map.Entry<String, Tensor> e : expected.tensors().entrySet()) {
            assertArrayEquals(e.getValue().toArray(), actual.tensors().get(e.getKey()).toArray(), 0.0, what + ": " + e.getKey());
        }
    }

    @Test
    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    void killedAt20RandomPointsAndResumedEndsBitIdentical() throws Exception {
        long start = System.nanoTime();
        SafeTensors.Contents reference = complete(tmp.resolve("reference"), "reference");

        // The seeded kill points: 10 mid-epoch, 10 mid-save. Four runs are killed twice: mid-epoch (early
        // enough that saves remain), then mid-save in the resumed run (one of its first three writes).
        SplittableRandom rng = new SplittableRandom(SEED);
        List<List<Point>> trials = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            trials.add(List.of(new Point(false, 1 + rng.nextInt(80), 0), new Point(true, 0, 1 + rng.nextInt(3))));
        }
        for (int i = 0; i < 12; i++) {
            trials.add(List.of(i % 2 == 0 ? new Point(false, 1 + rng.nextInt(CrashRun.UPDATES - 6), 0)
                : new Point(true, 0, 1 + rng.nextInt(CrashRun.SAVES))));
        }
        int kills = trials.stream().mapToInt(List::size).sum();
        assertEquals(KILLS, kills);

        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<String>> results = new ArrayList<>();
            for (int i = 0; i < trials.size(); i++) {
                int trial = i;
                results.add(pool.submit(() -> {
                    Path dir = tmp.resolve("trial-" + trial);
                    List<Point> points = trials.get(trial);
                    for (int k = 0; k < points.size(); k++) kill(dir, points.get(k), "trial-" + trial + "-kill-" + k);
                    SafeTensors.Contents resumed = complete(dir, "trial-" + trial + "-resumed");
                    assertSameResult(reference, resumed, "trial " + trial + " killed " + points);
                    return points.toString();
                }));
            }
            for (Future<String> f : results) f.get();
        } finally {
            pool.shutdownNow();
        }
        long midSave = trials.stream().flatMap(List::stream).filter(Point::midSave).count();
        double seconds = (System.nanoTime() - start) / 1e9;
        double meanChild = childMillis.stream().mapToLong(Long::longValue).average().orElse(0) / 1000;
        Figures.report("kill", "%d SIGKILLs (%d mid-epoch, %d mid-save) in %d runs, %d child JVMs (2 at a time), every resumed run "
            + "bit-identical to the uninterrupted one (%d parameters, %d epochs of history); %.1f s in total, %.2f s per child on average",
            kills, kills - midSave, midSave, trials.size(), children.get(), reference.tensors().values().stream().mapToInt(Tensor::size).sum(),
            CrashRun.EPOCHS, seconds, meanChild);
        Figures.report("kill", "kill points (seed %d): %s", SEED, trials);
    }
}

package dev.chainrule.autograd.internal;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;

/**
 * Splits large loops across the common {@link ForkJoinPool}: the calling thread runs one part and
 * pool workers the others. Below {@link #GRAIN} elements per part the loop runs on the calling
 * thread alone: handing work to a parked worker costs microseconds, which small tensors (the
 * common case in training loops) cannot repay.
 *
 * <p>The number of threads is {@code chainrule.threads} when that system property is set, else
 * the common pool's parallelism plus the calling thread (by default, the number of cores). Both
 * are read once, at first use: set {@code -Dchainrule.threads=N} (or
 * {@code -Djava.util.concurrent.ForkJoinPool.common.parallelism=N-1}) before any tensor work.
 */
public final class Parallel {
    private Parallel() {}

    /**
     * Elements per part; also half the size below which work is not split. Measured on a 2-core
     * machine (ElementwiseBench): below about 64 Ki doubles, a split add or relu loses to the
     * hand-off latency of waking a worker. Overridable with {@code -Dchainrule.grain=N} for tuning.
     */
    public static final int GRAIN = Math.max(1024, Integer.getInteger("chainrule.grain", 1 << 15));

    /** Threads a loop is split across (at least 1). */
    public static final int THREADS = threads();

    private static int threads() {
        Integer p = Integer.getInteger("chainrule.threads");
        if (p != null) return Math.max(1, p);
        return Math.max(1, Math.min(Runtime.getRuntime().availableProcessors(), ForkJoinPool.getCommonPoolParallelism() + 1));
    }

    /** A loop body over {@code [lo, hi)}. */
    @FunctionalInterface
    public interface Range {
        void run(int lo, int hi);
    }

    /** Whether a loop over {@code n} elements runs on the calling thread alone. */
    public static boolean serial(long n) {
        return THREADS < 2 || n < 2L * GRAIN;
    }

    /** Runs {@code body} over {@code [0, n)}, split into parts of at least {@link #GRAIN} elements. */
    public static void forRange(int n, Range body) {
        forRange(n, GRAIN, body);
    }

    /**
     * Runs {@code body} over {@code [0, n)} in at most {@link #THREADS} contiguous parts of at least
     * {@code grain} indices each; returns when all parts are done. An exception in a part is rethrown.
     */
    public static void forRange(int n, int grain, Range body) {
        int parts = (int) Math.min(THREADS, n / (long) Math.max(1, grain));
        if (parts < 2) {
            body.run(0, n);
            return;
        }
        ForkJoinTask<?>[] tasks = new ForkJoinTask<?>[parts - 1];
        for (int p = 1; p < parts; p++) {
            int lo = (int) ((long) n * p / parts), hi = (int) ((long) n * (p + 1) / parts);
            tasks[p - 1] = ForkJoinPool.commonPool().submit(() -> body.run(lo, hi));
        }
        try {
            body.run(0, (int) ((long) n / parts));
        } finally {
            for (ForkJoinTask<?> t : tasks) t.join();
        }
    }
}

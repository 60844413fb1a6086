package dev.chainrule.autograd.internal;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RecursiveAction;

/**
 * Splits large elementwise loops across the common {@link ForkJoinPool}. Below {@link #GRAIN}
 * elements the loop runs on the calling thread: forking costs microseconds, which small tensors
 * (the common case in training loops) cannot repay.
 */
public final class Parallel {
    private Parallel() {}

    /** Elements per task; also the size below which work is not split. */
    public static final int GRAIN = 1 << 15;

    /** A loop body over {@code [lo, hi)}. */
    @FunctionalInterface
    public interface Range {
        void run(int lo, int hi);
    }

    /** Runs {@code body} over {@code [0, n)}, split into chunks of at least {@link #GRAIN}. */
    public static void forRange(int n, Range body) {
        if (n < 2 * GRAIN || ForkJoinPool.getCommonPoolParallelism() < 2) {
            body.run(0, n);
            return;
        }
        ForkJoinPool.commonPool().invoke(new Chunk(body, 0, n));
    }

    private static final class Chunk extends RecursiveAction {
        private static final long serialVersionUID = 1L;
        private final transient Range body;
        private final int lo;
        private final int hi;

        Chunk(Range body, int lo, int hi) {
            this.body = body;
            this.lo = lo;
            this.hi = hi;
        }

        @Override
        protected void compute() {
            if (hi - lo < 2 * GRAIN) {
                body.run(lo, hi);
                return;
            }
            int mid = (lo + hi) >>> 1;
            invokeAll(new Chunk(body, lo, mid), new Chunk(body, mid, hi));
        }
    }
}

package dev.chainrule.benchmarks;

/** Limits Chainrule's parallelism to a number of threads; call before any tensor work. */
final class Threads {
    private Threads() {}

    /**
     * Sets the ForkJoin common pool to {@code threads − 1} workers (the calling thread is the other
     * one) and {@code chainrule.threads}. Must run before the first use of the common pool or of
     * Chainrule's kernels; the native BLAS reads {@code OPENBLAS_NUM_THREADS} from the environment.
     */
    static void limit(int threads) {
        System.setProperty("java.util.concurrent.ForkJoinPool.common.parallelism", Integer.toString(Math.max(1, threads - 1)));
        System.setProperty("chainrule.threads", Integer.toString(threads));
    }
}

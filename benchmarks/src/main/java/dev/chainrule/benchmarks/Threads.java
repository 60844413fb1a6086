package dev.chainrule.benchmarks;

import java.io.File;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

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

    /**
     * Runs {@code main} again in a child JVM with {@code OPENBLAS_NUM_THREADS} and {@code OMP_NUM_THREADS}
     * set to {@code threads} (the native BLAS reads them only at start-up) and exits with the child's exit
     * code; returns at once if they are already set so, or in the child itself.
     */
    static void relaunchWithBlasThreads(Class<?> main, int threads, String[] args) throws Exception {
        String t = Integer.toString(threads);
        if (t.equals(System.getenv("OPENBLAS_NUM_THREADS")) || System.getProperty("chainrule.bench.child") != null) return;
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java"));
        cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        cmd.add("-Dchainrule.bench.child=true");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(main.getName());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).inheritIO();
        pb.environment().put("OPENBLAS_NUM_THREADS", t);
        pb.environment().put("OMP_NUM_THREADS", t);
        System.exit(pb.start().waitFor());
    }
}

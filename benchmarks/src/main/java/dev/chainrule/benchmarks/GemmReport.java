package dev.chainrule.benchmarks;

import dev.chainrule.autograd.internal.Gemm;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs {@link GemmBench} through JMH and prints GFLOPS (2n³ · calls/s / 10⁹) per size, Chainrule
 * next to the same BLAS called directly, as a tab-separated table:
 * {@code java -cp chainrule-benchmarks.jar dev.chainrule.benchmarks.GemmReport [--sizes 8,64,256,512,1024] [--quick]}.
 * Set OPENBLAS_NUM_THREADS in the environment to limit the native BLAS (the forks inherit it).
 */
public final class GemmReport {
    private GemmReport() {}

    public static void main(String[] args) throws Exception {
        String sizes = "8,64,256,512,1024";
        boolean quick = false;
        String out = null;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--sizes")) sizes = args[++i];
            else if (args[i].equals("--quick")) quick = true;
            else if (args[i].equals("--out")) out = args[++i];
            else throw new IllegalArgumentException("usage: GemmReport [--sizes 8,64,...] [--quick] [--out FILE]");
        }
        Options opts = new OptionsBuilder()
            .include(GemmBench.class.getName() + "\\.(tensorMatmul|gemmNN|gemmNT|gemmTN|blasDirect)$")
            .param("n", sizes.split(","))
            .warmupIterations(quick ? 2 : 3).warmupTime(TimeValue.seconds(1))
            .measurementIterations(quick ? 3 : 5).measurementTime(TimeValue.seconds(1))
            .forks(1)
            .build();
        Collection<RunResult> results = new Runner(opts).run();
        Map<Integer, Map<String, Double>> table = new TreeMap<>();
        for (RunResult r : results) {
            int n = Integer.parseInt(r.getParams().getParam("n"));
            String bench = r.getParams().getBenchmark();
            bench = bench.substring(bench.lastIndexOf('.') + 1);
            double callsPerS = r.getPrimaryResult().getScore();
            table.computeIfAbsent(n, k -> new TreeMap<>()).put(bench, 2.0 * n * n * n * callsPerS / 1e9);
        }
        StringBuilder sb = new StringBuilder("n\ttensorMatmul\tgemmNN\tgemmNT\tgemmTN\tblasDirect\tmatmul/blas\n");
        for (var e : table.entrySet()) {
            Map<String, Double> g = e.getValue();
            sb.append(String.format("%d\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t%.0f%%%n", e.getKey(), g.getOrDefault("tensorMatmul", Double.NaN),
                g.getOrDefault("gemmNN", Double.NaN), g.getOrDefault("gemmNT", Double.NaN), g.getOrDefault("gemmTN", Double.NaN),
                g.getOrDefault("blasDirect", Double.NaN),
                100 * g.getOrDefault("tensorMatmul", Double.NaN) / g.getOrDefault("blasDirect", Double.NaN)));
        }
        System.out.println("# GEMM GFLOPS (2n^3 * calls/s / 1e9), BLAS: " + Gemm.implementation());
        System.out.print(sb);
        if (out != null) java.nio.file.Files.writeString(java.nio.file.Path.of(out), sb.toString());
    }
}

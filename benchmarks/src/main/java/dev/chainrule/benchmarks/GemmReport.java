package dev.chainrule.benchmarks;

import dev.chainrule.autograd.internal.Gemm;
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
 * {@code java -cp chainrule-benchmarks.jar dev.chainrule.benchmarks.GemmReport [--sizes 8,64,256,512,1024] [--rounds 2] [--quick] [--out FILE]}.
 * Variants of one size run back to back and the sweep is repeated {@code --rounds} times; the best
 * round of each variant is reported, which keeps load drift on a shared machine out of the ratios.
 * Set OPENBLAS_NUM_THREADS in the environment to limit the native BLAS (the forks inherit it).
 */
public final class GemmReport {
    private GemmReport() {}

    public static void main(String[] args) throws Exception {
        String sizes = "8,64,256,512,1024";
        boolean quick = false;
        String out = null;
        int rounds = 2;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--sizes")) sizes = args[++i];
            else if (args[i].equals("--quick")) quick = true;
            else if (args[i].equals("--out")) out = args[++i];
            else if (args[i].equals("--rounds")) rounds = Integer.parseInt(args[++i]);
            else throw new IllegalArgumentException("usage: GemmReport [--sizes 8,64,...] [--rounds 2] [--quick] [--out FILE]");
        }
        // On a shared machine the load drifts: each size runs its variants back to back, and the
        // whole sweep is repeated; the table keeps the best round of each (calls/s).
        String[] benches = {"blasDirect", "tensorMatmul", "gemmNT", "gemmTN", "gemmNN"};
        Map<Integer, Map<String, Double>> table = new TreeMap<>();
        for (int round = 0; round < rounds; round++) {
            for (String n : sizes.split(",")) {
                for (String bench : benches) {
                    Options opts = new OptionsBuilder()
                        .include(GemmBench.class.getName() + "\\." + bench + "$")
                        .param("n", n)
                        .warmupIterations(quick ? 2 : 3).warmupTime(TimeValue.seconds(1))
                        .measurementIterations(quick ? 2 : 3).measurementTime(TimeValue.seconds(1))
                        .forks(1)
                        .build();
                    for (RunResult r : new Runner(opts).run()) {
                        double gflops = 2.0 * Math.pow(Integer.parseInt(n), 3) * r.getPrimaryResult().getScore() / 1e9;
                        table.computeIfAbsent(Integer.parseInt(n), k -> new TreeMap<>()).merge(bench, gflops, Math::max);
                    }
                }
            }
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

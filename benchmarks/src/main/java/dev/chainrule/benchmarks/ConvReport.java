package dev.chainrule.benchmarks;

import dev.chainrule.autograd.Tensor;
import dev.chainrule.autograd.internal.Gemm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Conv2d throughput next to the GEMM it is built on: for each layer shape, GFLOPS (2 · multiply-adds / s)
 * of {@code Tensor.conv} forward and of its backward (input and weight gradients), and of the same
 * multiply-adds done as single GEMMs through Chainrule's {@code Gemm} into preallocated arrays
 * ({@code [O, C·k²] × [C·k², N·L]} forward, {@code [C·k², O] × [O, N·L]} and {@code [O, N·L] × [N·L, C·k²]}
 * backward) — the limit im2col + GEMM can approach. Variants alternate and the best of {@code --rounds}
 * rounds is kept, so that load drift on a shared machine stays out of the ratios.
 *
 * <p>Usage: {@code java -cp chainrule-benchmarks.jar dev.chainrule.benchmarks.ConvReport [--threads 2] [--rounds 5]
 * [--out FILE]}; prints a tab-separated table.
 */
public final class ConvReport {
    private ConvReport() {}

    /** name, N, C, O, H (= W), k, padding: the two convolutions of the Fashion-MNIST network, and a wider one. */
    static final int[][] CASES = {{64, 1, 32, 28, 3, 1}, {64, 32, 64, 14, 3, 1}, {32, 64, 128, 14, 3, 1}};
    static final String[] NAMES = {"conv1 1->32 28x28", "conv2 32->64 14x14", "conv 64->128 14x14"};

    public static void main(String[] args) throws Exception {
        int threads = 2, rounds = 5;
        String out = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--threads": threads = Integer.parseInt(args[++i]); break;
                case "--rounds": rounds = Integer.parseInt(args[++i]); break;
                case "--out": out = args[++i]; break;
                default:
                    System.err.println("usage: ConvReport [--threads N] [--rounds R] [--out FILE]");
                    System.exit(2);
            }
        }
        Threads.relaunchWithBlasThreads(ConvReport.class, threads, args);
        Threads.limit(threads);
        StringBuilder sb = new StringBuilder(
            "layer\tconv_fwd_gflops\tgemm_fwd_gflops\tfwd_ratio\tconv_bwd_gflops\tgemm_bwd_gflops\tbwd_ratio\n");
        for (int c = 0; c < CASES.length; c++) {
            double[] best = new double[4];
            for (int r = 0; r < rounds; r++) {
                double[] g = measure(CASES[c]);
                for (int i = 0; i < 4; i++) best[i] = Math.max(best[i], g[i]);
            }
            sb.append(String.format(Locale.ROOT, "%s\t%.2f\t%.2f\t%.0f%%\t%.2f\t%.2f\t%.0f%%%n", NAMES[c], best[0], best[1],
                100 * best[0] / best[1], best[2], best[3], 100 * best[2] / best[3]));
        }
        System.out.print(sb);
        if (out != null) Files.writeString(Path.of(out), sb.toString());
    }

    /** {conv forward, GEMM forward, conv backward, GEMM backward} GFLOPS, each the best of a few repetitions. */
    static double[] measure(int[] cs) {
        int n = cs[0], c = cs[1], o = cs[2], hw = cs[3], k = cs[4], p = cs[5];
        int l = hw * hw, ck = c * k * k;      // stride 1, padding keeps the size
        double macs = (double) n * o * l * ck;
        SplittableRandom rng = new SplittableRandom(1);
        Tensor x = Tensor.randn(rng, n, c, hw, hw).requiresGrad(), w = Tensor.randn(rng, o, c, k, k).requiresGrad();
        Tensor b = Tensor.randn(rng, o).requiresGrad(), g = Tensor.randn(rng, n, o, hw, hw);
        double[] a = Tensor.randn(rng, o, ck).toArray(), cols = Tensor.randn(rng, ck, n * l).toArray(), res = new double[o * n * l];
        double[] colsOut = new double[ck * n * l], dw = new double[o * ck];
        double convF = Double.MAX_VALUE, convB = Double.MAX_VALUE, gemmF = Double.MAX_VALUE, gemmB = Double.MAX_VALUE;
        for (int rep = 0; rep < 4; rep++) {
            x.zeroGrad();
            w.zeroGrad();
            b.zeroGrad();
            long t0 = System.nanoTime();
            Tensor y = x.conv2d(w, b, 1, p, 1, 1);
            long t1 = System.nanoTime();
            y.backward(g);
            long t2 = System.nanoTime();
            Gemm.gemm(false, false, o, n * l, ck, a, 0, cols, 0, 0.0, res, 0);
            long t3 = System.nanoTime();
            Gemm.gemm(true, false, ck, n * l, o, a, 0, res, 0, 0.0, colsOut, 0);
            Gemm.gemm(false, true, o, ck, n * l, res, 0, cols, 0, 0.0, dw, 0);
            long t4 = System.nanoTime();
            convF = Math.min(convF, t1 - t0);
            convB = Math.min(convB, t2 - t1);
            gemmF = Math.min(gemmF, t3 - t2);
            gemmB = Math.min(gemmB, t4 - t3);
        }
        return new double[] {2 * macs / convF, 2 * macs / gemmF, 4 * macs / convB, 4 * macs / gemmB};
    }
}

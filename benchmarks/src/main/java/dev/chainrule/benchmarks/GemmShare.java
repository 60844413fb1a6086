package dev.chainrule.benchmarks;

import dev.chainrule.autograd.DType;
import dev.chainrule.autograd.internal.Gemm;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * How close a training step is to the limit set by its matrix products: the time of one MlpBench step
 * (nn layers, cross-entropy, SGD; the same step as {@code MlpBench}) next to the time of exactly the
 * GEMMs that step performs, run alone through the same {@code Gemm.gemm} path into preallocated arrays.
 *
 * <p>For a layer {@code in → out} at batch {@code B} the step does three products (row-major,
 * {@code m×n×k}): forward {@code y = x·Wᵀ} ({@code B×out×in}, W read transposed, bias pre-loaded so
 * {@code beta = 1}), weight gradient {@code dW = Gᵀ·x} ({@code out×in×B}), and input gradient
 * {@code dx = G·W} ({@code B×in×out}) for every layer but the first (the data needs no gradient).
 * The sum over layers is the "GEMM set"; everything else in a step (bias, ReLU, softmax, bias
 * gradient, the SGD update, allocation, graph bookkeeping) is the gap between the two times.
 *
 * <p>Step and GEMM set are timed alternately for {@code --rounds} rounds of {@code --seconds} each and
 * the medians reported, so both see the same load. Prints one line per case and dtype:
 * <pre>
 *   &lt;case&gt; &lt;dtype&gt; step_ms=&lt;ms&gt; gemm_ms=&lt;ms&gt; step/gemm=&lt;ratio&gt; gemm_gflops=&lt;GFLOPS&gt; gemm_share=&lt;percent&gt;
 * </pre>
 * {@code step/gemm} is the figure issue 10 asks to keep within 1.2.
 *
 * <p>Usage: {@code java -cp chainrule-benchmarks.jar dev.chainrule.benchmarks.GemmShare [--threads 2]
 * [--seconds 2] [--rounds 3] [--warmup 1] [--cases mnist,wide] [--dtype float32,float64]}.
 * Threads as in {@link MlpBench} ({@code OPENBLAS_NUM_THREADS} set by re-launching when needed).
 */
public final class GemmShare {
    private GemmShare() {}

    public static void main(String[] args) throws Exception {
        int threads = 2, rounds = 3;
        double seconds = 2.0, warmup = 1.0;
        String cases = "mnist,wide", dtypes = "float32,float64";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--threads": threads = Integer.parseInt(args[++i]); break;
                case "--seconds": seconds = Double.parseDouble(args[++i]); break;
                case "--rounds": rounds = Integer.parseInt(args[++i]); break;
                case "--warmup": warmup = Double.parseDouble(args[++i]); break;
                case "--cases": cases = args[++i]; break;
                case "--dtype": dtypes = args[++i]; break;
                default:
                    System.err.println("usage: GemmShare [--threads N] [--seconds S] [--rounds R] [--warmup S] [--cases mnist,wide] [--dtype float32,float64]");
                    System.exit(2);
            }
        }
        if (threads < 1 || rounds < 1) throw new IllegalArgumentException("--threads and --rounds must be at least 1");
        Threads.relaunchWithBlasThreads(GemmShare.class, threads, args);
        Threads.limit(threads);
        System.out.println("# GemmShare: " + Gemm.implementation() + ", threads " + threads + ", median of " + rounds + " rounds of " + seconds + " s");
        for (String name : cases.split(",")) {
            MlpBench.Case c = MlpBench.Case.of(name.trim());
            for (String d : dtypes.split(",")) {
                DType dtype = MlpBench.dtype(d.trim());
                Runnable step = c.buildNn(new Random(0), dtype);
                Runnable gemms = gemmSet(c.sizes, c.batch, dtype);
                for (int i = 0; i < 20; i++) {
                    step.run();
                    gemms.run();
                }
                timePerCall(step, warmup);
                timePerCall(gemms, warmup);
                double[] s = new double[rounds], g = new double[rounds];
                for (int r = 0; r < rounds; r++) {
                    s[r] = timePerCall(step, seconds);
                    g[r] = timePerCall(gemms, seconds);
                }
                double sm = median(s), gm = median(g);
                System.out.printf(Locale.ROOT, "%s %s step_ms=%.3f gemm_ms=%.3f step/gemm=%.2f gemm_gflops=%.1f gemm_share=%.0f%%%n",
                    c.name, MlpBench.name(dtype), sm * 1e3, gm * 1e3, sm / gm, flops(c.sizes, c.batch) / gm / 1e9, 100 * gm / sm);
                System.out.flush();
            }
        }
    }

    /** Floating-point operations (2 per multiply-add) of the GEMM set of one step. */
    static double flops(int[] sizes, int batch) {
        double f = 0;
        for (GemmShape s : shapes(sizes, batch)) f += 2.0 * s.m * s.n * s.k;
        return f;
    }

    /** One product {@code C[m×n] = op(A)·op(B) + beta·C} as the step calls it. */
    record GemmShape(String what, boolean transA, boolean transB, int m, int n, int k, double beta) {}

    /** The products one training step of the MLP {@code sizes} at {@code batch} performs, in order. */
    static List<GemmShape> shapes(int[] sizes, int batch) {
        List<GemmShape> out = new ArrayList<>();
        int layers = sizes.length - 1;
        for (int i = 0; i < layers; i++) {          // forward: y = x·Wᵀ + b (bias pre-loaded into C)
            out.add(new GemmShape("forward " + i, false, true, batch, sizes[i + 1], sizes[i], 1.0));
        }
        for (int i = layers - 1; i >= 0; i--) {     // backward, last layer first
            if (i > 0) out.add(new GemmShape("dx " + i, false, false, batch, sizes[i], sizes[i + 1], 0.0));
            out.add(new GemmShape("dW " + i, true, false, sizes[i + 1], sizes[i], batch, 0.0));
        }
        return out;
    }

    /**
     * The step's GEMMs on random operands through {@code Gemm.gemm}, in the dtype's precision, into
     * arrays allocated once (so this is the arithmetic alone, without the step's allocations).
     */
    static Runnable gemmSet(int[] sizes, int batch, DType dtype) {
        Random rng = new Random(1);
        List<Runnable> calls = new ArrayList<>();
        for (GemmShape s : shapes(sizes, batch)) {
            int aLen = s.m * s.k, bLen = s.k * s.n, cLen = s.m * s.n;
            if (dtype == DType.FLOAT32) {
                float[] a = randomFloats(rng, aLen), b = randomFloats(rng, bLen), c = new float[cLen];
                calls.add(() -> Gemm.gemm(s.transA, s.transB, s.m, s.n, s.k, a, 0, b, 0, s.beta, c, 0));
            } else {
                double[] a = randomDoubles(rng, aLen), b = randomDoubles(rng, bLen), c = new double[cLen];
                calls.add(() -> Gemm.gemm(s.transA, s.transB, s.m, s.n, s.k, a, 0, b, 0, s.beta, c, 0));
            }
        }
        Runnable[] all = calls.toArray(new Runnable[0]);
        return () -> {
            for (Runnable r : all) r.run();
        };
    }

    private static float[] randomFloats(Random rng, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (rng.nextGaussian() * 0.1);
        return v;
    }

    private static double[] randomDoubles(Random rng, int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = rng.nextGaussian() * 0.1;
        return v;
    }

    /** Seconds per call of {@code r}, timed in batches of calls for about {@code seconds} (at least 3 calls). */
    static double timePerCall(Runnable r, double seconds) {
        long limit = (long) (seconds * 1e9), n = 0, t0 = System.nanoTime();
        do {
            r.run();
            n++;
        } while (System.nanoTime() - t0 < limit || n < 3);
        return (System.nanoTime() - t0) / 1e9 / n;
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }
}

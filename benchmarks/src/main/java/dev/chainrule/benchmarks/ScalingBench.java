package dev.chainrule.benchmarks;

import dev.chainrule.autograd.DType;
import java.util.Locale;
import java.util.Random;

/**
 * How a training step's cost grows with the work: steps per second of the MLP {@code w-w-w-10} (ReLU,
 * softmax cross-entropy, SGD lr 0.01; the wide case of {@link MlpBench} at other sizes) against the
 * layer width {@code w} at a fixed batch, and against the batch size at a fixed width. The Java side of
 * {@code benchmarks/torch_scaling.py}, which runs the same points; {@code benchmarks/scaling.sh} runs
 * both and {@link ScalingPlot} draws and reports the crossovers.
 *
 * <p>Each point builds its model and data, takes 3 untimed steps (at least 0.2 s), then times steps for
 * {@code --seconds} (at least 3 steps). Before the first point, {@code --warmup} seconds of steps at width
 * 256, batch 128 let the JIT compile the hot paths. Prints one CSV line per point (no header):
 * <pre>
 *   &lt;sweep&gt;,&lt;width&gt;,&lt;batch&gt;,&lt;dtype&gt;,&lt;steps_per_s&gt;      sweep = width | batch
 * </pre>
 * Usage: {@code java -cp chainrule-benchmarks.jar dev.chainrule.benchmarks.ScalingBench [--threads 2]
 * [--seconds 1.5] [--warmup 2] [--dtype float64] [--widths 64,128,256,512,1024,2048] [--batch 128]
 * [--batches 1,4,16,64,256,1024] [--width 256]}. Threads as in {@link MlpBench}.
 */
public final class ScalingBench {
    private ScalingBench() {}

    public static void main(String[] args) throws Exception {
        int threads = 2, fixedBatch = 128, fixedWidth = 256;
        double seconds = 1.5, warmup = 2.0;
        String dtypeName = "float64", widths = "64,128,256,512,1024,2048", batches = "1,4,16,64,256,1024";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--threads": threads = Integer.parseInt(args[++i]); break;
                case "--seconds": seconds = Double.parseDouble(args[++i]); break;
                case "--warmup": warmup = Double.parseDouble(args[++i]); break;
                case "--dtype": dtypeName = args[++i]; break;
                case "--widths": widths = args[++i]; break;
                case "--batch": fixedBatch = Integer.parseInt(args[++i]); break;
                case "--batches": batches = args[++i]; break;
                case "--width": fixedWidth = Integer.parseInt(args[++i]); break;
                default:
                    System.err.println("usage: ScalingBench [--threads N] [--seconds S] [--warmup S] [--dtype float64|float32]"
                        + " [--widths 64,...] [--batch B] [--batches 1,...] [--width W]");
                    System.exit(2);
            }
        }
        if (threads < 1) throw new IllegalArgumentException("--threads must be at least 1");
        DType dtype = MlpBench.dtype(dtypeName);
        Threads.relaunchWithBlasThreads(ScalingBench.class, threads, args);
        Threads.limit(threads);

        Runnable jit = step(256, 128, dtype);
        GemmShare.timePerCall(jit, warmup);
        for (String w : widths.split(",")) point("width", Integer.parseInt(w.trim()), fixedBatch, dtype, seconds);
        for (String b : batches.split(",")) point("batch", fixedWidth, Integer.parseInt(b.trim()), dtype, seconds);
    }

    /** The training step of the MLP {@code width-width-width-10} at {@code batch}. */
    static Runnable step(int width, int batch, DType dtype) {
        return MlpBench.Case.mlp("scaling", new int[] {width, width, width, 10}, batch).buildNn(new Random(0), dtype);
    }

    private static void point(String sweep, int width, int batch, DType dtype, double seconds) {
        Runnable step = step(width, batch, dtype);
        long t0 = System.nanoTime();
        for (int i = 0; i < 3 || System.nanoTime() - t0 < 200_000_000L; i++) step.run();
        double dt = GemmShare.timePerCall(step, seconds);
        System.out.printf(Locale.ROOT, "%s,%d,%d,%s,%.2f%n", sweep, width, batch, MlpBench.name(dtype), 1 / dt);
        System.out.flush();
    }
}

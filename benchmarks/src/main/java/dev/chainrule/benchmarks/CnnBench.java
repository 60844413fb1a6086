package dev.chainrule.benchmarks;

import dev.chainrule.autograd.DType;
import dev.chainrule.autograd.Tensor;
import dev.chainrule.nn.BatchNorm2d;
import dev.chainrule.nn.Conv2d;
import dev.chainrule.nn.Dropout;
import dev.chainrule.nn.Flatten;
import dev.chainrule.nn.Linear;
import dev.chainrule.nn.MaxPool2d;
import dev.chainrule.nn.Module;
import dev.chainrule.nn.ReLU;
import dev.chainrule.nn.Sequential;
import dev.chainrule.nn.loss.CrossEntropy;
import dev.chainrule.optim.Adam;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The convolutional training-step benchmark, the Java side of {@code shared/bench/torch_cnn.py --mode steps}:
 * the Fashion-MNIST network (conv 1→32 3×3 pad 1, BatchNorm2d, ReLU, max-pool 2; conv 32→64, BatchNorm2d,
 * ReLU, max-pool 2; flatten, linear 3136→128, ReLU, dropout 0.25, linear →10; softmax cross-entropy;
 * Adam lr 1e-3) trained on one fixed batch of 64 images, in float64 or (with {@code --dtype float32}, model and
 * batch converted as {@code torch_cnn.py --dtype float32} does) float32. Prints {@code cnn <steps_per_s> <samples_per_s>}
 * exactly like the PyTorch script.
 *
 * <p>Usage: {@code java -cp chainrule-benchmarks.jar dev.chainrule.benchmarks.CnnBench [--threads 2] [--seconds 5]
 * [--warmup 2] [--dtype float64|float32] [--profile]}. Like the PyTorch script it takes 5 warm-up steps, then times steps for
 * {@code --seconds}; {@code --warmup S} first runs S seconds of untimed steps so that the JIT has compiled the
 * hot paths. {@code --profile} then reports, on stderr, the time of each layer's forward and of the backward
 * pass and optimizer step (a breakdown, measured separately from the timed loop). The batch is random
 * normal pixels (the step's cost does not depend on the values); threads as in {@link MlpBench}
 * ({@code OPENBLAS_NUM_THREADS} is set by re-launching when needed).
 */
public final class CnnBench {
    private CnnBench() {}

    static final int BATCH = 64;

    public static void main(String[] args) throws Exception {
        int threads = 2;
        double seconds = 5.0;
        double warmup = 2.0;
        boolean profile = false;
        DType dtype = DType.FLOAT64;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--threads": threads = Integer.parseInt(args[++i]); break;
                case "--seconds": seconds = Double.parseDouble(args[++i]); break;
                case "--warmup": warmup = Double.parseDouble(args[++i]); break;
                case "--profile": profile = true; break;
                case "--mode":
                    if (!args[++i].equals("steps")) throw new IllegalArgumentException("CnnBench runs --mode steps; the epoch is the fashion-mnist example");
                    break;
                case "--dtype": dtype = MlpBench.dtype(args[++i]); break;
                default:
                    System.err.println("usage: CnnBench [--threads N] [--seconds S] [--warmup S] [--dtype float64|float32] [--profile]");
                    System.exit(2);
            }
        }
        if (threads < 1) throw new IllegalArgumentException("--threads must be at least 1");
        Threads.relaunchWithBlasThreads(CnnBench.class, threads, args);
        Threads.limit(threads);

        SplittableRandom rng = new SplittableRandom(0);
        Sequential model = network(rng);
        model.to(dtype);
        Adam opt = Adam.builder(model).lr(1e-3).build();
        CrossEntropy loss = new CrossEntropy();
        Tensor x = Tensor.randn(rng, BATCH, 1, 28, 28).to(dtype);
        double[] yv = new double[BATCH];
        for (int i = 0; i < BATCH; i++) yv[i] = rng.nextInt(10);
        Tensor y = Tensor.of(yv, BATCH);
        Runnable step = () -> {
            opt.zeroGrad();
            loss.apply(model.forward(x), y).backward();
            opt.step();
        };
        MlpBench.Case.checkDType(loss.apply(model.forward(x), y), dtype);
        for (int i = 0; i < 5; i++) step.run();
        long wEnd = System.nanoTime() + (long) (warmup * 1e9);
        while (System.nanoTime() < wEnd) step.run();
        long n = 0;
        long t0 = System.nanoTime(), limit = (long) (seconds * 1e9);
        while (System.nanoTime() - t0 < limit) {
            step.run();
            n++;
        }
        double dt = (System.nanoTime() - t0) / 1e9 / n;
        System.out.printf(Locale.ROOT, "cnn %.2f %.1f%n", 1 / dt, BATCH / dt);
        System.out.flush();
        if (profile) profile(model, opt, loss, x, y);
    }

    /** The network of torch_cnn.py, with PyTorch's default initialization. */
    static Sequential network(SplittableRandom rng) {
        return new Sequential(
            new Conv2d(1, 32, 3, 1, 1, rng), new BatchNorm2d(32), new ReLU(), new MaxPool2d(2),
            new Conv2d(32, 64, 3, 1, 1, rng), new BatchNorm2d(64), new ReLU(), new MaxPool2d(2),
            new Flatten(), new Linear(64 * 7 * 7, 128, rng), new ReLU(), new Dropout(0.25, rng), new Linear(128, 10, rng));
    }

    /** Milliseconds per step of each layer's forward, the loss, backward and the optimizer step (medians of 20 steps). */
    private static void profile(Sequential model, Adam opt, CrossEntropy loss, Tensor x, Tensor y) {
        int layers = model.size(), reps = 20;
        double[][] ms = new double[layers + 3][reps];
        for (int r = 0; r < reps; r++) {
            opt.zeroGrad();
            Tensor h = x;
            for (int i = 0; i < layers; i++) {
                long a = System.nanoTime();
                h = model.get(i).forward(h);
                ms[i][r] = (System.nanoTime() - a) / 1e6;
            }
            long a = System.nanoTime();
            Tensor l = loss.apply(h, y);
            long b = System.nanoTime();
            l.backward();
            long c = System.nanoTime();
            opt.step();
            long d = System.nanoTime();
            ms[layers][r] = (b - a) / 1e6;
            ms[layers + 1][r] = (c - b) / 1e6;
            ms[layers + 2][r] = (d - c) / 1e6;
        }
        double total = 0;
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < layers + 3; i++) {
            java.util.Arrays.sort(ms[i]);
            double med = ms[i][reps / 2];
            total += med;
            String name = i < layers ? i + " " + describe(model.get(i)) : i == layers ? "loss" : i == layers + 1 ? "backward (all layers)" : "Adam step";
            lines.add(String.format(Locale.ROOT, "  %7.2f ms  %s", med, name));
        }
        System.err.println("profile (median of " + reps + " steps):");
        lines.forEach(System.err::println);
        System.err.printf(Locale.ROOT, "  %7.2f ms  total%n", total);
    }

    private static String describe(Module m) {
        String s = m.toString();
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}

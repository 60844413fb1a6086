package dev.chainrule.benchmarks;

import dev.chainrule.autograd.Autograd;
import dev.chainrule.autograd.DType;
import dev.chainrule.autograd.Tensor;
import dev.chainrule.nn.Linear;
import dev.chainrule.nn.Module;
import dev.chainrule.nn.ReLU;
import dev.chainrule.nn.Sequential;
import dev.chainrule.nn.Tanh;
import dev.chainrule.nn.loss.BinaryCrossEntropyWithLogits;
import dev.chainrule.nn.loss.CrossEntropy;
import dev.chainrule.nn.loss.Loss;
import dev.chainrule.optim.Sgd;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * End-to-end training-step benchmark, the Java side of {@code shared/bench/torch_mlp.py}: each case
 * is one SGD step (zero grad, forward, loss, backward, step) on fixed random data.
 * <pre>
 *   xor   2-8-1 tanh,               batch 4,   BCE with logits
 *   mnist 784-256-128-10 ReLU,      batch 128, softmax cross-entropy
 *   wide  1024-1024-1024-10 ReLU,   batch 256, softmax cross-entropy
 * </pre>
 * Prints one line per case, {@code <case> <steps_per_s> <samples_per_s>}, exactly like the PyTorch
 * script. {@code --threads N} limits Chainrule's kernels (ForkJoin common pool) and the native BLAS
 * ({@code OPENBLAS_NUM_THREADS}, which must be in the environment before the JVM loads the library:
 * when it is missing or different this program re-launches itself with it set).
 *
 * <p>Usage: {@code java -cp chainrule-benchmarks.jar dev.chainrule.benchmarks.MlpBench
 * [--threads 2] [--seconds 3] [--cases xor,mnist,wide] [--warmup 1] [--api nn|core] [--dtype float64|float32] [--gc]}.
 * {@code --dtype float32} converts the model ({@code Module.to}) and the data ({@code Tensor.to}) to
 * single precision, as {@code torch_mlp.py --dtype float32} does; class indices stay as they are.
 * The step uses the library as users do ({@code nn.Sequential} of {@code Linear} and activations,
 * {@code nn.loss}, {@code optim.Sgd}); {@code --api core} writes the same step with core tensor ops
 * and an in-place update instead, which shows what the layers and the optimizer cost on top.
 * {@code --gc} reports collections and GC time during the timed loop (from the GC MXBeans) on stderr. Like the PyTorch script it runs
 * 20 warm-up steps before timing; {@code --warmup S} adds S seconds of untimed steps first so that the
 * JIT has compiled the hot paths (PyTorch has no JIT to wait for). Use {@code --warmup 0} to see the cold figure.
 */
public final class MlpBench {
    private MlpBench() {}

    public static void main(String[] args) throws Exception {
        int threads = 2;
        double seconds = 3.0;
        double warmup = 1.0;
        String cases = "xor,mnist,wide";
        boolean gcReport = false;
        boolean core = false;
        DType dtype = DType.FLOAT64;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--threads": threads = Integer.parseInt(args[++i]); break;
                case "--seconds": seconds = Double.parseDouble(args[++i]); break;
                case "--warmup": warmup = Double.parseDouble(args[++i]); break;
                case "--cases": cases = args[++i]; break;
                case "--gc": gcReport = true; break;
                case "--api":
                    String api = args[++i];
                    if (!api.equals("nn") && !api.equals("core")) throw new IllegalArgumentException("--api is nn or core");
                    core = api.equals("core");
                    break;
                case "--dtype": dtype = dtype(args[++i]); break;
                default:
                    System.err.println("usage: MlpBench [--threads N] [--seconds S] [--warmup S] [--cases xor,mnist,wide] [--api nn|core] [--dtype float64|float32] [--gc]");
                    System.exit(2);
            }
        }
        if (threads < 1) throw new IllegalArgumentException("--threads must be at least 1");
        Threads.relaunchWithBlasThreads(MlpBench.class, threads, args);
        Threads.limit(threads);

        for (String name : cases.split(",")) {
            Case c = Case.of(name.trim());
            Runnable step = core ? c.buildCore(new Random(0), dtype) : c.buildNn(new Random(0), dtype);
            for (int i = 0; i < 20; i++) step.run();
            long wEnd = System.nanoTime() + (long) (warmup * 1e9);
            while (System.nanoTime() < wEnd) {
                for (int i = 0; i < 10; i++) step.run();
            }
            GcClock gc = new GcClock();
            long n = 0;
            long t0 = System.nanoTime();
            long limit = (long) (seconds * 1e9);
            while (System.nanoTime() - t0 < limit) {
                for (int i = 0; i < 10; i++) step.run();
                n += 10;
            }
            double dt = (System.nanoTime() - t0) / 1e9 / n;
            System.out.printf("%s %.1f %.1f%n", c.name, 1 / dt, c.batch / dt);
            if (gcReport) {
                System.err.printf("%s gc: %d collections, %.1f ms = %.2f %% of %.2f s%n", c.name, gc.count(), gc.millis(),
                    100 * gc.millis() / (dt * n * 1e3), dt * n);
            }
            System.out.flush();
        }
    }

    /** {@code float64} or {@code float32} (PyTorch's names) as a {@link DType}. */
    static DType dtype(String name) {
        switch (name) {
            case "float64": return DType.FLOAT64;
            case "float32": return DType.FLOAT32;
            default: throw new IllegalArgumentException("--dtype " + name + ": use float64 or float32");
        }
    }

    /** PyTorch's name of a dtype: {@code float64} or {@code float32}. */
    static String name(DType dtype) {
        return dtype == DType.FLOAT32 ? "float32" : "float64";
    }

    /** Total GC count and time since construction, from the GC MXBeans. */
    static final class GcClock {
        private final long count0 = count(0), millis0 = millis(0);

        private static long count(long base) {
            long c = 0;
            for (var b : ManagementFactory.getGarbageCollectorMXBeans()) c += Math.max(0, b.getCollectionCount());
            return c - base;
        }

        private static long millis(long base) {
            long c = 0;
            for (var b : ManagementFactory.getGarbageCollectorMXBeans()) c += Math.max(0, b.getCollectionTime());
            return c - base;
        }

        long count() {
            return count(count0);
        }

        double millis() {
            return millis(millis0);
        }
    }

    /** One benchmark case: layer sizes, batch, activation and loss, as in torch_mlp.py. */
    static final class Case {
        final String name;
        final int[] sizes;
        final int batch;
        final boolean bce;

        private Case(String name, int[] sizes, int batch, boolean bce) {
            this.name = name;
            this.sizes = sizes;
            this.batch = batch;
            this.bce = bce;
        }

        /** A ReLU MLP {@code sizes} at {@code batch} with softmax cross-entropy (the mnist/wide kind of case). */
        static Case mlp(String name, int[] sizes, int batch) {
            return new Case(name, sizes.clone(), batch, false);
        }

        static Case of(String name) {
            switch (name) {
                case "xor": return new Case(name, new int[] {2, 8, 1}, 4, true);
                case "mnist": return new Case(name, new int[] {784, 256, 128, 10}, 128, false);
                case "wide": return new Case(name, new int[] {1024, 1024, 1024, 10}, 256, false);
                default: throw new IllegalArgumentException("unknown case '" + name + "' (xor, mnist, wide)");
            }
        }

        /**
         * The training step on fixed random data, written with nn layers, an nn loss and optim.Sgd, in
         * {@code dtype} (model and inputs converted after drawing them in float64, so both dtypes start
         * from the same values).
         */
        Runnable buildNn(Random rng, DType dtype) {
            int layers = sizes.length - 1;
            List<Module> modules = new ArrayList<>();
            for (int i = 0; i < layers; i++) {
                modules.add(new Linear(sizes[i], sizes[i + 1], rng));   // PyTorch's default init: U(±1/√in)
                if (i < layers - 1) modules.add(bce ? new Tanh() : new ReLU());
            }
            Module model = new Sequential(modules).to(dtype);
            Sgd opt = Sgd.builder(model).lr(0.01).build();
            Tensor x = Tensor.randn(rng, batch, sizes[0]).to(dtype);
            double[] yv = new double[batch];
            for (int i = 0; i < batch; i++) yv[i] = bce ? rng.nextInt(2) : rng.nextInt(sizes[layers]);
            // BCE targets are values (in the model's dtype, or the loss would be promoted to float64);
            // cross-entropy targets are class indices.
            Tensor y = bce ? Tensor.of(yv, dtype, batch, 1) : Tensor.of(yv, batch);
            Loss lf = bce ? new BinaryCrossEntropyWithLogits() : new CrossEntropy();
            checkDType(lf.apply(model.forward(x), y), dtype);
            return () -> {
                opt.zeroGrad();
                lf.apply(model.forward(x), y).backward();
                opt.step();
            };
        }

        /** The same step with core tensor ops and an in-place SGD update under no-grad. */
        Runnable buildCore(Random rng, DType dtype) {
            int layers = sizes.length - 1;
            Tensor[] w = new Tensor[layers], b = new Tensor[layers];
            for (int i = 0; i < layers; i++) {
                double bound = 1 / Math.sqrt(sizes[i]);   // PyTorch's default Linear init
                w[i] = uniform(rng, bound, dtype, sizes[i + 1], sizes[i]).requiresGrad();
                b[i] = uniform(rng, bound, dtype, sizes[i + 1]).requiresGrad();
            }
            Tensor x = Tensor.randn(rng, batch, sizes[0]).to(dtype);
            double lr = 0.01;
            if (bce) {
                double[] yv = new double[batch];
                for (int i = 0; i < batch; i++) yv[i] = rng.nextInt(2);
                Tensor y = Tensor.of(yv, dtype, batch, 1);
                return () -> {
                    Tensor h = x;
                    for (int i = 0; i < layers; i++) {
                        h = h.linear(w[i], b[i]);
                        if (i < layers - 1) h = h.tanh();
                    }
                    // BCE with logits: mean(softplus(z) − y z) = −mean(y log σ(z) + (1−y) log(1−σ(z)))
                    Tensor loss = h.softplus().sub(h.mul(y)).mean();
                    checkDType(loss, dtype);
                    sgd(loss, w, b, lr);
                };
            }
            int[] y = new int[batch];
            for (int i = 0; i < batch; i++) y[i] = rng.nextInt(sizes[layers]);
            return () -> {
                Tensor h = x;
                for (int i = 0; i < layers; i++) {
                    h = h.linear(w[i], b[i]);
                    if (i < layers - 1) h = h.relu();
                }
                Tensor loss = h.crossEntropy(y);
                checkDType(loss, dtype);
                sgd(loss, w, b, lr);
            };
        }

        /** Fails when the step silently computes in another dtype (a promotion in the model or loss). */
        static void checkDType(Tensor loss, DType dtype) {
            if (loss.dtype() != dtype) throw new IllegalStateException("the " + dtype + " step computed its loss in " + loss.dtype());
        }

        private static void sgd(Tensor loss, Tensor[] w, Tensor[] b, double lr) {
            for (Tensor p : w) p.zeroGrad();
            for (Tensor p : b) p.zeroGrad();
            loss.backward();
            try (var s = Autograd.noGrad()) {
                for (Tensor p : w) p.addInPlace(p.grad(), -lr);
                for (Tensor p : b) p.addInPlace(p.grad(), -lr);
            }
        }

        private static Tensor uniform(Random rng, double bound, DType dtype, int... shape) {
            int n = 1;
            for (int d : shape) n *= d;
            double[] v = new double[n];
            for (int i = 0; i < n; i++) v[i] = (2 * rng.nextDouble() - 1) * bound;
            return Tensor.of(v, dtype, shape);
        }
    }
}

package dev.chainrule.benchmarks;

import dev.chainrule.autograd.DType;
import dev.chainrule.autograd.Tensor;
import dev.chainrule.nn.Linear;
import dev.chainrule.nn.Module;
import dev.chainrule.nn.ReLU;
import dev.chainrule.nn.Sequential;
import dev.chainrule.nn.loss.CrossEntropy;
import dev.chainrule.optim.Adam;
import dev.chainrule.optim.AdamW;
import dev.chainrule.optim.Adagrad;
import dev.chainrule.optim.Optimizer;
import dev.chainrule.optim.RmsProp;
import dev.chainrule.optim.Sgd;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Heap used by a training step of the wide MLP (1024-1024-1024-10 ReLU, batch 256, softmax
 * cross-entropy) under an optimizer: how much the optimizer keeps between steps and the peak live
 * heap of a step. Heap figures do not depend on timing, so they can be taken on a busy machine.
 *
 * <p>Two measurements:
 * <ul>
 *   <li><b>live</b>: after building the model and optimizer, and at the end of each phase of a step
 *       (forward + loss, backward, optimizer step, zero grad), a full collection ({@code System.gc()}
 *       with the serial collector, which is a full compacting collection) and the heap in use
 *       afterwards (MemoryMXBean). The largest of these is the peak live heap at phase ends; what
 *       remains after zero grad minus what was live before the first step is what the optimizer holds.</li>
 *   <li><b>min heap</b> ({@code --min-heap}): the smallest {@code -Xmx}, in steps of 4 MiB, with which a
 *       child JVM runs the steps without an {@code OutOfMemoryError} (binary search). This also
 *       catches temporaries that live only inside a phase.</li>
 * </ul>
 *
 * <p>Usage: {@code java -XX:+UseSerialGC -cp chainrule-benchmarks.jar dev.chainrule.benchmarks.MemoryBench
 * [--optimizer adam|adamw|sgd|momentum|rmsprop|adagrad] [--steps 5] [--min-heap] [--dtype float64|float32|float32,float64]}.
 * Prints {@code key value} lines (MiB).
 *
 * <p>{@code --dtype} converts the model ({@code Module.to}) and the batch to that dtype (default float64).
 * With a list ({@code --dtype float32,float64}) each dtype is measured in its own child JVM (same flags,
 * so neither inherits the other's heap), the key lines are printed with the dtype as a prefix
 * ({@code float32.peak_live_at_phase_ends_mib ...}), then the ratios float32 / float64 of the peak live
 * heap and of the part of it above the JVM's own baseline (what was live before anything was built;
 * issue 10's target: peak float32 &lt;= 0.55 x float64). With {@code --min-heap} a list searches the
 * minimal heap per dtype.
 */
public final class MemoryBench {
    private MemoryBench() {}

    private static final int[] SIZES = {1024, 1024, 1024, 10};
    private static final int BATCH = 256;

    public static void main(String[] args) throws Exception {
        String optimizer = "adam";
        int steps = 5;
        boolean minHeap = false;
        boolean quiet = false;
        String dtypes = "float64";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--optimizer": optimizer = args[++i]; break;
                case "--steps": steps = Integer.parseInt(args[++i]); break;
                case "--min-heap": minHeap = true; break;
                case "--quiet": quiet = true; break;
                case "--dtype": dtypes = args[++i]; break;
                default:
                    System.err.println("usage: MemoryBench [--optimizer adam|adamw|sgd|momentum|rmsprop|adagrad] [--steps N] [--min-heap] [--dtype float64|float32|float32,float64]");
                    System.exit(2);
            }
        }
        String[] dtypeList = dtypes.split(",");
        if (minHeap) {
            for (String d : dtypeList) {
                MlpBench.dtype(d);
                System.out.printf(Locale.ROOT, "min_heap_mib %s %s %d%n", optimizer, d, searchMinHeap(optimizer, steps, d));
            }
            return;
        }
        if (dtypeList.length > 1) {
            compareDTypes(optimizer, steps, dtypeList);
            return;
        }
        Threads.limit(1);
        run(optimizer, steps, quiet, MlpBench.dtype(dtypes));
    }

    /** Runs each dtype in a child JVM, prints its lines prefixed by the dtype, then float32 / float64 ratios. */
    private static void compareDTypes(String optimizer, int steps, String[] dtypes) throws Exception {
        java.util.Map<String, java.util.Map<String, Double>> values = new java.util.LinkedHashMap<>();
        for (String d : dtypes) {
            MlpBench.dtype(d);
            List<String> cmd = childCommand(null);
            cmd.addAll(List.of("--optimizer", optimizer, "--steps", Integer.toString(steps), "--dtype", d));
            Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            java.util.Map<String, Double> kv = new java.util.LinkedHashMap<>();
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    System.out.println(d + "." + line);
                    String[] f = line.split(" ");
                    if (f.length >= 2 && f[0].endsWith("_mib")) kv.put(f[0], Double.parseDouble(f[1]));
                }
            }
            if (p.waitFor() != 0) throw new IllegalStateException("MemoryBench --dtype " + d + " failed with exit code " + p.exitValue());
            values.put(d, kv);
        }
        var f32 = values.get("float32");
        var f64 = values.get("float64");
        if (f32 == null || f64 == null) return;
        for (String key : List.of("peak_live_at_phase_ends_mib", "peak_above_jvm_baseline_mib", "retained_between_steps_mib", "optimizer_holds_mib")) {
            System.out.printf(Locale.ROOT, "ratio_float32_over_float64.%s %.3f%n", key.replace("_mib", ""), f32.get(key) / f64.get(key));
        }
    }

    private static void run(String optimizerName, int steps, boolean quiet, DType dtype) {
        double baseline = live();
        Random rng = new Random(0);
        List<Module> modules = new ArrayList<>();
        for (int i = 0; i + 1 < SIZES.length; i++) {
            modules.add(new Linear(SIZES[i], SIZES[i + 1], rng));
            if (i + 2 < SIZES.length) modules.add(new ReLU());
        }
        Module model = new Sequential(modules).to(dtype);
        Optimizer opt = optimizer(optimizerName, model);
        Tensor x = Tensor.randn(rng, BATCH, SIZES[0]).to(dtype);
        double[] yv = new double[BATCH];
        for (int i = 0; i < BATCH; i++) yv[i] = rng.nextInt(SIZES[SIZES.length - 1]);
        Tensor y = Tensor.of(yv, BATCH);
        CrossEntropy loss = new CrossEntropy();
        double params = model.parameterCount() * (double) dtype.bytes();

        double built = live();
        double peak = built, retained = built;
        for (int s = 0; s < steps; s++) {
            Tensor l = loss.apply(model.forward(x), y);
            MlpBench.Case.checkDType(l, dtype);
            peak = Math.max(peak, live());
            l.backward();
            l = null;
            peak = Math.max(peak, live());
            opt.step();
            peak = Math.max(peak, live());
            opt.zeroGrad();
            retained = live();
            peak = Math.max(peak, retained);
        }
        if (quiet) return;
        System.out.printf(Locale.ROOT, "optimizer %s%n", opt);
        System.out.printf(Locale.ROOT, "dtype %s%n", MlpBench.name(dtype));
        System.out.printf(Locale.ROOT, "jvm_baseline_mib %.1f%n", mib(baseline));
        System.out.printf(Locale.ROOT, "parameters_mib %.1f%n", mib(params));
        System.out.printf(Locale.ROOT, "live_before_first_step_mib %.1f%n", mib(built));
        System.out.printf(Locale.ROOT, "retained_between_steps_mib %.1f%n", mib(retained));
        System.out.printf(Locale.ROOT, "optimizer_holds_mib %.1f (%.2f x parameters)%n", mib(retained - built), (retained - built) / params);
        System.out.printf(Locale.ROOT, "peak_live_at_phase_ends_mib %.1f%n", mib(peak));
        System.out.printf(Locale.ROOT, "peak_above_jvm_baseline_mib %.1f%n", mib(peak - baseline));
    }

    private static Optimizer optimizer(String name, Module model) {
        switch (name) {
            case "adam": return Adam.builder(model).lr(1e-3).build();
            case "adamw": return AdamW.builder(model).lr(1e-3).build();
            case "sgd": return Sgd.builder(model).lr(0.01).build();
            case "momentum": return Sgd.builder(model).lr(0.01).momentum(0.9).build();
            case "rmsprop": return RmsProp.builder(model).lr(1e-3).build();
            case "adagrad": return Adagrad.builder(model).lr(1e-2).build();
            default: throw new IllegalArgumentException("unknown optimizer '" + name + "'");
        }
    }

    /** Heap in use after two full collections, in bytes. */
    private static double live() {
        System.gc();
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static double mib(double bytes) {
        return bytes / (1024.0 * 1024.0);
    }

    /** Binary search, in 4 MiB steps, for the smallest -Xmx that runs the steps in a child JVM. */
    private static int searchMinHeap(String optimizer, int steps, String dtype) throws Exception {
        int lo = 16, hi = 1024;              // lo fails (far too small), hi succeeds
        if (!fits(hi, optimizer, steps, dtype)) throw new IllegalStateException("does not run in " + hi + " MiB");
        while (hi - lo > 4) {
            int mid = (lo + hi) / 2 / 4 * 4;
            if (fits(mid, optimizer, steps, dtype)) hi = mid;
            else lo = mid;
        }
        return hi;
    }

    /** {@code java [-Xmx<mib>m] -XX:+UseSerialGC -cp <this class path> MemoryBench}, without arguments. */
    private static List<String> childCommand(Integer mib) {
        List<String> cmd = new ArrayList<>();
        cmd.add(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java");
        if (mib != null) cmd.add("-Xmx" + mib + "m");
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(MemoryBench.class.getName());
        return cmd;
    }

    private static boolean fits(int mib, String optimizer, int steps, String dtype) throws Exception {
        List<String> cmd = childCommand(mib);
        cmd.addAll(List.of("--optimizer", optimizer, "--steps", Integer.toString(steps), "--quiet", "--dtype", dtype));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        StringBuilder out = new StringBuilder();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) out.append(line).append('\n');
        }
        int rc = p.waitFor();
        boolean oom = out.indexOf("OutOfMemoryError") >= 0;
        if (rc != 0 && !oom) throw new IllegalStateException("child failed with exit code " + rc + ":\n" + out);
        System.err.printf(Locale.ROOT, "  %s -Xmx%dm: %s%n", dtype, mib, rc == 0 ? "ok" : "OutOfMemoryError");
        return rc == 0;
    }
}

package dev.chainrule.examples;

import dev.chainrule.autograd.DType;
import dev.chainrule.autograd.Tensor;
import dev.chainrule.nn.Linear;
import dev.chainrule.nn.data.Batch;
import dev.chainrule.nn.data.DataLoader;
import dev.chainrule.nn.data.Dataset;
import dev.chainrule.nn.init.Zeros;
import dev.chainrule.nn.loss.MeanSquaredError;
import dev.chainrule.optim.Sgd;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Linear regression two ways: full-batch gradient descent on the mean squared error
 * {@code (1/n) ‖X wᵀ + b − y‖²} with Chainrule (a {@link Linear} layer started at zero,
 * {@link MeanSquaredError}, {@link Sgd} over a full-batch {@link DataLoader}), and the closed-form least-squares solution of the
 * normal equations {@code (AᵀA) θ = Aᵀy} (A = [X, 1]) solved in plain Java. The MSE is convex with
 * a positive-definite Hessian {@code (2/n) AᵀA}, so gradient descent with a small enough step
 * converges linearly to the same point.
 */
public final class LinearRegressionExample {

    private static final Logger LOG = LoggerFactory.getLogger(LinearRegressionExample.class);

    private LinearRegressionExample() {}

    public static final int DEFAULT_EPOCHS = 500;
    public static final double TOLERANCE = 1e-6;
    /** The agreement asked for in FLOAT32: gradient descent stops improving at float32 round-off (about 1e-7 relative). */
    public static final double TOLERANCE_FLOAT32 = 1e-4;

    static final double[] TRUE_WEIGHTS = {2.0, -3.0, 0.5};
    static final double TRUE_BIAS = 1.0;
    static final double NOISE = 0.1;

    /**
     * @param gradientDescent weights then bias found by gradient descent
     * @param closedForm      weights then bias from the normal equations
     * @param truth           the generating weights then bias
     */
    public record Result(long seed, int samples, int epochs, double learningRate, double[] gradientDescent,
                         double[] closedForm, double[] truth, double[] losses, double[] distance, DType dtype) {
        /** {@link #TOLERANCE}, or {@link #TOLERANCE_FLOAT32} for a FLOAT32 run. */
        public double tolerance() {
            return dtype == DType.FLOAT32 ? TOLERANCE_FLOAT32 : TOLERANCE;
        }

        /** max_j |θ_GD − θ_LS|. */
        public double maxDifference() {
            return maxAbsDifference(gradientDescent, closedForm);
        }

        public boolean claimHolds() {
            return maxDifference() <= tolerance();
        }

        public void print(PrintWriter out) {
            out.printf(Locale.ROOT, "Linear regression on %d samples y = x.w + b + %.1f*noise (seed %d)%n", samples, NOISE, seed);
            out.printf(Locale.ROOT, "Gradient descent on MSE: %d epochs, learning rate %.2f, final MSE %.10f%n",
                epochs, learningRate, losses[losses.length - 1]);
            out.printf(Locale.ROOT, "  %-6s %18s %18s %12s %10s%n", "", "gradient descent", "normal equations", "|diff|", "true");
            for (int j = 0; j < closedForm.length; j++) {
                String name = j < closedForm.length - 1 ? "w" + (j + 1) : "b";
                out.printf(Locale.ROOT, "  %-6s %18.12f %18.12f %12.1e %10.4f%n", name, gradientDescent[j], closedForm[j],
                    Math.abs(gradientDescent[j] - closedForm[j]), truth[j]);
            }
            out.printf(Locale.ROOT, "max |GD - closed form| = %.1e (tolerance %.0e): %s%n", maxDifference(), tolerance(),
                claimHolds() ? "gradient descent agrees with the least-squares solution"
                    : "NOT converged; try more epochs");
        }
    }

    /** Generates the data with {@code seed}, fits both ways, and compares. */
    public static Result run(long seed, int epochs) {
        return run(seed, epochs, DType.FLOAT64);
    }

    /** {@link #run(long, int)} with the model and the data in {@code dtype} (the closed form stays in double). */
    public static Result run(long seed, int epochs, DType dtype) {
        int n = 200, d = TRUE_WEIGHTS.length;
        double lr = 0.1;
        SplittableRandom rng = new SplittableRandom(seed);
        double[][] x = new double[n][d];
        double[] y = new double[n];
        double[][] design = new double[n][d + 1];
        for (int i = 0; i < n; i++) {
            y[i] = TRUE_BIAS + NOISE * rng.nextGaussian();
            for (int j = 0; j < d; j++) {
                x[i][j] = rng.nextGaussian();
                y[i] += TRUE_WEIGHTS[j] * x[i][j];
                design[i][j] = x[i][j];
            }
            design[i][d] = 1.0;
        }
        double[] closedForm = LinearAlgebra.leastSquares(design, y);

        Dataset data = new Dataset(Tensor.of(x), Tensor.of(y, n, 1));
        DataLoader fullBatch = DataLoader.builder(data).batchSize(n).dtype(dtype).build();   // full-batch gradient descent
        Linear model = new Linear(d, 1, new Zeros(), new Zeros(), rng);
        model.to(dtype);
        MeanSquaredError mseLoss = new MeanSquaredError();
        Sgd optimizer = Sgd.builder(model).lr(lr).build();
        double[] losses = new double[epochs];
        double[] distance = new double[epochs];
        try (Progress progress = Progress.start("linear-regression", epochs)) {
            for (int epoch = 0; epoch < epochs; epoch++) {
                for (Batch batch : fullBatch) {
                    Tensor mse = mseLoss.apply(model.forward(batch.x()), batch.y());
                    mse.backward();
                    optimizer.step();
                    optimizer.zeroGrad();
                    losses[epoch] = mse.item();
                }
                // floored at 1e-16 (round-off) so that the log-scale plot has no zeros
                distance[epoch] = Math.max(1e-16, maxAbsDifference(parameters(model), closedForm));
                progress.step();
                if ((epoch + 1) % Math.max(1, epochs / 5) == 0) {
                    LOG.info("epoch {}/{}: mse {}, max |theta - theta_LS| {}", epoch + 1, epochs,
                        String.format(Locale.ROOT, "%.10f", losses[epoch]), String.format(Locale.ROOT, "%.2e", distance[epoch]));
                }
            }
        }
        double[] gd = parameters(model);
        double[] truth = new double[d + 1];
        System.arraycopy(TRUE_WEIGHTS, 0, truth, 0, d);
        truth[d] = TRUE_BIAS;
        return new Result(seed, n, epochs, lr, gd, closedForm, truth, losses, distance, dtype);
    }

    /** Weights then bias, as one array. */
    private static double[] parameters(Linear model) {
        double[] w = model.weight().toArray();
        double[] out = java.util.Arrays.copyOf(w, w.length + 1);
        out[w.length] = model.bias().item();
        return out;
    }

    static double maxAbsDifference(double[] a, double[] b) {
        double m = 0;
        for (int j = 0; j < a.length; j++) m = Math.max(m, Math.abs(a[j] - b[j]));
        return m;
    }

    @Command(name = "linear-regression", mixinStandardHelpOptions = true, version = Main.VERSION,
        description = {"Gradient descent on MSE vs the normal equations (agree to 1e-6).",
            "Gradient descent on the mean squared error versus the closed-form least-squares solution "
            + "(normal equations): they agree to 1e-6."})
    public static final class Cli implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        CommonOptions common;
        @Option(names = "--epochs", paramLabel = "N", defaultValue = "" + DEFAULT_EPOCHS,
            description = "Full-batch gradient-descent steps. Default: ${DEFAULT-VALUE}.")
        int epochs;

        @Override
        public Integer call() throws IOException {
            Result result = run(common.seed(), CommonOptions.checkEpochs(spec, epochs), common.dtype());
            PrintWriter out = spec.commandLine().getOut();
            if (common.dtype() != DType.FLOAT64) out.println("dtype: " + common.dtype());
            result.print(out);
            if (common.out() != null) {
                out.println("Plot: " + Plots.lossCurve(common.out(), "linear-regression-loss.png",
                    "Linear regression: MSE per epoch (gradient descent)", result.losses(), true));
                Map<String, double[]> gap = new LinkedHashMap<>();
                gap.put("max |theta_GD - theta_LS|", result.distance());
                out.println("Plot: " + Plots.lossCurves(common.out(), "linear-regression-distance.png",
                    "Linear regression: distance of gradient descent to the closed-form solution", "max abs difference", gap, true));
            }
            out.flush();
            return result.claimHolds() ? 0 : Main.CLAIM_FAILED;
        }
    }
}

package dev.chainrule.examples;

import dev.chainrule.autograd.DType;
import dev.chainrule.nn.Linear;
import dev.chainrule.nn.data.DataLoader;
import dev.chainrule.nn.data.Dataset;
import dev.chainrule.nn.loss.BinaryCrossEntropyWithLogits;
import dev.chainrule.optim.Sgd;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Logistic regression, p(y = 1 | x) = σ(w·x + b), on two Gaussian blobs with identity covariance
 * centred at ±2·d for a known unit direction d (30°): binary cross-entropy (the Bernoulli NLL) minimized
 * by mini-batch SGD. With equal covariances the Bayes-optimal rule is linear with normal d, and its
 * accuracy is Φ(2) ≈ 97.7 %; the learned weight vector should point along d (cosine similarity near 1).
 */
public final class LogisticRegressionExample {

    private LogisticRegressionExample() {}

    public static final int DEFAULT_EPOCHS = 30;
    static final int PER_CLASS = 200;
    static final double ANGLE = Math.toRadians(30);
    static final double SEPARATION = 4.0;
    static final double LEARNING_RATE = 0.1;
    static final int BATCH_SIZE = 16;

    public record Result(long seed, int epochs, double accuracy, double bayesAccuracy, double[] weight, double bias,
                         double[] direction, double cosine, double[] losses, Datasets.Labeled data, Linear model) {
        public boolean claimHolds() {
            return accuracy >= 0.95;
        }

        public void print(PrintWriter out) {
            out.printf(Locale.ROOT, "Logistic regression on two Gaussian blobs (%d points each, means +-%.1f*d, identity covariance, seed %d)%n",
                PER_CLASS, SEPARATION / 2, seed);
            out.printf(Locale.ROOT, "Mini-batch SGD: batch %d, lr %.2f, %d epochs, binary cross-entropy on logits; final loss %.4f%n",
                BATCH_SIZE, LEARNING_RATE, epochs, losses[losses.length - 1]);
            out.printf(Locale.ROOT, "  training accuracy            %.2f %%   (Bayes-optimal accuracy Phi(%.1f) = %.2f %%)%n",
                100 * accuracy, SEPARATION / 2, 100 * bayesAccuracy);
            out.printf(Locale.ROOT, "  learned weight w             (%.4f, %.4f), bias %.4f%n", weight[0], weight[1], bias);
            out.printf(Locale.ROOT, "  generating direction d       (%.4f, %.4f)%n", direction[0], direction[1]);
            out.printf(Locale.ROOT, "  cosine similarity of w and d %.6f   (angle %.2f degrees)%n", cosine,
                Math.toDegrees(Math.acos(Math.min(1, cosine))));
            out.println(claimHolds() ? "Result: accuracy >= 95 % and w points along the generating direction."
                : "Result: accuracy below 95 % (claim failed).");
        }
    }

    public static Result run(long seed, int epochs) {
        return run(seed, epochs, DType.FLOAT64);
    }

    /** {@link #run(long, int)} with the model converted to {@code dtype} ({@code Module.to}; the Trainer converts the batches). */
    public static Result run(long seed, int epochs, DType dtype) {
        SplittableRandom rng = new SplittableRandom(seed);
        Datasets.Labeled data = Datasets.blobs(rng, PER_CLASS, ANGLE, SEPARATION);
        Dataset train = new Dataset(data.inputs(), data.binaryTargets());
        DataLoader loader = DataLoader.builder(train).batchSize(BATCH_SIZE).shuffle(rng.split()).build();
        Linear model = new Linear(2, 1, rng.split());
        model.to(dtype);
        Sgd sgd = Sgd.builder(model).lr(LEARNING_RATE).build();
        double[] losses = Training.fit("logistic-regression", model, sgd, new BinaryCrossEntropyWithLogits(), loader, epochs);

        double accuracy = Datasets.accuracy(Predictions.binary(model, data.inputs()), data.y());
        double[] w = model.weight().toArray();
        double[] d = {Math.cos(ANGLE), Math.sin(ANGLE)};
        double cosine = (w[0] * d[0] + w[1] * d[1]) / Math.hypot(w[0], w[1]);
        return new Result(seed, epochs, accuracy, normalCdf(SEPARATION / 2), w, model.bias().item(), d, cosine, losses, data, model);
    }

    /** The standard normal CDF Φ(x) = ½ + φ(x) Σ_{k≥0} x^{2k+1} / (1·3·5···(2k+1)) (Marsaglia's series; fine for |x| ≤ 8). */
    static double normalCdf(double x) {
        double term = x, sum = x;
        for (int k = 1; k < 200; k++) {
            term *= x * x / (2 * k + 1);
            sum += term;
        }
        return 0.5 + Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI) * sum;
    }

    @Command(name = "logistic-regression", mixinStandardHelpOptions = true, version = Main.VERSION,
        description = {"Logistic regression on two Gaussian blobs (>= 95 %%, cosine to the true direction).",
            "Logistic regression by SGD on two Gaussian blobs: >= 95 %% accuracy, and the learned weight "
            + "direction matches the generating one (cosine similarity)."})
    public static final class Cli implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        CommonOptions common;
        @Option(names = "--epochs", paramLabel = "N", defaultValue = "" + DEFAULT_EPOCHS,
            description = "Passes over the data (mini-batches of " + BATCH_SIZE + "). Default: ${DEFAULT-VALUE}.")
        int epochs;

        @Override
        public Integer call() throws IOException {
            Result result = run(common.seed(), CommonOptions.checkEpochs(spec, epochs), common.dtype());
            PrintWriter out = spec.commandLine().getOut();
            if (common.dtype() != DType.FLOAT64) out.println("dtype: " + common.dtype());
            result.print(out);
            if (common.out() != null) {
                out.println("Plot: " + Plots.lossCurve(common.out(), "logistic-regression-loss.png",
                    "Logistic regression: mean BCE per epoch", result.losses(), false));
                out.println("Plot: " + Plots.decisionBoundary(common.out(), "logistic-regression-boundary.png",
                    "Logistic regression: decision regions", result.data().x(), result.data().y(),
                    Predictions.binaryClassifier(result.model())));
            }
            out.flush();
            return result.claimHolds() ? 0 : Main.CLAIM_FAILED;
        }
    }
}

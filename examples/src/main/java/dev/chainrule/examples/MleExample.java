package dev.chainrule.examples;

import dev.chainrule.autograd.DType;
import dev.chainrule.autograd.Tensor;
import dev.chainrule.nn.loss.BinaryCrossEntropyWithLogits;
import dev.chainrule.nn.loss.GaussianNll;
import dev.chainrule.nn.loss.Reduction;
import dev.chainrule.optim.Sgd;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
 * Maximum likelihood by gradient descent recovers the textbook estimators. The negative
 * log-likelihoods are Chainrule's {@link GaussianNll} (with σ passed per call, so that it can be
 * learned) and {@link BinaryCrossEntropyWithLogits}; the optimizer is full-batch {@link Sgd}.
 * <ul>
 *   <li>Gaussian: minimizing the mean negative log-likelihood
 *       {@code ½ log 2π + log σ + (x − μ)² / (2σ²)} over μ and {@code s = log σ} (so σ stays
 *       positive) drives μ to the sample mean and σ to the sample standard deviation
 *       (the ML one, dividing by n).</li>
 *   <li>Bernoulli with a logit parameter θ, p = σ(θ): the mean NLL
 *       {@code softplus(θ) − y θ} (binary cross-entropy) is minimized where σ(θ) equals the
 *       frequency of ones.</li>
 * </ul>
 */
public final class MleExample {

    private static final Logger LOG = LoggerFactory.getLogger(MleExample.class);

    private MleExample() {}

    /** The Gaussian fit: estimates next to the closed-form ML values, and the loss per epoch. */
    public record GaussianFit(int samples, double trueMean, double trueStd, double sampleMean, double sampleStd,
                              double mean, double std, double[] losses, double[] meanPath, double[] stdPath) {
        public double meanError() {
            return Math.abs(mean - sampleMean);
        }

        public double stdError() {
            return Math.abs(std - sampleStd);
        }
    }

    /** The Bernoulli fit: σ(θ) next to the observed frequency, and the loss per epoch. */
    public record BernoulliFit(int samples, double trueP, double frequency, double logit, double p, double[] losses,
                               double[] pPath) {
        public double error() {
            return Math.abs(p - frequency);
        }
    }

    /** Both fits. */
    public record Result(long seed, GaussianFit gaussian, BernoulliFit bernoulli, DType dtype) {
        /** {@link #TOLERANCE}, or {@link #TOLERANCE_FLOAT32} for a FLOAT32 run. */
        public double tolerance() {
            return dtype == DType.FLOAT32 ? TOLERANCE_FLOAT32 : TOLERANCE;
        }

        public boolean claimHolds() {
            return gaussian.meanError() < tolerance() && gaussian.stdError() < tolerance() && bernoulli.error() < tolerance();
        }

        public void print(PrintWriter out) {
            GaussianFit g = gaussian;
            out.printf(Locale.ROOT, "Gaussian MLE by gradient descent (%d samples from N(%.1f, %.1f^2), seed %d, %d epochs)%n",
                g.samples(), g.trueMean(), g.trueStd(), seed, g.losses().length);
            out.printf(Locale.ROOT, "  mu    = %.10f   sample mean = %.10f   |diff| = %.1e%n", g.mean(), g.sampleMean(), g.meanError());
            out.printf(Locale.ROOT, "  sigma = %.10f   sample std  = %.10f   |diff| = %.1e   (std with 1/n, the ML estimator)%n",
                g.std(), g.sampleStd(), g.stdError());
            out.printf(Locale.ROOT, "  final NLL per sample = %.10f%n", g.losses()[g.losses().length - 1]);
            BernoulliFit b = bernoulli;
            out.printf(Locale.ROOT, "Bernoulli MLE with a logit parameter (%d flips with p = %.2f, %d epochs)%n",
                b.samples(), b.trueP(), b.losses().length);
            out.printf(Locale.ROOT, "  sigmoid(theta) = %.10f   frequency of ones = %.10f   |diff| = %.1e   (theta = %.6f)%n",
                b.p(), b.frequency(), b.error(), b.logit());
            out.printf(Locale.ROOT, "  final NLL per sample = %.10f%n", b.losses()[b.losses().length - 1]);
            out.println(claimHolds()
                ? "Gradient descent on the negative log-likelihood recovers the closed-form ML estimates (to "
                    + tolerance() + ")."
                : "Gradient descent did NOT reach the closed-form estimates to " + tolerance() + "; try more epochs.");
        }
    }

    /** Agreement with the closed-form estimates that counts as recovered. */
    public static final double TOLERANCE = 1e-6;
    /** The agreement asked for in FLOAT32 (gradient descent stops at float32 round-off, about 1e-7 relative). */
    public static final double TOLERANCE_FLOAT32 = 1e-4;

    public static final int DEFAULT_EPOCHS = 300;

    /** Fits both models on data drawn with {@code seed}. */
    public static Result run(long seed, int epochs) {
        return run(seed, epochs, DType.FLOAT64);
    }

    /** {@link #run(long, int)} with the data and the parameters in {@code dtype}. */
    public static Result run(long seed, int epochs, DType dtype) {
        SplittableRandom rng = new SplittableRandom(seed);
        GaussianFit g = fitGaussian(rng, 1000, 3.0, 2.0, epochs, 0.5, dtype);
        BernoulliFit b = fitBernoulli(rng, 500, 0.3, epochs, 4.0, dtype);
        return new Result(seed, g, b, dtype);
    }

    static GaussianFit fitGaussian(SplittableRandom rng, int n, double trueMean, double trueStd, int epochs, double lr, DType dtype) {
        double[] data = new double[n];
        for (int i = 0; i < n; i++) data[i] = trueMean + trueStd * rng.nextGaussian();
        double sampleMean = 0;
        for (double v : data) sampleMean += v;
        sampleMean /= n;
        double ss = 0;
        for (double v : data) ss += (v - sampleMean) * (v - sampleMean);
        double sampleStd = Math.sqrt(ss / n);

        Tensor x = Tensor.of(data, dtype, n);
        Tensor mu = Tensor.full(0.0, dtype).requiresGrad();
        // Start wide (sigma = 5): from a too-narrow start the first steps overshoot sigma by orders of magnitude.
        Tensor logSigma = Tensor.full(Math.log(5.0), dtype).requiresGrad();
        GaussianNll gaussianNll = new GaussianNll(1.0, Reduction.MEAN, true);   // full: with the ½ log 2π constant
        Sgd optimizer = Sgd.builder(List.of(mu, logSigma)).lr(lr).build();
        double[] losses = new double[epochs], meanPath = new double[epochs], stdPath = new double[epochs];
        for (int epoch = 0; epoch < epochs; epoch++) {
            // mean over samples of ½ log 2π + log σ + (x − μ)² / (2σ²), σ = e^s given per call
            Tensor nll = gaussianNll.apply(mu.broadcastTo(n), x, logSigma.exp());
            nll.backward();
            losses[epoch] = nll.item();
            optimizer.step();
            optimizer.zeroGrad();
            meanPath[epoch] = mu.item();
            stdPath[epoch] = Math.exp(logSigma.item());
            if ((epoch + 1) % Math.max(1, epochs / 5) == 0) {
                LOG.info("gaussian epoch {}/{}: nll {}, mu {}, sigma {}", epoch + 1, epochs,
                    String.format(Locale.ROOT, "%.8f", losses[epoch]), String.format(Locale.ROOT, "%.6f", mu.item()),
                    String.format(Locale.ROOT, "%.6f", Math.exp(logSigma.item())));
            }
        }
        return new GaussianFit(n, trueMean, trueStd, sampleMean, sampleStd, mu.item(), Math.exp(logSigma.item()), losses,
            meanPath, stdPath);
    }

    static BernoulliFit fitBernoulli(SplittableRandom rng, int n, double trueP, int epochs, double lr, DType dtype) {
        double[] flips = new double[n];
        int ones = 0;
        for (int i = 0; i < n; i++) {
            flips[i] = rng.nextDouble() < trueP ? 1 : 0;
            ones += (int) flips[i];
        }
        double frequency = (double) ones / n;

        Tensor y = Tensor.of(flips, dtype, n);
        Tensor theta = Tensor.full(0.0, dtype).requiresGrad();
        BinaryCrossEntropyWithLogits bce = new BinaryCrossEntropyWithLogits();
        Sgd optimizer = Sgd.builder(List.of(theta)).lr(lr).build();
        double[] losses = new double[epochs], pPath = new double[epochs];
        for (int epoch = 0; epoch < epochs; epoch++) {
            // −log p(y | θ) = −y log σ(θ) − (1 − y) log(1 − σ(θ)) = softplus(θ) − y θ, averaged
            Tensor nll = bce.apply(theta.broadcastTo(n), y);
            nll.backward();
            losses[epoch] = nll.item();
            optimizer.step();
            optimizer.zeroGrad();
            pPath[epoch] = 1 / (1 + Math.exp(-theta.item()));
            if ((epoch + 1) % Math.max(1, epochs / 5) == 0) {
                LOG.info("bernoulli epoch {}/{}: nll {}, p {}", epoch + 1, epochs,
                    String.format(Locale.ROOT, "%.8f", losses[epoch]),
                    String.format(Locale.ROOT, "%.6f", 1 / (1 + Math.exp(-theta.item()))));
            }
        }
        double p = 1 / (1 + Math.exp(-theta.item()));
        return new BernoulliFit(n, trueP, frequency, theta.item(), p, losses, pPath);
    }

    private static double[] constant(int n, double v) {
        double[] out = new double[n];
        java.util.Arrays.fill(out, v);
        return out;
    }

    @Command(name = "mle", mixinStandardHelpOptions = true, version = Main.VERSION,
        description = {"Gaussian and Bernoulli maximum likelihood by gradient descent.",
            "Maximum likelihood by gradient descent: a Gaussian's mu and sigma converge to the sample mean and "
            + "standard deviation; a Bernoulli logit's sigmoid converges to the frequency of ones."})
    public static final class Cli implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        CommonOptions common;
        @Option(names = "--epochs", paramLabel = "N", defaultValue = "" + DEFAULT_EPOCHS,
            description = "Gradient-descent steps per fit. Default: ${DEFAULT-VALUE}.")
        int epochs;

        @Override
        public Integer call() throws IOException {
            Result result = run(common.seed(), CommonOptions.checkEpochs(spec, epochs), common.dtype());
            PrintWriter out = spec.commandLine().getOut();
            if (common.dtype() != DType.FLOAT64) out.println("dtype: " + common.dtype());
            result.print(out);
            if (common.out() != null) {
                Map<String, double[]> curves = new LinkedHashMap<>();
                curves.put("Gaussian NLL", result.gaussian().losses());
                curves.put("Bernoulli NLL", result.bernoulli().losses());
                out.println("Plot: " + Plots.lossCurves(common.out(), "mle-loss.png",
                    "Negative log-likelihood per sample", "NLL", curves, false));
                GaussianFit g = result.gaussian();
                BernoulliFit b = result.bernoulli();
                int n = g.meanPath().length;
                double[] epochAxis = new double[n];
                for (int i = 0; i < n; i++) epochAxis[i] = i + 1;
                Map<String, double[]> paths = new LinkedHashMap<>();
                paths.put("mu", g.meanPath());
                paths.put("sample mean", constant(n, g.sampleMean()));
                paths.put("sigma", g.stdPath());
                paths.put("sample std", constant(n, g.sampleStd()));
                paths.put("Bernoulli sigmoid(theta)", b.pPath());
                paths.put("frequency of ones", constant(n, b.frequency()));
                out.println("Plot: " + Plots.lines(common.out(), "mle-parameters.png",
                    "Maximum likelihood by gradient descent: estimates per epoch vs closed form", "epoch", "value", epochAxis, paths));
            }
            out.flush();
            return result.claimHolds() ? 0 : Main.CLAIM_FAILED;
        }
    }
}

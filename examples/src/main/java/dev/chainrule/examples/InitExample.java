package dev.chainrule.examples;

import dev.chainrule.autograd.DType;
import dev.chainrule.autograd.Tensor;
import dev.chainrule.nn.Linear;
import dev.chainrule.nn.Mlp;
import dev.chainrule.nn.ReLU;
import dev.chainrule.nn.data.DataLoader;
import dev.chainrule.nn.data.Dataset;
import dev.chainrule.nn.init.Constant;
import dev.chainrule.nn.init.HeNormal;
import dev.chainrule.nn.init.Initializer;
import dev.chainrule.nn.init.Normal;
import dev.chainrule.nn.init.XavierNormal;
import dev.chainrule.nn.init.Zeros;
import dev.chainrule.nn.loss.CrossEntropy;
import dev.chainrule.optim.Sgd;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Weight initialization on one network — an MLP 2 → 50 → 50 → 3 with ReLU, trained on the spirals by
 * SGD with momentum — started five ways: all zeros, a constant (0.1), small random N(0, 0.01²),
 * Xavier N(0, 1/fan_in) and He N(0, 2/fan_in); biases always start at zero.
 *
 * <p>The symmetry problem: when every weight of a layer starts equal, every hidden unit computes the
 * same function and receives the same gradient, so the units stay identical forever and the layer is
 * worth one unit. The example measures it as the largest difference between two weight rows (two
 * units) of the same hidden layer after training: exactly 0 for zeros and for the constant. With
 * all-zero weights it is worse still: every hidden activation and every weight gradient is 0, so
 * the weights never move and only the output bias learns (loss stuck at log 3). Small random weights
 * break the symmetry but shrink the signal layer by layer, so learning starts slowly; the
 * fan-scaled rules keep the signal's scale and learn fastest.
 */
public final class InitExample {

    private InitExample() {}

    public static final int DEFAULT_EPOCHS = 60;
    static final int[] SIZES = {2, 50, 50, 3};
    static final double LEARNING_RATE = 0.05;
    static final double MOMENTUM = 0.9;
    static final int BATCH_SIZE = 32;

    /**
     * @param maxRowDifference per hidden layer, max over unit pairs (i, j) and inputs k of |W[i,k] − W[j,k]|
     */
    public record Run(String name, double finalLoss, double accuracy, double[] maxRowDifference, double[] losses) {}

    public record Result(long seed, int epochs, List<Run> runs) {
        public Run run(String name) {
            for (Run r : runs) if (r.name().equals(name)) return r;
            throw new IllegalArgumentException("no run named " + name);
        }

        /** Symmetric inits keep identical units; random ones do not. */
        public boolean claimHolds() {
            return max(run(ZEROS).maxRowDifference()) == 0 && max(run(CONSTANT).maxRowDifference()) < 1e-9
                && min(run(HE).maxRowDifference()) > 1e-3 && min(run(XAVIER).maxRowDifference()) > 1e-3
                && run(HE).finalLoss() < run(ZEROS).finalLoss();
        }

        public void print(PrintWriter out) {
            out.printf(Locale.ROOT, "Initialization on an MLP %s (ReLU) trained on the spirals: SGD lr %.2f momentum %.1f, "
                + "batches of %d, %d epochs, seed %d%n", java.util.Arrays.toString(SIZES), LEARNING_RATE, MOMENTUM, BATCH_SIZE, epochs, seed);
            out.printf(Locale.ROOT, "  %-22s %12s %10s   %s%n", "initialization", "final loss", "accuracy",
                "max difference between two hidden units' weight rows (layer 1, layer 2)");
            for (Run r : runs) {
                StringBuilder diffs = new StringBuilder();
                for (double d : r.maxRowDifference()) diffs.append(String.format(Locale.ROOT, "%-12.3e", d));
                out.printf(Locale.ROOT, "  %-22s %12.4f %9.1f %%   %s%n", r.name(), r.finalLoss(), 100 * r.accuracy(), diffs);
            }
            out.printf(Locale.ROOT, "  (chance: loss log 3 = %.4f, accuracy 33.3 %%)%n", Math.log(3));
            out.println("Zero and constant initialization leave every hidden unit of a layer identical (difference 0 up to round-off):");
            out.println("the symmetry problem. All-zero weights do not even move (every hidden activation and gradient is 0).");
            out.println("Random initialization breaks the symmetry; the fan-scaled Xavier and He rules train fastest.");
            out.println(claimHolds() ? "Result: as expected." : "Result: the expected pattern did NOT appear for this seed/epochs.");
        }
    }

    static final String ZEROS = "zeros";
    static final String CONSTANT = "constant 0.1";
    static final String SMALL = "normal N(0, 0.01^2)";
    static final String XAVIER = "Xavier N(0, 1/fan_in)";
    static final String HE = "He N(0, 2/fan_in)";

    public static Result run(long seed, int epochs) {
        return run(seed, epochs, DType.FLOAT64);
    }

    /** {@link #run(long, int)} with the model converted to {@code dtype} ({@code Module.to}; the Trainer converts the batches). */
    public static Result run(long seed, int epochs, DType dtype) {
        SplittableRandom rng = new SplittableRandom(seed);
        Datasets.Labeled data = Datasets.spirals(rng, 100, 3);
        Dataset train = new Dataset(data.inputs(), data.classTargets());
        Map<String, Initializer> inits = new LinkedHashMap<>();
        inits.put(ZEROS, new Zeros());
        inits.put(CONSTANT, new Constant(0.1));
        inits.put(SMALL, new Normal(0, 0.01));
        inits.put(XAVIER, new XavierNormal());
        inits.put(HE, new HeNormal());
        long initSeed = rng.nextLong(), shuffleSeed = rng.nextLong();
        List<Run> runs = new ArrayList<>();
        for (Map.Entry<String, Initializer> e : inits.entrySet()) {
            // Same architecture, same data order, same optimizer: only the initial weights differ.
            Mlp mlp = Mlp.builder()
                .sizes(SIZES)
                .hiddenActivation(ReLU::new)
                .weightInit(e.getValue())
                .biasInit(new Zeros())
                .seed(initSeed)
                .build();
            mlp.to(dtype);
            DataLoader loader = DataLoader.builder(train).batchSize(BATCH_SIZE).shuffle(new SplittableRandom(shuffleSeed)).build();
            Sgd sgd = Sgd.builder(mlp).lr(LEARNING_RATE).momentum(MOMENTUM).build();
            double[] losses = Training.fit("init " + e.getKey(), mlp, sgd, new CrossEntropy(), loader, epochs);
            List<Linear> layers = mlp.linearLayers();
            double[] diffs = new double[layers.size() - 1];
            for (int k = 0; k < diffs.length; k++) diffs[k] = maxRowDifference(layers.get(k).weight());
            double accuracy = Datasets.accuracy(Predictions.argMax(mlp, data.inputs()), data.y());
            runs.add(new Run(e.getKey(), losses[losses.length - 1], accuracy, diffs, losses));
        }
        return new Result(seed, epochs, List.copyOf(runs));
    }

    /** max over rows i, j and columns k of |w[i, k] − w[j, k]| for a weight {@code [units, inputs]}. */
    static double maxRowDifference(Tensor weight) {
        int units = weight.shape()[0], inputs = weight.shape()[1];
        double[] w = weight.toArray();
        double max = 0;
        for (int k = 0; k < inputs; k++) {
            double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < units; i++) {
                lo = Math.min(lo, w[i * inputs + k]);
                hi = Math.max(hi, w[i * inputs + k]);
            }
            max = Math.max(max, hi - lo);
        }
        return max;
    }

    private static double max(double[] v) {
        double m = Double.NEGATIVE_INFINITY;
        for (double x : v) m = Math.max(m, x);
        return m;
    }

    private static double min(double[] v) {
        double m = Double.POSITIVE_INFINITY;
        for (double x : v) m = Math.min(m, x);
        return m;
    }

    @Command(name = "init", mixinStandardHelpOptions = true, version = Main.VERSION,
        description = {"Zero, constant, N(0, 0.01^2), Xavier and He init: the symmetry problem.",
            "Zero vs constant vs N(0, 0.01^2) vs Xavier vs He initialization of the same MLP: shows the symmetry "
            + "problem (identical hidden units under zero init) and the loss curves."})
    public static final class Cli implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        CommonOptions common;
        @Option(names = "--epochs", paramLabel = "N", defaultValue = "" + DEFAULT_EPOCHS,
            description = "Passes over the spirals (mini-batches of " + BATCH_SIZE + ") per initialization. Default: ${DEFAULT-VALUE}.")
        int epochs;

        @Override
        public Integer call() throws IOException {
            Result result = run(common.seed(), CommonOptions.checkEpochs(spec, epochs), common.dtype());
            if (common.dtype() != DType.FLOAT64) spec.commandLine().getOut().println("dtype: " + common.dtype());
            PrintWriter out = spec.commandLine().getOut();
            result.print(out);
            if (common.out() != null) {
                Map<String, double[]> curves = new LinkedHashMap<>();
                for (Run r : result.runs()) curves.put(r.name(), r.losses());
                out.println("Plot: " + Plots.lossCurves(common.out(), "init-loss.png",
                    "Initialization: training cross-entropy per epoch", "loss", curves, true));
            }
            out.flush();
            return result.claimHolds() ? 0 : Main.CLAIM_FAILED;
        }
    }
}

package dev.chainrule.examples;

import dev.chainrule.autograd.DType;
import dev.chainrule.nn.Linear;
import dev.chainrule.nn.Mlp;
import dev.chainrule.nn.Module;
import dev.chainrule.nn.ReLU;
import dev.chainrule.nn.data.DataLoader;
import dev.chainrule.nn.data.Dataset;
import dev.chainrule.nn.init.HeNormal;
import dev.chainrule.nn.init.Zeros;
import dev.chainrule.nn.loss.CrossEntropy;
import dev.chainrule.optim.Adam;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
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
 * Three interleaved spirals (the CS231n data set, 100 points per class): a linear softmax classifier
 * (one {@link Linear} layer of 3 logits, softmax cross-entropy) can only cut the plane into three
 * wedges and stays far below the 2-layer MLP (100 ReLU hidden units, He init), which fits the
 * spirals to ≥ 95 % training accuracy. Both are trained the same way: mini-batches of 32, Adam.
 */
public final class SpiralsExample {

    private SpiralsExample() {}

    public static final int DEFAULT_EPOCHS = 200;
    static final int PER_CLASS = 100;
    static final int CLASSES = 3;
    static final int HIDDEN = 100;
    static final int BATCH_SIZE = 32;

    public record Result(long seed, int epochs, double softmaxAccuracy, double mlpAccuracy, double[] softmaxLosses,
                         double[] mlpLosses, Datasets.Labeled data, Module softmax, Module mlp) {
        public boolean claimHolds() {
            return mlpAccuracy >= 0.95 && softmaxAccuracy < 0.7;
        }

        public void print(PrintWriter out) {
            out.printf(Locale.ROOT, "Spirals: %d classes x %d points (seed %d), mini-batches of %d, Adam, %d epochs%n",
                CLASSES, PER_CLASS, seed, BATCH_SIZE, epochs);
            out.printf(Locale.ROOT, "  linear softmax classifier (2 -> %d):      train accuracy %6.2f %%   final loss %.4f%n",
                CLASSES, 100 * softmaxAccuracy, softmaxLosses[softmaxLosses.length - 1]);
            out.printf(Locale.ROOT, "  2-layer MLP (2 -> %d ReLU -> %d):        train accuracy %6.2f %%   final loss %.4f%n",
                HIDDEN, CLASSES, 100 * mlpAccuracy, mlpLosses[mlpLosses.length - 1]);
            out.println(claimHolds()
                ? "Result: the MLP fits the spirals (>= 95 %); a linear classifier cannot (its regions are three wedges)."
                : "Result: the claim did NOT hold for this seed/epochs.");
        }
    }

    public static Result run(long seed, int epochs) {
        return run(seed, epochs, DType.FLOAT64);
    }

    /** {@link #run(long, int)} with the model converted to {@code dtype} ({@code Module.to}; the Trainer converts the batches). */
    public static Result run(long seed, int epochs, DType dtype) {
        SplittableRandom rng = new SplittableRandom(seed);
        Datasets.Labeled data = Datasets.spirals(rng, PER_CLASS, CLASSES);
        Dataset train = new Dataset(data.inputs(), data.classTargets());
        CrossEntropy loss = new CrossEntropy();

        Linear softmax = new Linear(2, CLASSES, rng.split());
        softmax.to(dtype);
        DataLoader loader = DataLoader.builder(train).batchSize(BATCH_SIZE).shuffle(rng.split()).build();
        double[] softmaxLosses = Training.fit("spirals softmax", softmax, Adam.builder(softmax).lr(0.01).build(), loss, loader, epochs);

        Mlp mlp = Mlp.builder()
            .sizes(2, HIDDEN, CLASSES)
            .hiddenActivation(ReLU::new)
            .weightInit(new HeNormal())
            .biasInit(new Zeros())
            .rng(rng.split())
            .build();
        mlp.to(dtype);
        loader = DataLoader.builder(train).batchSize(BATCH_SIZE).shuffle(rng.split()).build();
        double[] mlpLosses = Training.fit("spirals mlp", mlp, Adam.builder(mlp).lr(0.01).build(), loss, loader, epochs);

        double softmaxAccuracy = Datasets.accuracy(Predictions.argMax(softmax, data.inputs()), data.y());
        double mlpAccuracy = Datasets.accuracy(Predictions.argMax(mlp, data.inputs()), data.y());
        return new Result(seed, epochs, softmaxAccuracy, mlpAccuracy, softmaxLosses, mlpLosses, data, softmax, mlp);
    }

    @Command(name = "spirals", mixinStandardHelpOptions = true, version = Main.VERSION,
        description = {"Linear softmax vs a 2-layer MLP on 3-class spirals (MLP >= 95 %%).",
            "Softmax (linear) classifier vs a 2-layer MLP on 3-class spirals: the MLP reaches >= 95 %% training "
            + "accuracy, the linear classifier stays far lower."})
    public static final class Cli implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        CommonOptions common;
        @Option(names = "--epochs", paramLabel = "N", defaultValue = "" + DEFAULT_EPOCHS,
            description = "Passes over the data (mini-batches of " + BATCH_SIZE + ") for each model. Default: ${DEFAULT-VALUE}.")
        int epochs;

        @Override
        public Integer call() throws IOException {
            Result result = run(common.seed(), CommonOptions.checkEpochs(spec, epochs), common.dtype());
            PrintWriter out = spec.commandLine().getOut();
            if (common.dtype() != DType.FLOAT64) out.println("dtype: " + common.dtype());
            result.print(out);
            if (common.out() != null) {
                Map<String, double[]> curves = new LinkedHashMap<>();
                curves.put("softmax classifier", result.softmaxLosses());
                curves.put("2-layer MLP", result.mlpLosses());
                out.println("Plot: " + Plots.lossCurves(common.out(), "spirals-loss.png", "Spirals: cross-entropy per epoch",
                    "loss", curves, true));
                out.println("Plot: " + Plots.decisionBoundary(common.out(), "spirals-softmax-boundary.png",
                    "Spirals: linear softmax classifier", result.data().x(), result.data().y(),
                    Predictions.multiClassifier(result.softmax())));
                out.println("Plot: " + Plots.decisionBoundary(common.out(), "spirals-mlp-boundary.png",
                    "Spirals: 2-layer MLP", result.data().x(), result.data().y(), Predictions.multiClassifier(result.mlp())));
            }
            out.flush();
            return result.claimHolds() ? 0 : Main.CLAIM_FAILED;
        }
    }
}

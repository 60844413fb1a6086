package dev.chainrule.examples;

import dev.chainrule.autograd.DType;
import dev.chainrule.nn.Mlp;
import dev.chainrule.nn.Module;
import dev.chainrule.nn.data.DataLoader;
import dev.chainrule.nn.data.Dataset;
import dev.chainrule.nn.data.FashionMnist;
import dev.chainrule.nn.loss.CrossEntropy;
import dev.chainrule.nn.loss.Reduction;
import dev.chainrule.optim.Accuracy;
import dev.chainrule.optim.Adam;
import dev.chainrule.optim.EpochSummary;
import dev.chainrule.optim.History;
import dev.chainrule.optim.Trainer;
import dev.chainrule.optim.TrainingListener;
import dev.chainrule.spark.ModelFactory;
import dev.chainrule.spark.ShardedData;
import dev.chainrule.spark.SparkHistory;
import dev.chainrule.spark.SparkTrainer;
import dev.chainrule.spark.StepInfo;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.classification.MultilayerPerceptronClassificationModel;
import org.apache.spark.ml.classification.MultilayerPerceptronClassifier;
import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * Fashion-MNIST on Spark: the MLP 784-H-10 (ReLU, dropout) trained by {@link SparkTrainer} with Adam on
 * mini-batches drawn from a data set whose shards each executor reads from the IDX files itself. Prints
 * each epoch's loss, accuracy, test accuracy and time (with the step broken down into broadcast, job,
 * compute and update). With {@code --compare} it also runs, on the same data, Chainrule's
 * single-machine {@code Trainer} (same batches, same dropout masks: the parameters agree to rounding)
 * and MLlib's {@code MultilayerPerceptronClassifier} (same layer sizes, L-BFGS), and prints the three
 * side by side: the benchmark of {@code docs/spark.md}.
 */
public final class SparkFashionMnistExample {

    private SparkFashionMnistExample() {}

    /** The options of a run. */
    record Config(String master, int partitions, Path data, int trainSize, int testSize, int epochs, int batchSize, int hidden,
                  double dropout, double lr, long seed, boolean compare, int mllibIterations, DType dtype) {
        /** A FLOAT64 run. */
        Config(String master, int partitions, Path data, int trainSize, int testSize, int epochs, int batchSize, int hidden,
               double dropout, double lr, long seed, boolean compare, int mllibIterations) {
            this(master, partitions, data, trainSize, testSize, epochs, batchSize, hidden, dropout, lr, seed, compare, mllibIterations,
                DType.FLOAT64);
        }
    }

    /** One epoch of one trainer: losses, accuracies, wall time and the mean step broken down. */
    record EpochRow(int epoch, double trainLoss, double trainAccuracy, double testLoss, double testAccuracy, double seconds,
                    double stepMillis, double broadcastMillis, double jobMillis, double computeMillis, double updateMillis) {
    }

    /** What {@code --compare} adds: the single-machine Trainer and MLlib. */
    record Comparison(List<EpochRow> trainer, double parameterDifference, int mllibIterations, double mllibSeconds,
                      double mllibAccuracy) {
    }

    record Result(Config config, String master, int partitions, long parameters, List<EpochRow> spark, Comparison comparison) {

        double finalTestAccuracy() {
            return spark.get(spark.size() - 1).testAccuracy();
        }

        boolean claimHolds() {
            return finalTestAccuracy() >= 0.7;
        }

        void print(PrintWriter out) {
            Config c = config;
            out.printf(Locale.ROOT, "Fashion-MNIST on Spark %s, %d partitions: %d training / %d test images, MLP 784-%d-10 (ReLU, dropout %.2f,"
                    + " %,d parameters), Adam lr %s, batches of %d, %d epochs, seed %d%n",
                master, partitions, c.trainSize(), c.testSize(), c.hidden(), c.dropout(), parameters, c.lr(), c.batchSize(), c.epochs(), c.seed());
            printRows(out, "Chainrule on Spark (SparkTrainer)", spark, true);
            if (comparison != null) {
                printRows(out, "Chainrule on one machine (Trainer, same batches and dropout masks)", comparison.trainer(), false);
                EpochRow s = spark.get(spark.size() - 1), t = comparison.trainer().get(comparison.trainer().size() - 1);
                out.printf(Locale.ROOT, "  final parameters: Spark vs Trainer differ by %.2e (max |a - b| / max |b|)%n", comparison.parameterDifference());
                double sparkStep = mean(spark, EpochRow::stepMillis), trainerStep = mean(comparison.trainer(), EpochRow::stepMillis);
                out.printf(Locale.ROOT, "  per-step overhead of Spark (broadcast + job + collect): %.1f ms (%.1f ms vs %.1f ms per step)%n",
                    sparkStep - trainerStep, sparkStep, trainerStep);
                out.printf(Locale.ROOT, "MLlib MultilayerPerceptronClassifier (784-%d-10, sigmoid hidden layer, L-BFGS, full batch): %d iterations"
                        + " (passes over the data) in %.1f s = %.2f s per pass; test accuracy %.2f %%%n",
                    c.hidden(), comparison.mllibIterations(), comparison.mllibSeconds(), comparison.mllibSeconds() / comparison.mllibIterations(),
                    100 * comparison.mllibAccuracy());
                out.printf(Locale.ROOT, "Side by side: test accuracy Spark %.2f %% / Trainer %.2f %% / MLlib %.2f %%; seconds per pass over the data"
                        + " %.2f / %.2f / %.2f%n", 100 * s.testAccuracy(), 100 * t.testAccuracy(), 100 * comparison.mllibAccuracy(),
                    mean(spark, EpochRow::seconds), mean(comparison.trainer(), EpochRow::seconds),
                    comparison.mllibSeconds() / comparison.mllibIterations());
            }
            out.println(claimHolds()
                ? String.format(Locale.ROOT, "Result: test accuracy %.2f %% (>= 70 %%).", 100 * finalTestAccuracy())
                : String.format(Locale.ROOT, "Result: test accuracy %.2f %% is below 70 %%; train longer (--epochs, --train-size).",
                    100 * finalTestAccuracy()));
        }

        private static void printRows(PrintWriter out, String title, List<EpochRow> rows, boolean breakdown) {
            out.println(title);
            for (EpochRow r : rows) {
                out.printf(Locale.ROOT, "  epoch %d: loss %.4f, accuracy %.2f %%, test loss %.4f, test accuracy %.2f %%, %.1f s, %.1f ms/step",
                    r.epoch(), r.trainLoss(), 100 * r.trainAccuracy(), r.testLoss(), 100 * r.testAccuracy(), r.seconds(), r.stepMillis());
                if (breakdown) {
                    out.printf(Locale.ROOT, " (broadcast %.1f, job %.1f of which compute %.1f, update %.1f)", r.broadcastMillis(), r.jobMillis(),
                        r.computeMillis(), r.updateMillis());
                }
                out.println();
            }
        }

        private static double mean(List<EpochRow> rows, java.util.function.ToDoubleFunction<EpochRow> f) {
            return rows.stream().mapToDouble(f).average().orElse(Double.NaN);
        }
    }

    /** The model, built the same way on the driver, on every executor and for the Trainer. */
    static ModelFactory mlp(int hidden, double dropout, long seed) {
        return mlp(hidden, dropout, seed, DType.FLOAT64);
    }

    /** The same model in {@code dtype} (SparkTrainer converts the batches on the executors, the Trainer on the driver). */
    static ModelFactory mlp(int hidden, double dropout, long seed, DType dtype) {
        return () -> Mlp.builder().sizes(784, hidden, FashionMnist.CLASSES).dropout(dropout).seed(seed).build().to(dtype);
    }

    /** The Spark configuration: the given master (or spark-submit's), quiet and loopback-bound in local mode. */
    static SparkConf conf(String master) {
        SparkConf conf = new SparkConf().setAppName("chainrule-spark-fashion-mnist").set("spark.ui.showConsoleProgress", "false");
        if (master != null) conf.setMaster(master);
        else if (!conf.contains("spark.master")) conf.setMaster("local[2]");
        if (conf.get("spark.master").startsWith("local")) {
            conf.set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1").set("spark.driver.bindAddress", "127.0.0.1");
        }
        return conf;
    }

    public static Result run(Config c) {
        SparkSession spark = SparkSession.builder().config(conf(c.master())).getOrCreate();
        try {
            return run(c, spark);
        } finally {
            spark.stop();
        }
    }

    static Result run(Config c, SparkSession spark) {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        int partitions = c.partitions() > 0 ? c.partitions() : sc.defaultParallelism();
        ModelFactory factory = mlp(c.hidden(), c.dropout(), c.seed(), c.dtype());
        double lr = c.lr();
        List<StepInfo> steps = new ArrayList<>();
        SparkHistory history;
        long parameters;
        double[] sparkParameters;
        try (ShardedData train = ShardedData.fromLoader(sc, partitions, new FashionMnistShards(c.data().toString(), true, c.trainSize(), partitions));
             ShardedData test = ShardedData.fromLoader(sc, partitions, new FashionMnistShards(c.data().toString(), false, c.testSize(), partitions));
             Progress progress = Progress.start("spark-fashion-mnist", (long) c.epochs() * ((c.trainSize() + c.batchSize() - 1) / c.batchSize()))) {
            SparkTrainer trainer = SparkTrainer.builder(sc, factory, CrossEntropy::new, m -> Adam.builder(m).lr(lr).build())
                .batchSize(c.batchSize()).epochs(c.epochs()).seed(c.seed()).metric(Accuracy::multiclass)
                .listener(s -> {
                    steps.add(s);
                    progress.step();
                }).build();
            parameters = trainer.model().parameterCount();
            history = trainer.fit(train, test);
            sparkParameters = flat(trainer.model());
        }
        List<EpochRow> sparkRows = new ArrayList<>();
        for (EpochSummary e : history.epochs()) {
            List<StepInfo> of = steps.stream().filter(s -> s.epoch() == e.epoch()).toList();
            sparkRows.add(new EpochRow(e.epoch(), e.trainLoss(), e.trainMetric(), e.validationLoss(), e.validationMetric(),
                history.epochMillis()[e.epoch() - 1] / 1e3, of.stream().mapToDouble(StepInfo::millis).average().orElse(Double.NaN),
                meanMillis(of, StepInfo::broadcastNanos), meanMillis(of, StepInfo::jobNanos), meanMillis(of, StepInfo::computeNanos),
                meanMillis(of, StepInfo::updateNanos)));
        }
        Comparison comparison = c.compare() ? compare(c, spark, factory, sparkParameters) : null;
        return new Result(c, spark.sparkContext().master(), partitions, parameters, sparkRows, comparison);
    }

    private static double meanMillis(List<StepInfo> steps, java.util.function.ToLongFunction<StepInfo> f) {
        return steps.stream().mapToLong(f).average().orElse(Double.NaN) / 1e6;
    }

    private static double[] flat(Module m) {
        double[] out = new double[(int) m.parameterCount()];
        int at = 0;
        for (var p : m.parameters()) {
            double[] v = p.toArray();
            System.arraycopy(v, 0, out, at, v.length);
            at += v.length;
        }
        return out;
    }

    private static Comparison compare(Config c, SparkSession spark, ModelFactory factory, double[] sparkParameters) {
        Dataset train, test;
        try {
            train = FashionMnist.builder(c.data()).trainLimit(c.trainSize()).loadTrain();
            test = FashionMnist.builder(c.data()).testLimit(c.testSize()).loadTest();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // 1. Chainrule's single-machine Trainer on the same batches.
        Module model = factory.create();
        List<EpochRow> rows = new ArrayList<>();
        long[] marks = {System.nanoTime(), 0};
        List<Double> stepMillis = new ArrayList<>();
        TrainingListener timing = new TrainingListener() {
            long last = System.nanoTime();

            @Override
            public void onBatchEnd(int epoch, int batch, double loss) {
                long now = System.nanoTime();
                stepMillis.add((now - last) / 1e6);
                last = now;
            }

            @Override
            public void onEpochEnd(EpochSummary e) {
                long now = System.nanoTime();
                double step = stepMillis.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
                rows.add(new EpochRow(e.epoch(), e.trainLoss(), e.trainMetric(), e.validationLoss(), e.validationMetric(),
                    (now - marks[0]) / 1e9, step, Double.NaN, Double.NaN, Double.NaN, Double.NaN));
                stepMillis.clear();
                marks[0] = now;
                last = now;
            }
        };
        History h = Trainer.builder(model, new CrossEntropy(Reduction.MEAN), Adam.builder(model).lr(c.lr()).build())
            .epochs(c.epochs()).metric(Accuracy.multiclass()).listener(timing).build()
            .fit(DataLoader.builder(train).batchSize(c.batchSize()).shuffle(c.seed()).build(), test);
        double[] trainerParameters = flat(model);
        double diff = 0, scale = 0;
        for (int i = 0; i < trainerParameters.length; i++) {
            diff = Math.max(diff, Math.abs(sparkParameters[i] - trainerParameters[i]));
            scale = Math.max(scale, Math.abs(trainerParameters[i]));
        }
        // 2. MLlib's multilayer perceptron on the same samples, each partition reading its shard of the
        // IDX files as SparkTrainer's do (a DataFrame of a local list would ship the data in every iteration).
        StructType schema = new StructType().add("label", DataTypes.DoubleType).add("features", new VectorUDT());
        int partitions = JavaSparkContext.fromSparkContext(spark.sparkContext()).defaultParallelism();
        var trainDf = spark.createDataFrame(shardRows(spark, new FashionMnistShards(c.data().toString(), true, c.trainSize(), partitions)), schema).cache();
        var testDf = spark.createDataFrame(shardRows(spark, new FashionMnistShards(c.data().toString(), false, c.testSize(), partitions)), schema).cache();
        trainDf.count();
        testDf.count();
        long t0 = System.nanoTime();
        MultilayerPerceptronClassificationModel mlp = new MultilayerPerceptronClassifier()
            .setLayers(new int[] {784, c.hidden(), FashionMnist.CLASSES}).setMaxIter(c.mllibIterations()).setSeed(c.seed())
            .fit(trainDf);
        double seconds = (System.nanoTime() - t0) / 1e9;
        double accuracy = new MulticlassClassificationEvaluator().setMetricName("accuracy").evaluate(mlp.transform(testDf));
        int iterations = Math.max(1, mlp.summary().totalIterations());
        trainDf.unpersist();
        testDf.unpersist();
        return new Comparison(rows, diff / scale, iterations, seconds, accuracy);
    }

    /** The shards of {@code loader} as DataFrame rows (label, features), each built by the task of its partition. */
    private static org.apache.spark.api.java.JavaRDD<Row> shardRows(SparkSession spark, FashionMnistShards loader) {
        List<Integer> shards = new ArrayList<>();
        for (int i = 0; i < loader.k(); i++) shards.add(i);
        return JavaSparkContext.fromSparkContext(spark.sparkContext()).parallelize(shards, loader.k()).flatMap(i -> {
            Dataset d = loader.load(i);
            List<Row> out = new ArrayList<>();
            if (d == null) return out.iterator();
            double[] x = d.x().toArray(), y = d.y().toArray();
            for (int r = 0; r < d.size(); r++) {
                out.add(RowFactory.create(y[r], Vectors.dense(java.util.Arrays.copyOfRange(x, r * 784, (r + 1) * 784))));
            }
            return out.iterator();
        });
    }

    @Command(name = "spark-fashion-mnist", mixinStandardHelpOptions = true, version = Main.VERSION,
        description = {"Fashion-MNIST MLP trained on Spark (data-parallel); --compare adds Trainer and MLlib side by side.",
            "Trains the MLP 784-H-10 on Fashion-MNIST with SparkTrainer on a Spark master (default local[2]), each executor "
            + "reading its shard of the IDX files, and prints loss, accuracy, test accuracy and time per epoch. "
            + "Needs Spark on the class path: run it with java @examples/target/spark-example.args dev.chainrule.examples.Main "
            + "spark-fashion-mnist (see examples/README.md), or with spark-submit."})
    public static final class Cli implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        CommonOptions common;
        @Option(names = "--master", paramLabel = "URL",
            description = "Spark master, e.g. local[2], local[4], spark://host:7077. Default: spark-submit's, else local[2].")
        String master;
        @Option(names = "--partitions", paramLabel = "N", defaultValue = "0",
            description = "Partitions (shards) of the data. Default: the master's default parallelism.")
        int partitions;
        @Option(names = "--data", paramLabel = "DIR", description = "Directory of the four Fashion-MNIST IDX files. Default: "
            + "/usr/share/datasets/fashion-mnist (apt-get install -y dataset-fashion-mnist).")
        Path data = FashionMnist.DEFAULT_DIR;
        @Option(names = "--train-size", paramLabel = "N", defaultValue = "10000",
            description = "Training images used (the first N of 60000). Default: ${DEFAULT-VALUE}.")
        int trainSize;
        @Option(names = "--test-size", paramLabel = "N", defaultValue = "2000",
            description = "Test images used (the first N of 10000). Default: ${DEFAULT-VALUE}.")
        int testSize;
        @Option(names = "--epochs", paramLabel = "N", defaultValue = "3", description = "Passes over the training data. Default: ${DEFAULT-VALUE}.")
        int epochs;
        @Option(names = "--batch-size", paramLabel = "B", defaultValue = "128", description = "Global mini-batch size. Default: ${DEFAULT-VALUE}.")
        int batchSize;
        @Option(names = "--hidden", paramLabel = "H", defaultValue = "128", description = "Hidden units. Default: ${DEFAULT-VALUE}.")
        int hidden;
        @Option(names = "--dropout", paramLabel = "P", defaultValue = "0.1", description = "Dropout after the hidden layer. Default: ${DEFAULT-VALUE}.")
        double dropout;
        @Option(names = "--lr", paramLabel = "RATE", defaultValue = "0.001", description = "Adam's learning rate. Default: ${DEFAULT-VALUE}.")
        double lr;
        @Option(names = "--compare", description = "Also train with the single-machine Trainer and MLlib's MultilayerPerceptronClassifier "
            + "on the same data and print the three side by side (the benchmark in docs/spark.md).")
        boolean compare;
        @Option(names = "--mllib-iterations", paramLabel = "N", defaultValue = "50",
            description = "L-BFGS iterations of MLlib's classifier with --compare. Default: ${DEFAULT-VALUE}.")
        int mllibIterations;

        @Override
        public Integer call() throws IOException {
            CommonOptions.checkEpochs(spec, epochs);
            if (trainSize < 1 || trainSize > 60000) throw new ParameterException(spec.commandLine(), "--train-size must be in 1..60000, got " + trainSize);
            if (testSize < 1 || testSize > 10000) throw new ParameterException(spec.commandLine(), "--test-size must be in 1..10000, got " + testSize);
            if (batchSize < 1) throw new ParameterException(spec.commandLine(), "--batch-size must be at least 1, got " + batchSize);
            if (!FashionMnist.isAvailable(data)) {
                spec.commandLine().getErr().println("Fashion-MNIST files not found in " + data + "; install them with `"
                    + FashionMnist.INSTALL_COMMAND + "` or pass --data DIR");
                return spec.exitCodeOnExecutionException();
            }
            Result r = run(new Config(master, partitions, data.toAbsolutePath(), trainSize, testSize, epochs, batchSize, hidden, dropout, lr,
                common.seed(), compare, mllibIterations, common.dtype()));
            PrintWriter out = spec.commandLine().getOut();
            if (common.dtype() != DType.FLOAT64) out.println("dtype: " + common.dtype());
            r.print(out);
            if (common.out() != null) {
                Map<String, double[]> loss = new LinkedHashMap<>();
                loss.put("SparkTrainer (train)", r.spark().stream().mapToDouble(EpochRow::trainLoss).toArray());
                loss.put("SparkTrainer (test)", r.spark().stream().mapToDouble(EpochRow::testLoss).toArray());
                if (r.comparison() != null) {
                    loss.put("Trainer (train)", r.comparison().trainer().stream().mapToDouble(EpochRow::trainLoss).toArray());
                    loss.put("Trainer (test)", r.comparison().trainer().stream().mapToDouble(EpochRow::testLoss).toArray());
                }
                out.println("Plot: " + Plots.lossCurves(common.out(), "spark-fashion-mnist-loss.png",
                    "Fashion-MNIST: cross-entropy per epoch (SparkTrainer and Trainer coincide)", "loss", loss, false));
                Map<String, double[]> acc = new LinkedHashMap<>();
                acc.put("SparkTrainer (test)", r.spark().stream().mapToDouble(EpochRow::testAccuracy).toArray());
                if (r.comparison() != null) {
                    acc.put("Trainer (test)", r.comparison().trainer().stream().mapToDouble(EpochRow::testAccuracy).toArray());
                }
                out.println("Plot: " + Plots.lossCurves(common.out(), "spark-fashion-mnist-accuracy.png",
                    "Fashion-MNIST: test accuracy per epoch (SparkTrainer and Trainer coincide)", "accuracy", acc, false));
            }
            out.flush();
            return r.claimHolds() ? 0 : Main.CLAIM_FAILED;
        }
    }
}

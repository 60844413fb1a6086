package dev.chainrule.spark.ml;

import dev.chainrule.autograd.Autograd;
import dev.chainrule.autograd.Tensor;
import dev.chainrule.nn.Module;
import dev.chainrule.nn.loss.CrossEntropy;
import dev.chainrule.optim.Accuracy;
import dev.chainrule.optim.Adam;
import dev.chainrule.optim.Optimizer;
import dev.chainrule.optim.Sgd;
import dev.chainrule.spark.ModelFactory;
import dev.chainrule.spark.Sample;
import dev.chainrule.spark.ShardedData;
import dev.chainrule.spark.SparkTrainer;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.classification.ProbabilisticClassifier;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntArrayParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWriter;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * A Spark ML {@code Estimator} that trains a Chainrule network as a classifier with
 * {@link SparkTrainer} (synchronous data-parallel mini-batch training, softmax cross-entropy on the
 * logits), for DataFrames with a vector {@code featuresCol} and a class-index {@code labelCol}; it
 * drops into a {@code Pipeline} wherever MLlib's {@code MultilayerPerceptronClassifier} does, with the
 * same {@code layers} param.
 *
 * <pre>{@code
 * ChainruleClassifier clf = new ChainruleClassifier()
 *     .setLayers(new int[] {4, 16, 3})     // features, hidden sizes..., classes (ReLU hidden layers)
 *     .setDropout(0.1).setMaxIter(30).setBatchSize(32).setStepSize(0.01).setSeed(42);
 * PipelineModel model = new Pipeline().setStages(new PipelineStage[] {assembler, clf}).fit(train);
 * model.transform(test).select("prediction", "probability");
 * }</pre>
 *
 * <p>Params: {@code layers} (the {@code Mlp} sizes, required unless {@link #setModelFactory} gives any
 * other network), {@code dropout} (after each hidden layer, default 0), {@code maxIter} (epochs, default
 * 100), {@code batchSize} (the global mini-batch, default 32), {@code stepSize} (learning rate, default
 * 0.001), {@code solver} ({@code "adam"}, the default, or {@code "sgd"} with {@code momentum}, default
 * 0.9), {@code seed} (initialization, dropout and shuffling, default 42), and the usual
 * {@code featuresCol}, {@code labelCol}, {@code predictionCol}, {@code probabilityCol},
 * {@code rawPredictionCol} (logits), {@code thresholds}.
 *
 * <p>Bad input is reported before training: a row whose feature vector does not have
 * {@code layers[0]} entries, a non-finite value, or a label that is not a class index below the
 * number of outputs, each naming the partition and row. Saved with ML persistence ({@code write().save})
 * — including a custom model factory, Java-serialized next to the params.
 */
public final class ChainruleClassifier extends ProbabilisticClassifier<Vector, ChainruleClassifier, ChainruleClassificationModel>
    implements MLWritable {

    private static final long serialVersionUID = 1L;
    private static final ThreadLocal<String> PENDING_UID = new ThreadLocal<>();

    private String uid;
    private final IntArrayParam layers;
    private final DoubleParam dropout;
    private final IntParam maxIter;
    private final IntParam batchSize;
    private final DoubleParam stepSize;
    private final Param<String> solver;
    private final DoubleParam momentum;
    private final LongParam seed;
    private ModelFactory modelFactory;

    /** A classifier with a random uid. */
    public ChainruleClassifier() {
        this(Identifiable.randomUID("chainrule"));
    }

    /** A classifier with the given uid (used by Spark's copy and persistence). */
    public ChainruleClassifier(String uid) {
        this(new Pending(Objects.requireNonNull(uid, "ChainruleClassifier: uid is null")));
    }

    private ChainruleClassifier(Pending pending) {
        super();
        this.uid = pending.uid;
        PENDING_UID.remove();
        layers = new IntArrayParam(this, "layers", "sizes of the network's layers: input features, hidden sizes..., classes",
            atLeastTwo());
        dropout = new DoubleParam(this, "dropout", "dropout probability after each hidden layer, in [0, 1)",
            ParamValidators.inRange(0, 1, true, false));
        maxIter = new IntParam(this, "maxIter", "number of epochs (>= 1)", ParamValidators.gtEq(1));
        batchSize = new IntParam(this, "batchSize", "global mini-batch size (>= 1)", ParamValidators.gtEq(1));
        stepSize = new DoubleParam(this, "stepSize", "learning rate (> 0)", ParamValidators.gt(0));
        solver = new Param<>(this, "solver", "optimizer: adam or sgd (with momentum)", ParamValidators.inArray(new String[] {"adam", "sgd"}));
        momentum = new DoubleParam(this, "momentum", "momentum of the sgd solver, in [0, 1)", ParamValidators.inRange(0, 1, true, false));
        seed = new LongParam(this, "seed", "seed of initialization, dropout masks and shuffling");
        setDefault(dropout, 0.0);
        setDefault(maxIter, 100);
        setDefault(batchSize, 32);
        setDefault(stepSize, 1e-3);
        setDefault(solver, "adam");
        setDefault(momentum, 0.9);
        setDefault(seed, 42L);
    }

    /** Scala's array validator is generic in the element type, which Java sees as Object: adapt it to int[]. */
    @SuppressWarnings("unchecked")
    private static scala.Function1<int[], Object> atLeastTwo() {
        return (scala.Function1<int[], Object>) (scala.Function1<?, ?>) ParamValidators.arrayLengthGt(1);
    }

    /** Carries the uid into {@link #uid()} while Spark's superclass constructors run. */
    private static final class Pending {
        final String uid;

        Pending(String uid) {
            this.uid = uid;
            PENDING_UID.set(uid);
        }
    }

    /**
     * This stage's unique id. Spark's Scala superclasses build their params (each naming its parent's
     * uid) before a Java subclass can assign a field, so until then the uid comes from the
     * constructing thread.
     */
    @Override
    public String uid() {
        return uid != null ? uid : PENDING_UID.get();
    }

    // ------------------------------------------------------------------ params

    /** Sizes of the network's layers: input features, hidden sizes..., classes. */
    public IntArrayParam layers() {
        return layers;
    }

    /** Dropout probability after each hidden layer. */
    public DoubleParam dropout() {
        return dropout;
    }

    /** Number of epochs. */
    public IntParam maxIter() {
        return maxIter;
    }

    /** Global mini-batch size. */
    public IntParam batchSize() {
        return batchSize;
    }

    /** Learning rate. */
    public DoubleParam stepSize() {
        return stepSize;
    }

    /** {@code adam} or {@code sgd}. */
    public Param<String> solver() {
        return solver;
    }

    /** Momentum of the {@code sgd} solver. */
    public DoubleParam momentum() {
        return momentum;
    }

    /** Seed of initialization, dropout masks and shuffling. */
    public LongParam seed() {
        return seed;
    }

    public ChainruleClassifier setLayers(int[] value) {
        Objects.requireNonNull(value, "ChainruleClassifier.setLayers: value is null");
        return (ChainruleClassifier) set(layers, value);
    }

    public ChainruleClassifier setDropout(double value) {
        return (ChainruleClassifier) set(dropout, value);
    }

    public ChainruleClassifier setMaxIter(int value) {
        return (ChainruleClassifier) set(maxIter, value);
    }

    public ChainruleClassifier setBatchSize(int value) {
        return (ChainruleClassifier) set(batchSize, value);
    }

    public ChainruleClassifier setStepSize(double value) {
        return (ChainruleClassifier) set(stepSize, value);
    }

    public ChainruleClassifier setSolver(String value) {
        Objects.requireNonNull(value, "ChainruleClassifier.setSolver: value is null; use adam or sgd");
        return (ChainruleClassifier) set(solver, value);
    }

    public ChainruleClassifier setMomentum(double value) {
        return (ChainruleClassifier) set(momentum, value);
    }

    public ChainruleClassifier setSeed(long value) {
        return (ChainruleClassifier) set(seed, value);
    }

    /**
     * Trains the network {@code factory} builds instead of an {@code Mlp} of {@code layers} (its input
     * width is taken from the data, its number of outputs is the number of classes); null to go back to
     * {@code layers}. Not a Spark param: it is copied with the estimator and saved Java-serialized.
     */
    public ChainruleClassifier setModelFactory(ModelFactory factory) {
        this.modelFactory = factory;
        return this;
    }

    public int[] getLayers() {
        return getOrDefault(layers);
    }

    public double getDropout() {
        return (Double) getOrDefault(dropout);
    }

    public int getMaxIter() {
        return (Integer) getOrDefault(maxIter);
    }

    public int getBatchSize() {
        return (Integer) getOrDefault(batchSize);
    }

    public double getStepSize() {
        return (Double) getOrDefault(stepSize);
    }

    public String getSolver() {
        return getOrDefault(solver);
    }

    public double getMomentum() {
        return (Double) getOrDefault(momentum);
    }

    public long getSeed() {
        return (Long) getOrDefault(seed);
    }

    /** The custom model factory, or null when the network is an {@code Mlp} of {@code layers}. */
    public ModelFactory getModelFactory() {
        return modelFactory;
    }

    // ------------------------------------------------------------------ training

    @Override
    public ChainruleClassificationModel train(Dataset<?> dataset) {
        Objects.requireNonNull(dataset, "ChainruleClassifier.train: dataset is null");
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(dataset.sparkSession().sparkContext());
        ModelFactory factory;
        int numFeatures;
        if (modelFactory != null) {
            factory = modelFactory;
            List<Row> first = dataset.select(getFeaturesCol()).takeAsList(1);
            if (first.isEmpty() || first.get(0).isNullAt(0)) throw new IllegalArgumentException("ChainruleClassifier: no training rows with features");
            numFeatures = ((Vector) first.get(0).get(0)).size();
        } else {
            if (!isDefined(layers)) {
                throw new IllegalArgumentException("ChainruleClassifier: set layers (input features, hidden sizes..., classes), "
                    + "e.g. setLayers(new int[] {4, 16, 3}), or a model factory");
            }
            int[] l = getLayers();
            factory = new MlpSpec(l.clone(), getDropout(), getSeed());
            numFeatures = l[0];
        }
        int outputs = outputs(factory, numFeatures);
        String featuresCol = getFeaturesCol(), labelCol = getLabelCol();
        JavaRDD<Sample> samples = dataset.select(featuresCol, labelCol).toJavaRDD().map(row ->
            row.isNullAt(0) || row.isNullAt(1) ? null : new Sample(((Vector) row.get(0)).toArray(), new double[] {row.getDouble(1)}));
        double lr = getStepSize(), mu = getMomentum();
        Function<Module, Optimizer> optimizer = getSolver().equals("sgd")
            ? m -> Sgd.builder(m).lr(lr).momentum(mu).build()
            : m -> Adam.builder(m).lr(lr).build();
        try (ShardedData data = ShardedData.fromSamples(samples, new int[] {numFeatures}, new int[0])) {
            try {
                data.checkClassIndices(outputs);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("ChainruleClassifier: " + e.getMessage() + "; labels must be class indices 0, 1, ..., "
                    + (outputs - 1) + " (the network has " + outputs + " outputs, one per class)", e);
            }
            SparkTrainer trainer = SparkTrainer.builder(sc, factory, CrossEntropy::new, optimizer)
                .batchSize(getBatchSize()).epochs(getMaxIter()).seed(getSeed()).metric(Accuracy::multiclass).build();
            trainer.fit(data);
            Module trained = trainer.model();
            double[] flat = new double[(int) trained.parameterCount()];
            int at = 0;
            for (Tensor p : trained.parameters()) {
                double[] v = p.toArray();
                System.arraycopy(v, 0, flat, at, v.length);
                at += v.length;
            }
            return ChainruleClassificationModel.create(uid(), factory, flat, numFeatures, outputs);
        }
    }

    /** The width of the network's output for one input of {@code numFeatures} zeros. */
    @SuppressWarnings("try")
    private static int outputs(ModelFactory factory, int numFeatures) {
        Module m = factory.create();
        m.eval();
        try (var s = Autograd.noGrad()) {
            int[] shape = m.forward(Tensor.zeros(1, numFeatures)).shape();
            if (shape.length != 2) {
                throw new IllegalArgumentException("ChainruleClassifier: the network maps [1, " + numFeatures + "] to "
                    + Arrays.toString(shape) + "; a classifier needs logits [N, classes]");
            }
            return shape[1];
        } catch (IllegalArgumentException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("ChainruleClassifier")) throw e;
            throw new IllegalArgumentException("ChainruleClassifier: the network does not accept " + numFeatures
                + " features (the width of the features column): " + e.getMessage(), e);
        }
    }

    @Override
    public ChainruleClassifier copy(ParamMap extra) {
        Objects.requireNonNull(extra, "ChainruleClassifier.copy: extra is null");
        ChainruleClassifier c = defaultCopy(extra);
        c.modelFactory = modelFactory;
        return c;
    }

    @Override
    public MLWriter write() {
        return new Writer(this);
    }

    /** The reader of {@link #write()}'s directories. */
    public static MLReader<ChainruleClassifier> read() {
        return new Reader();
    }

    /** Loads an estimator saved with {@code write().save(path)}. */
    public static ChainruleClassifier load(String path) {
        Objects.requireNonNull(path, "ChainruleClassifier.load: path is null");
        return read().load(path);
    }

    private static final class Writer extends MLWriter {
        private final ChainruleClassifier estimator;

        Writer(ChainruleClassifier estimator) {
            this.estimator = estimator;
        }

        @Override
        public void saveImpl(String path) {
            DefaultParamsWriter.saveMetadata(estimator, path, sparkSession());
            if (estimator.modelFactory != null) Persistence.writeFactory(estimator.modelFactory, path, sc().hadoopConfiguration());
        }
    }

    private static final class Reader extends MLReader<ChainruleClassifier> {
        @Override
        public ChainruleClassifier load(String path) {
            DefaultParamsReader.Metadata metadata = DefaultParamsReader.loadMetadata(path, sparkSession());
            ChainruleClassifier c = new ChainruleClassifier(metadata.uid());
            metadata.getAndSetParams(c, scala.Option.empty());
            if (Persistence.exists(path, Persistence.FACTORY, sc().hadoopConfiguration())) {
                c.setModelFactory(Persistence.readFactory(path, sc().hadoopConfiguration()));
            }
            return c;
        }
    }
}

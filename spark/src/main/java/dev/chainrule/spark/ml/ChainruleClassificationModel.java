package dev.chainrule.spark.ml;

import dev.chainrule.autograd.Autograd;
import dev.chainrule.autograd.Tensor;
import dev.chainrule.nn.Module;
import dev.chainrule.spark.ModelFactory;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.spark.ml.classification.ProbabilisticClassificationModel;
import org.apache.spark.ml.linalg.DenseVector;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWriter;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;

/**
 * A trained Chainrule classifier as a Spark ML {@code Model}: {@code transform} adds
 * {@code rawPredictionCol} (the network's logits f(x)), {@code probabilityCol} ({@code softmax(f(x))})
 * and {@code predictionCol} (the arg max, or the class chosen by {@code thresholds} if set), as every
 * MLlib probabilistic classifier does. Each task builds its own copy of the network from the model
 * factory and the trained parameters, in eval mode (no dropout).
 *
 * <p>Saved by ML persistence ({@code model.write().save(path)}, also inside a {@code PipelineModel}):
 * Spark's {@code metadata} (params), {@code data/model.safetensors} (the parameters, Chainrule's
 * checkpoint format) and {@code data/factory.ser} (the Java-serialized model factory, whose classes
 * must be on the class path when loading); {@link #load(String)} reads it back.
 */
public final class ChainruleClassificationModel extends ProbabilisticClassificationModel<Vector, ChainruleClassificationModel>
    implements MLWritable {

    private static final long serialVersionUID = 1L;
    private static final ThreadLocal<String> PENDING_UID = new ThreadLocal<>();

    private String uid;
    private final ModelFactory factory;
    private final double[] parameters;
    private final int numFeatures;
    private final int numClasses;
    private transient ThreadLocal<Module> networks;

    /** Only through {@link #create}, which provides the uid to the superclass constructors (see {@link #uid()}). */
    private ChainruleClassificationModel(String uid, ModelFactory factory, double[] parameters, int numFeatures, int numClasses) {
        super();
        this.uid = Objects.requireNonNull(uid, "ChainruleClassificationModel: uid is null");
        this.factory = factory;
        this.parameters = parameters;
        this.numFeatures = numFeatures;
        this.numClasses = numClasses;
    }

    /**
     * This stage's unique id. Spark's Scala superclasses build their params (each naming its parent's
     * uid) before a Java subclass can assign a field, so until then the uid comes from the thread
     * that is constructing this instance ({@link #create}).
     */
    @Override
    public String uid() {
        return uid != null ? uid : PENDING_UID.get();
    }

    static ChainruleClassificationModel create(String uid, ModelFactory factory, double[] parameters, int numFeatures, int numClasses) {
        PENDING_UID.set(uid);
        try {
            return new ChainruleClassificationModel(uid, factory, parameters, numFeatures, numClasses);
        } finally {
            PENDING_UID.remove();
        }
    }

    @Override
    public int numClasses() {
        return numClasses;
    }

    @Override
    public int numFeatures() {
        return numFeatures;
    }

    /** The factory that builds the network's architecture. */
    public ModelFactory modelFactory() {
        return factory;
    }

    /** A fresh network with the trained parameters, in eval mode (the caller owns it). */
    public Module network() {
        Module m = factory.create();
        List<Tensor> ps = m.parameters();
        int at = 0;
        try (var s = Autograd.noGrad()) {
            for (Tensor p : ps) {
                p.copyFrom(java.util.Arrays.copyOfRange(parameters, at, at + p.size()));
                at += p.size();
            }
        }
        if (at != parameters.length) {
            throw new IllegalStateException("ChainruleClassificationModel: the factory's model has " + at + " parameters, the trained model "
                + parameters.length);
        }
        m.eval();
        return m;
    }

    private Module local() {
        ThreadLocal<Module> t;
        synchronized (this) {
            if (networks == null) networks = ThreadLocal.withInitial(this::network);
            t = networks;
        }
        return t.get();
    }

    /**
     * The logits f(x) for one feature vector.
     *
     * @throws IllegalArgumentException if the vector does not have {@link #numFeatures()} entries
     */
    @Override
    public Vector predictRaw(Vector features) {
        Objects.requireNonNull(features, "ChainruleClassificationModel.predictRaw: features is null");
        if (features.size() != numFeatures) {
            throw new IllegalArgumentException("ChainruleClassificationModel: a feature vector has " + features.size()
                + " entries but the model was trained on " + numFeatures + " features");
        }
        Module m = local();
        try (var s = Autograd.noGrad()) {
            return Vectors.dense(m.forward(Tensor.of(features.toArray(), 1, numFeatures)).toArray());
        }
    }

    /** {@code softmax}, computed in place and stably (the largest logit is subtracted first). */
    @Override
    public Vector raw2probabilityInPlace(Vector rawPrediction) {
        Objects.requireNonNull(rawPrediction, "ChainruleClassificationModel.raw2probabilityInPlace: rawPrediction is null");
        if (!(rawPrediction instanceof DenseVector dv)) {
            throw new IllegalArgumentException("ChainruleClassificationModel: raw predictions must be dense, got " + rawPrediction.getClass().getSimpleName());
        }
        double[] v = dv.values();
        double max = Double.NEGATIVE_INFINITY;
        for (double x : v) max = Math.max(max, x);
        double sum = 0;
        for (int i = 0; i < v.length; i++) {
            v[i] = Math.exp(v[i] - max);
            sum += v[i];
        }
        for (int i = 0; i < v.length; i++) v[i] /= sum;
        return dv;
    }

    /** Spark's own (ProbabilisticClassificationModel's); restated because Java sees two inherited versions. */
    @Override
    @SuppressWarnings({"rawtypes", "unchecked"})
    public scala.Tuple3 findSummaryModel() {
        return super.findSummaryModel();
    }

    @Override
    public ChainruleClassificationModel copy(ParamMap extra) {
        Objects.requireNonNull(extra, "ChainruleClassificationModel.copy: extra is null");
        ChainruleClassificationModel m = create(uid(), factory, parameters, numFeatures, numClasses);
        return copyValues(m, extra).setParent(parent());
    }

    @Override
    public MLWriter write() {
        return new Writer(this);
    }

    /** The reader of {@link #write()}'s directories. */
    public static MLReader<ChainruleClassificationModel> read() {
        return new Reader();
    }

    /** Loads a model saved with {@code model.write().save(path)}. */
    public static ChainruleClassificationModel load(String path) {
        Objects.requireNonNull(path, "ChainruleClassificationModel.load: path is null");
        return read().load(path);
    }

    @Override
    public String toString() {
        return "ChainruleClassificationModel: uid=" + uid() + ", numClasses=" + numClasses + ", numFeatures=" + numFeatures
            + ", parameters=" + parameters.length;
    }

    private static final class Writer extends MLWriter {
        private final ChainruleClassificationModel model;

        Writer(ChainruleClassificationModel model) {
            this.model = model;
        }

        @Override
        public void saveImpl(String path) {
            DefaultParamsWriter.saveMetadata(model, path, sparkSession());
            Persistence.writeFactory(model.factory, path, sc().hadoopConfiguration());
            Persistence.writeParameters(model.network(), Map.of("numFeatures", Integer.toString(model.numFeatures),
                "numClasses", Integer.toString(model.numClasses), "uid", model.uid()), path, sc().hadoopConfiguration());
        }
    }

    private static final class Reader extends MLReader<ChainruleClassificationModel> {
        @Override
        public ChainruleClassificationModel load(String path) {
            DefaultParamsReader.Metadata metadata = DefaultParamsReader.loadMetadata(path, sparkSession());
            ModelFactory factory = Persistence.readFactory(path, sc().hadoopConfiguration());
            Module network = factory.create();
            Map<String, String> meta = Persistence.readParameters(network, path, sc().hadoopConfiguration());
            double[] flat = new double[(int) network.parameterCount()];
            int at = 0;
            for (Tensor p : network.parameters()) {
                double[] v = p.toArray();
                System.arraycopy(v, 0, flat, at, v.length);
                at += v.length;
            }
            ChainruleClassificationModel m = create(metadata.uid(), factory, flat, Integer.parseInt(meta.get("numFeatures")),
                Integer.parseInt(meta.get("numClasses")));
            metadata.getAndSetParams(m, scala.Option.empty());
            return m;
        }
    }
}

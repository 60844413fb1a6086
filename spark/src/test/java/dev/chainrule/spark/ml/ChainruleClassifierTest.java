package dev.chainrule.spark.ml;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chainrule.nn.Linear;
import dev.chainrule.nn.Sequential;
import dev.chainrule.nn.Tanh;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import dev.chainrule.spark.TestSpark;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.classification.MultilayerPerceptronClassifier;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ChainruleClassifier} in an ML Pipeline next to MLlib's MultilayerPerceptronClassifier on
 * the same data (3 Gaussian blobs in 4 dimensions: 90 training rows, 30 test rows), ML persistence of
 * the estimator (with a custom model factory) and of the fitted model inside pipelines, and the
 * estimator's bad-input errors. Small on purpose: it shows the Spark ML integration works; training
 * itself is tested in {@code dev.chainrule.spark}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ChainruleClassifierTest {

    private SparkSession spark;
    private Dataset<Row> train;
    private Dataset<Row> test;

    @BeforeAll
    void start() {
        spark = TestSpark.session();
        train = blobs(90, 1).cache();
        test = blobs(30, 2).cache();
    }

    @AfterAll
    void stop() {
        train.unpersist();
        test.unpersist();
    }

    private Dataset<Row> blobs(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int c = r.nextInt(3);
            double[] f = new double[4];
            for (int j = 0; j < 4; j++) f[j] = r.nextGaussian() + (j == c ? 3.5 : 0);
            rows.add(RowFactory.create(i, f[0], f[1], f[2], f[3], (double) c));
        }
        StructType schema = new StructType().add("id", DataTypes.IntegerType)
            .add("f0", DataTypes.DoubleType).add("f1", DataTypes.DoubleType).add("f2", DataTypes.DoubleType)
            .add("f3", DataTypes.DoubleType).add("label", DataTypes.DoubleType);
        // 3 partitions without a shuffle (repartition would rerun one in every job that reads the frame)
        return spark.createDataFrame(JavaSparkContext.fromSparkContext(spark.sparkContext()).parallelize(rows, 3), schema);
    }

    private static VectorAssembler assembler() {
        return new VectorAssembler().setInputCols(new String[] {"f0", "f1", "f2", "f3"}).setOutputCol("features");
    }

    private static ChainruleClassifier chainrule() {
        return new ChainruleClassifier().setLayers(new int[] {4, 16, 3}).setDropout(0.1).setMaxIter(6).setBatchSize(45)
            .setStepSize(0.05).setSeed(7)
            .setPredictionCol("cr_prediction").setProbabilityCol("cr_probability").setRawPredictionCol("cr_raw");
    }

    /** The rows of {@code frame} sorted by id, collected without a shuffle (the frames here are tiny). */
    private static List<Row> byId(Dataset<Row> frame, String... columns) {
        String[] cols = new String[columns.length + 1];
        cols[0] = "id";
        System.arraycopy(columns, 0, cols, 1, columns.length);
        List<Row> rows = new ArrayList<>(frame.selectExpr(cols).collectAsList());
        rows.sort(Comparator.comparingInt(r -> r.getInt(0)));
        return rows;
    }

    @Test
    void fitsAndTransformsInAPipelineNextToMultilayerPerceptronClassifier() {
        // MLlib's classifier only has to run in the same pipeline on the same columns: one L-BFGS iteration.
        MultilayerPerceptronClassifier mlp = new MultilayerPerceptronClassifier().setLayers(new int[] {4, 16, 3}).setMaxIter(1).setSeed(7L);
        PipelineModel model = new Pipeline().setStages(new PipelineStage[] {assembler(), chainrule(), mlp}).fit(train);
        List<Row> rows = byId(model.transform(test), "cr_raw", "cr_probability", "cr_prediction", "prediction", "label");
        assertEquals(30, rows.size());
        int correct = 0;
        for (Row row : rows) {
            double[] raw = ((Vector) row.get(1)).toArray(), p = ((Vector) row.get(2)).toArray();
            assertEquals(3, p.length);
            assertEquals(1.0, Arrays.stream(p).sum(), 1e-12);
            assertEquals(argMax(raw), (int) row.getDouble(3), "prediction is the arg max of the logits");
            assertEquals(argMax(p), (int) row.getDouble(3));
            assertTrue(List.of(0.0, 1.0, 2.0).contains(row.getDouble(4)), "MLlib's prediction " + row.getDouble(4));
            if (row.getDouble(3) == row.getDouble(5)) correct++;
        }
        assertTrue(correct >= 27, "Chainrule accuracy " + correct + " / 30");
    }

    private static int argMax(double[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
        return best;
    }

    @Test
    void theEstimatorAndTheFittedModelPersistInsidePipelines(@TempDir Path dir) throws IOException {
        ChainruleClassifier clf = new ChainruleClassifier().setModelFactory(
            () -> new Sequential(new Linear(4, 8, new SplittableRandom(3)), new Tanh(), new Linear(8, 3, new SplittableRandom(4))))
            .setMaxIter(2).setBatchSize(45).setStepSize(0.05).setRawPredictionCol("cr_raw").setPredictionCol("cr_prediction");
        String pipelinePath = dir.resolve("pipeline").toString();
        new Pipeline().setStages(new PipelineStage[] {assembler(), clf}).write().save(pipelinePath);
        Pipeline pipeline = Pipeline.load(pipelinePath);
        ChainruleClassifier loaded = (ChainruleClassifier) pipeline.getStages()[1];
        assertEquals(clf.uid(), loaded.uid());
        assertEquals(2, loaded.getMaxIter());
        assertEquals(0.05, loaded.getStepSize());
        assertNotNull(loaded.getModelFactory(), "the custom factory is saved with the estimator");
        ChainruleClassifier copy = loaded.copy(new ParamMap());
        assertNotNull(copy.getModelFactory(), "copy keeps the factory");
        assertEquals(45, copy.getBatchSize());

        PipelineModel model = pipeline.fit(train);
        String modelPath = dir.resolve("model").toString();
        model.write().save(modelPath);
        PipelineModel again = PipelineModel.load(modelPath);
        ChainruleClassificationModel stage = (ChainruleClassificationModel) again.stages()[1];
        assertEquals(3, stage.numClasses());
        assertEquals(4, stage.numFeatures());
        List<Row> before = byId(model.transform(test), "cr_raw", "cr_prediction");
        List<Row> after = byId(again.transform(test), "cr_raw", "cr_prediction");
        for (int i = 0; i < before.size(); i++) {
            assertArrayEquals(((Vector) before.get(i).get(1)).toArray(), ((Vector) after.get(i).get(1)).toArray(), 0.0, "logits, row " + i);
            assertEquals(before.get(i).getDouble(2), after.get(i).getDouble(2));
        }
    }

    @Test
    void featuresOfTheWrongWidthAreReportedByPartitionAndRow() {
        ChainruleClassifier c = chainrule().setLayers(new int[] {5, 8, 3}).setMaxIter(1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> c.fit(assembler().transform(train)));
        assertTrue(e.getMessage().matches("ShardedData: partition \\d, row 0 of that partition: 4 feature values, expected 5 \\(feature shape \\[5\\]\\)"),
            e.getMessage());
    }

    @Test
    void moreClassesThanOutputsAndBadLabelsAreRejected() {
        ChainruleClassifier c = chainrule().setLayers(new int[] {4, 8, 2}).setMaxIter(1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> c.fit(assembler().transform(train)));
        assertTrue(e.getMessage().matches("(?s).*partition \\d+, row \\d+ of that partition \\(global sample \\d+\\): target 2\\.0 is not a class index in \\[0, 2\\).*"
            + "the network has 2 outputs, one per class.*"), e.getMessage());

        Dataset<Row> half = assembler().transform(train).withColumn("label", org.apache.spark.sql.functions.col("label").plus(0.5));
        e = assertThrows(IllegalArgumentException.class, () -> chainrule().setLayers(new int[] {4, 8, 4}).setMaxIter(1).fit(half));
        assertTrue(e.getMessage().matches("(?s).*partition \\d+, row \\d+ of that partition \\(global sample \\d+\\): target \\d\\.5 is not a class index in \\[0, 4\\).*"),
            e.getMessage());
    }
}

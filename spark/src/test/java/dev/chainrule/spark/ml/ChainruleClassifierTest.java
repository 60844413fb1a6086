package dev.chainrule.spark.ml;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chainrule.nn.Linear;
import dev.chainrule.nn.Sequential;
import dev.chainrule.nn.Tanh;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.classification.MultilayerPerceptronClassifier;
import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
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
 * the same data (3 Gaussian blobs in 4 dimensions), ML persistence of the fitted pipeline and of the
 * estimator, and the estimator's bad-input errors.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ChainruleClassifierTest {

    private SparkSession spark;
    private Dataset<Row> train;
    private Dataset<Row> test;

    @BeforeAll
    void start() {
        spark = dev.chainrule.spark.TestSparkAccess.session("local[2]", "ChainruleClassifierTest");
        train = blobs(150, 1);
        test = blobs(60, 2);
    }

    @AfterAll
    void stop() {
        spark.stop();
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
        return spark.createDataFrame(rows, schema).repartition(3);
    }

    private static VectorAssembler assembler() {
        return new VectorAssembler().setInputCols(new String[] {"f0", "f1", "f2", "f3"}).setOutputCol("features");
    }

    private static ChainruleClassifier chainrule() {
        return new ChainruleClassifier().setLayers(new int[] {4, 16, 3}).setDropout(0.1).setMaxIter(10).setBatchSize(75)
            .setStepSize(0.05).setSeed(7)
            .setPredictionCol("cr_prediction").setProbabilityCol("cr_probability").setRawPredictionCol("cr_raw");
    }

    private static double accuracy(Dataset<Row> predictions, String column) {
        return new MulticlassClassificationEvaluator().setLabelCol("label").setPredictionCol(column).setMetricName("accuracy")
            .evaluate(predictions);
    }

    @Test
    void pipelineNextToMultilayerPerceptronClassifierAndPersistence(@TempDir Path dir) throws Exception {
        MultilayerPerceptronClassifier mlp = new MultilayerPerceptronClassifier().setLayers(new int[] {4, 16, 3}).setMaxIter(25)
            .setSeed(7L);
        Pipeline pipeline = new Pipeline().setStages(new PipelineStage[] {assembler(), chainrule(), mlp});
        PipelineModel model = pipeline.fit(train);
        Dataset<Row> out = model.transform(test).cache();

        double ours = accuracy(out, "cr_prediction"), theirs = accuracy(out, "prediction");
        assertTrue(ours >= 0.9, "Chainrule accuracy " + ours);
        assertTrue(theirs >= 0.9, "MLlib accuracy " + theirs);

        List<Row> rows = out.orderBy("id").select("cr_raw", "cr_probability", "cr_prediction").collectAsList();
        assertEquals(60, rows.size());
        for (Row row : rows) {
            double[] p = ((Vector) row.get(1)).toArray();
            assertEquals(3, p.length);
            assertEquals(1.0, Arrays.stream(p).sum(), 1e-12);
            double[] raw = ((Vector) row.get(0)).toArray();
            assertEquals(argMax(raw), (int) row.getDouble(2), "prediction is the arg max of the logits");
            assertEquals(argMax(p), (int) row.getDouble(2));
        }

        String path = dir.resolve("pipeline").toString();
        model.write().overwrite().save(path);
        PipelineModel loaded = PipelineModel.load(path);
        ChainruleClassificationModel stage = (ChainruleClassificationModel) loaded.stages()[1];
        assertEquals(3, stage.numClasses());
        assertEquals(4, stage.numFeatures());
        List<Row> again = loaded.transform(test).orderBy("id").select("cr_raw", "cr_probability", "cr_prediction").collectAsList();
        for (int i = 0; i < rows.size(); i++) {
            assertArrayEquals(((Vector) rows.get(i).get(0)).toArray(), ((Vector) again.get(i).get(0)).toArray(), 0.0);
            assertEquals(rows.get(i).getDouble(2), again.get(i).getDouble(2));
        }
    }

    private static int argMax(double[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
        return best;
    }

    @Test
    void estimatorWithCustomFactorySavesAndLoads(@TempDir Path dir) throws Exception {
        ChainruleClassifier c = new ChainruleClassifier().setModelFactory(
            () -> new Sequential(new Linear(4, 8, new SplittableRandom(3)), new Tanh(), new Linear(8, 3, new SplittableRandom(4))))
            .setMaxIter(3).setBatchSize(64).setStepSize(0.05);
        String path = dir.resolve("estimator").toString();
        c.write().save(path);
        ChainruleClassifier loaded = ChainruleClassifier.load(path);
        assertEquals(c.uid(), loaded.uid());
        assertEquals(3, loaded.getMaxIter());
        assertEquals(0.05, loaded.getStepSize());
        assertNotNull(loaded.getModelFactory());
        ChainruleClassificationModel m = loaded.fit(assembler().transform(train));
        assertEquals(3, m.numClasses());
        assertEquals(3, m.predictRaw(Vectors.dense(1, 2, 3, 4)).size());
        // copy keeps the factory and the params
        ChainruleClassifier copy = loaded.copy(new org.apache.spark.ml.param.ParamMap());
        assertNotNull(copy.getModelFactory());
        assertEquals(64, copy.getBatchSize());
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

package dev.chainrule.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chainrule.autograd.DType;
import dev.chainrule.autograd.Tensor;
import dev.chainrule.nn.Linear;
import dev.chainrule.nn.Mlp;
import dev.chainrule.nn.Module;
import dev.chainrule.nn.data.Dataset;
import dev.chainrule.nn.io.SafeTensors;
import dev.chainrule.nn.loss.CrossEntropy;
import dev.chainrule.optim.Accuracy;
import java.io.IOException;
import java.nio.file.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * SparkTrainer with a FLOAT32 model (the factory converts it): parameters stay FLOAT32 and are
 * broadcast widened (exactly), each partition runs its rows in FLOAT32 (the FLOAT64 shards are
 * converted), the partitions' gradients are added in double and the mean rounded once to float. The
 * run equals, bit for bit, the one-thread reference that does the same ({@link Reference#sharded}),
 * stays within float32 rounding of the FLOAT64 run, writes F32 checkpoints and resumes from them
 * exactly. A factory that builds models of another dtype on the executors than on the driver, or a
 * model that mixes dtypes, is rejected.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class Float32SparkTest {

    private JavaSparkContext sc;
    private ShardedData data;
    private final Dataset dataset = Reference.blobs(48, 8);
    private static final int[] SIZES = {20, 12, 16};

    @TempDir
    Path dir;

    @BeforeAll
    void start() {
        sc = TestSpark.context();
        data = ShardedData.fromDataset(sc, dataset, SIZES);
    }

    @AfterAll
    void stop() {
        data.close();
    }

    static ModelFactory mlp32() {
        return () -> Mlp.builder().sizes(4, 16, 16, 3).dropout(0.25).seed(11).build().to(DType.FLOAT32);
    }

    private SparkTrainer.Builder trainer(ModelFactory factory) {
        return SparkTrainer.builder(sc, factory, CrossEntropy::new, Reference.adam()).batchSize(16).epochs(2).seed(5)
            .metric(Accuracy::multiclass);
    }

    @Test
    void aFloat32ModelTrainsOnSparkAsTheOneThreadReferenceBitForBit() {
        SparkTrainer t = trainer(mlp32()).build();
        SparkHistory h = t.fit(data, data);
        for (Tensor p : t.model().parameters()) assertEquals(DType.FLOAT32, p.dtype());
        for (Tensor s : t.optimizer().stateDict().tensors().values()) assertEquals(DType.FLOAT32, s.dtype());
        Reference.Run ref = Reference.sharded(mlp32(), CrossEntropy::new, Reference.adam(), dataset, SIZES, 16, 2, 5);
        assertArrayEquals(ref.stepLosses(), h.stepLosses(), 0.0);
        assertArrayEquals(ref.parameters(), Reference.flat(t.model()), 0.0);
        // Against the FLOAT64 run of the same model: float32 rounding over 6 Adam steps.
        SparkTrainer t64 = trainer(Reference.mlp()).build();
        SparkHistory h64 = t64.fit(data, data);
        assertTrue(Reference.relativeDifference(h.stepLosses(), h64.stepLosses()) < 1e-4,
            "losses " + java.util.Arrays.toString(h.stepLosses()) + " vs " + java.util.Arrays.toString(h64.stepLosses()));
        assertTrue(Reference.relativeDifference(Reference.flat(t.model()), Reference.flat(t64.model())) < 1e-4);
        assertTrue(Double.isFinite(t.evaluate(data).loss()));
    }

    @Test
    void float32CheckpointsAreF32AndResumeExactly() throws IOException {
        SparkTrainer whole = trainer(mlp32()).build();
        SparkHistory all = whole.fit(data, data);
        Path file = dir.resolve("run.safetensors");
        SparkTrainer crashing = trainer(mlp32()).checkpoint(file, 2).listener(s -> {
            if (s.step() == 3) throw new IllegalStateException("driver crash");
        }).build();
        assertThrows(IllegalStateException.class, () -> crashing.fit(data, data));
        SafeTensors.read(file).forEach((n, v) -> assertEquals(DType.FLOAT32, v.dtype(), n));
        SparkTrainer resumed = trainer(mlp32()).build();
        assertEquals(4, resumed.restore(file), "the checkpoint after step 3 (steps counted from 0, one every 2)");
        SparkHistory rest = resumed.fit(data, data);
        double[] tail = rest.stepLosses(), full = all.stepLosses();
        assertEquals(full.length - 4, tail.length);
        for (int i = 0; i < tail.length; i++) assertEquals(full[4 + i], tail[i], 0.0, "step " + (4 + i));
        assertArrayEquals(Reference.flat(whole.model()), Reference.flat(resumed.model()), 0.0);
        for (Tensor p : resumed.model().parameters()) assertEquals(DType.FLOAT32, p.dtype());
    }

    @Test
    void mixedDtypesAreRejected() {
        int[] calls = {0};
        ModelFactory flipping = () -> {
            Module m = Mlp.builder().sizes(4, 16, 16, 3).seed(11).build();
            return calls[0]++ == 0 ? m.to(DType.FLOAT32) : m;                  // the driver's FLOAT32, the executors' FLOAT64
        };
        SparkTrainer t = trainer(flipping).build();
        RuntimeException e = assertThrows(RuntimeException.class, () -> t.fit(data));
        assertTrue(e.getMessage().contains("FLOAT32") && e.getMessage().contains("same architecture (and dtype)"), e.getMessage());
        ModelFactory mixed = () -> {
            Mlp m = Mlp.builder().sizes(4, 16, 3).seed(11).build();
            m.namedModules().values().stream().filter(x -> x instanceof Linear).findFirst().orElseThrow().to(DType.FLOAT32);
            return m;
        };
        IllegalArgumentException f = assertThrows(IllegalArgumentException.class, () -> trainer(mixed).build());
        assertTrue(f.getMessage().contains("mixes dtypes"), f.getMessage());
    }
}

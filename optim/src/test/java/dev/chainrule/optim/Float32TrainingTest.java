package dev.chainrule.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chainrule.autograd.DType;
import dev.chainrule.autograd.Tensor;
import dev.chainrule.nn.Mlp;
import dev.chainrule.nn.ReLU;
import dev.chainrule.nn.data.DataLoader;
import dev.chainrule.nn.data.Dataset;
import dev.chainrule.nn.io.SafeTensors;
import dev.chainrule.nn.loss.CrossEntropy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Trainer with a model converted by {@code model.to(FLOAT32)}: it trains from an ordinary FLOAT64
 * loader (each batch converted to the model's dtype) exactly as from a loader built with
 * {@code dtype(FLOAT32)}, reaches a low loss, keeps parameters and optimizer state FLOAT32, writes its
 * checkpoints as F32, and a run interrupted mid-epoch and resumed with fresh objects ends bit for bit
 * where the uninterrupted run ends.
 */
class Float32TrainingTest {

    @TempDir
    Path dir;

    /** Two Gaussian blobs per class, 3 classes, 60 points. */
    static Dataset blobs() {
        SplittableRandom rng = new SplittableRandom(5);
        int n = 60;
        double[] x = new double[2 * n], y = new double[n];
        for (int i = 0; i < n; i++) {
            int k = i % 3;
            x[2 * i] = Math.cos(2.1 * k) * 2 + 0.4 * rng.nextGaussian();
            x[2 * i + 1] = Math.sin(2.1 * k) * 2 + 0.4 * rng.nextGaussian();
            y[i] = k;
        }
        return new Dataset(Tensor.of(x, n, 2), Tensor.of(y, n));
    }

    record Run(Mlp model, Optimizer optimizer, Trainer trainer, DataLoader loader) {}

    static Run run(Path checkpoints, DType loaderDtype, TrainingListener listener) {
        Mlp model = Mlp.builder().sizes(2, 16, 3).hiddenActivation(ReLU::new).dropout(0.1).seed(3).build();
        model.to(DType.FLOAT32);
        Optimizer opt = Adam.builder(model).lr(0.05).build();
        Trainer.Builder b = Trainer.builder(model, new CrossEntropy(), opt).epochs(6).logEvery(0).metric(Accuracy.multiclass());
        if (checkpoints != null) b.checkpoints(checkpoints).checkpointEvery(4).keepCheckpoints(2);
        if (listener != null) b.listener(listener);
        DataLoader.Builder l = DataLoader.builder(blobs()).batchSize(8).shuffle(9L);
        if (loaderDtype != null) l.dtype(loaderDtype);
        return new Run(model, opt, b.build(), l.build());
    }

    static List<float[]> values(Mlp m) {
        List<float[]> out = new ArrayList<>();
        for (Tensor t : m.parameters()) {
            assertEquals(DType.FLOAT32, t.dtype());
            out.add(t.toFloatArray());
        }
        return out;
    }

    static void assertSameFloats(List<float[]> a, List<float[]> b, String what) {
        assertEquals(a.size(), b.size());
        for (int i = 0; i < a.size(); i++) assertArrayEquals(a.get(i), b.get(i), what + ": parameter " + i);
    }

    @Test
    void aFloat32ModelTrainsFromAFloat64LoaderAsFromAFloat32One() {
        Run r64 = run(null, null, null), r32 = run(null, DType.FLOAT32, null);
        History h64 = r64.trainer().fit(r64.loader(), blobs());
        History h32 = r32.trainer().fit(r32.loader(), blobs());
        assertSameFloats(values(r64.model()), values(r32.model()), "converted batches = converted data set");
        assertArrayEquals(h64.trainLoss(), h32.trainLoss(), 0.0);
        double[] loss = h64.trainLoss();
        assertTrue(loss[loss.length - 1] < 0.5 * loss[0], "training lowers the loss: " + java.util.Arrays.toString(loss));
        assertTrue(h64.last().validationMetric() > 0.9, "blobs are separable: " + h64.last());
        for (Tensor t : r64.optimizer().stateDict().tensors().values()) assertEquals(DType.FLOAT32, t.dtype());
    }

    /** Thrown by a listener to interrupt a run. */
    static final class Crash extends RuntimeException {
        private static final long serialVersionUID = 1L;
    }

    @Test
    void anInterruptedFloat32RunResumesBitForBitFromF32Checkpoints() throws IOException {
        Run whole = run(dir.resolve("whole"), null, null);
        History ref = whole.trainer().fit(whole.loader());
        Path d = dir.resolve("crashed");
        int[] updates = {0};
        Run crashing = run(d, null, new TrainingListener() {
            @Override
            public void onBatchEnd(int epoch, int batch, double loss) {
                if (++updates[0] == 19) throw new Crash();           // mid-epoch 3, after the checkpoint at 16
            }
        });
        assertThrows(Crash.class, () -> crashing.trainer().resume(crashing.loader()));
        try (Stream<Path> files = Files.list(d)) {
            for (Path f : files.toList()) {
                SafeTensors.read(f).forEach((n, t) -> assertEquals(DType.FLOAT32, t.dtype(), f.getFileName() + ": " + n));
            }
        }
        Run resumed = run(d, null, null);
        History h = resumed.trainer().resume(resumed.loader());
        assertSameFloats(values(whole.model()), values(resumed.model()), "resumed run");
        assertArrayEquals(ref.trainLoss(), h.trainLoss(), 0.0);
        for (Tensor t : resumed.optimizer().stateDict().tensors().values()) assertEquals(DType.FLOAT32, t.dtype());
    }
}

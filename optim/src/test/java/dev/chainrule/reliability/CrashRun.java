package dev.chainrule.reliability;

import dev.chainrule.autograd.Tensor;
import dev.chainrule.nn.Mlp;
import dev.chainrule.nn.ReLU;
import dev.chainrule.nn.data.DataLoader;
import dev.chainrule.nn.data.Dataset;
import dev.chainrule.nn.init.HeNormal;
import dev.chainrule.nn.init.Zeros;
import dev.chainrule.nn.io.Checkpoint;
import dev.chainrule.nn.loss.CrossEntropy;
import dev.chainrule.optim.Accuracy;
import dev.chainrule.optim.Adam;
import dev.chainrule.optim.History;
import dev.chainrule.optim.Optimizer;
import dev.chainrule.optim.Sgd;
import dev.chainrule.optim.StepDecay;
import dev.chainrule.optim.Trainer;
import dev.chainrule.optim.TrainingListener;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The training run of the crash tests, built the same way every time from fixed seeds: three-class
 * spirals (120 training and 30 validation points), a 2-24-24-3 ReLU MLP with dropout 0.1 and He
 * init, Adam (lr 0.01, a step schedule per epoch), shuffled mini-batches of 10 (12 per epoch),
 * softmax cross-entropy, accuracy, restore-best-parameters, 8 epochs = 96 updates, a checkpoint
 * every 5 updates and at every epoch end, the last 3 kept.
 *
 * <p>{@link #main} is the child program of {@link KillTest}: {@code CrashRun <checkpoint dir> <result
 * file>} resumes (or starts) the run, prints {@code BATCH <update>} after every update, and at the end
 * saves the final parameters with the training losses in the metadata and prints {@code DONE}.
 */
public final class CrashRun {
    private CrashRun() {}

    static final int EPOCHS = 8;
    static final int BATCHES_PER_EPOCH = 12;
    static final int UPDATES = EPOCHS * BATCHES_PER_EPOCH;
    static final int CHECKPOINT_EVERY = 5;
    /** Saves of an uninterrupted run: every 5th update and each epoch end, at distinct update counts unless they coincide. */
    static final int SAVES = savesOfARun();

    private static int savesOfARun() {
        int n = 0;
        for (int u = 1; u <= UPDATES; u++) {
            if (u % CHECKPOINT_EVERY == 0) n++;
            if (u % BATCHES_PER_EPOCH == 0) n++;
        }
        return n;
    }

    /** Everything a run is made of. */
    record Parts(Mlp model, Optimizer optimizer, DataLoader train, Dataset validation, Trainer trainer) {
        History resume() {
            return trainer.resume(train, validation);
        }

        History fit() {
            return trainer.fit(train, validation);
        }
    }

    static Dataset spirals(SplittableRandom rng, int perClass) {
        int n = 3 * perClass;
        double[] x = new double[2 * n];
        double[] y = new double[n];
        for (int k = 0; k < 3; k++) {
            for (int i = 0; i < perClass; i++) {
                double t = (double) i / (perClass - 1);
                double theta = 4.0 * k + 4.0 * t + 0.2 * rng.nextGaussian();
                int r = k * perClass + i;
                x[2 * r] = t * Math.sin(theta);
                x[2 * r + 1] = t * Math.cos(theta);
                y[r] = k;
            }
        }
        return new Dataset(Tensor.of(x, n, 2), Tensor.of(y, n));
    }

    /** The run, checkpointing into {@code dir}; {@code adam = false} swaps in SGD with momentum, {@code hidden} the width. */
    static Parts build(Path dir, boolean adam, int hidden, TrainingListener listener) {
        SplittableRandom rng = new SplittableRandom(20261201);
        Dataset train = spirals(rng.split(), 40);
        Dataset validation = spirals(rng.split(), 10);
        Mlp model = Mlp.builder().sizes(2, hidden, hidden, 3).hiddenActivation(ReLU::new).dropout(0.1)
            .weightInit(new HeNormal()).biasInit(new Zeros()).rng(rng.split()).build();
        Optimizer opt = adam ? Adam.builder(model).lr(0.01).build() : Sgd.builder(model).lr(0.05).momentum(0.9).build();
        DataLoader loader = DataLoader.builder(train).batchSize(10).shuffle(rng.split()).build();
        Trainer.Builder b = Trainer.builder(model, new CrossEntropy(), opt)
            .epochs(EPOCHS).metric(Accuracy.multiclass()).learningRateSchedule(new StepDecay(0.01, 3, 0.5))
            .earlyStopping(50).restoreBestParameters(true).logEvery(0)
            .checkpoints(dir).checkpointEvery(CHECKPOINT_EVERY).keepCheckpoints(3);
        if (listener != null) b.listener(listener);
        return new Parts(model, opt, loader, validation, b.build());
    }

    static Parts build(Path dir) {
        return build(dir, true, 24, null);
    }

    /** The training losses of a history, as one string of exact doubles. */
    static String losses(History h) {
        StringBuilder sb = new StringBuilder();
        for (double v : h.trainLoss()) sb.append(Double.doubleToRawLongBits(v)).append(',');
        for (double v : h.validationLoss()) sb.append(Double.doubleToRawLongBits(v)).append(',');
        return sb.append(h.bestEpoch()).toString();
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        Path result = Path.of(args[1]);
        PrintStream out = System.out;
        Parts parts = build(dir, true, 24, new TrainingListener() {
            @Override
            public void onBatchEnd(int epoch, int batch, double loss) {
                out.println("BATCH " + ((epoch - 1) * BATCHES_PER_EPOCH + batch));
                out.flush();
            }
        });
        History h = parts.resume();
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("history", losses(h));
        Checkpoint.save(parts.model(), result, meta);
        out.println("DONE");
        out.flush();
    }
}

package dev.chainrule.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chainrule.autograd.Autograd;
import dev.chainrule.autograd.Tensor;
import dev.chainrule.nn.data.DataLoader;
import dev.chainrule.nn.data.Dataset;
import dev.chainrule.nn.loss.BinaryCrossEntropyWithLogits;
import dev.chainrule.nn.loss.Loss;
import dev.chainrule.nn.loss.MeanSquaredError;
import dev.chainrule.nn.loss.Reduction;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TrainerTest {

    private static final long SEED = 20261122L;

    /** y = 2 x0 − 3 x1 + 0.5 + noise(σ = 0.1), x ~ N(0, 1), shapes [n, 2] and [n, 1]. */
    private static Dataset regression(int n, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        double[] x = new double[n * 2];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            x[2 * i] = rng.nextGaussian();
            x[2 * i + 1] = rng.nextGaussian();
            y[i] = 2 * x[2 * i] - 3 * x[2 * i + 1] + 0.5 + 0.1 * rng.nextGaussian();
        }
        return new Dataset(Tensor.of(x, n, 2), Tensor.of(y, n, 1));
    }

    /** Ordinary least squares with intercept, solving the 3×3 normal equations: {w0, w1, b}. */
    private static double[] leastSquares(Dataset d) {
        double[] x = d.x().toArray();
        double[] y = d.y().toArray();
        double[][] a = new double[3][4];
        for (int i = 0; i < d.size(); i++) {
            double[] row = {x[2 * i], x[2 * i + 1], 1};
            for (int r = 0; r < 3; r++) {
                for (int c = 0; c < 3; c++) a[r][c] += row[r] * row[c];
                a[r][3] += row[r] * y[i];
            }
        }
        for (int p = 0; p < 3; p++) {
            for (int r = p + 1; r < 3; r++) {
                double f = a[r][p] / a[p][p];
                for (int c = p; c < 4; c++) a[r][c] -= f * a[p][c];
            }
        }
        double[] beta = new double[3];
        for (int r = 2; r >= 0; r--) {
            double s = a[r][3];
            for (int c = r + 1; c < 3; c++) s -= a[r][c] * beta[c];
            beta[r] = s / a[r][r];
        }
        return beta;
    }

    private static double[] weights(TestSupport.LinearModel m) {
        return new double[] {m.w.get(0, 0), m.w.get(1, 0), m.b.get(0)};
    }

    @Test
    void fitsLinearRegressionToNearTheClosedFormSolution() {
        Dataset train = regression(128, SEED);
        var model = new TestSupport.LinearModel(2);
        Sgd sgd = Sgd.builder(model).lr(0.05).momentum(0.9).build();
        DataLoader loader = DataLoader.builder(train).batchSize(16).shuffle(new SplittableRandom(SEED)).build();
        History h = Trainer.builder(model, new MeanSquaredError(), sgd)
            .epochs(60).learningRateSchedule(new CosineAnnealing(0.05, 1e-4, 60)).build()
            .fit(loader);
        double[] ols = leastSquares(train);
        assertArrayEquals(ols, weights(model), 5e-3, "seed " + SEED);
        assertEquals(60, h.size());
        assertFalse(h.stoppedEarly());
        // the final training loss is about the noise variance 0.01
        assertEquals(0.01, h.last().trainLoss(), 0.005);
        assertTrue(h.trainLoss()[0] > 10 * h.last().trainLoss(), "loss should fall");
        assertTrue(Double.isNaN(h.last().validationLoss()));
        assertTrue(Double.isNaN(h.last().trainMetric()));
        assertNull(h.metricName());
        for (Tensor p : model.parameters()) {
            assertNull(p.grad(), "gradients are cleared after each step");
            assertTrue(p.isLeaf());
        }
    }

    @Test
    void stopsEarlyWhenValidationLossStallsAndRestoresTheBestParameters() {
        Dataset.Split split = regression(160, SEED + 1).split(0.25, new SplittableRandom(SEED));
        var model = new TestSupport.LinearModel(2);
        Sgd sgd = Sgd.builder(model).lr(0.02).build();
        DataLoader loader = DataLoader.builder(split.train()).batchSize(8).shuffle(new SplittableRandom(SEED)).build();
        List<double[]> perEpoch = new ArrayList<>();
        History h = Trainer.builder(model, new MeanSquaredError(), sgd)
            .epochs(500).earlyStopping(5, 1e-4).restoreBestParameters(true)
            .listener(new TrainingListener() {
                @Override
                public void onEpochEnd(EpochSummary s) {
                    perEpoch.add(weights(model));
                }
            })
            .build().fit(loader, split.test());
        assertTrue(h.stoppedEarly(), "seed " + SEED + ": " + h);
        assertTrue(h.size() < 500);
        assertEquals(h.size() - 5, h.bestEpoch(), "stops patience epochs after the best one");
        double[] val = h.validationLoss();
        for (int e = 0; e < h.size(); e++) assertTrue(val[e] >= val[h.bestEpoch() - 1], "epoch " + (e + 1));
        assertArrayEquals(perEpoch.get(h.bestEpoch() - 1), weights(model), 0.0, "best parameters restored");
        assertEquals(0.01, val[h.bestEpoch() - 1], 0.01, "validation loss near the noise variance");
        assertArrayEquals(new double[] {2, -3, 0.5}, weights(model), 0.1);
    }

    @Test
    void historyRecordsTrainAndValidationLossMetricAndLearningRatePerEpoch() {
        // Linearly separable: label 1 when x0 + x1 > 0.
        SplittableRandom rng = new SplittableRandom(SEED);
        int n = 100;
        double[] x = new double[2 * n], y = new double[n];
        for (int i = 0; i < n; i++) {
            x[2 * i] = rng.nextGaussian();
            x[2 * i + 1] = rng.nextGaussian();
            y[i] = x[2 * i] + x[2 * i + 1] > 0 ? 1 : 0;
        }
        Dataset all = new Dataset(Tensor.of(x, n, 2), Tensor.of(y, n, 1));
        var model = new TestSupport.LinearModel(2);
        Adam adam = Adam.builder(model).lr(0.1).build();
        DataLoader loader = DataLoader.builder(all).batchSize(20).build();
        History h = Trainer.builder(model, new BinaryCrossEntropyWithLogits(), adam)
            .epochs(30).metric(Accuracy.binaryLogits()).learningRateSchedule(new StepDecay(0.1, 10, 0.5)).build()
            .fit(loader, all);
        assertEquals("accuracy", h.metricName());
        assertEquals(30, h.trainLoss().length);
        assertEquals(30, h.validationMetric().length);
        for (int e = 1; e <= 30; e++) {
            EpochSummary s = h.epochs().get(e - 1);
            assertEquals(e, s.epoch());
            assertEquals(new StepDecay(0.1, 10, 0.5).rate(e), s.learningRate(), 0.0);
            assertTrue(s.hasValidation());
            assertTrue(s.trainMetric() >= 0 && s.trainMetric() <= 1);
        }
        assertTrue(h.last().validationMetric() >= 0.97, h.toString());
        assertTrue(h.last().validationLoss() < h.validationLoss()[0]);
        assertEquals(h.trainLoss()[29], h.last().trainLoss(), 0.0);
    }

    @Test
    void listenerIsCalledOncePerEpochAndOncePerBatch() {
        Dataset d = regression(30, SEED);
        var model = new TestSupport.LinearModel(2);
        DataLoader loader = DataLoader.builder(d).batchSize(8).build(); // 4 batches, the last of 6
        int[] calls = new int[4];
        List<Integer> epochsSeen = new ArrayList<>();
        History[] end = new History[1];
        History h = Trainer.builder(model, new MeanSquaredError(), Sgd.builder(model).lr(0.01).build())
            .epochs(3)
            .listener(new TrainingListener() {
                @Override
                public void onFitStart(int epochs, int batchesPerEpoch) {
                    calls[0]++;
                    assertEquals(3, epochs);
                    assertEquals(4, batchesPerEpoch);
                }

                @Override
                public void onBatchEnd(int epoch, int batch, double loss) {
                    calls[1]++;
                    assertEquals((calls[1] - 1) % 4 + 1, batch);
                    assertTrue(loss > 0);
                }

                @Override
                public void onEpochEnd(EpochSummary summary) {
                    calls[2]++;
                    epochsSeen.add(summary.epoch());
                }

                @Override
                public void onFitEnd(History history) {
                    calls[3]++;
                    end[0] = history;
                }
            })
            .build().fit(loader);
        assertArrayEquals(new int[] {1, 12, 3, 1}, calls);
        assertEquals(List.of(1, 2, 3), epochsSeen);
        assertEquals(h, end[0]);
    }

    @Test
    void perBatchScheduleCountsUpdatesAcrossEpochs() {
        Dataset d = regression(20, SEED);
        var model = new TestSupport.LinearModel(2);
        Sgd sgd = Sgd.builder(model).lr(1).build();
        DataLoader loader = DataLoader.builder(d).batchSize(5).build();
        History h = Trainer.builder(model, new MeanSquaredError(), sgd)
            .epochs(3).learningRateSchedulePerBatch(new HyperbolicDecay(0.1)).build().fit(loader);
        assertEquals(0.1 / 4, h.epochs().get(0).learningRate(), 1e-15);
        assertEquals(0.1 / 12, h.last().learningRate(), 1e-15, "12 updates in 3 epochs");
    }

    @Test
    void clipNormBoundsEachUpdate() {
        Dataset d = regression(16, SEED);
        var model = new TestSupport.LinearModel(2);
        DataLoader loader = DataLoader.builder(d).batchSize(4).build();
        List<double[]> trail = new ArrayList<>();
        trail.add(weights(model));
        Trainer.builder(model, new MeanSquaredError(), Sgd.builder(model).lr(1).build())
            .epochs(2).clipNorm(1e-3)
            .listener(new TrainingListener() {
                @Override
                public void onBatchEnd(int epoch, int batch, double loss) {
                    trail.add(weights(model));
                }
            })
            .build().fit(loader);
        assertEquals(9, trail.size());
        for (int k = 1; k < trail.size(); k++) {
            double s = 0;
            for (int i = 0; i < 3; i++) s += Math.pow(trail.get(k)[i] - trail.get(k - 1)[i], 2);
            assertTrue(Math.sqrt(s) <= 1e-3 + 1e-12, "update " + k + " moved " + Math.sqrt(s));
            assertTrue(Math.sqrt(s) > 0.9e-3, "large gradients are clipped to the bound, not below it");
        }
    }

    @Test
    @SuppressWarnings("try") // the scope is used only for its close()
    void eachBatchGraphIsReleasedByBackward() {
        Dataset d = regression(12, SEED);
        var model = new TestSupport.LinearModel(2);
        List<Tensor> losses = new ArrayList<>();
        Loss mse = new MeanSquaredError();
        Loss spy = (p, t) -> {
            Tensor l = mse.apply(p, t);
            losses.add(l);
            return l;
        };
        Trainer.builder(model, spy, Sgd.builder(model).lr(0.01).build()).epochs(1).build()
            .fit(DataLoader.builder(d).batchSize(4).build());
        assertEquals(3, losses.size());
        for (Tensor l : losses) {
            // The scope restores grad mode even if a failed backward leaves it off (fixed in core later).
            try (var s = Autograd.enableGrad()) {
                IllegalStateException e = assertThrows(IllegalStateException.class, l::backward);
                assertTrue(e.getMessage().contains("already released"), e.getMessage());
            }
        }
    }

    @Test
    void divergingLossStopsWithAClearError() {
        Dataset d = regression(32, SEED);
        var model = new TestSupport.LinearModel(2);
        Trainer t = Trainer.builder(model, new MeanSquaredError(), Sgd.builder(model).lr(50).build()).epochs(100).build();
        IllegalStateException e = assertThrows(IllegalStateException.class,
            () -> t.fit(DataLoader.builder(d).batchSize(32).build()));
        assertTrue(e.getMessage().startsWith("Trainer: training loss is Infinity at epoch")
            || e.getMessage().startsWith("Trainer: training loss is NaN at epoch"), e.getMessage());
        assertTrue(e.getMessage().contains("lower the learning rate"), e.getMessage());
    }

    @Test
    @SuppressWarnings("try") // the scope is used only for its close()
    void fitTrainsEvenWhenCalledInsideNoGrad() {
        Dataset d = regression(16, SEED);
        var model = new TestSupport.LinearModel(2);
        History h;
        try (var s = Autograd.noGrad()) {
            h = Trainer.builder(model, new MeanSquaredError(), Sgd.builder(model).lr(0.1).build()).epochs(5).build()
                .fit(DataLoader.builder(d).batchSize(4).build());
            assertFalse(Autograd.isGradEnabled(), "the caller's mode is restored");
        }
        assertTrue(h.last().trainLoss() < h.trainLoss()[0]);
    }

    @Test
    void logsEpochMetricsThroughSlf4j() {
        ch.qos.logback.classic.Logger logger = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(Trainer.class);
        var appender = new ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent>();
        appender.start();
        logger.addAppender(appender);
        ch.qos.logback.classic.Level before = logger.getLevel();
        logger.setLevel(ch.qos.logback.classic.Level.INFO);
        logger.setAdditive(false); // keep the console quiet
        try {
            Dataset d = regression(16, SEED);
            var model = new TestSupport.LinearModel(2);
            Trainer.builder(model, new MeanSquaredError(), Sgd.builder(model).lr(0.1).build())
                .epochs(5).logEvery(2).metric(new Metric() {
                    @Override
                    public String name() {
                        return "zero";
                    }

                    @Override
                    public double evaluate(Tensor prediction, Tensor target) {
                        return 0;
                    }
                }).build()
                .fit(DataLoader.builder(d).batchSize(8).build(), d);
        } finally {
            logger.setLevel(before);
            logger.setAdditive(true);
            logger.detachAppender(appender);
        }
        List<String> lines = appender.list.stream().map(e -> e.getFormattedMessage()).toList();
        assertEquals(4, lines.size(), lines.toString());
        assertTrue(lines.get(0).matches("epoch 1/5: loss \\S+, zero 0\\.0000, val loss \\S+, val zero 0\\.0000, lr 0\\.1000 \\(\\d+ ms\\)"),
            lines.get(0));
        assertTrue(lines.get(1).startsWith("epoch 2/5") && lines.get(2).startsWith("epoch 4/5") && lines.get(3).startsWith("epoch 5/5"));
    }

    @Test
    void validationRunsInEvalModeWithoutRecordingAndTrainingResumesInTrainMode() {
        List<String> calls = new ArrayList<>();
        var inner = new TestSupport.LinearModel(2);
        dev.chainrule.nn.Module spy = new dev.chainrule.nn.Module() {
            { registerModule("inner", inner); }

            @Override
            public Tensor forward(Tensor x) {
                calls.add((isTraining() ? "train" : "eval") + (Autograd.isGradEnabled() ? "+grad" : "-grad"));
                return inner.forward(x);
            }
        };
        Dataset d = regression(8, SEED);
        Trainer.builder(spy, new MeanSquaredError(), Sgd.builder(spy).lr(0.1).build()).epochs(2).build()
            .fit(DataLoader.builder(d).batchSize(4).build(), d);
        assertEquals(List.of("train+grad", "train+grad", "eval-grad", "train+grad", "train+grad", "eval-grad"), calls);
        assertTrue(spy.isTraining(), "left in training mode");
    }

    @Test
    void trainsAnMlpOnXorToFullAccuracyWithRealLayers() {
        Dataset xor = new Dataset(Tensor.of(new double[][] {{0, 0}, {0, 1}, {1, 0}, {1, 1}}), Tensor.of(new double[] {0, 1, 1, 0}, 4, 1));
        var model = new dev.chainrule.nn.Sequential(
            new dev.chainrule.nn.Linear(2, 8, new SplittableRandom(SEED)), new dev.chainrule.nn.Tanh(),
            new dev.chainrule.nn.Linear(8, 1, new SplittableRandom(SEED + 1)));
        History h = Trainer.builder(model, new BinaryCrossEntropyWithLogits(), Adam.builder(model).lr(0.05).build())
            .epochs(300).metric(Accuracy.binaryLogits()).build()
            .fit(DataLoader.builder(xor).batchSize(4).build());
        assertEquals(1.0, h.last().trainMetric(), 0.0, "seed " + SEED + ": " + h);
        assertTrue(h.last().trainLoss() < 0.05, h.toString());
    }

    @Test
    void misconfigurationIsRejected() {
        var model = new TestSupport.LinearModel(2);
        Sgd sgd = Sgd.builder(model).lr(0.1).build();
        MeanSquaredError mse = new MeanSquaredError();
        DataLoader loader = DataLoader.builder(regression(8, SEED)).batchSize(4).build();
        Trainer stopping = Trainer.builder(model, mse, sgd).earlyStopping(3).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> stopping.fit(loader));
        assertTrue(e.getMessage().startsWith("Trainer.fit: early stopping watches the validation loss"), e.getMessage());
        SgdTest.assertMessage("Trainer: epochs must be positive, got 0", () -> Trainer.builder(model, mse, sgd).epochs(0).build());
        SgdTest.assertMessage("Trainer: patience must be positive, got 0", () -> Trainer.builder(model, mse, sgd).earlyStopping(0));
        SgdTest.assertMessage("Trainer: choose one of clipNorm and clipValue, not both",
            () -> Trainer.builder(model, mse, sgd).clipNorm(1).clipValue(1).build());
        NullPointerException npe = assertThrows(NullPointerException.class, () -> Trainer.builder(null, mse, sgd));
        assertEquals("Trainer.builder: model is null", npe.getMessage());
        Trainer perSample = Trainer.builder(model, new MeanSquaredError(Reduction.NONE), sgd).build();
        SgdTest.assertMessage("Trainer: the loss returned shape [4, 1]; training needs a scalar loss (use the default MEAN "
            + "reduction, or SUM)", () -> perSample.fit(loader));
    }
}

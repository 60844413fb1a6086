package dev.chainrule.optim;

import dev.chainrule.autograd.Autograd;
import dev.chainrule.autograd.Shape;
import dev.chainrule.autograd.Tensor;
import dev.chainrule.nn.Module;
import dev.chainrule.nn.data.Batch;
import dev.chainrule.nn.data.DataLoader;
import dev.chainrule.nn.data.Dataset;
import dev.chainrule.nn.loss.Loss;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fit loop: for each epoch, for each mini-batch, forward → loss → backward → (clip) → step →
 * zeroGrad; then evaluate on the validation set, log the epoch, call the listeners, and decide
 * whether to stop early.
 *
 * <pre>{@code
 * Trainer trainer = Trainer.builder(model, new MeanSquaredError(), Sgd.builder(model).lr(0.1).build())
 *     .epochs(200).earlyStopping(10).metric(Accuracy.multiclass()).build();
 * History history = trainer.fit(trainLoader, split.test());
 * }</pre>
 *
 * <p>Per epoch it records (as doubles, never tensors, so each batch's graph is released by its
 * backward and nothing retains it) the mean training loss and metric, weighted by batch size; the
 * validation loss and metric, computed in {@link Module#eval() eval} mode under no-grad; and the
 * learning rate. Epoch results are logged at INFO through SLF4J (logger {@code dev.chainrule.optim.Trainer}),
 * every epoch or every {@link Builder#logEvery n-th}.
 *
 * <p>Options: a {@link LearningRateSchedule} applied at the start of each epoch (k = epoch) or before
 * each update (k = update count), gradient clipping by global norm or by value, early stopping when
 * the validation loss has not improved by more than {@code minDelta} for {@code patience} epochs
 * (optionally restoring the parameters of the best epoch), a {@link Metric}, and
 * {@link TrainingListener}s. A trainer can be used for several fits; each starts its schedule and
 * epoch count afresh but keeps the model's and optimizer's state.
 */
public final class Trainer {

    private static final Logger LOG = LoggerFactory.getLogger(Trainer.class);

    private final Module model;
    private final Loss loss;
    private final Optimizer optimizer;
    private final int epochs;
    private final int patience;
    private final double minDelta;
    private final boolean restoreBest;
    private final LearningRateSchedule schedule;
    private final boolean schedulePerBatch;
    private final double clipNorm;
    private final double clipValue;
    private final Metric metric;
    private final List<TrainingListener> listeners;
    private final int logEvery;

    private Trainer(Builder b) {
        this.model = b.model;
        this.loss = b.loss;
        this.optimizer = b.optimizer;
        this.epochs = b.epochs;
        this.patience = b.patience;
        this.minDelta = b.minDelta;
        this.restoreBest = b.restoreBest;
        this.schedule = b.schedule;
        this.schedulePerBatch = b.schedulePerBatch;
        this.clipNorm = b.clipNorm;
        this.clipValue = b.clipValue;
        this.metric = b.metric;
        this.listeners = List.copyOf(b.listeners);
        this.logEvery = b.logEvery;
    }

    /**
     * A builder for training {@code model} on {@code loss} with {@code optimizer} (which should hold
     * the model's parameters).
     *
     * @throws IllegalArgumentException if an argument is null
     */
    public static Builder builder(Module model, Loss loss, Optimizer optimizer) {
        if (model == null || loss == null || optimizer == null) {
            throw new IllegalArgumentException("Trainer: model, loss and optimizer must not be null");
        }
        return new Builder(model, loss, optimizer);
    }

    /**
     * Trains without a validation set.
     *
     * @throws IllegalArgumentException if early stopping was configured (it needs a validation set)
     * @throws IllegalStateException    if the loss becomes NaN or infinite (the offending update is not applied)
     */
    public History fit(DataLoader train) {
        return run(train, null);
    }

    /**
     * Trains, evaluating on {@code validation} (in batches of up to 1024 samples) after every epoch.
     *
     * @throws IllegalArgumentException if an argument is null
     * @throws IllegalStateException    if the loss becomes NaN or infinite (the offending update is not applied)
     */
    public History fit(DataLoader train, Dataset validation) {
        if (validation == null) throw new IllegalArgumentException("Trainer.fit: validation set is null; call fit(train) to train without one");
        return fit(train, DataLoader.builder(validation).batchSize(Math.min(validation.size(), 1024)).build());
    }

    /**
     * Trains, evaluating on every batch of {@code validation} after every epoch.
     *
     * @throws IllegalArgumentException if an argument is null
     * @throws IllegalStateException    if the loss becomes NaN or infinite (the offending update is not applied)
     */
    public History fit(DataLoader train, DataLoader validation) {
        if (validation == null) throw new IllegalArgumentException("Trainer.fit: validation loader is null; call fit(train) to train without one");
        return run(train, validation);
    }

    private History run(DataLoader train, DataLoader validation) {
        if (train == null) throw new IllegalArgumentException("Trainer.fit: training loader is null");
        if (patience > 0 && validation == null) {
            throw new IllegalArgumentException("Trainer.fit: early stopping watches the validation loss; pass a validation set "
                + "(fit(train, validation)) or build the trainer without earlyStopping");
        }
        Scheduler scheduler = schedule == null ? null : new Scheduler(optimizer, schedule);
        listeners.forEach(l -> l.onFitStart(epochs, train.batchesPerEpoch()));
        List<EpochSummary> summaries = new ArrayList<>();
        double best = Double.POSITIVE_INFINITY;
        int bestEpoch = 0;
        int sinceBest = 0;
        boolean stopped = false;
        List<Tensor> bestParameters = null;
        for (int epoch = 1; epoch <= epochs; epoch++) {
            long start = System.nanoTime();
            if (scheduler != null && !schedulePerBatch) scheduler.advance();
            double[] trained = trainEpoch(epoch, train, scheduler);
            double[] validated = validation == null ? new double[] {Double.NaN, Double.NaN} : evaluate(validation);
            EpochSummary s = new EpochSummary(epoch, trained[0], trained[1], validated[0], validated[1], optimizer.learningRate());
            summaries.add(s);
            if (epoch % logEvery == 0 || epoch == 1 || epoch == epochs) log(s, (System.nanoTime() - start) / 1_000_000);
            double watched = validation == null ? s.trainLoss() : s.validationLoss();
            if (watched < best - minDelta) {
                best = watched;
                bestEpoch = epoch;
                sinceBest = 0;
                if (restoreBest) bestParameters = snapshot();
            } else {
                sinceBest++;
            }
            for (TrainingListener l : listeners) l.onEpochEnd(s);
            if (patience > 0 && sinceBest >= patience && epoch < epochs) {
                stopped = true;
                LOG.info("early stopping after epoch {}: validation loss has not improved by more than {} for {} epochs "
                    + "(best {} at epoch {})", epoch, minDelta, patience, best, bestEpoch);
                break;
            }
        }
        if (restoreBest && bestParameters != null && bestEpoch != summaries.size()) {
            restore(bestParameters);
            LOG.info("restored the parameters of epoch {}", bestEpoch);
        }
        History history = new History(summaries, metric == null ? null : metric.name(), stopped, bestEpoch);
        listeners.forEach(l -> l.onFitEnd(history));
        return history;
    }

    /** @return {mean loss, mean metric (NaN without one)}, both weighted by batch size */
    @SuppressWarnings("try") // the scope is used only for its close()
    private double[] trainEpoch(int epoch, DataLoader train, Scheduler scheduler) {
        // Record graphs even if fit was called inside a no-grad region; the scope restores the caller's mode.
        try (var s = Autograd.enableGrad()) {
            return trainBatches(epoch, train, scheduler);
        }
    }

    private double[] trainBatches(int epoch, DataLoader train, Scheduler scheduler) {
        model.train();
        double lossSum = 0, metricSum = 0;
        long samples = 0;
        int batchIndex = 0;
        for (Batch batch : train) {
            batchIndex++;
            if (scheduler != null && schedulePerBatch) scheduler.advance();
            model.zeroGrad();
            optimizer.zeroGrad();
            Tensor prediction = model.forward(batch.x());
            Tensor l = loss.apply(prediction, batch.y());
            if (l.size() != 1) {
                throw new IllegalArgumentException("Trainer: the loss returned shape " + Shape.toString(l.shape())
                    + "; training needs a scalar loss (use the default MEAN reduction, or SUM)");
            }
            double value = l.item();
            if (!Double.isFinite(value)) {
                throw new IllegalStateException("Trainer: training loss is " + value + " at epoch " + epoch + ", batch " + batchIndex
                    + " (learning rate " + optimizer.learningRate() + "); lower the learning rate, clip gradients "
                    + "(clipNorm) or standardize the inputs. That batch's update was not applied.");
            }
            int n = batch.size();
            if (metric != null) metricSum += metric.evaluate(prediction, batch.y()) * n;
            l.backward();
            if (clipNorm > 0) GradientClipping.clipNorm(optimizer.parameters(), clipNorm);
            if (clipValue > 0) GradientClipping.clipValue(optimizer.parameters(), clipValue);
            optimizer.step();
            optimizer.zeroGrad();
            lossSum += value * n;
            samples += n;
            for (TrainingListener listener : listeners) listener.onBatchEnd(epoch, batchIndex, value);
        }
        if (samples == 0) {
            throw new IllegalArgumentException("Trainer.fit: the training loader yielded no batch in epoch " + epoch);
        }
        return new double[] {lossSum / samples, metric == null ? Double.NaN : metricSum / samples};
    }

    /** Mean loss and metric over the validation batches, in eval mode and without recording a graph. */
    @SuppressWarnings("try") // the scope is used only for its close()
    private double[] evaluate(DataLoader validation) {
        model.eval();
        try (var s = Autograd.noGrad()) {
            double lossSum = 0, metricSum = 0;
            long samples = 0;
            for (Batch batch : validation) {
                Tensor prediction = model.forward(batch.x());
                int n = batch.size();
                lossSum += loss.apply(prediction, batch.y()).item() * n;
                if (metric != null) metricSum += metric.evaluate(prediction, batch.y()) * n;
                samples += n;
            }
            if (samples == 0) throw new IllegalArgumentException("Trainer.fit: the validation loader yielded no batch");
            return new double[] {lossSum / samples, metric == null ? Double.NaN : metricSum / samples};
        } finally {
            model.train();
        }
    }

    private List<Tensor> snapshot() {
        List<Tensor> copies = new ArrayList<>();
        for (Tensor p : optimizer.parameters()) copies.add(p.detach());
        return copies;
    }

    @SuppressWarnings("try") // the scope is used only for its close()
    private void restore(List<Tensor> saved) {
        List<Tensor> ps = optimizer.parameters();
        try (var s = Autograd.noGrad()) {
            for (int i = 0; i < ps.size(); i++) ps.get(i).copyFrom(saved.get(i));
        }
    }

    private void log(EpochSummary s, long millis) {
        if (!LOG.isInfoEnabled()) return;
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "epoch %d/%d: loss %.6g", s.epoch(), epochs, s.trainLoss()));
        String name = metric == null ? null : metric.name();
        if (name != null) sb.append(String.format(Locale.ROOT, ", %s %.4f", name, s.trainMetric()));
        if (s.hasValidation()) {
            sb.append(String.format(Locale.ROOT, ", val loss %.6g", s.validationLoss()));
            if (name != null) sb.append(String.format(Locale.ROOT, ", val %s %.4f", name, s.validationMetric()));
        }
        sb.append(String.format(Locale.ROOT, ", lr %.4g (%d ms)", s.learningRate(), millis));
        LOG.info(sb.toString());
    }

    /** Configures a {@link Trainer}; {@link #build()} validates the options. */
    public static final class Builder {
        private final Module model;
        private final Loss loss;
        private final Optimizer optimizer;
        private int epochs = 10;
        private int patience;
        private double minDelta;
        private boolean restoreBest;
        private LearningRateSchedule schedule;
        private boolean schedulePerBatch;
        private double clipNorm;
        private double clipValue;
        private Metric metric;
        private final List<TrainingListener> listeners = new ArrayList<>();
        private int logEvery = 1;

        private Builder(Module model, Loss loss, Optimizer optimizer) {
            this.model = model;
            this.loss = loss;
            this.optimizer = optimizer;
        }

        /** Maximum number of passes over the training data; default 10. */
        public Builder epochs(int epochs) {
            this.epochs = epochs;
            return this;
        }

        /**
         * Stops when the validation loss has not decreased for {@code patience} consecutive epochs.
         * Needs a validation set at {@link #fit}.
         */
        public Builder earlyStopping(int patience) {
            return earlyStopping(patience, 0);
        }

        /** Stops when the validation loss has not decreased by more than {@code minDelta} for {@code patience} consecutive epochs. */
        public Builder earlyStopping(int patience, double minDelta) {
            this.patience = Checks.positive("Trainer", "patience", patience);
            this.minDelta = Checks.nonNegative("Trainer", "minDelta", minDelta);
            return this;
        }

        /**
         * At the end of the fit, copies back the parameter values of the best epoch (lowest validation
         * loss, or lowest training loss without validation); default false.
         */
        public Builder restoreBestParameters(boolean restore) {
            this.restoreBest = restore;
            return this;
        }

        /** Sets the learning rate to {@code schedule.rate(epoch)} at the start of each epoch (epoch from 1). */
        public Builder learningRateSchedule(LearningRateSchedule schedule) {
            this.schedule = schedule;
            this.schedulePerBatch = false;
            return this;
        }

        /** Sets the learning rate to {@code schedule.rate(k)} before the k-th update (k from 1, counted across epochs). */
        public Builder learningRateSchedulePerBatch(LearningRateSchedule schedule) {
            this.schedule = schedule;
            this.schedulePerBatch = true;
            return this;
        }

        /** Clips the gradients to a global L2 norm of at most {@code maxNorm} before each step ({@link GradientClipping#clipNorm}). */
        public Builder clipNorm(double maxNorm) {
            this.clipNorm = Checks.positive("Trainer", "clipNorm", maxNorm);
            return this;
        }

        /** Clamps each gradient element to [−v, v] before each step ({@link GradientClipping#clipValue}). */
        public Builder clipValue(double v) {
            this.clipValue = Checks.positive("Trainer", "clipValue", v);
            return this;
        }

        /** A metric reported per epoch next to the loss, e.g. {@link Accuracy#multiclass()}. */
        public Builder metric(Metric metric) {
            this.metric = metric;
            return this;
        }

        /** Logs every {@code n}-th epoch (and the first and last) at INFO; default 1, every epoch. */
        public Builder logEvery(int n) {
            this.logEvery = Checks.positive("Trainer", "logEvery", n);
            return this;
        }

        /** Adds a listener, called per epoch and per batch; listeners run in the order added. */
        public Builder listener(TrainingListener listener) {
            if (listener == null) throw new IllegalArgumentException("Trainer: listener is null");
            listeners.add(listener);
            return this;
        }

        /**
         * @throws IllegalArgumentException if epochs &lt; 1, or both clipNorm and clipValue are set
         */
        public Trainer build() {
            Checks.positive("Trainer", "epochs", epochs);
            if (clipNorm > 0 && clipValue > 0) {
                throw new IllegalArgumentException("Trainer: choose one of clipNorm and clipValue, not both");
            }
            return new Trainer(this);
        }
    }
}

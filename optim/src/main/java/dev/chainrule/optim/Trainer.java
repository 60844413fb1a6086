package dev.chainrule.optim;

import dev.chainrule.autograd.Autograd;
import dev.chainrule.autograd.Shape;
import dev.chainrule.autograd.Tensor;
import dev.chainrule.nn.Module;
import dev.chainrule.nn.data.Batch;
import dev.chainrule.nn.data.DataLoader;
import dev.chainrule.nn.data.Dataset;
import dev.chainrule.nn.loss.Loss;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
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
 * every epoch, every {@link Builder#logEvery n-th}, or never ({@code logEvery(0)}).
 *
 * <p><b>Crash-safe training.</b> With {@link Builder#checkpoints(Path)} the trainer writes a training
 * checkpoint into a directory at the end of every epoch (and, with {@link Builder#checkpointEvery},
 * every n updates), keeping the last {@link Builder#keepCheckpoints k}. A checkpoint is one
 * safetensors file, {@code checkpoint-<updates>.safetensors}, written atomically (temporary file,
 * fsync, atomic rename), that holds everything the run's future depends on: the model's parameters
 * and buffers, the optimizer's state ({@link OptimizerState}), the schedule's period, the loaders'
 * permutation seeds and epoch counters ({@link DataLoader#epoch()}), every {@link dev.chainrule.nn.Dropout}'s
 * call counter, the epoch and batch reached with the epoch's partial sums, the early-stopping state
 * and the history so far, in JSON metadata with a format version. {@link #resume(DataLoader)} continues
 * from the newest readable checkpoint (starting afresh when there is none): a run killed at any point
 * and resumed ends with the same parameters, bit for bit, as one that was never interrupted, as long
 * as the model, loss, optimizer and loaders are built the same way. A corrupt or partial newest file
 * is moved aside (renamed to {@code .corrupt}) with a WARN naming it, and the previous one is used;
 * a checkpoint that belongs to another model, optimizer or data set is rejected before anything changes.
 * Random state outside Chainrule (a module's own generator) is not captured.
 *
 * <p>Options: a {@link LearningRateSchedule} applied at the start of each epoch (k = epoch) or before
 * each update (k = update count), gradient clipping by global norm or by value, early stopping when
 * the validation loss has not improved by more than {@code minDelta} for {@code patience} epochs
 * (optionally restoring the parameters of the best epoch), a {@link Metric}, and
 * {@link TrainingListener}s. A trainer can be used for several fits; each starts its schedule and
 * epoch count afresh but keeps the model's and optimizer's state.
 *
 * <p><b>dtype.</b> Each training and validation batch is converted to the model's dtype
 * ({@link Module#dtype()}, {@link Batch#to}) when it differs, so a model converted with
 * {@code model.to(DType.FLOAT32)} trains on an ordinary FLOAT64 loader (each batch is then rounded
 * on the fly; {@code DataLoader.builder(data).dtype(DType.FLOAT32)} converts the data once instead).
 * A model with no parameters or buffers takes its batches unchanged.
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
    private final Path checkpointDir;
    private final int checkpointEvery;
    private final boolean checkpointEachEpoch;
    private final int keepCheckpoints;

    /** {@code checkpoint-<update count, at least 12 digits>.safetensors}. */
    private static final Pattern CHECKPOINT = Pattern.compile("checkpoint-(\\d{12,19})\\.safetensors");
    /** The temporary files {@link dev.chainrule.nn.io.SafeTensors} writes a checkpoint into before renaming it. */
    private static final Pattern TEMPORARY = Pattern.compile("\\.checkpoint-\\d{12,19}\\.safetensors\\.[0-9a-f]+\\.tmp");

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
        this.checkpointDir = b.checkpointDir;
        this.checkpointEvery = b.checkpointEvery;
        this.checkpointEachEpoch = b.checkpointEachEpoch;
        this.keepCheckpoints = b.keepCheckpoints;
    }

    /**
     * A builder for training {@code model} on {@code loss} with {@code optimizer} (which should hold
     * the model's parameters).
     *
     * @throws NullPointerException if an argument is null
     */
    public static Builder builder(Module model, Loss loss, Optimizer optimizer) {
        Objects.requireNonNull(model, "Trainer.builder: model is null");
        Objects.requireNonNull(loss, "Trainer.builder: loss is null");
        Objects.requireNonNull(optimizer, "Trainer.builder: optimizer is null");
        return new Builder(model, loss, optimizer);
    }

    /**
     * Trains without a validation set. With checkpoints configured, the directory must not hold
     * checkpoints of an earlier run (use {@link #resume(DataLoader)} to continue one).
     *
     * @throws IllegalArgumentException if early stopping was configured (it needs a validation set)
     * @throws IllegalStateException    if the loss becomes NaN or infinite (the offending update is not
     *                                  applied), or the checkpoint directory holds checkpoints already
     * @throws UncheckedIOException     if a checkpoint cannot be written
     */
    public History fit(DataLoader train) {
        return run(train, null, false);
    }

    /**
     * Trains, evaluating on {@code validation} (in batches of up to 1024 samples) after every epoch.
     *
     * @throws IllegalStateException    if the loss becomes NaN or infinite (the offending update is not applied)
     * @throws UncheckedIOException     if a checkpoint cannot be written
     */
    public History fit(DataLoader train, Dataset validation) {
        return run(train, validationLoader("fit", validation), false);
    }

    /**
     * Trains, evaluating on every batch of {@code validation} after every epoch.
     *
     * @throws IllegalStateException    if the loss becomes NaN or infinite (the offending update is not applied)
     * @throws UncheckedIOException     if a checkpoint cannot be written
     */
    public History fit(DataLoader train, DataLoader validation) {
        return run(train, Objects.requireNonNull(validation, "Trainer.fit: validation is null; call fit(train) to train without one"), false);
    }

    /**
     * Continues the run whose checkpoints are in the {@link Builder#checkpoints(Path) checkpoint
     * directory} from the newest readable one, or starts it when there is none, and trains to the end.
     * The trainer, model, optimizer and loader must be built as for the interrupted run (same
     * architecture, seeds and options); the model's parameters and the optimizer's state are replaced by
     * the checkpoint's. The returned history covers the whole run, including the epochs before the
     * interruption (listeners see only the epochs and batches trained by this call).
     *
     * @throws IllegalStateException if no checkpoint directory was configured, the newest readable
     *                               checkpoint belongs to another model, optimizer, loader or trainer
     *                               configuration (nothing is changed; the message lists every
     *                               difference), or the loss becomes NaN or infinite
     * @throws UncheckedIOException  if checkpoints exist but none is readable, or one cannot be written
     */
    public History resume(DataLoader train) {
        return run(train, null, true);
    }

    /** {@link #resume(DataLoader)} with a validation set, as {@link #fit(DataLoader, Dataset)}. */
    public History resume(DataLoader train, Dataset validation) {
        return run(train, validationLoader("resume", validation), true);
    }

    /** {@link #resume(DataLoader)} with a validation loader, as {@link #fit(DataLoader, DataLoader)}. */
    public History resume(DataLoader train, DataLoader validation) {
        return run(train, Objects.requireNonNull(validation, "Trainer.resume: validation is null; call resume(train) to train without one"),
            true);
    }

    private static DataLoader validationLoader(String op, Dataset validation) {
        Objects.requireNonNull(validation, "Trainer." + op + ": validation is null; call " + op + "(train) to train without one");
        return DataLoader.builder(validation).batchSize(Math.min(validation.size(), 1024)).build();
    }

    private History run(DataLoader train, DataLoader validation, boolean resume) {
        String op = resume ? "Trainer.resume" : "Trainer.fit";
        Objects.requireNonNull(train, op + ": train is null");
        if (patience > 0 && validation == null) {
            throw new IllegalArgumentException(op + ": early stopping watches the validation loss; pass a validation set "
                + "(" + (resume ? "resume" : "fit") + "(train, validation)) or build the trainer without earlyStopping");
        }
        if (resume && checkpointDir == null) {
            throw new IllegalStateException("Trainer.resume: no checkpoint directory; build the trainer with checkpoints(dir)");
        }
        Scheduler scheduler = schedule == null ? null : new Scheduler(optimizer, schedule);
        TrainingCheckpoint.Setup setup = new TrainingCheckpoint.Setup(model, optimizer, train, validation,
            metric == null ? null : metric.name(), restoreBest, schedule != null);
        TrainingCheckpoint.Progress p;
        if (resume) {
            p = load(setup);
            if (scheduler != null) scheduler.setPeriod(p.period);
        } else {
            if (checkpointDir != null && !checkpoints().isEmpty()) {
                throw new IllegalStateException("Trainer.fit: " + checkpointDir + " holds checkpoints of an earlier run; "
                    + "call resume(...) to continue it, or use an empty directory to start a new one");
            }
            p = fresh(train, validation, scheduler);
        }
        listeners.forEach(l -> l.onFitStart(epochs, train.batchesPerEpoch()));
        while (!p.stopped && p.epoch <= epochs) runEpoch(p, setup, scheduler);
        if (restoreBest && p.bestParameters != null && p.bestEpoch != p.history.size()) {
            restore(p.bestParameters);
            LOG.info("restored the parameters of epoch {}", p.bestEpoch);
        }
        History history = new History(p.history, metric == null ? null : metric.name(), p.stopped, p.bestEpoch);
        listeners.forEach(l -> l.onFitEnd(history));
        return history;
    }

    private static TrainingCheckpoint.Progress fresh(DataLoader train, DataLoader validation, Scheduler scheduler) {
        TrainingCheckpoint.Progress p = new TrainingCheckpoint.Progress();
        p.loaderEpoch = train.epoch();
        p.validationEpoch = validation == null ? -1 : validation.epoch();
        p.period = scheduler == null ? -1 : 0;
        return p;
    }

    /** One epoch, from the batch the progress has reached, then validation, bookkeeping and the epoch's checkpoint. */
    private void runEpoch(TrainingCheckpoint.Progress p, TrainingCheckpoint.Setup setup, Scheduler scheduler) {
        long start = System.nanoTime();
        DataLoader train = setup.train();
        if (p.batch == 0) {
            if (scheduler != null && !schedulePerBatch) scheduler.advance();
            p.loaderEpoch = train.epoch();
        }
        train.setEpoch(p.loaderEpoch);
        Iterator<Batch> batches = train.iterator(p.batch);
        trainBatches(p, batches, setup, scheduler);
        if (p.samples == 0) {
            throw new IllegalArgumentException("Trainer.fit: the training loader yielded no batch in epoch " + p.epoch);
        }
        double trainLoss = p.lossSum / p.samples;
        double trainMetric = metric == null ? Double.NaN : p.metricSum / p.samples;
        DataLoader validation = setup.validation();
        double[] validated = validation == null ? new double[] {Double.NaN, Double.NaN} : evaluate(validation);
        int epoch = p.epoch;
        EpochSummary s = new EpochSummary(epoch, trainLoss, trainMetric, validated[0], validated[1], optimizer.learningRate());
        p.history.add(s);
        if (logEvery > 0 && (epoch % logEvery == 0 || epoch == 1 || epoch == epochs)) log(s, (System.nanoTime() - start) / 1_000_000);
        double watched = validation == null ? s.trainLoss() : s.validationLoss();
        if (watched < p.best - minDelta) {
            p.best = watched;
            p.bestEpoch = epoch;
            p.sinceBest = 0;
            if (restoreBest) p.bestParameters = snapshot();
        } else {
            p.sinceBest++;
        }
        for (TrainingListener l : listeners) l.onEpochEnd(s);
        p.epoch++;
        p.batch = 0;
        p.lossSum = 0;
        p.metricSum = 0;
        p.samples = 0;
        p.loaderEpoch = train.epoch();
        if (patience > 0 && p.sinceBest >= patience && epoch < epochs) {
            p.stopped = true;
            LOG.info("early stopping after epoch {}: validation loss has not improved by more than {} for {} epochs "
                + "(best {} at epoch {})", epoch, minDelta, patience, p.best, p.bestEpoch);
        }
        if (checkpointDir != null && checkpointEachEpoch) save(p, setup, scheduler);
    }

    @SuppressWarnings("try") // the scope is used only for its close()
    private void trainBatches(TrainingCheckpoint.Progress p, Iterator<Batch> batches, TrainingCheckpoint.Setup setup,
                              Scheduler scheduler) {
        // Record graphs even if fit was called inside a no-grad region; the scope restores the caller's mode.
        try (var s = Autograd.enableGrad()) {
            model.train();
            while (batches.hasNext()) {
                trainBatch(p, batches.next(), scheduler);
                if (checkpointDir != null && checkpointEvery > 0 && p.updates % checkpointEvery == 0) save(p, setup, scheduler);
            }
        }
    }

    private void trainBatch(TrainingCheckpoint.Progress p, Batch batch, Scheduler scheduler) {
        int batchIndex = p.batch + 1;
        if (scheduler != null && schedulePerBatch) scheduler.advance();
        model.zeroGrad();
        optimizer.zeroGrad();
        batch = inModelDtype(batch);
        Tensor prediction = model.forward(batch.x());
        Tensor l = loss.apply(prediction, batch.y());
        if (l.size() != 1) {
            throw new IllegalArgumentException("Trainer: the loss returned shape " + Shape.toString(l.shape())
                + "; training needs a scalar loss (use the default MEAN reduction, or SUM)");
        }
        double value = l.item();
        if (!Double.isFinite(value)) {
            throw new IllegalStateException("Trainer: training loss is " + value + " at epoch " + p.epoch + ", batch " + batchIndex
                + " (learning rate " + optimizer.learningRate() + "); lower the learning rate, clip gradients "
                + "(clipNorm) or standardize the inputs. That batch's update was not applied.");
        }
        int n = batch.size();
        if (metric != null) p.metricSum += metric.evaluate(prediction, batch.y()) * n;
        l.backward();
        if (clipNorm > 0) GradientClipping.clipNorm(optimizer.parameters(), clipNorm);
        if (clipValue > 0) GradientClipping.clipValue(optimizer.parameters(), clipValue);
        optimizer.step();
        optimizer.zeroGrad();
        p.lossSum += value * n;
        p.samples += n;
        p.batch = batchIndex;
        p.updates++;
        for (TrainingListener listener : listeners) listener.onBatchEnd(p.epoch, batchIndex, value);
    }

    // ================================================================ checkpoints

    /** Writes the checkpoint of {@code p} and deletes all but the newest {@code keepCheckpoints}. */
    private void save(TrainingCheckpoint.Progress p, TrainingCheckpoint.Setup setup, Scheduler scheduler) {
        p.period = scheduler == null ? -1 : scheduler.period();
        p.validationEpoch = setup.validation() == null ? -1 : setup.validation().epoch();
        Path file = checkpointDir.resolve(String.format(Locale.ROOT, "checkpoint-%012d.safetensors", p.updates));
        try {
            Files.createDirectories(checkpointDir);
            TrainingCheckpoint.write(file, setup, p);
        } catch (IOException e) {
            throw new UncheckedIOException("Trainer: could not write checkpoint " + file + ": " + e.getMessage(), e);
        }
        LOG.debug("wrote checkpoint {} (epoch {}, batch {})", file, p.epoch, p.batch);
        List<Path> all = checkpoints();
        for (Path old : all.subList(Math.min(all.size(), keepCheckpoints), all.size())) {
            try {
                Files.deleteIfExists(old);
            } catch (IOException e) {
                LOG.warn("could not delete old checkpoint {}: {}", old, e.toString());
            }
        }
    }

    /** The checkpoint files in the directory, newest (most updates) first; empty if there is no directory. */
    private List<Path> checkpoints() {
        if (!Files.isDirectory(checkpointDir)) return List.of();
        try (Stream<Path> s = Files.list(checkpointDir)) {
            return s.filter(f -> CHECKPOINT.matcher(f.getFileName().toString()).matches() && Files.isRegularFile(f))
                .sorted(Comparator.comparing(Trainer::updatesOf).reversed())
                .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("Trainer: cannot list checkpoint directory " + checkpointDir + ": " + e.getMessage(), e);
        }
    }

    /** The update count in a checkpoint's file name (which {@link #CHECKPOINT} matched). */
    private static java.math.BigInteger updatesOf(Path f) {
        Matcher m = CHECKPOINT.matcher(f.getFileName().toString());
        return m.matches() ? new java.math.BigInteger(m.group(1)) : java.math.BigInteger.ZERO;
    }

    /**
     * The newest readable checkpoint, applied; a fresh start when there is none. Unreadable files are
     * renamed to {@code *.corrupt} once the outcome is known (not when a checkpoint of another run stops the resume).
     */
    private TrainingCheckpoint.Progress load(TrainingCheckpoint.Setup setup) {
        deleteTemporaryFiles();
        List<Path> files = checkpoints();
        List<Path> corrupt = new ArrayList<>();
        List<String> reasons = new ArrayList<>();
        for (Path f : files) {
            TrainingCheckpoint.Snapshot s;
            try {
                s = TrainingCheckpoint.read(f);
            } catch (IOException e) {
                LOG.warn("Trainer.resume: checkpoint {} is corrupt or partial ({}); moving it aside to {}.corrupt and falling back "
                    + "to the previous one", f, e.getMessage(), f.getFileName());
                corrupt.add(f);
                reasons.add(e.getMessage());
                continue;
            }
            List<String> problems = TrainingCheckpoint.mismatches(s, setup);
            if (!problems.isEmpty()) {
                throw new IllegalStateException("Trainer.resume: " + f + " is a checkpoint of another run: " + String.join("; ", problems)
                    + ". Resume with the model, optimizer, loaders and options of that run, or start a new run with fit() in an"
                    + " empty directory; nothing was changed");
            }
            try {
                TrainingCheckpoint.apply(s, setup);
            } catch (IOException e) {
                throw new UncheckedIOException("Trainer.resume: could not apply " + f + ": " + e.getMessage(), e);
            }
            moveAside(corrupt);
            TrainingCheckpoint.Progress p = s.progress();
            LOG.info("resuming from {}: epoch {}, batch {}, {} updates", f, p.epoch, p.batch, p.updates);
            return p;
        }
        if (!corrupt.isEmpty()) {
            moveAside(corrupt);
            throw new UncheckedIOException(new IOException("Trainer.resume: none of the " + corrupt.size() + " checkpoints in "
                + checkpointDir + " is readable (" + String.join("; ", reasons) + "); they were renamed to *.corrupt"));
        }
        LOG.info("no checkpoint in {}: starting a new run", checkpointDir);
        TrainingCheckpoint.Progress p = fresh(setup.train(), setup.validation(), null);
        p.period = schedule == null ? -1 : 0;
        return p;
    }

    /** Renames unreadable checkpoints so that they are never tried again, nor counted among the ones kept. */
    private static void moveAside(List<Path> files) {
        for (Path f : files) {
            try {
                Files.move(f, f.resolveSibling(f.getFileName() + ".corrupt"), StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                LOG.warn("Trainer.resume: could not move {} aside: {}", f, e.toString());
            }
        }
    }

    /** Removes the temporary files of saves that a crash interrupted (they are never read). */
    private void deleteTemporaryFiles() {
        if (!Files.isDirectory(checkpointDir)) return;
        try (Stream<Path> s = Files.list(checkpointDir)) {
            for (Path f : (Iterable<Path>) s::iterator) {
                Matcher m = TEMPORARY.matcher(f.getFileName().toString());
                if (m.matches()) {
                    Files.deleteIfExists(f);
                    LOG.info("deleted {}, left by an interrupted save", f.getFileName());
                }
            }
        } catch (IOException e) {
            LOG.warn("could not clean temporary files in {}: {}", checkpointDir, e.toString());
        }
    }

    /** Mean loss and metric over the validation batches, in eval mode and without recording a graph. */
    @SuppressWarnings("try") // the scope is used only for its close()
    private double[] evaluate(DataLoader validation) {
        model.eval();
        try (var s = Autograd.noGrad()) {
            double lossSum = 0, metricSum = 0;
            long samples = 0;
            for (Batch b : validation) {
                Batch batch = inModelDtype(b);
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

    /** The batch in the model's dtype (unchanged for a model without parameters and buffers). */
    private Batch inModelDtype(Batch batch) {
        if (model.parameters().isEmpty() && model.buffers().isEmpty()) return batch;
        return batch.to(model.dtype());
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
        private Path checkpointDir;
        private int checkpointEvery;
        private boolean checkpointEachEpoch = true;
        private int keepCheckpoints = 3;

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
            this.schedule = Objects.requireNonNull(schedule, "Trainer.learningRateSchedule: schedule is null");
            this.schedulePerBatch = false;
            return this;
        }

        /** Sets the learning rate to {@code schedule.rate(k)} before the k-th update (k from 1, counted across epochs). */
        public Builder learningRateSchedulePerBatch(LearningRateSchedule schedule) {
            this.schedule = Objects.requireNonNull(schedule, "Trainer.learningRateSchedulePerBatch: schedule is null");
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
            this.metric = Objects.requireNonNull(metric, "Trainer.metric: metric is null");
            return this;
        }

        /**
         * Logs every {@code n}-th epoch (and the first and last) at INFO; default 1, every epoch; 0 turns
         * the per-epoch log off.
         *
         * @throws IllegalArgumentException if {@code n} is negative
         */
        public Builder logEvery(int n) {
            if (n < 0) throw new IllegalArgumentException("Trainer: logEvery must be >= 0 (0 turns epoch logging off), got " + n);
            this.logEvery = n;
            return this;
        }

        /** Adds a listener, called per epoch and per batch; listeners run in the order added. */
        public Builder listener(TrainingListener listener) {
            listeners.add(Objects.requireNonNull(listener, "Trainer: listener is null"));
            return this;
        }

        /**
         * Writes training checkpoints into {@code directory} (created if missing): at the end of every
         * epoch, and every {@link #checkpointEvery n} updates if set; see the class comment and
         * {@link Trainer#resume(DataLoader)}.
         */
        public Builder checkpoints(Path directory) {
            this.checkpointDir = Objects.requireNonNull(directory, "Trainer.checkpoints: directory is null");
            return this;
        }

        /** Also writes a checkpoint after every {@code updates}-th update (counted across epochs); 0 (the default) only at epoch ends. */
        public Builder checkpointEvery(int updates) {
            if (updates < 0) throw new IllegalArgumentException("Trainer: checkpointEvery must be >= 0 (0: only at epoch ends), got " + updates);
            this.checkpointEvery = updates;
            return this;
        }

        /** Whether to write a checkpoint at the end of every epoch; default true. */
        public Builder checkpointEachEpoch(boolean on) {
            this.checkpointEachEpoch = on;
            return this;
        }

        /** How many of the newest checkpoints to keep (older ones are deleted after each save); default 3. */
        public Builder keepCheckpoints(int k) {
            this.keepCheckpoints = Checks.positive("Trainer", "keepCheckpoints", k);
            return this;
        }

        /**
         * The trainer.
         *
         * @throws IllegalArgumentException if epochs &lt; 1, both clipNorm and clipValue are set, or
         *                                  checkpoints are asked for (every n updates, or none at all)
         *                                  without a directory
         */
        public Trainer build() {
            Checks.positive("Trainer", "epochs", epochs);
            if (clipNorm > 0 && clipValue > 0) {
                throw new IllegalArgumentException("Trainer: choose one of clipNorm and clipValue, not both");
            }
            if (checkpointDir == null && checkpointEvery > 0) {
                throw new IllegalArgumentException("Trainer: checkpointEvery needs a directory; call checkpoints(dir)");
            }
            if (checkpointDir != null && checkpointEvery == 0 && !checkpointEachEpoch) {
                throw new IllegalArgumentException("Trainer: checkpoints(dir) with neither checkpointEvery(n) nor checkpointEachEpoch(true)"
                    + " would never write a checkpoint");
            }
            return new Trainer(this);
        }
    }
}

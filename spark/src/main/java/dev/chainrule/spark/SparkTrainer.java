package dev.chainrule.spark;

import dev.chainrule.autograd.Autograd;
import dev.chainrule.autograd.Tensor;
import dev.chainrule.nn.Dropout;
import dev.chainrule.nn.Module;
import dev.chainrule.nn.data.DataLoader;
import dev.chainrule.nn.loss.Reduction;
import dev.chainrule.optim.EpochSummary;
import dev.chainrule.optim.GradientClipping;
import dev.chainrule.optim.Optimizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Synchronous data-parallel training of any {@link Module} with any {@link Optimizer} on Spark: the
 * data stays in the partitions of a {@link ShardedData}, the model and the optimizer state live on the
 * driver, and the result equals single-machine training on the same global mini-batches.
 *
 * <p>One step, for the global batch {@code I_t} (B sample indices):
 * <ol>
 *   <li>the driver broadcasts a flat, read-only copy of the parameters θ;</li>
 *   <li>each partition p takes the rows of {@code I_t} it holds, in batch order, loads θ into its own
 *       model (built once per executor task slot by the {@link ModelFactory}), runs forward — every
 *       {@link Dropout} keys row r by its position in {@code I_t} and by the step t, so the masks do not
 *       depend on the partitioning — then the {@code SUM} loss and backward, and returns
 *       {@code (Σ_{i∈p} L_i, Σ_{i∈p} ∇L_i)};</li>
 *   <li>the driver collects the partitions' sums and adds them in partition order (a fixed order, so
 *       the floating-point result does not depend on which task finished first), divides by B, writes
 *       {@code ∇ = (1/B) Σ_p Σ_{i∈p} ∇L_i} into its parameters' gradients and calls the ordinary
 *       {@link Optimizer#step()}.</li>
 * </ol>
 * The batches are exactly those of {@code DataLoader.builder(data).batchSize(B).shuffle(seed)}: epoch e
 * (from 0) visits the samples in the order {@link DataLoader#permutation DataLoader.permutation(n, seed, e)},
 * cut into consecutive batches of B (the last one smaller unless {@link Builder#dropLast}). So for the
 * same model factory, loss, optimizer, seed and
 * batch size, the loss curve and the parameters equal those of {@code Trainer} on the same data up to
 * floating-point rounding (the sums are grouped by partition), and equal bit for bit a single-machine
 * loop that sums the same shards in the same order.
 *
 * <pre>{@code
 * SparkTrainer trainer = SparkTrainer.builder(sc,
 *         () -> Mlp.builder().sizes(784, 128, 10).dropout(0.2).seed(42).build(),
 *         CrossEntropy::new,
 *         model -> Adam.builder(model).lr(1e-3).build())
 *     .batchSize(128).epochs(5).seed(7).metric(Accuracy::multiclass).build();
 * SparkHistory history = trainer.fit(train, test);
 * Module trained = trainer.model();
 * }</pre>
 *
 * <p>Failures lose nothing: a step whose job fails (bad data, an exception in the model, a lost
 * executor after Spark's retries) or whose loss is not finite throws before the optimizer runs, so the
 * driver's parameters and optimizer state are as before that step. A task that fails and succeeds on
 * retry gives the same sums, so the run's result equals a fault-free run bit for bit. Errors name the
 * partition and the rows instead of Spark's "Job aborted" wrapper.
 *
 * <p>Limits: modules with buffers (non-trained state such as batch-norm running statistics) are
 * rejected, since each task would update its own copy. Not thread-safe: one fit at a time.
 */
public final class SparkTrainer {

    private static final Logger LOG = LoggerFactory.getLogger(SparkTrainer.class);

    private final JavaSparkContext sc;
    private final ModelFactory modelFactory;
    private final LossFactory lossFactory;
    private final MetricFactory metricFactory;
    private final int batchSize;
    private final int epochs;
    private final long seed;
    private final boolean shuffle;
    private final boolean dropLast;
    private final double clipNorm;
    private final List<StepListener> listeners;
    private final Module model;
    private final Optimizer optimizer;
    private final Layout layout;
    private final String runId = UUID.randomUUID().toString();

    /** Updates applied so far: the global step number of the next update. */
    private long step;
    /** Sums over the current epoch's steps so far (restored with a checkpoint, so a resumed epoch reports the same mean). */
    private double epochLossSum;
    private double epochMetricSum;
    private long epochSamples;
    /** The epoch (from 0) the sums belong to, or -1. */
    private int sumsEpoch = -1;
    /** Samples of the data last trained on (part of the batch plan in a checkpoint); -1 before any fit. */
    private int samples = -1;
    /** Samples recorded in the checkpoint this trainer was restored from, or -1. */
    private int restoredSamples = -1;
    private final Path checkpointFile;
    private final int checkpointEvery;

    private SparkTrainer(Builder b) {
        this.sc = b.sc;
        this.modelFactory = Serialization.check("SparkTrainer", "model factory", b.modelFactory);
        this.lossFactory = Serialization.check("SparkTrainer", "loss factory", b.lossFactory);
        this.metricFactory = b.metricFactory == null ? null : Serialization.check("SparkTrainer", "metric factory", b.metricFactory);
        this.batchSize = b.batchSize;
        this.epochs = b.epochs;
        this.seed = b.seed;
        this.shuffle = b.shuffle;
        this.dropLast = b.dropLast;
        this.clipNorm = b.clipNorm;
        this.listeners = List.copyOf(b.listeners);
        this.checkpointFile = b.checkpointFile;
        this.checkpointEvery = b.checkpointEvery;
        this.model = driverModel(b.modelFactory, modelFactory);
        if (!model.namedBuffers().isEmpty()) {
            throw new IllegalArgumentException("SparkTrainer: the model has buffers " + model.namedBuffers().keySet()
                + " (state that is not trained, e.g. batch-norm running statistics); data-parallel training keeps no buffers in sync "
                + "across partitions, so such models are not supported");
        }
        this.layout = Layout.of(model);
        if (lossFactory.create(Reduction.SUM) == null) throw new IllegalArgumentException("SparkTrainer: the loss factory returned null");
        this.optimizer = b.optimizerFactory.apply(model);
        checkOptimizer(optimizer, model);
    }

    /**
     * A builder for training the model that {@code model} builds, on loss {@code loss} (asked for its
     * {@code SUM} form), with the optimizer {@code optimizer} builds over the driver's model, e.g.
     * {@code m -> Adam.builder(m).lr(1e-3).build()}.
     *
     * @throws NullPointerException if an argument is null
     */
    public static Builder builder(JavaSparkContext sc, ModelFactory model, LossFactory loss, Function<Module, Optimizer> optimizer) {
        return new Builder(Objects.requireNonNull(sc, "SparkTrainer: sc is null"), Objects.requireNonNull(model, "SparkTrainer: model factory is null"),
            Objects.requireNonNull(loss, "SparkTrainer: loss factory is null"), Objects.requireNonNull(optimizer, "SparkTrainer: optimizer factory is null"));
    }

    /** Builds the driver's model and checks that the factory (and its serialized copy) builds the same model every time. */
    private static Module driverModel(ModelFactory original, ModelFactory copy) {
        Module a = original.create();
        Module b = copy.create();
        if (a == null || b == null) throw new IllegalArgumentException("SparkTrainer: the model factory returned null");
        Layout la = Layout.of(a);
        try {
            la.check(b, "a second call");
        } catch (IllegalStateException e) {
            throw new IllegalArgumentException("SparkTrainer: " + e.getMessage(), e);
        }
        List<Tensor> pa = a.parameters(), pb = b.parameters();
        for (int k = 0; k < pa.size(); k++) {
            if (!Arrays.equals(pa.get(k).toArray(), pb.get(k).toArray())) {
                throw new IllegalArgumentException("SparkTrainer: the model factory built two models with different initial values of "
                    + la.name(k) + "; it must be deterministic (every executor builds its own model): seed every random generator "
                    + "inside the factory, e.g. Mlp.builder()...seed(42)");
            }
        }
        List<Dropout> da = dropouts(a), db = dropouts(b);
        for (int k = 0; k < da.size(); k++) {
            if (da.get(k).seed() != db.get(k).seed()) {
                throw new IllegalArgumentException("SparkTrainer: the model factory built two models whose Dropout " + k
                    + " has different seeds; seed the generator the factory gives to Dropout so that every executor draws the same masks");
            }
        }
        return a;
    }

    private static List<Dropout> dropouts(Module m) {
        List<Dropout> out = new ArrayList<>();
        Deque<Module> todo = new ArrayDeque<>();
        todo.push(m);
        while (!todo.isEmpty()) {
            Module x = todo.pop();
            if (x instanceof Dropout d) out.add(d);
            List<Module> kids = new ArrayList<>(x.children().values());
            for (int i = kids.size() - 1; i >= 0; i--) todo.push(kids.get(i));
        }
        return out;
    }

    private static void checkOptimizer(Optimizer optimizer, Module model) {
        if (optimizer == null) throw new IllegalArgumentException("SparkTrainer: the optimizer factory returned null");
        Set<Tensor> mine = Collections.newSetFromMap(new IdentityHashMap<>());
        mine.addAll(model.parameters());
        Set<Tensor> its = Collections.newSetFromMap(new IdentityHashMap<>());
        its.addAll(optimizer.parameters());
        if (!mine.equals(its)) {
            throw new IllegalArgumentException("SparkTrainer: the optimizer must update exactly the parameters of the model it is given "
                + "(" + its.size() + " vs " + mine.size() + "); build it from the factory's argument, e.g. m -> Adam.builder(m).build()");
        }
    }

    /** The driver's model: the one being trained (its parameters are the result). */
    public Module model() {
        return model;
    }

    /** The driver's optimizer, holding all optimizer state. */
    public Optimizer optimizer() {
        return optimizer;
    }

    /** The number of updates applied so far (the global step number of the next one). */
    public long step() {
        return step;
    }

    /** The global batch size B. */
    public int batchSize() {
        return batchSize;
    }

    /** The planned number of epochs. */
    public int epochs() {
        return epochs;
    }

    /** The seed of the epoch permutations. */
    public long seed() {
        return seed;
    }

    /** Steps per epoch for {@code n} samples: {@code ceil(n/B)}, or {@code floor(n/B)} with dropLast (as {@code DataLoader}, no overflow). */
    public int batchesPerEpoch(int n) {
        return dropLast ? n / batchSize : n / batchSize + (n % batchSize == 0 ? 0 : 1);
    }

    /** Trains without a validation set; see {@link #fit(ShardedData, ShardedData)}. */
    public SparkHistory fit(ShardedData train) {
        return fit(train, null);
    }

    /**
     * Trains until {@link #epochs()} epochs are complete, counting from step 0: a fresh trainer runs
     * every epoch, a trainer restored from a checkpoint continues at its step. After each epoch it
     * evaluates on {@code validation} (if not null) and logs the epoch at INFO.
     *
     * @throws IllegalArgumentException if {@code train} has no samples or too few for one batch with
     *     dropLast, or a step fails on bad data (naming the partition and rows)
     * @throws IllegalStateException if a step fails otherwise or its loss is not finite; the update of
     *     that step is not applied
     */
    public SparkHistory fit(ShardedData train, ShardedData validation) {
        Objects.requireNonNull(train, "SparkTrainer.fit: training data is null");
        int n = train.size();
        if (n == 0) throw new IllegalArgumentException("SparkTrainer.fit: the training data has no samples (all " + train.partitions() + " partitions are empty)");
        int perEpoch = batchesPerEpoch(n);
        if (perEpoch == 0) {
            throw new IllegalArgumentException("SparkTrainer.fit: batch size " + batchSize + " exceeds the " + n
                + " samples and dropLast is set, so every epoch would be empty");
        }
        if (restoredSamples >= 0 && restoredSamples != n) {
            throw new IllegalArgumentException("SparkTrainer.fit: the checkpoint this trainer was restored from was written while training on "
                + restoredSamples + " samples, but this data has " + n + "; the global batches would differ. Resume on the same data");
        }
        samples = n;
        Tasks.Run run = new Tasks.Run(runId, modelFactory, lossFactory, metricFactory, layout, train.offsets());
        Tasks.Run validationRun = validation == null ? null
            : new Tasks.Run(runId, modelFactory, lossFactory, metricFactory, layout, validation.offsets());
        List<EpochSummary> summaries = new ArrayList<>();
        List<StepInfo> steps = new ArrayList<>();
        List<Double> epochMillis = new ArrayList<>();
        long total = (long) epochs * perEpoch;
        int startEpoch = (int) Math.min(epochs, step / perEpoch);
        if (sumsEpoch >= 0 && sumsEpoch < startEpoch) {
            // Restored from a checkpoint taken at the last step of an epoch, before that epoch's summary:
            // the parameters have not changed since, so the summary is the one the uninterrupted run made.
            long start = System.nanoTime();
            summaries.add(finishEpoch(sumsEpoch, validation, validationRun));
            epochMillis.add((System.nanoTime() - start) / 1e6);
        }
        if (step >= total) {
            LOG.info("SparkTrainer: all {} epochs ({} steps) are already done", epochs, total);
            return new SparkHistory(summaries, steps, epochMillis.stream().mapToDouble(Double::doubleValue).toArray());
        }
        for (int epoch = startEpoch; epoch < epochs; epoch++) {
            long start = System.nanoTime();
            if (sumsEpoch != epoch) {
                epochLossSum = epochMetricSum = 0;
                epochSamples = 0;
                sumsEpoch = epoch;
            }
            int[] order = shuffle ? DataLoader.permutation(n, seed, epoch) : identity(n);   // a pure function: a resumed run needs no replay
            for (int b = (int) (step - (long) epoch * perEpoch); b < perEpoch; b++) {
                int from = (int) Math.min(n, (long) b * batchSize), to = (int) Math.min(n, (long) from + batchSize);
                StepInfo info = runStep(train, run, Arrays.copyOfRange(order, from, to), epoch + 1, b + 1);
                steps.add(info);
                if (checkpointEvery > 0 && step % checkpointEvery == 0) checkpoint();
                for (StepListener l : listeners) l.onStep(info);
            }
            summaries.add(finishEpoch(epoch, validation, validationRun));
            epochMillis.add((System.nanoTime() - start) / 1e6);
        }
        if (checkpointEvery > 0) checkpoint();   // the final state, after the last epoch's summary
        return new SparkHistory(summaries, steps, epochMillis.stream().mapToDouble(Double::doubleValue).toArray());
    }

    /** Validates (if asked), records and logs epoch {@code epoch} (from 0), and clears its sums. */
    private EpochSummary finishEpoch(int epoch, ShardedData validation, Tasks.Run validationRun) {
        long start = System.nanoTime();
        double[] validated = {Double.NaN, Double.NaN};
        if (validation != null) {
            Evaluation ev = evaluate(validation, validationRun);
            validated = new double[] {ev.loss(), ev.metric()};
        }
        EpochSummary s = new EpochSummary(epoch + 1, epochLossSum / epochSamples,
            metricFactory == null ? Double.NaN : epochMetricSum / epochSamples, validated[0], validated[1], optimizer.learningRate());
        epochLossSum = epochMetricSum = 0;
        epochSamples = 0;
        sumsEpoch = -1;
        log(s, (System.nanoTime() - start) / 1_000_000);
        return s;
    }

    private void checkpoint() {
        try {
            saveCheckpoint(checkpointFile);
        } catch (IOException e) {
            throw new UncheckedIOException("SparkTrainer: cannot write the checkpoint " + checkpointFile + " after step " + step + ": "
                + e.getMessage() + "; the previous checkpoint is intact and the driver's state is that after step " + step, e);
        }
    }

    /**
     * Writes the driver's whole training state to {@code file}, atomically: the parameters, the
     * optimizer's state (moments, step counts, learning rate), the global step and the current epoch's
     * partial sums, and what fixes the batch sequence (seed, batch size, shuffling, number of samples).
     * {@link #restore} on a trainer built the same way continues the run exactly. Also written
     * automatically by {@link Builder#checkpoint}.
     *
     * @throws IOException if the file cannot be written; a previous file is then unchanged
     */
    public void saveCheckpoint(Path file) throws IOException {
        Objects.requireNonNull(file, "SparkTrainer.saveCheckpoint: file is null");
        TrainingCheckpoint.write(file, model, optimizer, plan(), new TrainingCheckpoint.Progress(step, sumsEpoch, epochLossSum,
            epochMetricSum, epochSamples));
        LOG.debug("checkpoint after step {} written to {}", step, file);
    }

    /**
     * Restores the state {@link #saveCheckpoint} wrote (e.g. after a driver crash, into a trainer built
     * with the same factories, optimizer, seed and batch size): parameters, optimizer state, global step
     * and epoch sums. The next {@link #fit} continues from that step and gives, bit for bit, what the
     * uninterrupted run would have given. Everything is checked first; if anything does not fit, nothing
     * changes.
     *
     * @return the restored global step (the number of updates already applied)
     * @throws IOException if the file is unreadable, malformed or not such a checkpoint
     * @throws IllegalArgumentException if it belongs to another model, optimizer (type, hyperparameters)
     *     or batch plan, listing the mismatches
     */
    @SuppressWarnings("try")
    public long restore(Path file) throws IOException {
        Objects.requireNonNull(file, "SparkTrainer.restore: file is null");
        TrainingCheckpoint.Loaded loaded = TrainingCheckpoint.read(file, model, plan());
        optimizer.loadStateDict(loaded.optimizer());   // checks type, shapes and hyperparameters before changing anything
        try (var s = Autograd.noGrad()) {
            for (Map.Entry<String, Tensor> p : model.namedParameters().entrySet()) p.getValue().copyFrom(loaded.parameters().get(p.getKey()));
        }
        TrainingCheckpoint.Progress pr = loaded.progress();
        step = pr.step();
        sumsEpoch = pr.sumsEpoch();
        epochLossSum = pr.lossSum();
        epochMetricSum = pr.metricSum();
        epochSamples = pr.samples();
        restoredSamples = loaded.plan().samples();
        LOG.info("SparkTrainer: restored step {} from {}", step, file);
        return step;
    }

    private TrainingCheckpoint.Plan plan() {
        return new TrainingCheckpoint.Plan(seed, batchSize, shuffle, dropLast, samples);
    }

    @SuppressWarnings("try")
    private StepInfo runStep(ShardedData train, Tasks.Run run, int[] batch, int epoch, int batchIndex) {
        long t0 = System.nanoTime();
        Broadcast<double[]> parameters = sc.broadcast(layout.flatten(model));   // a fresh copy: tasks may read it in place
        long t1 = System.nanoTime();
        List<PartResult> parts;
        try {
            parts = train.rdd().mapPartitions(new Tasks.Step(run, parameters, batch, step)).collect();
        } catch (Exception e) {   // SparkException is a checked exception that Scala code throws undeclared
            throw PartitionFailure.unwrap("SparkTrainer: step " + step + " (epoch " + epoch + ", batch " + batchIndex + ")", e,
                "the update was not applied, the driver's parameters are unchanged");
        } finally {
            parameters.destroy();
        }
        long t2 = System.nanoTime();
        int b = batch.length;
        double lossSum = 0, metricSum = 0;
        int rows = 0;
        long compute = 0;
        double[] grad = new double[layout.total()];
        boolean[] reached = new boolean[layout.count()];
        for (int p = 0; p < parts.size(); p++) {
            PartResult r = parts.get(p);
            if (r.partition() != p) throw new IllegalStateException("SparkTrainer: partition " + r.partition() + " arrived in place " + p);
            if (r.rows() == 0) continue;
            rows += r.rows();
            lossSum += r.lossSum();
            metricSum += r.metricSum();
            compute = Math.max(compute, r.computeNanos());
            double[] g = r.grad();
            for (int i = 0; i < grad.length; i++) grad[i] += g[i];
            for (int k = 0; k < reached.length; k++) reached[k] |= r.reached()[k];
        }
        if (parts.size() != train.partitions() || rows != b) {
            throw new IllegalStateException("SparkTrainer: step " + step + ": the " + parts.size() + " partitions reported " + rows
                + " rows of a batch of " + b + "; the data changed under the trainer. The update was not applied");
        }
        double loss = lossSum / b;
        if (!Double.isFinite(loss)) {
            throw new IllegalStateException("SparkTrainer: training loss is " + loss + " at epoch " + epoch + ", batch " + batchIndex
                + " (step " + step + ", learning rate " + optimizer.learningRate() + "); lower the learning rate, clip gradients "
                + "(clipNorm) or standardize the inputs. That batch's update was not applied.");
        }
        for (int i = 0; i < grad.length; i++) {
            grad[i] /= b;
            if (!Double.isFinite(grad[i])) {
                throw new IllegalStateException("SparkTrainer: the gradient is " + grad[i] + " at epoch " + epoch + ", batch " + batchIndex
                    + " (step " + step + ") although the loss is finite; clip gradients (clipNorm) or lower the learning rate. "
                    + "That batch's update was not applied.");
            }
        }
        model.zeroGrad();
        optimizer.zeroGrad();
        layout.writeGrads(model, grad, reached);
        if (clipNorm > 0) GradientClipping.clipNorm(optimizer.parameters(), clipNorm);
        optimizer.step();
        optimizer.zeroGrad();
        double metric = metricFactory == null ? Double.NaN : metricSum / b;
        epochLossSum += lossSum;
        epochMetricSum += metricSum;
        epochSamples += b;
        StepInfo info = new StepInfo(step, epoch, batchIndex, b, loss, metric, t1 - t0, t2 - t1, compute, System.nanoTime() - t2);
        step++;
        return info;
    }

    /**
     * The mean loss (and metric) of the current model over every sample of {@code data}, in eval mode
     * (no dropout) and without recording a graph; partitions are added in index order.
     *
     * @throws IllegalArgumentException if {@code data} has no samples, or evaluation fails on bad data
     */
    public Evaluation evaluate(ShardedData data) {
        Objects.requireNonNull(data, "SparkTrainer.evaluate: data is null");
        return evaluate(data, new Tasks.Run(runId, modelFactory, lossFactory, metricFactory, layout, data.offsets()));
    }

    private Evaluation evaluate(ShardedData data, Tasks.Run run) {
        if (data.size() == 0) throw new IllegalArgumentException("SparkTrainer.evaluate: the data has no samples");
        Broadcast<double[]> parameters = sc.broadcast(layout.flatten(model));
        List<PartResult> parts;
        try {
            parts = data.rdd().mapPartitions(new Tasks.Evaluate(run, parameters)).collect();
        } catch (Exception e) {   // SparkException is a checked exception that Scala code throws undeclared
            throw PartitionFailure.unwrap("SparkTrainer.evaluate", e, "");
        } finally {
            parameters.destroy();
        }
        double lossSum = 0, metricSum = 0;
        long rows = 0;
        for (PartResult r : parts) {
            if (r.rows() == 0) continue;
            rows += r.rows();
            lossSum += r.lossSum();
            metricSum += r.metricSum();
        }
        return new Evaluation(rows, lossSum / rows, metricFactory == null ? Double.NaN : metricSum / rows);
    }

    private static int[] identity(int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        return p;
    }

    private void log(EpochSummary s, long millis) {
        if (!LOG.isInfoEnabled()) return;
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "epoch %d/%d: loss %.6g", s.epoch(), epochs, s.trainLoss()));
        if (metricFactory != null) sb.append(String.format(Locale.ROOT, ", metric %.4f", s.trainMetric()));
        if (s.hasValidation()) {
            sb.append(String.format(Locale.ROOT, ", val loss %.6g", s.validationLoss()));
            if (metricFactory != null) sb.append(String.format(Locale.ROOT, ", val metric %.4f", s.validationMetric()));
        }
        sb.append(String.format(Locale.ROOT, " (%d ms)", millis));
        LOG.info(sb.toString());
    }

    @Override
    public String toString() {
        return "SparkTrainer(batchSize=" + batchSize + ", epochs=" + epochs + ", seed=" + seed + ", step=" + step + ", optimizer="
            + optimizer + ")";
    }

    /** Configures a {@link SparkTrainer}; {@link #build()} validates the factories on the driver. */
    public static final class Builder {
        private final JavaSparkContext sc;
        private final ModelFactory modelFactory;
        private final LossFactory lossFactory;
        private final Function<Module, Optimizer> optimizerFactory;
        private MetricFactory metricFactory;
        private int batchSize = 32;
        private int epochs = 10;
        private long seed;
        private boolean shuffle = true;
        private boolean dropLast;
        private double clipNorm;
        private final List<StepListener> listeners = new ArrayList<>();
        private Path checkpointFile;
        private int checkpointEvery;

        private Builder(JavaSparkContext sc, ModelFactory model, LossFactory loss, Function<Module, Optimizer> optimizer) {
            this.sc = sc;
            this.modelFactory = model;
            this.lossFactory = loss;
            this.optimizerFactory = optimizer;
        }

        /** The global mini-batch size B, split over the partitions; default 32. */
        public Builder batchSize(int batchSize) {
            if (batchSize < 1) throw new IllegalArgumentException("SparkTrainer: batch size must be at least 1, got " + batchSize);
            this.batchSize = batchSize;
            return this;
        }

        /** Passes over the data; default 10. */
        public Builder epochs(int epochs) {
            if (epochs < 1) throw new IllegalArgumentException("SparkTrainer: epochs must be at least 1, got " + epochs);
            this.epochs = epochs;
            return this;
        }

        /** Seed of the epoch permutations, as {@code DataLoader.Builder.shuffle(seed)} (see {@code DataLoader.permutation}); default 0. */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Whether each epoch visits the samples in a fresh permutation (default) or in index order. */
        public Builder shuffle(boolean shuffle) {
            this.shuffle = shuffle;
            return this;
        }

        /** Whether to skip the last, smaller batch of each epoch; default false. */
        public Builder dropLast(boolean dropLast) {
            this.dropLast = dropLast;
            return this;
        }

        /** A metric reported per step and epoch next to the loss, e.g. {@code Accuracy::multiclass}; default none. */
        public Builder metric(MetricFactory metric) {
            this.metricFactory = Objects.requireNonNull(metric, "SparkTrainer: metric factory is null; omit metric() to train without one");
            return this;
        }

        /** Clips the averaged gradient to a global L2 norm of at most {@code maxNorm} before each update. */
        public Builder clipNorm(double maxNorm) {
            if (!(maxNorm > 0) || Double.isInfinite(maxNorm)) throw new IllegalArgumentException("SparkTrainer: clipNorm must be positive and finite, got " + maxNorm);
            this.clipNorm = maxNorm;
            return this;
        }

        /**
         * Writes a checkpoint ({@link SparkTrainer#saveCheckpoint}) to {@code file} every {@code everySteps}
         * updates and at the end of each fit, replacing the previous one atomically; after a crash,
         * {@link SparkTrainer#restore} resumes from it.
         */
        public Builder checkpoint(Path file, int everySteps) {
            this.checkpointFile = Objects.requireNonNull(file, "SparkTrainer: checkpoint file is null");
            if (everySteps < 1) throw new IllegalArgumentException("SparkTrainer: checkpoint interval must be at least 1 step, got " + everySteps);
            this.checkpointEvery = everySteps;
            return this;
        }

        /** Adds a listener called on the driver after every update, in the order added. */
        public Builder listener(StepListener listener) {
            listeners.add(Objects.requireNonNull(listener, "SparkTrainer: listener is null"));
            return this;
        }

        /**
         * Checks the factories (serializable, deterministic), builds the driver's model and optimizer.
         *
         * @throws IllegalArgumentException if a factory is not serializable, builds different models on two
         *     calls, returns null, or the optimizer does not hold exactly the model's parameters
         */
        public SparkTrainer build() {
            return new SparkTrainer(this);
        }
    }
}

package dev.chainrule.optim;

import dev.chainrule.autograd.Shape;
import dev.chainrule.autograd.Tensor;
import dev.chainrule.nn.Dropout;
import dev.chainrule.nn.Module;
import dev.chainrule.nn.data.DataLoader;
import dev.chainrule.nn.io.Checkpoint;
import dev.chainrule.nn.io.SafeTensors;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One file that holds everything a {@link Trainer} run needs to continue exactly where it stopped:
 * a safetensors file (see {@link SafeTensors}, written atomically) with
 * <ul>
 *   <li>tensors {@code model.<name>}: the model's parameters and buffers ({@link Checkpoint#tensors});</li>
 *   <li>tensors {@code optimizer.<i>.<state>}: the optimizer's state tensors ({@link OptimizerState});</li>
 *   <li>tensors {@code best.<i>}: the best epoch's parameters, when the trainer restores them;</li>
 *   <li>metadata {@code format = chainrule-training} and {@code training} = a JSON document with
 *       {@code format_version}, the position (epoch, batch, updates), the epoch's partial sums, the
 *       early-stopping state, the schedule's period, the loaders' configuration and epoch counters,
 *       every {@link Dropout}'s seed, p and call counter by module path, the history so far and the
 *       optimizer's state apart from its tensors.</li>
 * </ul>
 * {@link #read} checks the file's structure (a failure there means a corrupt or partial file);
 * {@link #mismatches} checks that it belongs to this trainer's model, optimizer and loaders; only
 * then does {@link #apply} change anything.
 */
final class TrainingCheckpoint {
    private TrainingCheckpoint() {}

    static final String FORMAT_KEY = "format";
    static final String FORMAT = "chainrule-training";
    static final String META_KEY = "training";
    static final int VERSION = 1;

    private static final String MODEL = "model.";
    private static final String OPTIMIZER = "optimizer.";
    private static final String BEST = "best.";

    /** The trainer's loop state between two updates (mutable; owned by one fit). */
    static final class Progress {
        /** The epoch in progress, or the next one when {@code batch == 0} (from 1). */
        int epoch = 1;
        /** Batches of {@code epoch} already trained. */
        int batch;
        /** Optimizer steps taken in this fit. */
        long updates;
        double lossSum;
        double metricSum;
        long samples;
        final List<EpochSummary> history = new ArrayList<>();
        double best = Double.POSITIVE_INFINITY;
        int bestEpoch;
        int sinceBest;
        boolean stopped;
        /** Copies of the optimizer's parameters at the best epoch (restoreBestParameters), or null. */
        List<Tensor> bestParameters;
        /** The training loader's epoch index for {@code epoch} (what to {@code setEpoch} before iterating it). */
        long loaderEpoch;
        /** The validation loader's epoch counter, or -1 without one. */
        long validationEpoch = -1;
        /** The scheduler's period, or -1 without a schedule. */
        int period = -1;
    }

    /** What a trainer's configuration contributes to a checkpoint and must match on load. */
    record Setup(Module model, Optimizer optimizer, DataLoader train, DataLoader validation, String metric, boolean restoreBest,
                 boolean schedule) {}

    /** A checkpoint as read from a file: structurally valid, not yet checked against a trainer. */
    record Snapshot(String file, Progress progress, Map<String, Tensor> model, OptimizerState optimizer, List<Tensor> best,
                    Json.Obj loader, Json.Obj validationLoader, Json.Obj dropouts, String metric, boolean restoreBest) {}

    // ================================================================ writing

    static void write(Path file, Setup setup, Progress p) throws IOException {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        Checkpoint.tensors(setup.model()).forEach((n, t) -> tensors.put(MODEL + n, t));
        OptimizerState opt = setup.optimizer().stateDict();
        opt.tensors().forEach((n, t) -> tensors.put(OPTIMIZER + n, t));
        if (p.bestParameters != null) {
            for (int i = 0; i < p.bestParameters.size(); i++) tensors.put(BEST + i, p.bestParameters.get(i));
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("format_version", (long) VERSION);
        m.put("model", setup.model().getClass().getName());
        m.put("epoch", (long) p.epoch);
        m.put("batch", (long) p.batch);
        m.put("updates", p.updates);
        m.put("loss_sum", p.lossSum);
        m.put("metric_sum", p.metricSum);
        m.put("samples", p.samples);
        m.put("best", p.best);
        m.put("best_epoch", (long) p.bestEpoch);
        m.put("since_best", (long) p.sinceBest);
        m.put("stopped", p.stopped);
        m.put("restore_best", setup.restoreBest());
        m.put("schedule_period", (long) p.period);
        m.put("metric", setup.metric());
        m.put("loader", loader(setup.train(), p.loaderEpoch));
        m.put("validation_loader", setup.validation() == null ? null : loader(setup.validation(), p.validationEpoch));
        Map<String, Object> drop = new LinkedHashMap<>();
        setup.model().namedModules().forEach((path, mod) -> {
            if (mod instanceof Dropout d) {
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("p", d.p());
                e.put("seed", d.seed());
                e.put("calls", d.calls());
                drop.put(path, e);
            }
        });
        m.put("dropout", drop);
        List<Object> history = new ArrayList<>();
        for (EpochSummary s : p.history) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("epoch", (long) s.epoch());
            e.put("train_loss", s.trainLoss());
            e.put("train_metric", s.trainMetric());
            e.put("validation_loss", s.validationLoss());
            e.put("validation_metric", s.validationMetric());
            e.put("learning_rate", s.learningRate());
            history.add(e);
        }
        m.put("history", history);
        m.put("optimizer", opt.toJson());
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put(FORMAT_KEY, FORMAT);
        meta.put(META_KEY, Json.write(m));
        SafeTensors.write(tensors, meta, file);
    }

    private static Map<String, Object> loader(DataLoader l, long epoch) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("samples", (long) l.dataset().size());
        m.put("batch_size", (long) l.batchSize());
        m.put("drop_last", l.isDropLast());
        m.put("shuffle_seed", l.isShuffled() ? (Object) l.shuffleSeed() : null);
        m.put("epoch", epoch);
        return m;
    }

    // ================================================================ reading

    /**
     * Reads and checks the structure of a checkpoint file.
     *
     * @throws IOException if the file is unreadable, not a training checkpoint, of another format
     *                     version, or inconsistent in itself (a corrupt or partial file)
     */
    static Snapshot read(Path file) throws IOException {
        String where = file.toString();
        SafeTensors.Contents c = SafeTensors.readContents(file);
        if (!FORMAT.equals(c.metadata().get(FORMAT_KEY)) || !c.metadata().containsKey(META_KEY)) {
            throw new IOException(where + ": not a training checkpoint (metadata 'format' is " + c.metadata().get(FORMAT_KEY)
                + ", expected '" + FORMAT + "')");
        }
        Json.Obj o = Json.parse(c.metadata().get(META_KEY), where);
        int version = o.integer("format_version", 1, Integer.MAX_VALUE);
        if (version != VERSION) {
            throw new IOException(where + ": training checkpoint format version " + version + " is not supported (this version"
                + " of Chainrule reads version " + VERSION + ")");
        }
        Progress p = new Progress();
        p.epoch = o.integer("epoch", 1, Integer.MAX_VALUE);
        p.batch = o.integer("batch", 0, Integer.MAX_VALUE);
        p.updates = o.integer("updates", 0, Long.MAX_VALUE);
        p.lossSum = o.number("loss_sum");
        p.metricSum = o.number("metric_sum");
        p.samples = o.integer("samples", 0, Long.MAX_VALUE);
        p.best = o.number("best");
        p.bestEpoch = o.integer("best_epoch", 0, Integer.MAX_VALUE);
        p.sinceBest = o.integer("since_best", 0, Integer.MAX_VALUE);
        p.stopped = o.bool("stopped");
        p.period = o.integer("schedule_period", -1, Integer.MAX_VALUE);
        String metric = o.has("metric") ? o.str("metric") : null;
        boolean restoreBest = o.bool("restore_best");
        Json.Obj loader = o.obj("loader");
        p.loaderEpoch = loader.integer("epoch", 0, Long.MAX_VALUE);
        Json.Obj validation = o.has("validation_loader") ? o.obj("validation_loader") : null;
        if (validation != null) p.validationEpoch = validation.integer("epoch", 0, Long.MAX_VALUE);
        Json.Obj dropouts = o.obj("dropout");
        for (String path : dropouts.keys()) {
            Json.Obj d = dropouts.obj(path);
            d.number("p");
            d.integer("seed", Long.MIN_VALUE, Long.MAX_VALUE);
            d.integer("calls", 0, Long.MAX_VALUE);
        }
        List<Json.Obj> history = o.objects("history");
        for (int i = 0; i < history.size(); i++) {
            Json.Obj e = history.get(i);
            int epoch = e.integer("epoch", 1, Integer.MAX_VALUE);
            if (epoch != i + 1) throw new IOException(where + ": history entry " + i + " is for epoch " + epoch + ", expected " + (i + 1));
            p.history.add(new EpochSummary(epoch, e.number("train_loss"), e.number("train_metric"), e.number("validation_loss"),
                e.number("validation_metric"), e.number("learning_rate")));
        }
        if (p.epoch != history.size() + 1) {
            throw new IOException(where + ": position epoch " + p.epoch + " does not follow a history of " + history.size() + " epochs");
        }

        Map<String, Tensor> model = new LinkedHashMap<>();
        Map<String, Tensor> optimizerTensors = new LinkedHashMap<>();
        Map<Integer, Tensor> best = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : c.tensors().entrySet()) {
            String name = e.getKey();
            if (name.startsWith(MODEL)) {
                model.put(name.substring(MODEL.length()), e.getValue());
            } else if (name.startsWith(OPTIMIZER)) {
                optimizerTensors.put(name.substring(OPTIMIZER.length()), e.getValue());
            } else if (name.startsWith(BEST) && name.substring(BEST.length()).matches("0|[1-9][0-9]{0,8}")) {
                best.put(Integer.parseInt(name.substring(BEST.length())), e.getValue());
            } else {
                throw new IOException(where + ": unexpected tensor '" + name + "' (a training checkpoint holds model.*, optimizer.* and best.*)");
            }
        }
        OptimizerState opt = OptimizerState.fromJson(o.obj("optimizer"), optimizerTensors, where);
        List<Tensor> bestList = null;
        if (!best.isEmpty()) {
            bestList = new ArrayList<>();
            for (int i = 0; i < best.size(); i++) {
                Tensor t = best.get(i);
                if (t == null) throw new IOException(where + ": best-parameter tensors are not numbered 0.." + (best.size() - 1));
                bestList.add(t);
            }
        }
        return new Snapshot(where, p, model, opt, bestList, loader, validation, dropouts, metric, restoreBest);
    }

    // ================================================================ checking and applying

    /** Every reason {@code s} does not belong to {@code setup}; empty when it does. */
    static List<String> mismatches(Snapshot s, Setup setup) {
        List<String> out = new ArrayList<>();
        try {
            Checkpoint.validate(setup.model(), s.model(), "model");
        } catch (IOException e) {
            out.add(e.getMessage());
        }
        for (String m : setup.optimizer().mismatches(s.optimizer())) out.add("optimizer: " + m);
        loaderMismatches("training loader", s.loader(), setup.train(), out);
        if ((s.validationLoader() == null) != (setup.validation() == null)) {
            out.add(s.validationLoader() == null ? "the run had no validation set, this fit has one" : "the run had a validation set, this fit has none");
        } else if (setup.validation() != null) {
            loaderMismatches("validation loader", s.validationLoader(), setup.validation(), out);
        }
        Map<String, Dropout> dropouts = new LinkedHashMap<>();
        setup.model().namedModules().forEach((path, m) -> {
            if (m instanceof Dropout d) dropouts.put(path, d);
        });
        if (!dropouts.keySet().equals(new java.util.LinkedHashSet<>(s.dropouts().keys()))) {
            out.add("dropout modules differ: the run had " + s.dropouts().keys() + ", the model has " + dropouts.keySet());
        } else {
            for (Map.Entry<String, Dropout> e : dropouts.entrySet()) {
                try {
                    Json.Obj d = s.dropouts().obj(e.getKey());
                    if (d.number("p") != e.getValue().p() || d.integer("seed", Long.MIN_VALUE, Long.MAX_VALUE) != e.getValue().seed()) {
                        out.add("dropout '" + e.getKey() + "' had p " + d.number("p") + " and seed " + d.integer("seed", Long.MIN_VALUE, Long.MAX_VALUE)
                            + ", the model's has p " + e.getValue().p() + " and seed " + e.getValue().seed()
                            + " (build it with the same seed)");
                    }
                } catch (IOException ex) {
                    out.add(ex.getMessage());
                }
            }
        }
        if (!java.util.Objects.equals(s.metric(), setup.metric())) {
            out.add("the run's metric was " + s.metric() + ", this trainer's is " + setup.metric());
        }
        if ((s.progress().period >= 0) != setup.schedule()) {
            out.add("the run " + (s.progress().period >= 0 ? "had" : "had no") + " learning-rate schedule, this trainer "
                + (setup.schedule() ? "has one" : "has none"));
        }
        if (s.restoreBest() != setup.restoreBest()) {
            out.add("the run " + (s.restoreBest() ? "restored" : "did not restore") + " the best parameters, this trainer "
                + (setup.restoreBest() ? "does" : "does not"));
        }
        if (s.best() != null) {
            List<Tensor> ps = setup.optimizer().parameters();
            if (s.best().size() != ps.size()) {
                out.add("the checkpoint holds " + s.best().size() + " best-parameter tensors for " + ps.size() + " parameters");
            } else {
                for (int i = 0; i < ps.size(); i++) {
                    if (!Arrays.equals(s.best().get(i).shape(), ps.get(i).shape())) {
                        out.add("best parameter " + i + " has shape " + Shape.toString(s.best().get(i).shape()) + ", the parameter "
                            + Shape.toString(ps.get(i).shape()));
                    }
                }
            }
        }
        return out;
    }

    private static void loaderMismatches(String what, Json.Obj saved, DataLoader l, List<String> out) {
        try {
            long n = saved.integer("samples", 1, Integer.MAX_VALUE);
            long b = saved.integer("batch_size", 1, Integer.MAX_VALUE);
            boolean dropLast = saved.bool("drop_last");
            Long seed = saved.has("shuffle_seed") ? saved.integer("shuffle_seed", Long.MIN_VALUE, Long.MAX_VALUE) : null;
            List<String> diff = new ArrayList<>();
            if (n != l.dataset().size()) diff.add(n + " samples (now " + l.dataset().size() + ")");
            if (b != l.batchSize()) diff.add("batch size " + b + " (now " + l.batchSize() + ")");
            if (dropLast != l.isDropLast()) diff.add("dropLast " + dropLast + " (now " + l.isDropLast() + ")");
            Long now = l.isShuffled() ? l.shuffleSeed() : null;
            if (!java.util.Objects.equals(seed, now)) {
                diff.add((seed == null ? "no shuffling" : "shuffle seed " + seed) + " (now " + (now == null ? "no shuffling" : "seed " + now) + ")");
            }
            if (!diff.isEmpty()) out.add(what + " differs: the run had " + String.join(", ", diff));
        } catch (IOException e) {
            out.add(e.getMessage());
        }
    }

    /** Puts {@code s} into the trainer's objects; {@link #mismatches} must have returned nothing. */
    static void apply(Snapshot s, Setup setup) throws IOException {
        Checkpoint.restore(setup.model(), s.model(), s.file());
        setup.optimizer().loadStateDict(s.optimizer());
        setup.train().setEpoch(s.progress().loaderEpoch);
        if (setup.validation() != null) setup.validation().setEpoch(s.progress().validationEpoch);
        for (Map.Entry<String, Module> e : setup.model().namedModules().entrySet()) {
            if (e.getValue() instanceof Dropout d) d.setCalls(s.dropouts().obj(e.getKey()).integer("calls", 0, Long.MAX_VALUE));
        }
        if (s.best() != null) {
            List<Tensor> copies = new ArrayList<>();
            for (Tensor t : s.best()) copies.add(t.detach());
            s.progress().bestParameters = copies;
        }
    }
}

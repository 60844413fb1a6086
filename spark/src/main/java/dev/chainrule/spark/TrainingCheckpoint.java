package dev.chainrule.spark;

import dev.chainrule.autograd.Shape;
import dev.chainrule.autograd.Tensor;
import dev.chainrule.nn.Module;
import dev.chainrule.nn.io.SafeTensors;
import dev.chainrule.optim.Optimizer;
import dev.chainrule.optim.OptimizerState;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The driver's whole training state in one safetensors file (written atomically): the parameters as
 * {@code model/<name>}, the optimizer's state tensors as {@code optimizer/<index>.<state>} (the names of
 * {@link Optimizer#stateDict()}), and in the metadata the optimizer's type, hyperparameters, learning
 * rate and step counts, the trainer's progress (global step, the current epoch's partial sums) and the
 * configuration that fixes the batch sequence (seed, batch size, shuffle, dropLast, samples), which a
 * resumed run must share. Every number is stored exactly ({@code Double.toString} round-trips).
 */
final class TrainingCheckpoint {
    private TrainingCheckpoint() {}

    static final String FORMAT = "chainrule-spark-training";
    static final String VERSION = "1";

    /** The progress of a run that is not part of the model or the optimizer. */
    record Progress(long step, int sumsEpoch, double lossSum, double metricSum, long samples) {}

    /** What fixes the sequence of global batches; a checkpoint resumes only under the same values. */
    record Plan(long seed, int batchSize, boolean shuffle, boolean dropLast, int samples) {
        Map<String, String> toMetadata() {
            Map<String, String> m = new LinkedHashMap<>();
            m.put("plan.seed", Long.toString(seed));
            m.put("plan.batchSize", Integer.toString(batchSize));
            m.put("plan.shuffle", Boolean.toString(shuffle));
            m.put("plan.dropLast", Boolean.toString(dropLast));
            m.put("plan.samples", Integer.toString(samples));
            return m;
        }
    }

    static void write(Path file, Module model, Optimizer optimizer, Plan plan, Progress progress) throws IOException {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        model.namedParameters().forEach((n, t) -> tensors.put("model/" + n, t));
        OptimizerState state = optimizer.stateDict();
        state.tensors().forEach((n, t) -> tensors.put("optimizer/" + n, t));
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", FORMAT);
        meta.put("version", VERSION);
        meta.putAll(plan.toMetadata());
        meta.put("progress.step", Long.toString(progress.step()));
        meta.put("progress.sumsEpoch", Integer.toString(progress.sumsEpoch()));
        meta.put("progress.lossSum", Double.toString(progress.lossSum()));
        meta.put("progress.metricSum", Double.toString(progress.metricSum()));
        meta.put("progress.samples", Long.toString(progress.samples()));
        meta.put("optimizer.type", state.type());
        meta.put("optimizer.learningRate", Double.toString(state.learningRate()));
        meta.put("optimizer.stepCount", Long.toString(state.stepCount()));
        meta.put("optimizer.parameterSteps", join(state.parameterSteps()));
        state.hyperparameters().forEach((k, v) -> meta.put("optimizer.hp." + k, v));
        SafeTensors.write(tensors, meta, file);
    }

    /** A checkpoint read and checked against the model, ready to {@link #apply}. */
    record Loaded(Map<String, Tensor> parameters, OptimizerState optimizer, Plan plan, Progress progress) {}

    /**
     * Reads {@code file} and checks it against {@code model} (parameter names and shapes) and
     * {@code plan}; changes nothing.
     *
     * @throws IOException if the file is unreadable, malformed or not a training checkpoint
     * @throws IllegalArgumentException if it belongs to another model or another batch plan (listing every mismatch)
     */
    static Loaded read(Path file, Module model, Plan plan) throws IOException {
        SafeTensors.Contents c = SafeTensors.readContents(file);
        Map<String, String> meta = c.metadata();
        if (!FORMAT.equals(meta.get("format"))) {
            throw new IOException(file + ": not a SparkTrainer checkpoint (metadata format is " + meta.get("format") + ", expected " + FORMAT + ")");
        }
        if (!VERSION.equals(meta.get("version"))) {
            throw new IOException(file + ": checkpoint version " + meta.get("version") + " is not supported (this build reads version " + VERSION + ")");
        }
        try {
            List<String> problems = new ArrayList<>();
            Map<String, Tensor> params = new LinkedHashMap<>();
            Map<String, Tensor> optimizerTensors = new LinkedHashMap<>();
            for (Map.Entry<String, Tensor> e : c.tensors().entrySet()) {
                if (e.getKey().startsWith("model/")) params.put(e.getKey().substring(6), e.getValue());
                else if (e.getKey().startsWith("optimizer/")) optimizerTensors.put(e.getKey().substring(10), e.getValue());
                else problems.add("unknown tensor " + e.getKey());
            }
            Map<String, Tensor> mine = model.namedParameters();
            for (Map.Entry<String, Tensor> e : mine.entrySet()) {
                Tensor t = params.get(e.getKey());
                if (t == null) problems.add("parameter " + e.getKey() + " is missing");
                else if (!Arrays.equals(t.shape(), e.getValue().shape())) {
                    problems.add("parameter " + e.getKey() + " has shape " + Shape.toString(t.shape()) + " in the file but "
                        + Shape.toString(e.getValue().shape()) + " in the model");
                }
            }
            for (String n : params.keySet()) if (!mine.containsKey(n)) problems.add("parameter " + n + " is not in the model");
            Plan saved = new Plan(Long.parseLong(req(meta, "plan.seed")), Integer.parseInt(req(meta, "plan.batchSize")),
                Boolean.parseBoolean(req(meta, "plan.shuffle")), Boolean.parseBoolean(req(meta, "plan.dropLast")),
                Integer.parseInt(req(meta, "plan.samples")));
            if (saved.seed() != plan.seed()) problems.add("seed " + saved.seed() + " (this trainer: " + plan.seed() + ")");
            if (saved.batchSize() != plan.batchSize()) problems.add("batch size " + saved.batchSize() + " (this trainer: " + plan.batchSize() + ")");
            if (saved.shuffle() != plan.shuffle()) problems.add("shuffle " + saved.shuffle() + " (this trainer: " + plan.shuffle() + ")");
            if (saved.dropLast() != plan.dropLast()) problems.add("dropLast " + saved.dropLast() + " (this trainer: " + plan.dropLast() + ")");
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException(file + ": the checkpoint does not fit this trainer: " + String.join("; ", problems)
                    + ". Resume with the model factory, seed, batch size and shuffling of the run that wrote it; nothing was changed");
            }
            Map<String, String> hp = new LinkedHashMap<>();
            meta.forEach((k, v) -> {
                if (k.startsWith("optimizer.hp.")) hp.put(k.substring("optimizer.hp.".length()), v);
            });
            List<int[]> shapes = new ArrayList<>();
            for (Tensor p : model.parameters()) shapes.add(p.shape());
            OptimizerState state = new OptimizerState(req(meta, "optimizer.type"), hp, Double.parseDouble(req(meta, "optimizer.learningRate")),
                Long.parseLong(req(meta, "optimizer.stepCount")), shapes, split(req(meta, "optimizer.parameterSteps")), optimizerTensors);
            Progress progress = new Progress(Long.parseLong(req(meta, "progress.step")), Integer.parseInt(req(meta, "progress.sumsEpoch")),
                Double.parseDouble(req(meta, "progress.lossSum")), Double.parseDouble(req(meta, "progress.metricSum")),
                Long.parseLong(req(meta, "progress.samples")));
            return new Loaded(params, state, saved, progress);
        } catch (NumberFormatException e) {
            throw new IOException(file + ": malformed checkpoint metadata: " + e.getMessage(), e);
        }
    }

    private static String req(Map<String, String> meta, String key) throws IOException {
        String v = meta.get(key);
        if (v == null) throw new IOException("malformed checkpoint: metadata '" + key + "' is missing");
        return v;
    }

    private static String join(int[] v) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < v.length; i++) sb.append(i == 0 ? "" : ",").append(v[i]);
        return sb.toString();
    }

    private static int[] split(String s) {
        if (s.isEmpty()) return new int[0];
        return Arrays.stream(s.split(",")).mapToInt(Integer::parseInt).toArray();
    }
}

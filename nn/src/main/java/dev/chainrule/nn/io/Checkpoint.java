package dev.chainrule.nn.io;

import dev.chainrule.autograd.Autograd;
import dev.chainrule.autograd.Shape;
import dev.chainrule.autograd.Tensor;
import dev.chainrule.nn.Module;
import java.io.IOException;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Saves and restores a {@link Module}'s parameters and buffers as a safetensors file (see
 * {@link SafeTensors}), one tensor per entry of {@link Module#namedParameters()} (e.g.
 * {@code layers.0.weight}) followed by one per entry of {@link Module#namedBuffers()} (e.g.
 * {@code bn.running_mean}), as PyTorch's {@code state_dict} names them. Each tensor is written in its
 * own dtype ({@code F64} for FLOAT64, {@code F32} for a model converted with
 * {@code model.to(DType.FLOAT32)}: exact either way) unless one file type is asked for ({@code F64},
 * or {@code F32} with each value rounded to the nearest float). Loading reads {@code F64}, {@code F32},
 * {@code F16} and {@code BF16} (and integer) tensors and converts each to the dtype of the model tensor
 * it is loaded into: an {@code F32} file into a FLOAT32 model is bit-exact, an {@code F64} file into a
 * FLOAT32 model rounds each value once to the nearest float, an {@code F32} file into a FLOAT64 model
 * is exact.
 *
 * <pre>{@code
 * Checkpoint.save(model, Path.of("model.safetensors"));
 * Checkpoint.load(sameArchitecture, Path.of("model.safetensors"));
 * Checkpoint.save(model, Path.of("model-f32.safetensors"), SafeTensors.DType.F32);  // half the size
 * }</pre>
 *
 * <p>The file is readable from Python: {@code safetensors.numpy.load_file("model.safetensors")}, or
 * {@code safetensors.torch.load_file} into a PyTorch model with the same {@code state_dict} names.
 * Conversely a PyTorch {@code safetensors.torch.save_file(model.state_dict(), path)} loads into a
 * Chainrule model with the same names and shapes, as saved (float32, float16 or bfloat16 tensors,
 * and BatchNorm's {@code int64} {@code num_batches_tracked}, are converted to the model's dtype; into a
 * FLOAT64 model exactly, into a FLOAT32 model float32 values bit for bit).
 * Saving is atomic (a failed or interrupted save leaves the previous checkpoint intact). Loading
 * checks the whole file and that its names and shapes match the model's parameters and buffers
 * exactly before it changes anything: if it throws, the model is unchanged. A model without buffers
 * reads and writes exactly the files of earlier versions (parameters only). Only values are stored
 * (no optimizer state, no architecture); gradients are left as they are. For resumable training
 * (optimizer state, schedule, data order, dropout) see {@code dev.chainrule.optim.Trainer}'s checkpoints.
 */
public final class Checkpoint {

    private static final Logger LOG = LoggerFactory.getLogger(Checkpoint.class);

    /** Metadata key written by {@link #save}, value {@value #FORMAT}. */
    public static final String FORMAT_KEY = "format";
    /** The value of {@link #FORMAT_KEY} in files written by {@link #save}. */
    public static final String FORMAT = "chainrule";

    private Checkpoint() {}

    /**
     * Saves {@code model}'s parameters and buffers to {@code file}, each in its own dtype, with metadata
     * {@code {"format": "chainrule"}}.
     */
    public static void save(Module model, Path file) throws IOException {
        save(model, file, Map.of());
    }

    /**
     * {@link #save(Module, Path)} with every tensor stored as {@code dtype}, whatever its own: {@code F64}
     * (exact) or {@code F32} (rounded to the nearest float; see {@link SafeTensors.DType#F32}).
     *
     * @throws IllegalArgumentException if {@code dtype} is {@code F16} or {@code BF16} (read-only)
     * @throws IOException if the file cannot be written; a previous file at {@code file} is then unchanged
     */
    public static void save(Module model, Path file, SafeTensors.DType dtype) throws IOException {
        save(model, file, Map.of(), dtype);
    }

    /**
     * Saves {@code model}'s parameters (in {@code namedParameters()} order), then its buffers (in
     * {@code namedBuffers()} order), each in its own dtype ({@code F64} for FLOAT64, {@code F32} for
     * FLOAT32), and {@code metadata} (e.g. the epoch or the loss) to {@code file}, atomically.
     * {@code model} is not modified.
     *
     * @throws IOException if the file cannot be written; a previous file at {@code file} is then unchanged
     */
    public static void save(Module model, Path file, Map<String, String> metadata) throws IOException {
        Objects.requireNonNull(model, "Checkpoint.save: model is null");
        Objects.requireNonNull(metadata, "Checkpoint.save: metadata is null");
        Objects.requireNonNull(file, "Checkpoint.save: file is null");
        Map<String, Tensor> tensors = state(model);
        SafeTensors.write(tensors, withFormat(metadata), file);
        LOG.debug("saved {} tensors of {} in their own dtypes to {}", tensors.size(), model.getClass().getSimpleName(), file);
    }

    private static Map<String, String> withFormat(Map<String, String> metadata) {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put(FORMAT_KEY, FORMAT);
        meta.putAll(metadata);
        return meta;
    }

    /**
     * {@link #save(Module, Path, Map)} with every tensor stored as {@code dtype}, whatever its own:
     * {@code F64} (exact; the same bytes as without a dtype for a FLOAT64 model) or {@code F32} (rounded
     * to the nearest float; the same bytes as without a dtype for a FLOAT32 model).
     *
     * @throws IllegalArgumentException if {@code dtype} is {@code F16} or {@code BF16} (read-only)
     * @throws IOException if the file cannot be written; a previous file at {@code file} is then unchanged
     */
    public static void save(Module model, Path file, Map<String, String> metadata, SafeTensors.DType dtype) throws IOException {
        Objects.requireNonNull(model, "Checkpoint.save: model is null");
        Objects.requireNonNull(metadata, "Checkpoint.save: metadata is null");
        Objects.requireNonNull(file, "Checkpoint.save: file is null");
        Objects.requireNonNull(dtype, "Checkpoint.save: dtype is null");
        Map<String, Tensor> tensors = state(model);
        SafeTensors.write(tensors, withFormat(metadata), file, dtype);
        LOG.debug("saved {} {} tensors of {} to {}", tensors.size(), dtype, model.getClass().getSimpleName(), file);
    }

    /**
     * Loads the parameter and buffer values in {@code file} into {@code model} (modified in place,
     * under no-grad, bumping each tensor's version). The file must hold exactly the names of the
     * model's parameters and buffers, with the same shapes, as {@code F64}, {@code F32}, {@code F16} or
     * {@code BF16} (a file may mix these types); each value is converted to the dtype of the model tensor
     * it goes into (rounded to the nearest float for an {@code F64} value into a FLOAT32 model, exact
     * otherwise).
     *
     * @return the file's metadata (e.g. what {@link #save(Module, Path, Map)} stored)
     * @throws IOException if the file is unreadable or malformed, or does not match the model (missing or
     *     extra names, other shapes); the message lists every mismatch, and the model is unchanged
     */
    public static Map<String, String> load(Module model, Path file) throws IOException {
        Objects.requireNonNull(model, "Checkpoint.load: model is null");
        Objects.requireNonNull(file, "Checkpoint.load: file is null");
        return apply(model, SafeTensors.readContents(file), file.toString());
    }

    /** {@link #load(Module, Path)} from any channel ({@code where} names it in messages); lets tests skip the disk. */
    static Map<String, String> load(Module model, SeekableByteChannel ch, String where) throws IOException {
        return apply(model, SafeTensors.read(ch, where), where);
    }

    /**
     * The model's parameters (in {@code namedParameters()} order) then its buffers (in
     * {@code namedBuffers()} order), by name: the tensors {@link #save} writes. These are the model's
     * own tensors, not copies; treat them as read-only.
     */
    public static Map<String, Tensor> tensors(Module model) {
        Objects.requireNonNull(model, "Checkpoint.tensors: model is null");
        return state(model);
    }

    /**
     * Loads {@code stored} (e.g. the model part of a larger file) into {@code model}, with the checks
     * of {@link #load(Module, Path)}: {@code stored} must hold exactly the names of
     * {@link #tensors(Module)}, with the same shapes; otherwise nothing changes.
     *
     * @param source names where the tensors came from, in messages
     * @throws IOException listing every missing, extra and mis-shaped name; the model is unchanged
     */
    public static void restore(Module model, Map<String, Tensor> stored, String source) throws IOException {
        validate(model, stored, source);
        copy(state(model), stored);
    }

    /**
     * The checks of {@link #restore} without the copy: whether {@code stored} holds exactly the names
     * and shapes of {@link #tensors(Module)}.
     *
     * @param source names where the tensors came from, in messages
     * @throws IOException listing every missing, extra and mis-shaped name
     */
    public static void validate(Module model, Map<String, Tensor> stored, String source) throws IOException {
        Objects.requireNonNull(model, "Checkpoint.validate: model is null");
        Objects.requireNonNull(stored, "Checkpoint.validate: stored is null");
        Objects.requireNonNull(source, "Checkpoint.validate: source is null");
        check(model, state(model), stored, source);
    }

    /** The model's parameters then its buffers, by name: what {@link #save} writes. */
    static Map<String, Tensor> state(Module model) {
        Map<String, Tensor> out = new LinkedHashMap<>(model.namedParameters());
        out.putAll(model.namedBuffers());
        return out;
    }

    @SuppressWarnings("try") // the no-grad scope is used for its effect, not referenced
    private static Map<String, String> apply(Module model, SafeTensors.Contents contents, String file) throws IOException {
        Map<String, Tensor> expected = state(model);
        Map<String, Tensor> stored = contents.tensors();
        check(model, expected, stored, file);
        copy(expected, stored);
        LOG.debug("loaded {} tensors into {} from {}", expected.size(), model.getClass().getSimpleName(), file);
        return contents.metadata();
    }

    /**
     * Checks that {@code stored} holds exactly the names of {@code expected}, with the same shapes.
     *
     * @throws IOException listing every missing, extra and mis-shaped name, prefixed by {@code file}
     */
    static void check(Module model, Map<String, Tensor> expected, Map<String, Tensor> stored, String file) throws IOException {
        List<String> missing = new ArrayList<>();
        List<String> shapes = new ArrayList<>();
        for (Map.Entry<String, Tensor> p : expected.entrySet()) {
            Tensor t = stored.get(p.getKey());
            if (t == null) {
                missing.add(p.getKey());
            } else if (!Arrays.equals(t.shape(), p.getValue().shape())) {
                shapes.add(p.getKey() + " (file " + Shape.toString(t.shape()) + ", model " + Shape.toString(p.getValue().shape()) + ")");
            }
        }
        List<String> extra = new ArrayList<>();
        for (String name : stored.keySet()) {
            if (!expected.containsKey(name)) extra.add(name);
        }
        if (!missing.isEmpty() || !extra.isEmpty() || !shapes.isEmpty()) {
            StringBuilder sb = new StringBuilder(file + ": checkpoint does not match the " + model.getClass().getSimpleName()
                + " it is loaded into:");
            if (!missing.isEmpty()) sb.append(" missing from the file: ").append(list(missing)).append(';');
            if (!extra.isEmpty()) sb.append(" in the file but not in the model: ").append(list(extra)).append(';');
            if (!shapes.isEmpty()) sb.append(" shape mismatch: ").append(list(shapes)).append(';');
            sb.append(" load it into a model built with the same architecture as the saved one"
                + " (compare model.namedParameters() and namedBuffers() names and shapes); the model was not changed");
            throw new IOException(sb.toString());
        }
    }

    /** Copies each stored tensor into the model tensor of the same name (names and shapes already checked). */
    @SuppressWarnings("try") // the no-grad scope is used for its effect, not referenced
    static void copy(Map<String, Tensor> targets, Map<String, Tensor> stored) {
        try (var s = Autograd.noGrad()) {
            for (Map.Entry<String, Tensor> p : targets.entrySet()) {
                p.getValue().copyFrom(stored.get(p.getKey()));
            }
        }
    }

    private static String list(List<String> names) {
        int shown = Math.min(names.size(), 10);
        String s = String.join(", ", names.subList(0, shown));
        return names.size() > shown ? s + ", ... (" + (names.size() - shown) + " more)" : s;
    }
}

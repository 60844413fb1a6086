package dev.chainrule.optim;

import dev.chainrule.autograd.Shape;
import dev.chainrule.autograd.Tensor;
import dev.chainrule.nn.io.SafeTensors;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The whole state of an {@link Optimizer} as an immutable value, what {@link Optimizer#stateDict()}
 * returns and {@link Optimizer#loadStateDict} accepts (PyTorch's {@code optimizer.state_dict()}):
 * <ul>
 *   <li>{@link #type()}: the optimizer's class name, e.g. {@code Adam};</li>
 *   <li>{@link #hyperparameters()}: everything fixed at build time but the learning rate, as exact
 *       decimal strings, e.g. {@code beta1=0.9};</li>
 *   <li>{@link #learningRate()}, {@link #stepCount()} (completed {@code step()} calls) and
 *       {@link #parameterSteps()} (updates per parameter, which Adam's bias correction and
 *       Adagrad's decay use);</li>
 *   <li>{@link #parameterShapes()}: the shapes of the parameters, in the optimizer's order;</li>
 *   <li>{@link #tensors()}: the state tensors, named {@code <parameter index>.<state name>} as in
 *       PyTorch ({@code 3.exp_avg}, {@code 3.exp_avg_sq}, {@code 0.momentum_buffer}, {@code 1.sum},
 *       {@code 2.square_avg}, {@code 2.grad_avg}); a parameter that has not been updated yet has none.</li>
 * </ul>
 * The tensors are copies owned by this value (no graph, no gradient); treat them as read-only.
 * Two states are {@link #equals equal} when every field is, tensors bit for bit.
 */
public final class OptimizerState {

    /** {@code <index>.<name>}: a parameter index without leading zeros (at most 9 digits), a dot, a non-empty name. */
    private static final Pattern KEY = Pattern.compile("(0|[1-9][0-9]{0,8})\\.(.+)");

    private final String type;
    private final Map<String, String> hyperparameters;
    private final double learningRate;
    private final long stepCount;
    private final List<int[]> parameterShapes;
    private final int[] parameterSteps;
    private final Map<String, Tensor> tensors;

    /**
     * A state with the given fields (e.g. read back from a file). The tensors are copied.
     *
     * @param type            the optimizer's class name, e.g. {@code Adam}
     * @param hyperparameters the hyperparameters other than the learning rate, by name
     * @param learningRate    the learning rate, finite and &ge; 0
     * @param stepCount       completed {@code step()} calls, &ge; 0
     * @param parameterShapes the shape of each parameter (each dimension &ge; 1), in the optimizer's order
     * @param parameterSteps  the updates each parameter received, each in [0, stepCount]
     * @param tensors         the state tensors, each named {@code i.name} with {@code i} a parameter index
     *                        and of that parameter's shape
     * @throws NullPointerException     if an argument, a map entry or a shape is null
     * @throws IllegalArgumentException if a value is out of range, the arrays disagree in length, or a
     *                                  tensor name or shape does not fit
     */
    public OptimizerState(String type, Map<String, String> hyperparameters, double learningRate, long stepCount,
                          List<int[]> parameterShapes, int[] parameterSteps, Map<String, Tensor> tensors) {
        this(type, hyperparameters, learningRate, stepCount, parameterShapes, parameterSteps, copies(tensors), null);
    }

    /** {@code owned} marks the constructor that takes {@code ownedTensors} without copying them. */
    private OptimizerState(String type, Map<String, String> hyperparameters, double learningRate, long stepCount,
                           List<int[]> parameterShapes, int[] parameterSteps, Map<String, Tensor> ownedTensors, Void owned) {
        Objects.requireNonNull(type, "OptimizerState: type is null");
        Objects.requireNonNull(hyperparameters, "OptimizerState: hyperparameters is null");
        Objects.requireNonNull(parameterShapes, "OptimizerState: parameterShapes is null");
        Objects.requireNonNull(parameterSteps, "OptimizerState: parameterSteps is null");
        if (type.isEmpty()) throw new IllegalArgumentException("OptimizerState: type is empty; pass the optimizer's class name");
        Map<String, String> hp = new LinkedHashMap<>();
        hyperparameters.forEach((k, v) -> hp.put(Objects.requireNonNull(k, "OptimizerState: a hyperparameter name is null"),
            Objects.requireNonNull(v, "OptimizerState: hyperparameter '" + k + "' is null")));
        if (!(learningRate >= 0) || Double.isInfinite(learningRate)) {
            throw new IllegalArgumentException("OptimizerState: learning rate " + learningRate + " must be >= 0 and finite");
        }
        if (stepCount < 0) throw new IllegalArgumentException("OptimizerState: step count " + stepCount + " is negative");
        if (parameterSteps.length != parameterShapes.size()) {
            throw new IllegalArgumentException("OptimizerState: " + parameterSteps.length + " step counts for "
                + parameterShapes.size() + " parameter shapes; pass one of each per parameter");
        }
        List<int[]> shapes = new ArrayList<>(parameterShapes.size());
        for (int i = 0; i < parameterShapes.size(); i++) {
            int[] s = Objects.requireNonNull(parameterShapes.get(i), "OptimizerState: shape of parameter " + i + " is null").clone();
            for (int d : s) {
                if (d < 1) throw new IllegalArgumentException("OptimizerState: parameter " + i + " has shape " + Shape.toString(s)
                    + "; every dimension must be at least 1");
            }
            shapes.add(s);
            if (parameterSteps[i] < 0 || parameterSteps[i] > stepCount) {
                throw new IllegalArgumentException("OptimizerState: parameter " + i + " has " + parameterSteps[i]
                    + " updates, outside [0, " + stepCount + "] (the step count)");
            }
        }
        for (Map.Entry<String, Tensor> e : ownedTensors.entrySet()) {
            String key = e.getKey();
            Matcher m = KEY.matcher(key);
            int index = m.matches() ? Integer.parseInt(m.group(1)) : -1;
            if (index < 0 || index >= shapes.size()) {
                throw new IllegalArgumentException("OptimizerState: state tensor '" + key + "' is not named <parameter index>.<name>"
                    + " with an index in [0, " + shapes.size() + ")");
            }
            if (!Arrays.equals(e.getValue().shape(), shapes.get(index))) {
                throw new IllegalArgumentException("OptimizerState: state tensor '" + key + "' has shape " + Shape.toString(e.getValue().shape())
                    + " but parameter " + index + " has " + Shape.toString(shapes.get(index)));
            }
        }
        this.type = type;
        this.hyperparameters = Collections.unmodifiableMap(hp);
        this.learningRate = learningRate;
        this.stepCount = stepCount;
        this.parameterShapes = Collections.unmodifiableList(shapes);
        this.parameterSteps = parameterSteps.clone();
        this.tensors = Collections.unmodifiableMap(ownedTensors);
    }

    /** For {@link Optimizer#stateDict()}: takes the (fresh) tensor copies without copying them again. */
    static OptimizerState owning(String type, Map<String, String> hyperparameters, double learningRate, long stepCount,
                                 List<int[]> parameterShapes, int[] parameterSteps, Map<String, Tensor> tensors) {
        return new OptimizerState(type, hyperparameters, learningRate, stepCount, parameterShapes, parameterSteps,
            new LinkedHashMap<>(tensors), null);
    }

    private static Map<String, Tensor> copies(Map<String, Tensor> tensors) {
        Objects.requireNonNull(tensors, "OptimizerState: tensors is null");
        Map<String, Tensor> out = new LinkedHashMap<>();
        tensors.forEach((k, v) -> out.put(Objects.requireNonNull(k, "OptimizerState: a tensor name is null"),
            Objects.requireNonNull(v, "OptimizerState: state tensor '" + k + "' is null").detach()));
        return out;
    }

    /** The optimizer's class name, e.g. {@code Adam}. */
    public String type() {
        return type;
    }

    /** The hyperparameters other than the learning rate, by name, as exact decimal strings (unmodifiable). */
    public Map<String, String> hyperparameters() {
        return hyperparameters;
    }

    /** The learning rate at the time of the snapshot. */
    public double learningRate() {
        return learningRate;
    }

    /** How many {@code step()} calls had completed. */
    public long stepCount() {
        return stepCount;
    }

    /** The number of parameters. */
    public int parameterCount() {
        return parameterShapes.size();
    }

    /** The shape of parameter {@code index} (a copy). */
    public int[] parameterShape(int index) {
        return parameterShapes.get(index).clone();
    }

    /** The shapes of the parameters, in the optimizer's order (copies). */
    public List<int[]> parameterShapes() {
        List<int[]> out = new ArrayList<>(parameterShapes.size());
        for (int[] s : parameterShapes) out.add(s.clone());
        return out;
    }

    /** How many updates each parameter had received (a copy). */
    public int[] parameterSteps() {
        return parameterSteps.clone();
    }

    /** The state tensors by name ({@code <parameter index>.<state name>}), unmodifiable; read-only. */
    public Map<String, Tensor> tensors() {
        return tensors;
    }

    // ================================================================ files

    /** Metadata key of the format marker in files written by {@link #write(Path)}. */
    static final String FORMAT_KEY = "format";
    /** The format marker of {@link #write(Path)}'s files. */
    static final String FORMAT = "chainrule-optimizer";
    /** Metadata key of the JSON document with everything but the tensors. */
    static final String META_KEY = "optimizer";
    /** The format version this code writes and reads. */
    static final int VERSION = 1;

    /**
     * Writes this state to {@code file} as safetensors (see {@link SafeTensors}), atomically: the
     * state tensors under their names ({@code 3.exp_avg}), and everything else as JSON in the metadata
     * (key {@code optimizer}, with a format version). Readable from Python with
     * {@code safetensors.numpy.load_file} and {@code json.loads(metadata["optimizer"])}.
     *
     * @throws IOException if the file cannot be written; a previous file is then unchanged
     */
    public void write(Path file) throws IOException {
        Objects.requireNonNull(file, "OptimizerState.write: file is null");
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put(FORMAT_KEY, FORMAT);
        meta.put(META_KEY, Json.write(toJson()));
        SafeTensors.write(tensors, meta, file);
    }

    /**
     * Reads a state written by {@link #write(Path)}, validating the whole file first.
     *
     * @throws IOException if the file is unreadable, malformed, of another format or version, or its
     *                     fields break the rules of the constructor; the message names the file
     */
    public static OptimizerState read(Path file) throws IOException {
        Objects.requireNonNull(file, "OptimizerState.read: file is null");
        SafeTensors.Contents c = SafeTensors.readContents(file);
        String where = file.toString();
        if (!FORMAT.equals(c.metadata().get(FORMAT_KEY)) || !c.metadata().containsKey(META_KEY)) {
            throw new IOException(where + ": not an optimizer state written by OptimizerState.write (metadata 'format' is "
                + c.metadata().get(FORMAT_KEY) + ", expected '" + FORMAT + "')");
        }
        return fromJson(Json.parse(c.metadata().get(META_KEY), where), c.tensors(), where);
    }

    /** Everything but the tensors, as JSON fields. */
    Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("format_version", (long) VERSION);
        m.put("type", type);
        m.put("hyperparameters", hyperparameters);
        m.put("learning_rate", learningRate);
        m.put("step_count", stepCount);
        List<Object> shapes = new ArrayList<>();
        for (int[] sh : parameterShapes) {
            List<Object> dims = new ArrayList<>();
            for (int d : sh) dims.add((long) d);
            shapes.add(dims);
        }
        m.put("parameter_shapes", shapes);
        List<Object> st = new ArrayList<>();
        for (int v : parameterSteps) st.add((long) v);
        m.put("parameter_steps", st);
        return m;
    }

    /** The state described by {@code o} with {@code tensors}; any problem is an IOException naming {@code where}. */
    static OptimizerState fromJson(Json.Obj o, Map<String, Tensor> tensors, String where) throws IOException {
        int version = o.integer("format_version", 1, Integer.MAX_VALUE);
        if (version != VERSION) {
            throw new IOException(where + ": optimizer state format version " + version + " is not supported (this version of"
                + " Chainrule reads version " + VERSION + "); read it with the version that wrote it");
        }
        try {
            return new OptimizerState(o.str("type"), o.strings("hyperparameters"), o.number("learning_rate"),
                o.integer("step_count", 0, Long.MAX_VALUE), o.shapes("parameter_shapes"),
                o.ints("parameter_steps", 0, Integer.MAX_VALUE), tensors);
        } catch (IllegalArgumentException e) {
            throw new IOException(where + ": " + e.getMessage(), e);
        }
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) return true;
        if (!(o instanceof OptimizerState s)) return false;
        if (!type.equals(s.type) || !hyperparameters.equals(s.hyperparameters)
            || Double.doubleToLongBits(learningRate) != Double.doubleToLongBits(s.learningRate) || stepCount != s.stepCount
            || !Arrays.equals(parameterSteps, s.parameterSteps) || parameterShapes.size() != s.parameterShapes.size()
            || !tensors.keySet().equals(s.tensors.keySet())) {
            return false;
        }
        for (int i = 0; i < parameterShapes.size(); i++) {
            if (!Arrays.equals(parameterShapes.get(i), s.parameterShapes.get(i))) return false;
        }
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            if (!Arrays.equals(e.getValue().toArray(), s.tensors.get(e.getKey()).toArray())) return false;
        }
        return true;
    }

    @Override
    public int hashCode() {
        return Objects.hash(type, hyperparameters, stepCount, Arrays.hashCode(parameterSteps), tensors.keySet());
    }

    @Override
    public String toString() {
        return "OptimizerState(" + type + " " + hyperparameters + ", lr=" + learningRate + ", steps=" + stepCount
            + ", parameters=" + parameterShapes.size() + ", tensors=" + tensors.size() + ")";
    }
}

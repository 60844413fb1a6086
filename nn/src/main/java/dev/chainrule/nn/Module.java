package dev.chainrule.nn;

import dev.chainrule.autograd.Autograd;
import dev.chainrule.autograd.DType;
import dev.chainrule.autograd.Shape;
import dev.chainrule.autograd.Tensor;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * A differentiable building block: a function {@link #forward(Tensor)} of its input and of its
 * parameters (leaf tensors that require grad), possibly made of child modules. Subclasses register
 * parameters and children in their constructor; {@link #namedParameters()} then lists every
 * parameter under a stable dotted name such as {@code layers.0.weight}, in registration order.
 *
 * <p>Non-trained state that belongs to the model, such as batch-norm running statistics, lives in
 * buffers ({@link #registerBuffer}, {@link #namedBuffers()}): leaves that do not require grad, which
 * optimizers never see and checkpoints save next to the parameters.
 *
 * <p>Containers call their children through {@link #forwardChild(Module, Tensor)}, so that a bad
 * argument deep inside a model is reported with the layer's path, e.g.
 * {@code layers.0 (Linear in=4, out=2): input shape [8, 5] does not end in 4}; {@link Sequential}
 * and {@link Mlp} do, and a container of your own gets the same by doing the same.
 *
 * <p>Modules are batch-first: the first input dimension indexes samples. {@link #train()} and
 * {@link #eval()} switch behaviour that differs between training and inference (e.g. dropout).
 * A module is not thread-safe; train one model per thread.
 */
public abstract class Module {

    private final Map<String, Tensor> parameters = new LinkedHashMap<>();
    private final Map<String, Tensor> buffers = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();
    private boolean training = true;

    /** Computes this module's output for a batch {@code x}. */
    public abstract Tensor forward(Tensor x);

    /**
     * Registers {@code value} as a parameter under {@code name} (marking it requiresGrad).
     *
     * @return the same tensor, for assignment to a field
     */
    protected final Tensor registerParameter(String name, Tensor value) {
        checkName(name);
        Objects.requireNonNull(value, getClass().getSimpleName() + ": parameter '" + name + "' is null");
        if (!value.isLeaf()) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": parameter '" + name
                + "' must be a leaf tensor (created by a factory, not by an op); use detach()");
        }
        parameters.put(name, value.requiresGrad());
        return value;
    }

    /**
     * Registers {@code value} as a buffer under {@code name}: state of the model that is not trained
     * (e.g. batch-norm running statistics), listed by {@link #namedBuffers()} and saved by checkpoints,
     * never seen by optimizers. It must be a leaf that does not require grad. Update it in place under
     * {@link dev.chainrule.autograd.Autograd#noGrad()} (e.g. {@code copyFrom}, {@code lerpInPlace}), which
     * keeps its identity, so checkpoints and other references see the new values.
     *
     * @return the same tensor, for assignment to a field
     * @throws IllegalArgumentException if the name is empty, dotted or taken, or the tensor is not a leaf or requires grad
     */
    protected final Tensor registerBuffer(String name, Tensor value) {
        checkName(name);
        Objects.requireNonNull(value, getClass().getSimpleName() + ": buffer '" + name + "' is null");
        if (!value.isLeaf() || value.isGradRequired()) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": buffer '" + name + "' must be a leaf that does not require grad"
                + " (buffers are not trained); pass value.detach(), or register it as a parameter if it should be trained");
        }
        buffers.put(name, value);
        return value;
    }

    /**
     * Applies the child module {@code child} (registered with {@link #registerModule}) to {@code x}.
     * An {@link IllegalArgumentException} from it (a bad shape, say) is rethrown with the child's
     * path and description in front, {@code name (Class config): problem}; through nested containers
     * the paths compose ({@code layers.0 (Linear in=4, out=2): ...}), and the original exception is the cause.
     *
     * @throws IllegalArgumentException what the child threw, prefixed with its path
     */
    protected final Tensor forwardChild(Module child, Tensor x) {
        Objects.requireNonNull(child, getClass().getSimpleName() + ".forwardChild: child is null");
        try {
            return child.forward(x);
        } catch (IllegalArgumentException e) {
            throw LayerError.of(nameOf(child), child, e);
        }
    }

    private String nameOf(Module child) {
        for (Map.Entry<String, Module> e : children.entrySet()) {
            if (e.getValue() == child) return e.getKey();
        }
        return "(unregistered " + child.getClass().getName().substring(child.getClass().getName().lastIndexOf('.') + 1) + ")";
    }

    /** An error of a layer inside a container, named by its path from the outermost container that reported it. */
    static final class LayerError extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;
        private final String path;
        private final String layer;
        private final String detail;

        private LayerError(String path, String layer, String detail, Throwable cause) {
            super(path + " (" + layer + "): " + detail, cause);
            this.path = path;
            this.layer = layer;
            this.detail = detail;
        }

        static LayerError of(String name, Module child, IllegalArgumentException e) {
            if (e instanceof LayerError inner) {
                return new LayerError(name + "." + inner.path, inner.layer, inner.detail, inner.getCause());
            }
            String cls = child.getClass().getSimpleName();
            if (cls.isEmpty()) cls = child.getClass().getName().substring(child.getClass().getName().lastIndexOf('.') + 1);  // anonymous
            String repr = child.extraRepr();
            String detail = e.getMessage() == null ? e.toString() : e.getMessage();
            // The layer's own message usually starts with its name ("Linear(in=4, out=2): ..."); the path replaces it.
            for (String own : new String[] {cls + "(" + repr + "): ", cls + ".forward: ", cls + ": "}) {
                if (detail.startsWith(own)) {
                    detail = detail.substring(own.length());
                    break;
                }
            }
            return new LayerError(name, repr.isEmpty() ? cls : cls + " " + repr, detail, e);
        }
    }

    /** Registers {@code child} under {@code name}; its parameters appear as {@code name.param}. */
    protected final <M extends Module> M registerModule(String name, M child) {
        checkName(name);
        Objects.requireNonNull(child, getClass().getSimpleName() + ": child module '" + name + "' is null");
        children.put(name, child);
        return child;
    }

    private void checkName(String name) {
        if (name == null || name.isEmpty() || name.contains(".")) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": name '" + name
                + "' must be non-empty and contain no '.'");
        }
        if (parameters.containsKey(name) || buffers.containsKey(name) || children.containsKey(name)) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": name '" + name + "' is already registered");
        }
    }

    /**
     * Every parameter of this module and its descendants, by dotted name, in registration order
     * (depth first). A tensor shared by several modules (weight tying) appears once, under the first
     * name it is reached by, so that optimizers update it once.
     */
    public final Map<String, Tensor> namedParameters() {
        return collect(m -> m.parameters);
    }

    /**
     * Every buffer of this module and its descendants, by dotted name (e.g. {@code bn.running_mean}),
     * depth first in registration order, each tensor once; empty for a model without buffers.
     */
    public final Map<String, Tensor> namedBuffers() {
        return collect(m -> m.buffers);
    }

    /** Every buffer, in the order of {@link #namedBuffers()}. */
    public final List<Tensor> buffers() {
        return List.copyOf(namedBuffers().values());
    }

    /**
     * This module (under the name {@code ""}) and every descendant, by dotted path (e.g.
     * {@code layers.0}), depth first in registration order; a module reached twice appears once,
     * under its first path.
     */
    public final Map<String, Module> namedModules() {
        Map<String, Module> out = new LinkedHashMap<>();
        Set<Module> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        walk((path, m) -> {
            if (seen.add(m)) out.put(path, m);
        });
        return Collections.unmodifiableMap(out);
    }

    private Map<String, Tensor> collect(Function<Module, Map<String, Tensor>> own) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        Set<Tensor> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        walk((path, m) -> {
            String prefix = path.isEmpty() ? "" : path + ".";
            own.apply(m).forEach((n, t) -> {
                if (seen.add(t)) out.put(prefix + n, t);
            });
        });
        return Collections.unmodifiableMap(out);
    }

    /** Visits this module and its descendants depth first, in registration order, with their dotted paths. */
    private void walk(java.util.function.BiConsumer<String, Module> visit) {
        // Explicit stack (children pushed in reverse) keeps registration order without recursion.
        Deque<Map.Entry<String, Module>> todo = new ArrayDeque<>();
        todo.push(Map.entry("", this));
        while (!todo.isEmpty()) {
            Map.Entry<String, Module> e = todo.pop();
            String path = e.getKey();
            Module m = e.getValue();
            visit.accept(path, m);
            List<Map.Entry<String, Module>> kids = new ArrayList<>(m.children.entrySet());
            for (int i = kids.size() - 1; i >= 0; i--) {
                String name = kids.get(i).getKey();
                todo.push(Map.entry(path.isEmpty() ? name : path + "." + name, kids.get(i).getValue()));
            }
        }
    }

    /** Every parameter, in the order of {@link #namedParameters()}. */
    public final List<Tensor> parameters() {
        return List.copyOf(namedParameters().values());
    }

    /** The direct children, by name, in registration order. */
    public final Map<String, Module> children() {
        return Collections.unmodifiableMap(children);
    }

    /** Total number of scalar parameters. */
    public final long parameterCount() {
        long n = 0;
        for (Tensor t : namedParameters().values()) n += t.size();
        return n;
    }

    /** Switches this module and its descendants to training behaviour. */
    public Module train() {
        setTraining(true);
        return this;
    }

    /** Switches this module and its descendants to inference behaviour (e.g. no dropout). */
    public Module eval() {
        setTraining(false);
        return this;
    }

    private void setTraining(boolean on) {
        Deque<Module> todo = new ArrayDeque<>();
        todo.push(this);
        while (!todo.isEmpty()) {
            Module m = todo.pop();
            m.training = on;
            m.children.values().forEach(todo::push);
        }
    }

    /** Whether this module is in training mode (the default) rather than evaluation mode. */
    public final boolean isTraining() {
        return training;
    }

    /**
     * Converts every parameter and buffer of this module and its children to {@code dtype} in place
     * (their identities, names and {@code requiresGrad} unchanged), as PyTorch's
     * {@code module.to(dtype)}: {@code new Linear(784, 10, rng).to(DType.FLOAT32)}. Inputs must then
     * have the same dtype ({@code x.to(DType.FLOAT32)}). Create the optimizer after converting: it
     * keeps its state in the parameters' dtype.
     *
     * @return this module
     */
    public Module to(DType dtype) {
        Objects.requireNonNull(dtype, getClass().getSimpleName() + ".to: dtype is null");
        try (var g = Autograd.noGrad()) {
            for (Tensor t : namedParameters().values()) t.convertInPlace(dtype);
            for (Tensor t : namedBuffers().values()) t.convertInPlace(dtype);
        }
        return this;
    }

    /** The dtype of the first parameter (or buffer); FLOAT64 for a module with neither. */
    public DType dtype() {
        for (Tensor t : namedParameters().values()) return t.dtype();
        for (Tensor t : namedBuffers().values()) return t.dtype();
        return DType.FLOAT64;
    }

    /** Clears the gradient of every parameter. */
    public void zeroGrad() {
        for (Tensor t : namedParameters().values()) t.zeroGrad();
    }

    /** One line of configuration shown in {@link #toString()}, e.g. {@code in=2, out=8}. */
    protected String extraRepr() {
        return "";
    }

    /** A readable summary: the module tree with each module's own parameter shapes and the total count. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        describe(sb, "");
        long total = parameterCount();
        return sb.append("\nTotal parameters: ").append(String.format(java.util.Locale.ROOT, "%,d", total)).toString();
    }

    private void describe(StringBuilder sb, String indent) {
        sb.append(getClass().getSimpleName()).append('(').append(extraRepr());
        if (children.isEmpty() && !parameters.isEmpty()) {
            sb.append(extraRepr().isEmpty() ? "" : "; ");
            StringBuilder ps = new StringBuilder();
            long n = 0;
            for (Map.Entry<String, Tensor> p : parameters.entrySet()) {
                if (ps.length() > 0) ps.append(", ");
                ps.append(p.getKey()).append(Shape.toString(p.getValue().shape()));
                n += p.getValue().size();
            }
            sb.append(ps).append(')').append("  # ").append(n).append(" params");
            return;
        }
        if (children.isEmpty()) {
            sb.append(')');
            return;
        }
        sb.append('\n');
        // A container's own parameters (registered next to its children) get one line each.
        for (Map.Entry<String, Tensor> p : parameters.entrySet()) {
            sb.append(indent).append("  ").append(p.getKey()).append(Shape.toString(p.getValue().shape()))
                .append("  # ").append(p.getValue().size()).append(" params\n");
        }
        for (Map.Entry<String, Module> c : children.entrySet()) {
            sb.append(indent).append("  (").append(c.getKey()).append("): ");
            c.getValue().describe(sb, indent + "  ");
            sb.append('\n');
        }
        sb.append(indent).append(')');
    }
}

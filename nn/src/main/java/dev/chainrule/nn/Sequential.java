package dev.chainrule.nn;

import dev.chainrule.autograd.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A chain of modules applied in order: {@code forward(x) = m_k(...m_1(m_0(x)))}, the composition
 * h = σ(W h_prev + b) layer after layer of the notes. Children are named {@code "0"}, {@code "1"},
 * ..., so parameters are named {@code 0.weight}, {@code 0.bias}, {@code 2.weight}, ...; a model
 * that registers the Sequential under {@code layers} gets {@code layers.0.weight}.
 *
 * <pre>{@code
 * var net = new Sequential(new Linear(2, 8, rng), new Tanh(), new Linear(8, 1, rng), new Sigmoid());
 * }</pre>
 */
public final class Sequential extends Module {

    private final List<Module> layers;

    /**
     * A chain of the given modules, in order.
     *
     * @throws IllegalArgumentException if no module is given
     * @throws NullPointerException     if the array or a module is null
     */
    public Sequential(Module... modules) {
        this(java.util.Arrays.asList(java.util.Objects.requireNonNull(modules, "Sequential: modules is null")));
    }

    /**
     * A chain of the modules of {@code modules}, in order.
     *
     * @throws IllegalArgumentException if the list is empty
     * @throws NullPointerException     if the list or a module is null
     */
    public Sequential(List<? extends Module> modules) {
        java.util.Objects.requireNonNull(modules, "Sequential: modules is null");
        if (modules.isEmpty()) {
            throw new IllegalArgumentException("Sequential: needs at least one module");
        }
        List<Module> list = new ArrayList<>(modules.size());
        for (int i = 0; i < modules.size(); i++) {
            Module m = java.util.Objects.requireNonNull(modules.get(i), "Sequential: module " + i + " is null");
            list.add(registerModule(Integer.toString(i), m));
        }
        this.layers = Collections.unmodifiableList(list);
    }

    /**
     * Applies each module to the previous one's output.
     *
     * @throws IllegalArgumentException if a module rejects its input; the message starts with its
     *                                  index and description, e.g. {@code 0 (Linear in=4, out=2): ...}
     */
    @Override
    public Tensor forward(Tensor x) {
        java.util.Objects.requireNonNull(x, "Sequential.forward: x is null");
        Tensor h = x;
        for (Module m : layers) h = forwardChild(m, h);
        return h;
    }

    /** The modules in order (unmodifiable). */
    public List<Module> layers() {
        return layers;
    }

    /**
     * The module at {@code index}.
     *
     * @throws IndexOutOfBoundsException if {@code index} is not in [0, size())
     */
    public Module get(int index) {
        return layers.get(index);
    }

    /** The number of modules. */
    public int size() {
        return layers.size();
    }
}

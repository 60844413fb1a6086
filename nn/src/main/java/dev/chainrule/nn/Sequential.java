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
     * @throws IllegalArgumentException if no module is given or one is null
     */
    public Sequential(Module... modules) {
        this(modules == null ? null : java.util.Arrays.asList(modules));
    }

    /**
     * @throws IllegalArgumentException if the list is empty or holds a null
     */
    public Sequential(List<? extends Module> modules) {
        if (modules == null || modules.isEmpty()) {
            throw new IllegalArgumentException("Sequential: needs at least one module");
        }
        List<Module> list = new ArrayList<>(modules.size());
        for (int i = 0; i < modules.size(); i++) {
            Module m = modules.get(i);
            if (m == null) throw new IllegalArgumentException("Sequential: module " + i + " is null");
            list.add(registerModule(Integer.toString(i), m));
        }
        this.layers = Collections.unmodifiableList(list);
    }

    /** Applies each module to the previous one's output. */
    @Override
    public Tensor forward(Tensor x) {
        Tensor h = x;
        for (Module m : layers) h = m.forward(h);
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

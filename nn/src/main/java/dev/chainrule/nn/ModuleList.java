package dev.chainrule.nn;

import dev.chainrule.autograd.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;

/**
 * An indexed list of child modules (PyTorch's {@code nn.ModuleList}): it registers each module under
 * its position ({@code "0"}, {@code "1"}, ...), so their parameters are named {@code 0.weight},
 * {@code 1.weight}, ... (prefixed by the list's own name in a parent, e.g. {@code blocks.0.weight}),
 * they reach optimizers and checkpoints, and {@link #train()} / {@link #eval()} reach them. Unlike
 * {@link Sequential} it has no {@code forward}: the owner decides how the modules are called, e.g.
 *
 * <pre>{@code
 * ModuleList blocks = registerModule("blocks", new ModuleList());
 * for (int i = 0; i < depth; i++) blocks.add(new Residual(new Linear(d, d, rng)));
 * ...
 * for (Module b : blocks) h = b.forward(h);
 * }</pre>
 *
 * Modules can only be appended (names are positions, so inserting or removing would rename them).
 */
public final class ModuleList extends Module implements Iterable<Module> {

    private final List<Module> modules = new ArrayList<>();

    /** An empty list; append with {@link #add}. */
    public ModuleList() {}

    /**
     * A list of the given modules, in order.
     *
     * @throws NullPointerException if the array or a module is null
     */
    public ModuleList(Module... modules) {
        this(java.util.Arrays.asList(java.util.Objects.requireNonNull(modules, "ModuleList: modules is null")));
    }

    /**
     * A list of the given modules, in order.
     *
     * @throws NullPointerException if the list or a module is null
     */
    public ModuleList(List<? extends Module> modules) {
        java.util.Objects.requireNonNull(modules, "ModuleList: modules is null");
        for (Module m : modules) add(m);
    }

    /**
     * Appends {@code module} under the name {@code size()}.
     *
     * @return this list
     * @throws NullPointerException if {@code module} is null
     */
    public ModuleList add(Module module) {
        java.util.Objects.requireNonNull(module, "ModuleList: module " + modules.size() + " is null");
        modules.add(registerModule(Integer.toString(modules.size()), module));
        return this;
    }

    /**
     * The module at {@code index}; a negative index counts from the end, as in Python.
     *
     * @throws IndexOutOfBoundsException if {@code index} is not in [−size(), size())
     */
    public Module get(int index) {
        int n = modules.size();
        if (index < -n || index >= n) {
            throw new IndexOutOfBoundsException("ModuleList: index " + index + " is out of range for " + n + " modules");
        }
        return modules.get(index < 0 ? index + n : index);
    }

    /** The number of modules. */
    public int size() {
        return modules.size();
    }

    /** The modules in order (an unmodifiable view). */
    public List<Module> modules() {
        return Collections.unmodifiableList(modules);
    }

    /** The modules in order (no removal). */
    @Override
    public Iterator<Module> iterator() {
        return modules().iterator();
    }

    /**
     * A ModuleList has no forward of its own.
     *
     * @throws UnsupportedOperationException always (for a non-null x); call its modules (iterate, or {@link #get(int)})
     */
    @Override
    public Tensor forward(Tensor x) {
        java.util.Objects.requireNonNull(x, "ModuleList.forward: x is null");
        throw new UnsupportedOperationException("ModuleList has no forward: iterate over it and call each module "
            + "(for a chain that feeds each output into the next module, use Sequential)");
    }

    @Override
    protected String extraRepr() {
        return modules.isEmpty() ? "empty" : "";
    }
}

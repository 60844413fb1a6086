package dev.chainrule.optim;

import dev.chainrule.autograd.Autograd;
import dev.chainrule.autograd.Shape;
import dev.chainrule.autograd.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Updates a fixed list of parameters (leaf tensors that require grad) from their gradients, in place
 * and under {@link Autograd#noGrad()}, so that the update is never recorded in a graph.
 *
 * <p>The training lifecycle, one iteration per mini-batch:
 * <pre>{@code
 * Tensor loss = lossFn.apply(model.forward(x), y);   // 1. forward, 2. loss
 * loss.backward();                                   // 3. backward: fills p.grad()
 * optimizer.step();                                  // 4. update every p that has a gradient
 * optimizer.zeroGrad();                              // 5. clear the gradients (they accumulate otherwise)
 * }</pre>
 * Parameters whose {@link Tensor#grad()} is null (not reached by the last backward) are skipped: their
 * values and their optimizer state stay as they are, and their per-parameter step count does not
 * advance. Each subclass implements one algorithm exactly as PyTorch's {@code torch.optim} defines it,
 * in double precision, and states the update in its Javadoc.
 *
 * <p>Memory: an optimizer holds only its per-parameter state (Adam: the two moment estimates, SGD
 * with momentum: one buffer, as in PyTorch), created on each parameter's first step, and updates
 * parameters and state with the fused in-place tensor ops ({@code lerpInPlace}, {@code addcmulInPlace},
 * {@code addcdivSqrtInPlace}, ...), which allocate nothing. Only where the subclass says so (L2
 * weight decay added to the gradient, centered RMSProp) does a step allocate one transient temporary
 * of a parameter's size, as PyTorch's does.
 *
 * <p>The learning rate can be changed between steps ({@link #setLearningRate(double)}), which is how
 * {@link Scheduler} and {@link Trainer} apply a {@link LearningRateSchedule}. The whole state (step
 * counts, learning rate, state tensors) can be taken out as an immutable {@link OptimizerState}
 * ({@link #stateDict()}) and put back into an optimizer of the same kind over parameters of the same
 * shapes ({@link #loadStateDict}), so that training continues exactly where it stopped. An optimizer
 * is not thread-safe.
 */
public abstract class Optimizer {

    private final List<Tensor> parameters;
    private final int[] parameterSteps;
    /** Per parameter: its state tensors by name (e.g. {@code exp_avg}), empty until its first step. */
    private final List<Map<String, Tensor>> state;
    private double learningRate;
    private long steps;

    /**
     * For subclasses; users build optimizers with the subclasses' builders.
     *
     * @param parameters   the tensors to update: leaves, no duplicates, at least one
     * @param learningRate the initial learning rate
     * @throws IllegalArgumentException if the list is empty, holds a non-leaf or a duplicate, or the
     *                                  learning rate is not positive and finite
     * @throws NullPointerException     if the list is null or holds a null
     */
    protected Optimizer(Iterable<Tensor> parameters, double learningRate) {
        this.parameters = Checks.parameters(name(), parameters);
        this.parameterSteps = new int[this.parameters.size()];
        List<Map<String, Tensor>> s = new ArrayList<>(this.parameters.size());
        for (int i = 0; i < this.parameters.size(); i++) s.add(new LinkedHashMap<>());
        this.state = Collections.unmodifiableList(s);
        this.learningRate = Checks.positive(name(), "lr", learningRate);
    }

    /**
     * Applies one update to every parameter that has a gradient, in place under no-grad.
     *
     * @throws IllegalStateException if no parameter has a gradient (backward was not called, or the
     *                               gradients were already cleared)
     */
    @SuppressWarnings("try") // the scope is used only for its close()
    public final void step() {
        boolean any = false;
        for (Tensor p : parameters) any |= p.grad() != null;
        if (!any) {
            throw new IllegalStateException(name() + ".step: no parameter has a gradient; call loss.backward() before step()");
        }
        try (var s = Autograd.noGrad()) {
            for (int i = 0; i < parameters.size(); i++) {
                Tensor p = parameters.get(i);
                Tensor g = p.grad();
                if (g == null) continue;
                parameterSteps[i]++;
                update(i, parameterSteps[i], p, g);
            }
        }
        steps++;
    }

    /**
     * Applies one update to parameter {@code index} in place. Called inside {@link Autograd#noGrad()},
     * so the tensors' in-place ops ({@code addInPlace}, {@code lerpInPlace}, ...) are allowed. The
     * gradient must not be modified (it is the caller's {@code parameter.grad()}).
     *
     * @param index     position of the parameter in {@link #parameters()}, to find its state
     * @param t         how many updates this parameter has received, including this one (1 on the first)
     * @param parameter the parameter, to be updated in place
     * @param grad      its gradient (read only)
     */
    protected abstract void update(int index, int t, Tensor parameter, Tensor grad);

    /**
     * The state tensor {@code name} of parameter {@code index} (e.g. {@code exp_avg}), or null before
     * the parameter's first step. Subclasses update it in place.
     */
    protected final Tensor state(int index, String name) {
        return state.get(index).get(name);
    }

    /**
     * Stores {@code initial} (a leaf of the parameter's shape, owned by this optimizer from now on)
     * as the state tensor {@code name} of parameter {@code index}, and returns it. State lives in the
     * parameter's dtype: an {@code initial} of another dtype is stored converted (make it with
     * {@code Tensor.zerosLike(parameter)} to avoid the copy).
     *
     * @throws IllegalArgumentException if its shape differs from the parameter's, or {@code name} is
     *                                  not one of {@link #stateNames()}
     */
    protected final Tensor initState(int index, String name, Tensor initial) {
        Objects.requireNonNull(initial, name() + ".initState: initial is null");
        if (!stateNames().contains(name)) {
            throw new IllegalArgumentException(name() + ".initState: '" + name + "' is not one of " + stateNames());
        }
        if (!Arrays.equals(initial.shape(), parameters.get(index).shape())) {
            throw new IllegalArgumentException(name() + ".initState: '" + name + "' has shape " + Shape.toString(initial.shape())
                + " but parameter " + index + " has " + Shape.toString(parameters.get(index).shape()));
        }
        Tensor t = initial.dtype() == parameters.get(index).dtype() ? initial : initial.to(parameters.get(index).dtype()).detach();
        state.get(index).put(name, t);
        return t;
    }

    /**
     * {@code grad + λ·parameter} as a new tensor: the L2 penalty added to the gradient, as PyTorch's
     * {@code grad.add(param, alpha=weight_decay)} (one temporary of the parameter's size).
     */
    protected static Tensor withWeightDecay(Tensor grad, Tensor parameter, double lambda) {
        Tensor g = grad.detach();
        g.addInPlace(parameter, lambda);
        return g;
    }

    /**
     * The names of the state tensors a parameter holds after its first step, given this optimizer's
     * hyperparameters, in PyTorch's naming (e.g. {@code [exp_avg, exp_avg_sq]}); empty when it keeps
     * none (plain SGD).
     */
    protected abstract List<String> stateNames();

    /**
     * The hyperparameters fixed at build time (everything but the learning rate), by name, each as its
     * exact decimal string ({@code Double.toString}, {@code Boolean.toString}), in a fixed order. Two
     * optimizers whose maps are equal run the same algorithm; {@link #loadStateDict} requires it.
     */
    protected abstract Map<String, String> hyperparameters();

    /**
     * A snapshot of this optimizer's whole state: its type and hyperparameters (to validate a later
     * load), the learning rate, the global and per-parameter step counts, and copies of the state
     * tensors, named {@code <parameter index>.<state name>} (e.g. {@code 3.exp_avg}). Later steps do not
     * change it.
     */
    public final OptimizerState stateDict() {
        List<int[]> shapes = new ArrayList<>(parameters.size());
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (int i = 0; i < parameters.size(); i++) {
            shapes.add(parameters.get(i).shape());
            for (Map.Entry<String, Tensor> e : state.get(i).entrySet()) tensors.put(i + "." + e.getKey(), e.getValue().detach());
        }
        return OptimizerState.owning(name(), hyperparameters(), learningRate, steps, shapes, parameterSteps.clone(), tensors);
    }

    /**
     * Replaces this optimizer's state with {@code saved} (e.g. from {@link #stateDict()} of the
     * optimizer of an interrupted run): step counts, learning rate and state tensors (copied in; the
     * parameters themselves are not touched). Everything is checked first; if anything does not fit,
     * nothing changes.
     *
     * <p>Policy: the type must be this optimizer's class, the number and shapes of the parameters must
     * be equal, and every hyperparameter must be equal (state accumulated under other hyperparameters
     * belongs to another algorithm: build the optimizer as the saved one was built). The learning rate is
     * state and is restored (a schedule may have changed it); call {@link #setLearningRate} afterwards
     * to override it.
     *
     * @throws IllegalArgumentException listing every mismatch: type, parameter count or shapes,
     *                                  hyperparameters, missing, extra or mis-shaped state tensors
     */
    @SuppressWarnings("try") // the scope is used only for its close()
    public final void loadStateDict(OptimizerState saved) {
        Objects.requireNonNull(saved, name() + ".loadStateDict: saved is null");
        List<String> problems = mismatches(saved);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(name() + ".loadStateDict: the state does not fit this optimizer: "
                + String.join("; ", problems) + ". Build the optimizer over the same parameters with the same"
                + " hyperparameters as the saved one; this optimizer was not changed");
        }
        try (var s = Autograd.noGrad()) {
            for (int i = 0; i < parameters.size(); i++) {
                Map<String, Tensor> mine = state.get(i);
                if (saved.parameterSteps()[i] == 0) {
                    mine.clear();
                    continue;
                }
                for (String n : stateNames()) {
                    Tensor src = saved.tensors().get(i + "." + n);
                    Tensor dst = mine.get(n);
                    if (dst == null) mine.put(n, src.to(parameters.get(i).dtype()).detach());   // in the parameter's dtype
                    else dst.copyFrom(src);                                                  // (copyFrom converts)
                }
            }
        }
        System.arraycopy(saved.parameterSteps(), 0, parameterSteps, 0, parameterSteps.length);
        steps = saved.stepCount();
        learningRate = saved.learningRate();
    }

    /** Every reason {@code saved} cannot be loaded into this optimizer; empty if it can. */
    final List<String> mismatches(OptimizerState saved) {
        List<String> problems = new ArrayList<>();
        if (!saved.type().equals(name())) {
            problems.add("it is the state of " + saved.type() + ", not of " + name());
            return problems;
        }
        if (saved.parameterCount() != parameters.size()) {
            problems.add("it has " + saved.parameterCount() + " parameters, this optimizer " + parameters.size());
            return problems;
        }
        for (int i = 0; i < parameters.size(); i++) {
            if (!Arrays.equals(saved.parameterShape(i), parameters.get(i).shape())) {
                problems.add("parameter " + i + " has shape " + Shape.toString(saved.parameterShape(i)) + " in the state but "
                    + Shape.toString(parameters.get(i).shape()) + " here");
            }
        }
        Map<String, String> mine = hyperparameters();
        if (!saved.hyperparameters().equals(mine)) {
            List<String> diff = new ArrayList<>();
            for (Map.Entry<String, String> e : mine.entrySet()) {
                String theirs = saved.hyperparameters().get(e.getKey());
                if (!e.getValue().equals(theirs)) diff.add(e.getKey() + " " + theirs + " (here " + e.getValue() + ")");
            }
            for (String k : saved.hyperparameters().keySet()) {
                if (!mine.containsKey(k)) diff.add(k + " " + saved.hyperparameters().get(k) + " (unknown here)");
            }
            problems.add("hyperparameters differ: " + String.join(", ", diff));
        }
        if (!problems.isEmpty()) return problems;
        List<String> names = stateNames();
        int[] savedSteps = saved.parameterSteps();
        List<String> missing = new ArrayList<>();
        for (int i = 0; i < parameters.size(); i++) {
            if (savedSteps[i] == 0) continue;
            for (String n : names) {
                if (!saved.tensors().containsKey(i + "." + n)) missing.add(i + "." + n);
            }
        }
        List<String> extra = new ArrayList<>();
        for (String key : saved.tensors().keySet()) {
            int dot = key.indexOf('.');
            int i = Integer.parseInt(key.substring(0, dot));           // the OptimizerState constructor checked the form
            if (savedSteps[i] == 0 || !names.contains(key.substring(dot + 1))) extra.add(key);
        }
        if (!missing.isEmpty()) problems.add("state tensors missing: " + String.join(", ", limit(missing)));
        if (!extra.isEmpty()) problems.add("unexpected state tensors: " + String.join(", ", limit(extra)));
        return problems;
    }

    private static List<String> limit(List<String> names) {
        if (names.size() <= 10) return names;
        List<String> out = new ArrayList<>(names.subList(0, 10));
        out.add("... (" + (names.size() - 10) + " more)");
        return out;
    }

    /** Clears the gradient of every parameter (sets it to null), so that the next backward starts afresh. */
    public void zeroGrad() {
        for (Tensor p : parameters) p.zeroGrad();
    }

    /** The parameters this optimizer updates, in the order given to its builder. */
    public final List<Tensor> parameters() {
        return parameters;
    }

    /** The learning rate used by the next {@link #step()}. */
    public final double learningRate() {
        return learningRate;
    }

    /**
     * Sets the learning rate for the following steps (e.g. from a schedule). State such as moment
     * estimates is kept. A rate of 0 (the end of some schedules) leaves the parameters unchanged,
     * except that moment estimates still absorb the gradients.
     *
     * @throws IllegalArgumentException if {@code lr} is negative, NaN or infinite
     */
    public final void setLearningRate(double lr) {
        this.learningRate = Checks.nonNegative(name() + ".setLearningRate", "lr", lr);
    }

    /** How many times {@link #step()} has completed. */
    public final long stepCount() {
        return steps;
    }

    /** The class name used in messages and in {@link OptimizerState#type()}, e.g. {@code Sgd}. */
    protected final String name() {
        return getClass().getSimpleName();
    }

    @Override
    public String toString() {
        return name() + "(" + describe() + ", parameters=" + parameters.size() + ")";
    }

    /** The hyperparameters for {@link #toString()}, e.g. {@code lr=0.1, momentum=0.9}. */
    protected abstract String describe();
}

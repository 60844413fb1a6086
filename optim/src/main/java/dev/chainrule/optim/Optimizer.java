package dev.chainrule.optim;

import dev.chainrule.autograd.Autograd;
import dev.chainrule.autograd.Tensor;
import java.util.List;

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
 * <p>The learning rate can be changed between steps ({@link #setLearningRate(double)}), which is how
 * {@link Scheduler} and {@link Trainer} apply a {@link LearningRateSchedule}. An optimizer keeps
 * per-parameter state (moment estimates, step counts) and is not thread-safe.
 */
public abstract class Optimizer {

    private final List<Tensor> parameters;
    private final int[] parameterSteps;
    private double learningRate;
    private long steps;

    /**
     * For subclasses; users build optimizers with the subclasses' builders.
     *
     * @param parameters   the tensors to update: leaves, no duplicates, at least one
     * @param learningRate the initial learning rate
     * @throws IllegalArgumentException if the list is empty, holds a null, a non-leaf or a duplicate,
     *                                  or the learning rate is not positive and finite
     */
    protected Optimizer(Iterable<Tensor> parameters, double learningRate) {
        this.parameters = Checks.parameters(name(), parameters);
        this.parameterSteps = new int[this.parameters.size()];
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
                double[] values = p.toArray();
                update(i, parameterSteps[i], values, g.toArray());
                p.copyFrom(Tensor.of(values, p.shape()));
            }
        }
        steps++;
    }

    /**
     * Computes one update of parameter {@code index} in place in {@code values}.
     *
     * @param index  position of the parameter in {@link #parameters()}, to find its state
     * @param t      how many updates this parameter has received, including this one (1 on the first)
     * @param values the parameter's current values (row-major), to be overwritten with the new ones
     * @param grad   a copy of its gradient, which the method may overwrite
     */
    protected abstract void update(int index, int t, double[] values, double[] grad);

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

    /** The class name used in messages, e.g. {@code Sgd}. */
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

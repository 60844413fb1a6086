package dev.chainrule.nn;

import dev.chainrule.autograd.Tensor;

/**
 * softplus(z) = log(1 + e^z), elementwise, computed stably: a smooth ReLU whose derivative is the
 * sigmoid. Use it where an output must be positive and differentiable everywhere, e.g. a predicted
 * standard deviation for {@link dev.chainrule.nn.loss.GaussianNll}. No parameters; shape unchanged.
 */
public final class Softplus extends Module {

    /** Applies {@code softplus} to every element. */
    @Override
    public Tensor forward(Tensor x) {
        java.util.Objects.requireNonNull(x, "Softplus.forward: x is null");
        return x.softplus();
    }
}

package dev.chainrule.nn;

import dev.chainrule.autograd.Tensor;

/**
 * The Heaviside step: 1 where z &gt; 0, else 0, elementwise: the perceptron's hard threshold. Its derivative is 0 everywhere, so no gradient flows through it: use it for prediction, not inside a network trained by gradient descent.
 * No parameters; any shape, unchanged.
 */
public final class Step extends Module {

    /** Applies {@code step} to every element. */
    @Override
    public Tensor forward(Tensor x) {
        java.util.Objects.requireNonNull(x, "Step.forward: x is null");
        return x.step();
    }
}

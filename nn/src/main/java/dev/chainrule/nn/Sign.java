package dev.chainrule.nn;

import dev.chainrule.autograd.Tensor;

/**
 * The sign function sign(z) ∈ {−1, 0, +1}, elementwise: the perceptron's ±1 output. Its derivative is 0 everywhere, so no gradient flows through it: use it for prediction, not inside a network trained by gradient descent.
 * No parameters; any shape, unchanged.
 */
public final class Sign extends Module {

    /** Applies {@code sign} to every element. */
    @Override
    public Tensor forward(Tensor x) {
        java.util.Objects.requireNonNull(x, "Sign.forward: x is null");
        return x.sign();
    }
}

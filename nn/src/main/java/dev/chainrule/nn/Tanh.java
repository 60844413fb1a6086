package dev.chainrule.nn;

import dev.chainrule.autograd.Tensor;

/**
 * The hyperbolic tangent tanh(z) = (1−e^{−2z})/(1+e^{−2z}) = 2σ(2z)−1, elementwise: a zero-centred squashing into (−1, 1), a classic hidden activation (pair with {@link dev.chainrule.nn.init.XavierNormal} or {@link dev.chainrule.nn.init.GlorotUniform}). Derivative 1−tanh².
 * No parameters; any shape, unchanged.
 */
public final class Tanh extends Module {

    /** Applies {@code tanh} to every element. */
    @Override
    public Tensor forward(Tensor x) {
        java.util.Objects.requireNonNull(x, "Tanh.forward: x is null");
        return x.tanh();
    }
}

package dev.chainrule.nn;

import dev.chainrule.autograd.Tensor;

/**
 * The rectified linear unit max(0, z), elementwise: the default hidden activation of deep networks (pair with {@link dev.chainrule.nn.init.HeNormal}). Subgradient: 1 for z &gt; 0, else 0 (relu'(0) = 0).
 * No parameters; any shape, unchanged.
 */
public final class ReLU extends Module {

    /** Applies {@code relu} to every element. */
    @Override
    public Tensor forward(Tensor x) {
        java.util.Objects.requireNonNull(x, "ReLU.forward: x is null");
        return x.relu();
    }
}

package dev.chainrule.nn;

import dev.chainrule.autograd.Tensor;

/**
 * The sigmoid linear unit (swish) silu(z) = z·σ(z), elementwise: a smooth, non-monotonic ReLU used
 * in EfficientNet and LLaMA-style feed-forward blocks. Derivative σ(z)(1 + z(1 − σ(z))).
 * Ramachandran et al., "Searching for Activation Functions" (2017). No parameters; any shape, unchanged.
 */
public final class SiLU extends Module {

    /** Applies {@code silu} to every element. */
    @Override
    public Tensor forward(Tensor x) {
        java.util.Objects.requireNonNull(x, "SiLU.forward: x is null");
        return x.silu();
    }
}

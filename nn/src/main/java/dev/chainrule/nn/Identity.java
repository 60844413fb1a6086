package dev.chainrule.nn;

import dev.chainrule.autograd.Tensor;

/**
 * The identity σ(z) = z: the "activation" of linear regression, and a placeholder where a module is
 * required but nothing should happen. No parameters; returns its input unchanged (the same tensor).
 */
public final class Identity extends Module {

    @Override
    public Tensor forward(Tensor x) {
        java.util.Objects.requireNonNull(x, "Identity.forward: x is null");
        return x;
    }
}

package dev.chainrule.nn;

import dev.chainrule.autograd.Tensor;

/**
 * The logistic sigmoid σ(z) = 1/(1+e^{−z}), elementwise: squashes scores into (0, 1); the output unit of logistic regression and of binary classifiers (pair it with {@link dev.chainrule.nn.loss.BinaryCrossEntropy}, or better feed raw scores to {@link dev.chainrule.nn.loss.BinaryCrossEntropyWithLogits}). Derivative σ(1−σ).
 * No parameters; any shape, unchanged.
 */
public final class Sigmoid extends Module {

    /** Applies {@code sigmoid} to every element. */
    @Override
    public Tensor forward(Tensor x) {
        java.util.Objects.requireNonNull(x, "Sigmoid.forward: x is null");
        return x.sigmoid();
    }
}

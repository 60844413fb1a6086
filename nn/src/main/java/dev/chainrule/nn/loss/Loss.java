package dev.chainrule.nn.loss;

import dev.chainrule.autograd.Tensor;

/**
 * A training objective: a scalar (or, with reduction {@code NONE}, per-sample) tensor computed from
 * a model's prediction and the target, built from ordinary tensor ops so that backward works.
 * Each implementation's Javadoc names the likelihood it is the negative log of. The result has the
 * prediction's dtype (a target of another dtype is converted to it).
 */
@FunctionalInterface
public interface Loss {
    /**
     * @param prediction the model output, batch-first
     * @param target     the target; class-index targets are stored as doubles holding integers
     * @throws IllegalArgumentException if the shapes do not fit, naming the loss and both shapes
     */
    Tensor apply(Tensor prediction, Tensor target);
}

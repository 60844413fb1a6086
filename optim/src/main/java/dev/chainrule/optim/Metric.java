package dev.chainrule.optim;

import dev.chainrule.autograd.Tensor;

/**
 * A quality measure of predictions, reported per epoch by {@link Trainer} next to the loss but not
 * optimized (it need not be differentiable), e.g. {@link Accuracy}.
 *
 * <p>{@link #evaluate} returns the mean of a per-sample score over one batch; the trainer averages
 * the batch values weighted by batch size, which gives the mean over the whole epoch.
 */
public interface Metric {

    /** A short name for logs and {@link History}, e.g. {@code accuracy}. */
    String name();

    /**
     * The mean per-sample score of one batch. Only reads values; builds no graph.
     *
     * @param prediction the model output for the batch (batch-first)
     * @param target     the batch's targets
     * @throws IllegalArgumentException if the shapes do not fit this metric
     */
    double evaluate(Tensor prediction, Tensor target);
}

package dev.chainrule.nn.data;

import dev.chainrule.autograd.Tensor;

/**
 * One mini-batch: inputs {@code x} of shape {@code [b, ...]} and targets {@code y} of shape
 * {@code [b, ...]}, row {@code i} of each belonging to the same sample. The tensors are fresh
 * copies with no graph; they do not require grad.
 *
 * @param x the inputs, batch-first
 * @param y the targets, batch-first
 */
public record Batch(Tensor x, Tensor y) {

    /**
     * A batch of {@code x} and {@code y}.
     *
     * @throws NullPointerException     if either is null
     * @throws IllegalArgumentException if either is a scalar or their first dimensions (the sample counts) differ
     */
    public Batch {
        java.util.Objects.requireNonNull(x, "Batch: x is null");
        java.util.Objects.requireNonNull(y, "Batch: y is null");
        if (x.rank() == 0 || y.rank() == 0 || x.shape()[0] != y.shape()[0]) {
            throw new IllegalArgumentException("Batch: x " + dev.chainrule.autograd.Shape.toString(x.shape()) + " and y "
                + dev.chainrule.autograd.Shape.toString(y.shape()) + " must both be batch-first with the same number of samples"
                + " (first dimension)");
        }
    }

    /** Number of samples in this batch (the first dimension). */
    public int size() {
        return x.shape()[0];
    }
}

package dev.chainrule.nn.data;

import dev.chainrule.autograd.DType;
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

    /**
     * This batch with {@code x} and {@code y} in {@code dtype} ({@code this} when both already are),
     * e.g. {@code batch.to(model.dtype())} before {@code model.forward(batch.x())}.
     *
     * @throws NullPointerException if {@code dtype} is null
     */
    public Batch to(DType dtype) {
        java.util.Objects.requireNonNull(dtype, "Batch.to: dtype is null");
        if (x.dtype() == dtype && y.dtype() == dtype) return this;
        return new Batch(x.to(dtype).detach(), y.to(dtype).detach());
    }

    /** The dtype of the inputs {@code x}. */
    public DType dtype() {
        return x.dtype();
    }
}

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

    /** Number of samples in this batch (the first dimension). */
    public int size() {
        return x.shape()[0];
    }
}

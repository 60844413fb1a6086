package dev.chainrule.nn;

import dev.chainrule.autograd.Tensor;

/**
 * softmax_j(z) = e^{z_j} / Σ_k e^{z_k} along one axis (default the last, the class axis of
 * {@code [N, C]} scores): turns scores into a categorical distribution, e.g. [1.2, 5.1, 2.7] →
 * [0.018, 0.90, 0.08]. Computed stably (shifted by the max). For training, do not put it before a
 * loss: feed raw scores to {@link dev.chainrule.nn.loss.CrossEntropy}, which applies log-softmax
 * itself, more stably. No parameters; shape unchanged.
 */
public final class Softmax extends Module {

    private final int axis;

    /** Softmax over the last axis. */
    public Softmax() {
        this(-1);
    }

    /** Softmax over {@code axis} (negative counts from the end); checked against the input in {@link #forward}. */
    public Softmax(int axis) {
        this.axis = axis;
    }

    /**
     * @throws IllegalArgumentException if the axis is out of range for {@code x}
     */
    @Override
    public Tensor forward(Tensor x) {
        java.util.Objects.requireNonNull(x, "Softmax.forward: x is null");
        return x.softmax(axis);
    }

    /** The axis normalized over, as given (negative counts from the end). */
    public int axis() {
        return axis;
    }

    @Override
    protected String extraRepr() {
        return "axis=" + axis;
    }
}

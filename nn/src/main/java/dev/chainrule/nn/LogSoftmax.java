package dev.chainrule.nn;

import dev.chainrule.autograd.Tensor;

/**
 * log softmax_j(z) = z_j − log Σ_k e^{z_k} along one axis (default the last): log-probabilities of
 * a categorical distribution, computed stably. Use it as the last module of a classifier trained
 * with {@link dev.chainrule.nn.loss.NllLoss} (together they equal
 * {@link dev.chainrule.nn.loss.CrossEntropy} on the raw scores), or to feed
 * {@link dev.chainrule.nn.loss.KlDivergence}. No parameters; shape unchanged.
 */
public final class LogSoftmax extends Module {

    private final int axis;

    /** Over the last axis. */
    public LogSoftmax() {
        this(-1);
    }

    /** Over {@code axis} (negative counts from the end); checked against the input in {@link #forward}. */
    public LogSoftmax(int axis) {
        this.axis = axis;
    }

    /**
     * @throws IllegalArgumentException if the axis is out of range for {@code x}
     */
    @Override
    public Tensor forward(Tensor x) {
        java.util.Objects.requireNonNull(x, "LogSoftmax.forward: x is null");
        return x.logSoftmax(axis);
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

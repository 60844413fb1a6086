package dev.chainrule.nn;

import dev.chainrule.autograd.Shape;
import dev.chainrule.autograd.Tensor;
import java.util.Objects;

/**
 * Flattens dimensions {@code startDim..endDim} (inclusive; negative counts from the end) into one,
 * as PyTorch's {@code nn.Flatten}; the default (1, −1) turns {@code [N, C, H, W]} feature maps into
 * {@code [N, C·H·W]} rows for a {@link Linear} layer. A reshape: the gradient is reshaped back. No
 * parameters.
 */
public final class Flatten extends Module {

    private final int startDim;
    private final int endDim;

    /** Flattens every dimension after the first (batch) one: {@code Flatten(1, -1)}. */
    public Flatten() {
        this(1, -1);
    }

    /** Flattens dimensions {@code startDim} to {@code endDim}, inclusive (negative: from the end). */
    public Flatten(int startDim, int endDim) {
        this.startDim = startDim;
        this.endDim = endDim;
    }

    @Override
    public Tensor forward(Tensor x) {
        Objects.requireNonNull(x, "Flatten.forward: input is null");
        int[] s = x.shape();
        int r = s.length;
        int a = startDim < 0 ? startDim + r : startDim, b = endDim < 0 ? endDim + r : endDim;
        if (a < 0 || a >= r || b < 0 || b >= r || a > b) {
            throw new IllegalArgumentException("Flatten(" + extraRepr() + "): dimensions " + startDim + " to " + endDim
                + " are not a range of input " + Shape.toString(s) + " (rank " + r + ")");
        }
        return x.flatten(a, b);
    }

    @Override
    protected String extraRepr() {
        return "startDim=" + startDim + ", endDim=" + endDim;
    }
}

package dev.chainrule.nn;

import dev.chainrule.autograd.Shape;
import dev.chainrule.autograd.Tensor;
import java.util.Objects;

/**
 * 2-D adaptive average pooling (PyTorch's {@code nn.AdaptiveAvgPool2d}): averages the input down to a
 * fixed {@code outH × outW} whatever its size; output (i, j) is the mean over rows
 * [⌊i·H/outH⌋, ⌈(i+1)·H/outH⌉) and the matching columns. With output 1×1 it is global average pooling,
 * the usual last step before a classifier. No parameters.
 *
 * <p>Shapes: {@code [N, C, H, W] → [N, C, outH, outW]}.
 */
public final class AdaptiveAvgPool2d extends Module {

    private final int outH;
    private final int outW;

    /**
     * A square {@code size × size} output ({@code new AdaptiveAvgPool2d(1)}: global average pooling).
     *
     * @throws IllegalArgumentException if {@code size} is below 1
     */
    public AdaptiveAvgPool2d(int size) {
        this(size, size);
    }

    /**
     * An {@code outH × outW} output.
     *
     * @throws IllegalArgumentException if a size is below 1
     */
    public AdaptiveAvgPool2d(int outH, int outW) {
        if (outH < 1 || outW < 1) {
            throw new IllegalArgumentException("AdaptiveAvgPool2d: output size " + outH + "×" + outW + " must be at least 1×1");
        }
        this.outH = outH;
        this.outW = outW;
    }

    @Override
    public Tensor forward(Tensor x) {
        Objects.requireNonNull(x, "AdaptiveAvgPool2d.forward: input is null");
        if (x.rank() != 4 && x.rank() != 3) {
            throw new IllegalArgumentException("AdaptiveAvgPool2d(" + extraRepr() + "): input " + Shape.toString(x.shape())
                + " must be [N, C, H, W] or [C, H, W]");
        }
        return x.adaptiveAvgPool(outH, outW);
    }

    @Override
    protected String extraRepr() {
        return "output=[" + outH + ", " + outW + "]";
    }
}

package dev.chainrule.nn;

import dev.chainrule.autograd.Shape;
import dev.chainrule.autograd.Tensor;
import java.util.Arrays;
import java.util.Objects;

/** What the max and average pooling layers share: options per spatial axis, their checks and the error wrapping. */
abstract class PoolNd extends Module {

    final int d;
    final int[] kernel;
    final int[] stride;
    final int[] padding;
    final int[] dilation;

    /** Every option checked for null first, then for range; average pooling passes dilation {1}. */
    PoolNd(int d, int[] kernel, int[] stride, int[] padding, int[] dilation) {
        String who = getClass().getSimpleName();
        Objects.requireNonNull(kernel, who + ": kernel size is null");
        Objects.requireNonNull(stride, who + ": stride is null; pass the kernel size for PyTorch's default");
        Objects.requireNonNull(padding, who + ": padding is null");
        Objects.requireNonNull(dilation, who + ": dilation is null");
        this.d = d;
        this.kernel = axes("kernel size", kernel, 1);
        this.stride = axes("stride", stride, 1);
        this.padding = axes("padding", padding, 0);
        this.dilation = axes("dilation", dilation, 1);
        for (int i = 0; i < d; i++) {
            if (this.padding[i] > this.kernel[i] / 2) {
                throw new IllegalArgumentException(getClass().getSimpleName() + ": padding " + Arrays.toString(this.padding)
                    + " must be at most half the kernel size " + Arrays.toString(this.kernel));
            }
        }
    }

    final int[] axes(String what, int[] v, int min) {
        Objects.requireNonNull(v, getClass().getSimpleName() + ": " + what + " is null");
        if (v.length != 1 && v.length != d) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": " + what + " " + Arrays.toString(v) + " must have 1 or "
                + d + " entries");
        }
        int[] out = new int[d];
        for (int i = 0; i < d; i++) {
            out[i] = v.length == 1 ? v[0] : v[i];
            if (out[i] < min) {
                throw new IllegalArgumentException(getClass().getSimpleName() + ": " + what + " " + Arrays.toString(v) + " must be at least " + min);
            }
        }
        return out;
    }

    /** The pooling op on a checked input. */
    abstract Tensor pool(Tensor x);

    @Override
    public final Tensor forward(Tensor x) {
        Objects.requireNonNull(x, getClass().getSimpleName() + ".forward: input is null");
        if (x.rank() != d + 2 && x.rank() != d + 1) {
            throw new IllegalArgumentException(getClass().getSimpleName() + "(" + extraRepr() + "): input " + Shape.toString(x.shape())
                + " must be " + (d == 1 ? "[N, C, L] or [C, L]" : "[N, C, H, W] or [C, H, W]"));
        }
        try {
            return pool(x);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(getClass().getSimpleName() + "(" + extraRepr() + "): " + e.getMessage(), e);
        }
    }

    /** The kernel size per spatial axis (a copy). */
    public int[] kernelSize() {
        return kernel.clone();
    }

    /** The stride per spatial axis (a copy). */
    public int[] stride() {
        return stride.clone();
    }

    /** The padding per spatial axis (a copy). */
    public int[] padding() {
        return padding.clone();
    }

    @Override
    protected String extraRepr() {
        return "kernel=" + Arrays.toString(kernel) + ", stride=" + Arrays.toString(stride) + ", padding=" + Arrays.toString(padding);
    }
}

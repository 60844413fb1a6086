package dev.chainrule.nn;

import dev.chainrule.autograd.Tensor;
import java.util.Arrays;

/**
 * 2-D max pooling (PyTorch's {@code nn.MaxPool2d}): the largest value of each {@code kH × kW} window,
 * slid with a stride (default: the kernel size) over zero or more padded positions, which count as
 * −∞. Gradient: to the first maximum of each window, as PyTorch. Shrinks the feature maps and makes
 * them a little translation invariant. No parameters.
 *
 * <p>Shapes: {@code [N, C, H, W] → [N, C, H', W']} with H' = ⌊(H + 2p − d(kH − 1) − 1)/s⌋ + 1.
 *
 * <pre>{@code new MaxPool2d(2)   // 28×28 → 14×14}</pre>
 */
public final class MaxPool2d extends PoolNd {

    /**
     * Square windows of {@code kernel}, stride {@code kernel}, no padding.
     *
     * @throws IllegalArgumentException if {@code kernel} is below 1
     */
    public MaxPool2d(int kernel) {
        this(new int[] {kernel}, new int[] {kernel}, new int[] {0}, new int[] {1});
    }

    /**
     * Square windows with the given stride and padding (at most kernel/2).
     *
     * @throws IllegalArgumentException if a size is out of range
     */
    public MaxPool2d(int kernel, int stride, int padding) {
        this(new int[] {kernel}, new int[] {stride}, new int[] {padding}, new int[] {1});
    }

    /**
     * Windows of {@code kernel} (one size or (kH, kW)), {@code stride} (PyTorch's default: the kernel size), {@code padding}
     * (at most half the kernel) and {@code dilation}, each one value or one per axis.
     *
     * @throws IllegalArgumentException if an option is out of range
     */
    public MaxPool2d(int[] kernel, int[] stride, int[] padding, int[] dilation) {
        super(2, kernel, stride, padding, dilation);
    }

    @Override
    Tensor pool(Tensor x) {
        return x.maxPool(kernel, stride, padding, dilation);
    }

    /** The dilation per spatial axis (a copy). */
    public int[] dilation() {
        return dilation.clone();
    }

    @Override
    protected String extraRepr() {
        return super.extraRepr() + (Arrays.stream(dilation).allMatch(v -> v == 1) ? "" : ", dilation=" + Arrays.toString(dilation));
    }
}

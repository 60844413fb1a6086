package dev.chainrule.nn;

import dev.chainrule.autograd.Tensor;

/**
 * 2-D average pooling (PyTorch's {@code nn.AvgPool2d}): the mean of each {@code kH × kW} window, slid
 * with a stride (default: the kernel size) over optionally zero-padded input. With
 * {@code countIncludePad} (PyTorch's default) padded zeros count in the divisor (always kH·kW); without,
 * only the real elements do. Gradient: each output's gradient divided by its divisor and spread over its
 * window. No parameters.
 *
 * <p>Shapes: {@code [N, C, H, W] → [N, C, H', W']} with H' = ⌊(H + 2p − kH)/s⌋ + 1.
 */
public final class AvgPool2d extends PoolNd {

    private final boolean countIncludePad;

    /**
     * Square windows of {@code kernel}, stride {@code kernel}, no padding.
     *
     * @throws IllegalArgumentException if {@code kernel} is below 1
     */
    public AvgPool2d(int kernel) {
        this(new int[] {kernel}, new int[] {kernel}, new int[] {0}, true);
    }

    /**
     * Square windows with the given stride and padding (at most kernel/2), padding counted in the divisor.
     *
     * @throws IllegalArgumentException if a size is out of range
     */
    public AvgPool2d(int kernel, int stride, int padding) {
        this(new int[] {kernel}, new int[] {stride}, new int[] {padding}, true);
    }

    /**
     * Windows of {@code kernel} (one size or (kH, kW)), {@code stride} (PyTorch's default: the kernel size) and {@code padding}
     * (at most half the kernel), each one value or one per axis.
     *
     * @throws IllegalArgumentException if an option is out of range
     */
    public AvgPool2d(int[] kernel, int[] stride, int[] padding, boolean countIncludePad) {
        super(2, kernel, stride, padding, new int[] {1});
        this.countIncludePad = countIncludePad;
    }

    @Override
    Tensor pool(Tensor x) {
        return x.avgPool(kernel, stride, padding, countIncludePad);
    }

    /** Whether padded zeros count in the divisor. */
    public boolean countIncludePad() {
        return countIncludePad;
    }

    @Override
    protected String extraRepr() {
        return super.extraRepr() + (countIncludePad ? "" : ", countIncludePad=false");
    }
}

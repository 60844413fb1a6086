package dev.chainrule.nn;

import dev.chainrule.autograd.Tensor;

/**
 * 1-D average pooling (PyTorch's {@code nn.AvgPool1d}): the mean of each window of {@code k} positions,
 * slid with a stride (default: the kernel size) over optionally zero-padded input; with
 * {@code countIncludePad} (the default) padded zeros count in the divisor. No parameters.
 *
 * <p>Shapes: {@code [N, C, L] → [N, C, L']} with L' = ⌊(L + 2p − k)/s⌋ + 1.
 */
public final class AvgPool1d extends PoolNd {

    private final boolean countIncludePad;

    /**
     * Windows of {@code kernel} positions, stride {@code kernel}, no padding.
     *
     * @throws IllegalArgumentException if {@code kernel} is below 1
     */
    public AvgPool1d(int kernel) {
        this(new int[] {kernel}, new int[] {kernel}, new int[] {0}, true);
    }

    /**
     * Windows of {@code kernel} positions with the given stride and padding (at most kernel/2), padding counted in the divisor.
     *
     * @throws IllegalArgumentException if a size is out of range
     */
    public AvgPool1d(int kernel, int stride, int padding) {
        this(new int[] {kernel}, new int[] {stride}, new int[] {padding}, true);
    }

    /**
     * Windows of {@code kernel}, {@code stride} (PyTorch's default: the kernel size) and {@code padding}
     * (at most half the kernel), each a one-element array.
     *
     * @throws IllegalArgumentException if an option is out of range
     */
    public AvgPool1d(int[] kernel, int[] stride, int[] padding, boolean countIncludePad) {
        super(1, kernel, stride, padding, new int[] {1});
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

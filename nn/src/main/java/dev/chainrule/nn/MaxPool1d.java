package dev.chainrule.nn;

import dev.chainrule.autograd.Tensor;
import java.util.Arrays;

/**
 * 1-D max pooling (PyTorch's {@code nn.MaxPool1d}): the largest value of each window of {@code k}
 * positions along the length, slid with a stride (default: the kernel size); padding counts as −∞.
 * Gradient: to the first maximum of each window, as PyTorch. No parameters.
 *
 * <p>Shapes: {@code [N, C, L] → [N, C, L']} with L' = ⌊(L + 2p − d(k − 1) − 1)/s⌋ + 1.
 */
public final class MaxPool1d extends PoolNd {

    /**
     * Windows of {@code kernel} positions, stride {@code kernel}, no padding.
     *
     * @throws IllegalArgumentException if {@code kernel} is below 1
     */
    public MaxPool1d(int kernel) {
        this(new int[] {kernel}, new int[] {kernel}, new int[] {0}, new int[] {1});
    }

    /**
     * Windows of {@code kernel} positions with the given stride and padding (at most kernel/2).
     *
     * @throws IllegalArgumentException if a size is out of range
     */
    public MaxPool1d(int kernel, int stride, int padding) {
        this(new int[] {kernel}, new int[] {stride}, new int[] {padding}, new int[] {1});
    }

    /**
     * Windows of {@code kernel}, {@code stride} (PyTorch's default: the kernel size), {@code padding}
     * (at most half the kernel) and {@code dilation}, each a one-element array.
     *
     * @throws IllegalArgumentException if an option is out of range
     */
    public MaxPool1d(int[] kernel, int[] stride, int[] padding, int[] dilation) {
        super(1, kernel, stride, padding, dilation);
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

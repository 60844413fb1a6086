package dev.chainrule.nn;

import dev.chainrule.autograd.Tensor;
import java.util.random.RandomGenerator;

/**
 * A 2-D convolution layer (PyTorch's {@code nn.Conv2d}): each output channel is a learned filter
 * slid over the input image, {@code y[n, o] = b[o] + Σ_c w[o, c] ⋆ x[n, c]} (⋆ = cross-correlation,
 * with stride, zero padding, dilation and channel groups), computed by {@link Tensor#conv}
 * (im2col + GEMM; the gradients are the transposed and weight-gradient convolutions).
 *
 * <p>Shapes: input {@code [N, in, H, W]} (or {@code [in, H, W]}), weight {@code [out, in/groups, kH, kW]},
 * bias {@code [out]}, output {@code [N, out, H', W']} with H' = ⌊(H + 2p − d(kH − 1) − 1)/s⌋ + 1 (likewise W').
 * Default initialization as PyTorch: weight and bias U(±1/√fan_in), fan_in = in/groups·kH·kW.
 *
 * <pre>{@code
 * Conv2d conv = new Conv2d(1, 32, 3, 1, 1, rng);          // 3×3, stride 1, padding 1: 28×28 stays 28×28
 * Conv2d dw = Conv2d.builder(32, 32, 3).padding(1).groups(32).bias(false).build(rng);   // depthwise
 * }</pre>
 */
public final class Conv2d extends ConvNd {

    /**
     * A square {@code kernel × kernel} convolution with stride 1, no padding and a bias.
     *
     * @throws IllegalArgumentException if a size is below 1
     * @throws NullPointerException if {@code rng} is null
     */
    public Conv2d(int in, int out, int kernel, RandomGenerator rng) {
        this(builder(in, out, kernel), rng);
    }

    /**
     * A square {@code kernel × kernel} convolution with the given stride and padding, and a bias.
     *
     * @throws IllegalArgumentException if a size is out of range
     * @throws NullPointerException if {@code rng} is null
     */
    public Conv2d(int in, int out, int kernel, int stride, int padding, RandomGenerator rng) {
        this(builder(in, out, kernel).stride(stride).padding(padding), rng);
    }

    private Conv2d(Builder b, RandomGenerator rng) {
        super(2, b, rng);
    }

    /** Options for a convolution of {@code in} to {@code out} channels with a {@code kernel} of one size or (kH, kW). */
    public static Builder builder(int in, int out, int... kernel) {
        return new Builder(in, out, kernel);
    }

    /** Collects the options of a {@link Conv2d}; {@link #build} validates them. */
    public static final class Builder extends ConvNd.Options<Builder> {
        private Builder(int in, int out, int[] kernel) {
            super("Conv2d", in, out, kernel);
        }

        @Override
        Builder self() {
            return this;
        }

        /**
         * The layer, its parameters drawn from {@code rng}.
         *
         * @throws IllegalArgumentException if an option is out of range
         * @throws NullPointerException if {@code rng} is null
         */
        public Conv2d build(RandomGenerator rng) {
            return new Conv2d(this, rng);
        }
    }
}

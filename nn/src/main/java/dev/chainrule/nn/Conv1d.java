package dev.chainrule.nn;

import dev.chainrule.autograd.Tensor;
import java.util.random.RandomGenerator;

/**
 * A 1-D convolution layer (PyTorch's {@code nn.Conv1d}) over sequences: {@code y[n, o] = b[o] + Σ_c w[o, c] ⋆ x[n, c]}
 * (⋆ = cross-correlation along the length, with stride, zero padding, dilation and channel groups), computed by
 * {@link Tensor#conv}.
 *
 * <p>Shapes: input {@code [N, in, L]} (or {@code [in, L]}), weight {@code [out, in/groups, k]}, bias {@code [out]},
 * output {@code [N, out, L']} with L' = ⌊(L + 2p − d(k − 1) − 1)/s⌋ + 1. Default initialization as PyTorch:
 * weight and bias U(±1/√fan_in), fan_in = in/groups·k.
 *
 * <pre>{@code
 * Conv1d conv = new Conv1d(8, 16, 5, 1, 2, rng);          // kernel 5, padding 2: length preserved
 * }</pre>
 */
public final class Conv1d extends ConvNd {

    /**
     * A convolution with kernel size {@code kernel}, with stride 1, no padding and a bias.
     *
     * @throws IllegalArgumentException if a size is below 1
     * @throws NullPointerException if {@code rng} is null
     */
    public Conv1d(int in, int out, int kernel, RandomGenerator rng) {
        this(builder(in, out, kernel), rng);
    }

    /**
     * A convolution with kernel size {@code kernel}, with the given stride and padding, and a bias.
     *
     * @throws IllegalArgumentException if a size is out of range
     * @throws NullPointerException if {@code rng} is null
     */
    public Conv1d(int in, int out, int kernel, int stride, int padding, RandomGenerator rng) {
        this(builder(in, out, kernel).stride(stride).padding(padding), rng);
    }

    private Conv1d(Builder b, RandomGenerator rng) {
        super(1, b, rng);
    }

    /** Options for a convolution of {@code in} to {@code out} channels with kernel size {@code kernel}. */
    public static Builder builder(int in, int out, int... kernel) {
        return new Builder(in, out, kernel);
    }

    /** Collects the options of a {@link Conv1d}; {@link #build} validates them. */
    public static final class Builder extends ConvNd.Options<Builder> {
        private Builder(int in, int out, int[] kernel) {
            super("Conv1d", in, out, kernel);
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
        public Conv1d build(RandomGenerator rng) {
            return new Conv1d(this, rng);
        }
    }
}

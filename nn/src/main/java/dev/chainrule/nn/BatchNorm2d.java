package dev.chainrule.nn;

/**
 * Batch normalization of image feature maps (PyTorch's {@code nn.BatchNorm2d}): each channel is
 * standardized over the batch and both spatial axes, then scaled and shifted by learned γ, β:
 * {@code y = (x − μ_c) / √(σ²_c + ε) · γ_c + β_c}. In training μ and σ² (biased) come from the batch,
 * and the running statistics are updated as PyTorch does, {@code r ← (1 − momentum)·r + momentum·stat}
 * with the unbiased variance (m/(m − 1)·σ², m = N·H·W); in {@link #eval()} the running statistics are
 * used instead, so the output no longer depends on the rest of the batch. Speeds up and stabilizes
 * training of convolutional networks (Ioffe and Szegedy, 2015).
 *
 * <p>Shapes: {@code [N, C, H, W]}, unchanged. Parameters {@code weight} (γ) and {@code bias} (β), {@code [C]}.
 *
 * <pre>{@code
 * new BatchNorm2d(32);                                               // eps 1e-5, momentum 0.1, affine
 * BatchNorm2d.builder(32).momentum(0.01).affine(false).build();
 * }</pre>
 */
public final class BatchNorm2d extends BatchNormNd {

    /**
     * PyTorch's defaults: eps 1e-5, momentum 0.1, affine, with running statistics.
     *
     * @throws IllegalArgumentException if {@code numFeatures} is below 1
     */
    public BatchNorm2d(int numFeatures) {
        this(builder(numFeatures));
    }

    private BatchNorm2d(Builder b) {
        super(b);
    }

    /** Options for {@code numFeatures} channels. */
    public static Builder builder(int numFeatures) {
        return new Builder(numFeatures);
    }

    @Override
    boolean acceptsRank(int r) {
        return r == 4;
    }

    @Override
    String expected(int c) {
        return "[N, " + c + ", H, W]";
    }

    /** Collects the options of a {@link BatchNorm2d}; {@link #build} validates them. */
    public static final class Builder extends BatchNormNd.Options<Builder> {
        private Builder(int features) {
            super(features);
        }

        @Override
        Builder self() {
            return this;
        }

        /**
         * The layer.
         *
         * @throws IllegalArgumentException if an option is out of range
         */
        public BatchNorm2d build() {
            return new BatchNorm2d(this);
        }
    }
}

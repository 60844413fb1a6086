package dev.chainrule.nn;

/**
 * Batch normalization of features or sequences (PyTorch's {@code nn.BatchNorm1d}): each channel is
 * standardized over the batch (and the length, for {@code [N, C, L]}), then scaled and shifted by
 * learned γ, β: {@code y = (x − μ_c) / √(σ²_c + ε) · γ_c + β_c}. In training μ and σ² (biased) come from
 * the batch and the running statistics are updated as PyTorch does ({@code r ← (1 − momentum)·r +
 * momentum·stat}, unbiased variance); in {@link #eval()} the running statistics are used.
 *
 * <p>Shapes: {@code [N, C]} or {@code [N, C, L]}, unchanged. Parameters {@code weight} (γ) and
 * {@code bias} (β), {@code [C]}.
 *
 * <pre>{@code new BatchNorm1d(128)   // after a Linear(…, 128)}</pre>
 */
public final class BatchNorm1d extends BatchNormNd {

    /**
     * PyTorch's defaults: eps 1e-5, momentum 0.1, affine, with running statistics.
     *
     * @throws IllegalArgumentException if {@code numFeatures} is below 1
     */
    public BatchNorm1d(int numFeatures) {
        this(builder(numFeatures));
    }

    private BatchNorm1d(Builder b) {
        super(b);
    }

    /** Options for {@code numFeatures} channels. */
    public static Builder builder(int numFeatures) {
        return new Builder(numFeatures);
    }

    @Override
    boolean acceptsRank(int r) {
        return r == 2 || r == 3;
    }

    @Override
    String expected(int c) {
        return "[N, " + c + "] or [N, " + c + ", L]";
    }

    /** Collects the options of a {@link BatchNorm1d}; {@link #build} validates them. */
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
        public BatchNorm1d build() {
            return new BatchNorm1d(this);
        }
    }
}

package dev.chainrule.nn;

import dev.chainrule.autograd.Tensor;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * A gated recurrent unit network over sequences (PyTorch's {@code nn.GRU} with
 * {@code batch_first=True}): each layer runs the {@link GRUCell} equations (gates r, z, n in PyTorch's
 * order, {@code n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))}) along the sequence. Shapes,
 * parameter names and options as in {@link RecurrentLayer} (G = 3 gate blocks).
 *
 * <p>{@link #forward(Tensor)} returns the output sequence (for {@link Sequential});
 * {@link #forward(Tensor, Tensor)} takes an initial state and returns an {@link Output}.
 *
 * <pre>{@code
 * GRU gru = GRU.builder(8, 16).bidirectional(true).build(rng);
 * GRU.Output o = gru.forward(x, h0);          // o.output() [B, T, 32], o.hidden() [2, B, 16]
 * }</pre>
 */
public final class GRU extends RecurrentLayer {

    /**
     * The output sequence and the final state.
     *
     * @param output {@code [B, T, D·H]}: the last layer's h at every step
     * @param hidden {@code [L·D, B, H]}: every layer's and direction's h after its last step
     */
    public record Output(Tensor output, Tensor hidden) {
        /**
         * @throws NullPointerException if a tensor is null
         */
        public Output {
            Objects.requireNonNull(output, "GRU.Output: output is null");
            Objects.requireNonNull(hidden, "GRU.Output: hidden is null");
        }
    }

    private GRU(Builder b, RandomGenerator rng) {
        super(Recurrence.Kind.GRU, b, rng);
    }

    /**
     * One layer with biases (PyTorch's defaults).
     *
     * @throws IllegalArgumentException if a size is below 1
     * @throws NullPointerException     if {@code rng} is null
     */
    public GRU(int inputSize, int hiddenSize, RandomGenerator rng) {
        this(builder(inputSize, hiddenSize), rng);
    }

    /** A builder for {@code inputSize → hiddenSize}; finish with {@link Builder#build(RandomGenerator)}. */
    public static Builder builder(int inputSize, int hiddenSize) {
        return new Builder(inputSize, hiddenSize);
    }

    /**
     * The output sequence from zero initial states.
     *
     * @param x {@code [B, T, in]} or {@code [T, in]}
     * @return {@code [B, T, D·H]} (or {@code [T, D·H]})
     * @throws IllegalArgumentException if the shape does not fit
     */
    @Override
    public Tensor forward(Tensor x) {
        return run(x, null, null).output();
    }

    /**
     * The output sequence and the final state.
     *
     * @param x  {@code [B, T, in]} or {@code [T, in]}
     * @param h0 {@code [L·D, B, H]} (or {@code [L·D, H]}), or null for zeros
     * @throws IllegalArgumentException if a shape does not fit
     */
    public Output forward(Tensor x, Tensor h0) {
        Run r = run(x, h0, null);
        return new Output(r.output(), r.h());
    }

    /** Options of a {@link GRU}, see {@link RecurrentLayer.Builder}. */
    public static final class Builder extends RecurrentLayer.Builder<Builder> {
        private Builder(int inputSize, int hiddenSize) {
            super(inputSize, hiddenSize);
        }

        @Override
        Builder self() {
            return this;
        }

        /**
         * The layer, initialized from {@code rng}.
         *
         * @throws IllegalArgumentException if a size or the layer count is below 1 or dropout is not in [0, 1)
         * @throws NullPointerException     if {@code rng} is null
         */
        public GRU build(RandomGenerator rng) {
            return new GRU(this, rng);
        }
    }
}

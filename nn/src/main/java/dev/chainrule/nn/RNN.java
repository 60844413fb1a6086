package dev.chainrule.nn;

import dev.chainrule.autograd.Tensor;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * An Elman recurrent network over sequences (PyTorch's {@code nn.RNN} with {@code batch_first=True}):
 * for each layer and time step {@code h_t = act(x_t·W_ihᵀ + b_ih + h_{t−1}·W_hhᵀ + b_hh)},
 * act = tanh (default) or ReLU. Shapes, parameter names and options as in {@link RecurrentLayer}.
 *
 * <p>Two forwards: {@link #forward(Tensor)} returns the output sequence only (so the layer fits in a
 * {@link Sequential}); {@link #forward(Tensor, Tensor)} takes an initial state and returns an
 * {@link Output} with the output sequence and the final state.
 *
 * <pre>{@code
 * RNN rnn = RNN.builder(8, 16).numLayers(2).build(rng);
 * RNN.Output o = rnn.forward(x, null);        // x [B, T, 8]: o.output() [B, T, 16], o.hidden() [2, B, 16]
 * }</pre>
 */
public final class RNN extends RecurrentLayer {

    /** The activation of an Elman cell. */
    public enum Nonlinearity {
        /** tanh, the default. */
        TANH,
        /** max(0, z). */
        RELU
    }

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
            Objects.requireNonNull(output, "RNN.Output: output is null");
            Objects.requireNonNull(hidden, "RNN.Output: hidden is null");
        }
    }

    private RNN(Builder b, RandomGenerator rng) {
        super(kind(b.nonlinearity, "RNN"), b, rng);
    }

    static Recurrence.Kind kind(Nonlinearity n, String who) {
        Objects.requireNonNull(n, who + ": nonlinearity is null");
        return n == Nonlinearity.RELU ? Recurrence.Kind.RNN_RELU : Recurrence.Kind.RNN_TANH;
    }

    /**
     * One tanh layer with biases (PyTorch's defaults).
     *
     * @throws IllegalArgumentException if a size is below 1
     * @throws NullPointerException     if {@code rng} is null
     */
    public RNN(int inputSize, int hiddenSize, RandomGenerator rng) {
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

    /** tanh or ReLU. */
    public Nonlinearity nonlinearity() {
        return kind == Recurrence.Kind.RNN_RELU ? Nonlinearity.RELU : Nonlinearity.TANH;
    }

    @Override
    protected String extraRepr() {
        return super.extraRepr() + (kind == Recurrence.Kind.RNN_RELU ? ", relu" : "");
    }

    /** Options of an {@link RNN}: those of {@link RecurrentLayer.Builder} and the nonlinearity. */
    public static final class Builder extends RecurrentLayer.Builder<Builder> {
        private Nonlinearity nonlinearity = Nonlinearity.TANH;

        private Builder(int inputSize, int hiddenSize) {
            super(inputSize, hiddenSize);
        }

        @Override
        Builder self() {
            return this;
        }

        /** tanh (default) or ReLU. */
        public Builder nonlinearity(Nonlinearity nonlinearity) {
            this.nonlinearity = Objects.requireNonNull(nonlinearity, "RNN.Builder: nonlinearity is null");
            return this;
        }

        /**
         * The layer, initialized from {@code rng}.
         *
         * @throws IllegalArgumentException if a size or the layer count is below 1 or dropout is not in [0, 1)
         * @throws NullPointerException     if {@code rng} is null
         */
        public RNN build(RandomGenerator rng) {
            return new RNN(this, rng);
        }
    }
}

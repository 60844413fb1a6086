package dev.chainrule.nn;

import dev.chainrule.autograd.Tensor;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * A long short-term memory network over sequences (PyTorch's {@code nn.LSTM} with
 * {@code batch_first=True}): each layer runs the {@link LSTMCell} equations (gates i, f, g, o in
 * PyTorch's order) along the sequence. Shapes, parameter names and options as in
 * {@link RecurrentLayer} (G = 4 gate blocks); the state is a pair {@link State} (h, c).
 *
 * <p>Two forwards, so that the layer both fits in a {@link Sequential} and carries state:
 * {@link #forward(Tensor)} returns the output sequence only; {@link #forward(Tensor, State)} takes an
 * initial state (null for zeros) and returns an {@link Output} with the output sequence and the final
 * state, e.g. to continue a sequence chunk by chunk (truncated backpropagation through time: pass
 * {@code state.detach()} on) or to sample one step at a time.
 *
 * <pre>{@code
 * LSTM lstm = LSTM.builder(32, 128).numLayers(2).build(rng);
 * LSTM.Output o = lstm.forward(x, null);      // x [B, T, 32]: o.output() [B, T, 128]
 * LSTM.Output next = lstm.forward(x2, o.state().detach());
 * }</pre>
 */
public final class LSTM extends RecurrentLayer {

    /**
     * An LSTM state: hidden h and cell c, each {@code [L·D, B, H]} for the layer (PyTorch's
     * {@code (h_n, c_n)}) or {@code [B, H]} for an {@link LSTMCell}; a dimension less when unbatched.
     *
     * @param h hidden state (the output of the step)
     * @param c cell state
     */
    public record State(Tensor h, Tensor c) {
        /**
         * @throws NullPointerException if h or c is null
         */
        public State {
            Objects.requireNonNull(h, "LSTM.State: h is null");
            Objects.requireNonNull(c, "LSTM.State: c is null");
        }

        /** The same values cut from the graph, to carry a state across training chunks. */
        public State detach() {
            return new State(h.detach(), c.detach());
        }
    }

    /**
     * The output sequence and the final state.
     *
     * @param output {@code [B, T, D·H]}: the last layer's h at every step
     * @param state  (h_n, c_n), each {@code [L·D, B, H]}
     */
    public record Output(Tensor output, State state) {
        /**
         * @throws NullPointerException if output or state is null
         */
        public Output {
            Objects.requireNonNull(output, "LSTM.Output: output is null");
            Objects.requireNonNull(state, "LSTM.Output: state is null");
        }
    }

    private LSTM(Builder b, RandomGenerator rng) {
        super(Recurrence.Kind.LSTM, b, rng);
    }

    /**
     * One layer with biases (PyTorch's defaults).
     *
     * @throws IllegalArgumentException if a size is below 1
     * @throws NullPointerException     if {@code rng} is null
     */
    public LSTM(int inputSize, int hiddenSize, RandomGenerator rng) {
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
     * @param x     {@code [B, T, in]} or {@code [T, in]}
     * @param state (h_0, c_0), each {@code [L·D, B, H]} (or {@code [L·D, H]}), or null for zeros
     * @throws IllegalArgumentException if a shape does not fit
     */
    public Output forward(Tensor x, State state) {
        Run r = run(x, state == null ? null : state.h(), state == null ? null : state.c());
        return new Output(r.output(), new State(r.h(), r.c()));
    }

    /** Options of an {@link LSTM}, see {@link RecurrentLayer.Builder}. */
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
        public LSTM build(RandomGenerator rng) {
            return new LSTM(this, rng);
        }
    }
}

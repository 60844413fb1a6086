package dev.chainrule.nn;

import dev.chainrule.autograd.Tensor;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * One step of a long short-term memory cell (PyTorch's {@code nn.LSTMCell}; Hochreiter and
 * Schmidhuber, 1997), gates in PyTorch's order i, f, g, o:
 * <pre>
 * i, f, g, o = chunks of x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh
 * c' = σ(f) ⊙ c + σ(i) ⊙ tanh(g)
 * h' = σ(o) ⊙ tanh(c')
 * </pre>
 * Shapes: input {@code [B, in]}, states h and c {@code [B, H]} (unbatched: {@code [in]}, {@code [H]}).
 * Parameters {@code weight_ih [4H, in]}, {@code weight_hh [4H, H]}, {@code bias_ih [4H]},
 * {@code bias_hh [4H]}, U(−1/√H, 1/√H). The state travels as an {@link LSTM.State} (h, c).
 * For sequences use {@link LSTM}.
 *
 * <pre>{@code
 * LSTM.State s = null;                                   // zeros
 * for (Tensor xt : steps) s = cell.forward(xt, s);       // s.h(), s.c()
 * }</pre>
 */
public final class LSTMCell extends RecurrentCell {

    /**
     * A cell with biases.
     *
     * @throws IllegalArgumentException if a size is below 1
     * @throws NullPointerException     if {@code rng} is null
     */
    public LSTMCell(int inputSize, int hiddenSize, RandomGenerator rng) {
        this(inputSize, hiddenSize, true, rng);
    }

    /**
     * @throws IllegalArgumentException if a size is below 1
     * @throws NullPointerException     if {@code rng} is null
     */
    public LSTMCell(int inputSize, int hiddenSize, boolean bias, RandomGenerator rng) {
        super(Recurrence.Kind.LSTM, inputSize, hiddenSize, bias, rng);
    }

    /** {@code h'} from a zero state (so the cell fits in a {@link Sequential}); {@link #forward(Tensor, LSTM.State)} returns c' too. */
    @Override
    public Tensor forward(Tensor x) {
        return forward(x, null).h();
    }

    /**
     * One step.
     *
     * @param x     input {@code [B, in]} or {@code [in]}
     * @param state (h, c), each {@code [B, H]} or {@code [H]}; null for zeros
     * @return (h', c'), shaped like the state
     * @throws IllegalArgumentException if a shape does not fit
     */
    public LSTM.State forward(Tensor x, LSTM.State state) {
        boolean unbatched = Objects.requireNonNull(x, "LSTMCell.forward: input is null").rank() == 1;
        Tensor xb = batched(x);
        int b = xb.shape()[0];
        Tensor[] s = step(xb, state("h", state == null ? null : state.h(), b, unbatched),
            state("c", state == null ? null : state.c(), b, unbatched));
        return unbatched ? new LSTM.State(s[0].squeeze(0), s[1].squeeze(0)) : new LSTM.State(s[0], s[1]);
    }
}

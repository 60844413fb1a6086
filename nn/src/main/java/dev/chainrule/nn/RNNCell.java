package dev.chainrule.nn;

import dev.chainrule.autograd.Tensor;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * One step of an Elman recurrent network (PyTorch's {@code nn.RNNCell}):
 * {@code h' = act(x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh)}, act = tanh (default) or ReLU.
 *
 * <p>Shapes: input {@code [B, in]}, state {@code [B, H]} (unbatched: {@code [in]} and {@code [H]}).
 * Parameters {@code weight_ih [H, in]}, {@code weight_hh [H, H]}, {@code bias_ih [H]},
 * {@code bias_hh [H]}, all U(−1/√H, 1/√H) as PyTorch. For whole sequences use {@link RNN}, which
 * projects every time step's input in one GEMM.
 */
public final class RNNCell extends RecurrentCell {

    /**
     * A tanh cell with biases.
     *
     * @throws IllegalArgumentException if a size is below 1
     * @throws NullPointerException     if {@code rng} is null
     */
    public RNNCell(int inputSize, int hiddenSize, RandomGenerator rng) {
        this(inputSize, hiddenSize, true, RNN.Nonlinearity.TANH, rng);
    }

    /**
     * @throws IllegalArgumentException if a size is below 1
     * @throws NullPointerException     if {@code nonlinearity} or {@code rng} is null
     */
    public RNNCell(int inputSize, int hiddenSize, boolean bias, RNN.Nonlinearity nonlinearity, RandomGenerator rng) {
        super(RNN.kind(nonlinearity, "RNNCell"), inputSize, hiddenSize, bias, rng);
    }

    /** {@code h'} from a zero state. */
    @Override
    public Tensor forward(Tensor x) {
        return forward(x, null);
    }

    /**
     * {@code h' = act(x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh)}.
     *
     * @param x input {@code [B, in]} or {@code [in]}
     * @param h state {@code [B, H]} or {@code [H]}; null for zeros
     * @return {@code h'}, shaped like {@code h}
     * @throws IllegalArgumentException if a shape does not fit
     */
    public Tensor forward(Tensor x, Tensor h) {
        boolean unbatched = Objects.requireNonNull(x, "RNNCell.forward: input is null").rank() == 1;
        Tensor xb = batched(x);
        Tensor out = step(xb, state("h", h, xb.shape()[0], unbatched), null)[0];
        return unbatched ? out.squeeze(0) : out;
    }

    /** tanh or ReLU. */
    public RNN.Nonlinearity nonlinearity() {
        return kind == Recurrence.Kind.RNN_RELU ? RNN.Nonlinearity.RELU : RNN.Nonlinearity.TANH;
    }

    @Override
    protected String extraRepr() {
        return super.extraRepr() + (kind == Recurrence.Kind.RNN_RELU ? ", relu" : "");
    }
}

package dev.chainrule.nn;

import dev.chainrule.autograd.Tensor;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * One step of a gated recurrent unit (PyTorch's {@code nn.GRUCell}; Cho et al., 2014), gates in
 * PyTorch's order r, z, n:
 * <pre>
 * r = σ(W_ir x + b_ir + W_hr h + b_hr)
 * z = σ(W_iz x + b_iz + W_hz h + b_hz)
 * n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))
 * h' = (1 − z) ⊙ n + z ⊙ h
 * </pre>
 * Shapes: input {@code [B, in]}, state {@code [B, H]} (unbatched: {@code [in]}, {@code [H]}).
 * Parameters {@code weight_ih [3H, in]} (rows r, z, n), {@code weight_hh [3H, H]}, {@code bias_ih [3H]},
 * {@code bias_hh [3H]}, U(−1/√H, 1/√H). For sequences use {@link GRU}.
 */
public final class GRUCell extends RecurrentCell {

    /**
     * A cell with biases.
     *
     * @throws IllegalArgumentException if a size is below 1
     * @throws NullPointerException     if {@code rng} is null
     */
    public GRUCell(int inputSize, int hiddenSize, RandomGenerator rng) {
        this(inputSize, hiddenSize, true, rng);
    }

    /**
     * @throws IllegalArgumentException if a size is below 1
     * @throws NullPointerException     if {@code rng} is null
     */
    public GRUCell(int inputSize, int hiddenSize, boolean bias, RandomGenerator rng) {
        super(Recurrence.Kind.GRU, inputSize, hiddenSize, bias, rng);
    }

    /** {@code h'} from a zero state. */
    @Override
    public Tensor forward(Tensor x) {
        return forward(x, null);
    }

    /**
     * One step.
     *
     * @param x input {@code [B, in]} or {@code [in]}
     * @param h state {@code [B, H]} or {@code [H]}; null for zeros
     * @return {@code h'}, shaped like {@code h}
     * @throws IllegalArgumentException if a shape does not fit
     */
    public Tensor forward(Tensor x, Tensor h) {
        boolean unbatched = Objects.requireNonNull(x, "GRUCell.forward: input is null").rank() == 1;
        Tensor xb = batched(x);
        Tensor out = step(xb, state("h", h, xb.shape()[0], unbatched), null)[0];
        return unbatched ? out.squeeze(0) : out;
    }
}

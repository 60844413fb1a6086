package dev.chainrule.nn;

import dev.chainrule.autograd.Tensor;
import dev.chainrule.nn.init.Uniform;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * The step equations shared by the recurrent cells and layers, in PyTorch's gate layout, written
 * with graph ops (gates split with {@code chunk}). Each takes the input projection
 * {@code gi = x·W_ihᵀ + b_ih} already computed (for a whole sequence at once in the layers, so a
 * step costs one GEMM, {@code h·W_hhᵀ}).
 */
final class Recurrence {
    private Recurrence() {}

    /** The cell types and the number of gate blocks of H rows in their weights. */
    enum Kind {
        RNN_TANH(1, "RNN"), RNN_RELU(1, "RNN"), LSTM(4, "LSTM"), GRU(3, "GRU");

        final int gates;
        final String name;

        Kind(int gates, String name) {
            this.gates = gates;
            this.name = name;
        }
    }

    /**
     * One step. {@code gi} is {@code [B, G·H]}, {@code h} and {@code c} are {@code [B, H]} ({@code c}
     * only for LSTM). Returns {@code {h'}} or, for LSTM, {@code {h', c'}}.
     * <pre>
     * RNN:  h' = act(gi + h·W_hhᵀ + b_hh)
     * LSTM: i, f, g, o = chunks of gi + h·W_hhᵀ + b_hh
     *       c' = σ(f) ⊙ c + σ(i) ⊙ tanh(g),   h' = σ(o) ⊙ tanh(c')
     * GRU:  r = σ(gi_r + gh_r),  z = σ(gi_z + gh_z),  n = tanh(gi_n + r ⊙ gh_n)   (gh = h·W_hhᵀ + b_hh)
     *       h' = (1 − z) ⊙ n + z ⊙ h = n + z ⊙ (h − n)
     * </pre>
     */
    static Tensor[] step(Kind kind, Tensor gi, Tensor h, Tensor c, Tensor wHh, Tensor bHh) {
        Tensor gh = h.linear(wHh, bHh);
        switch (kind) {
            case RNN_TANH:
                return new Tensor[] {gi.add(gh).tanh()};
            case RNN_RELU:
                return new Tensor[] {gi.add(gh).relu()};
            case LSTM: {
                List<Tensor> g = gi.add(gh).chunk(4, -1);
                Tensor c2 = g.get(1).sigmoid().mul(c).add(g.get(0).sigmoid().mul(g.get(2).tanh()));
                return new Tensor[] {g.get(3).sigmoid().mul(c2.tanh()), c2};
            }
            case GRU: {
                List<Tensor> a = gi.chunk(3, -1), b = gh.chunk(3, -1);
                Tensor r = a.get(0).add(b.get(0)).sigmoid();
                Tensor z = a.get(1).add(b.get(1)).sigmoid();
                Tensor n = a.get(2).add(r.mul(b.get(2))).tanh();
                return new Tensor[] {n.add(z.mul(h.sub(n)))};
            }
            default:
                throw new AssertionError(kind);
        }
    }

    /** PyTorch's initialization of every recurrent weight and bias: U(−1/√H, 1/√H). */
    static Tensor init(int[] shape, int hidden, RandomGenerator rng) {
        double k = 1 / Math.sqrt(hidden);
        return new Uniform(-k, k).init(shape, shape[shape.length - 1], shape[0], rng);
    }
}

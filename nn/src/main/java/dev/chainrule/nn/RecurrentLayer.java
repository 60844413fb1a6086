package dev.chainrule.nn;

import dev.chainrule.autograd.Shape;
import dev.chainrule.autograd.Tensor;
import java.util.Arrays;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * A multi-step recurrent network over a batch of sequences: {@link RNN}, {@link LSTM} or {@link GRU}.
 * Batch-first, as every Chainrule module: input {@code [B, T, in]} (PyTorch's
 * {@code batch_first=True}; an unbatched {@code [T, in]} works too), output {@code [B, T, D·H]} with
 * D = 2 for a bidirectional network (forward and backward halves concatenated, as PyTorch). States
 * keep PyTorch's layout even so: {@code [L·D, B, H]}, index {@code layer·D + direction}.
 *
 * <p>Parameters are named as PyTorch's so that state dicts map one to one: per layer {@code k} and
 * direction (suffix {@code _reverse} for the backward one) {@code weight_ih_lk [G·H, in_k]},
 * {@code weight_hh_lk [G·H, H]}, {@code bias_ih_lk [G·H]}, {@code bias_hh_lk [G·H]}, with G = 1, 4, 3
 * gate blocks for RNN, LSTM, GRU in PyTorch's order and {@code in_k} = in for the first layer, D·H
 * above; all U(−1/√H, 1/√H).
 *
 * <p>Each layer and direction projects the inputs of all time steps in one GEMM
 * ({@code x·W_ihᵀ + b_ih} over {@code [B, T, in]}); a time step then costs one small GEMM
 * ({@code h·W_hhᵀ}) and the gate arithmetic. With {@code dropout > 0}, dropout is applied to the
 * outputs of every layer but the last, in training mode only (as PyTorch).
 */
public abstract sealed class RecurrentLayer extends Module permits RNN, LSTM, GRU {

    final Recurrence.Kind kind;
    final int inputSize;
    final int hiddenSize;
    final int numLayers;
    final int directions;
    final double dropoutP;
    private final Dropout dropout;
    private final Tensor[] wIh, wHh, bIh, bHh;      // index layer·D + direction

    RecurrentLayer(Recurrence.Kind kind, Builder<?> b, RandomGenerator rng) {
        String name = kind.name;
        if (b.inputSize < 1 || b.hiddenSize < 1) {
            throw new IllegalArgumentException(name + ": inputSize=" + b.inputSize + " and hiddenSize=" + b.hiddenSize
                + " must both be at least 1");
        }
        if (b.numLayers < 1) throw new IllegalArgumentException(name + ": numLayers=" + b.numLayers + " must be at least 1");
        if (!(b.dropout >= 0 && b.dropout < 1)) {
            throw new IllegalArgumentException(name + ": dropout=" + b.dropout + " must be in [0, 1)");
        }
        Objects.requireNonNull(rng, name + ": random generator is null; pass e.g. new SplittableRandom(seed)");
        this.kind = kind;
        this.inputSize = b.inputSize;
        this.hiddenSize = b.hiddenSize;
        this.numLayers = b.numLayers;
        this.directions = b.bidirectional ? 2 : 1;
        this.dropoutP = b.dropout;
        int n = numLayers * directions, g = kind.gates * hiddenSize;
        wIh = new Tensor[n];
        wHh = new Tensor[n];
        bIh = new Tensor[n];
        bHh = new Tensor[n];
        for (int l = 0; l < numLayers; l++) {
            for (int d = 0; d < directions; d++) {
                int k = l * directions + d, in = l == 0 ? inputSize : directions * hiddenSize;
                String suffix = "_l" + l + (d == 1 ? "_reverse" : "");
                wIh[k] = registerParameter("weight_ih" + suffix, Recurrence.init(new int[] {g, in}, hiddenSize, rng));
                wHh[k] = registerParameter("weight_hh" + suffix, Recurrence.init(new int[] {g, hiddenSize}, hiddenSize, rng));
                if (b.bias) {
                    bIh[k] = registerParameter("bias_ih" + suffix, Recurrence.init(new int[] {g}, hiddenSize, rng));
                    bHh[k] = registerParameter("bias_hh" + suffix, Recurrence.init(new int[] {g}, hiddenSize, rng));
                }
            }
        }
        this.dropout = dropoutP > 0 && numLayers > 1 ? new Dropout(dropoutP, rng) : null;
    }

    /** The sequence output, final h states and (LSTM) final c states, all in the caller's batching. */
    record Run(Tensor output, Tensor h, Tensor c) {}

    /**
     * Runs every layer and direction. {@code h0}, {@code c0}: {@code [L·D, B, H]} ({@code [L·D, H]}
     * for an unbatched input) or null for zeros.
     */
    final Run run(Tensor x, Tensor h0, Tensor c0) {
        Objects.requireNonNull(x, getClass().getSimpleName() + ".forward: input is null");
        int[] s = x.shape();
        if ((s.length != 2 && s.length != 3) || s[s.length - 1] != inputSize) {
            throw new IllegalArgumentException(describe() + ": input shape " + Shape.toString(s) + " is not [batch, time, "
                + inputSize + "] (or unbatched [time, " + inputSize + "])");
        }
        boolean unbatched = s.length == 2;
        Tensor xb = unbatched ? x.unsqueeze(0) : x;
        int batch = xb.shape()[0], time = xb.shape()[1], n = numLayers * directions;
        Tensor[] hs0 = initial("h", h0, batch, unbatched), cs0 = kind == Recurrence.Kind.LSTM ? initial("c", c0, batch, unbatched) : null;
        Tensor[] hN = new Tensor[n], cN = new Tensor[n];
        Tensor input = xb;
        for (int l = 0; l < numLayers; l++) {
            Tensor[] outs = new Tensor[directions];
            for (int d = 0; d < directions; d++) {
                int k = l * directions + d;
                Tensor gi = input.linear(wIh[k], bIh[k]);                  // [B, T, G·H]: every step's input projection at once
                Tensor h = hs0 == null ? Tensor.zeros(gi.dtype(), batch, hiddenSize) : hs0[k];
                Tensor c = kind != Recurrence.Kind.LSTM ? null : cs0 == null ? Tensor.zeros(gi.dtype(), batch, hiddenSize) : cs0[k];
                Tensor[] steps = new Tensor[time];
                for (int i = 0; i < time; i++) {
                    int t = d == 0 ? i : time - 1 - i;
                    Tensor[] st = Recurrence.step(kind, gi.select(1, t), h, c, wHh[k], bHh[k]);
                    h = st[0];
                    if (st.length > 1) c = st[1];
                    steps[t] = h;
                }
                outs[d] = Tensor.stack(1, steps);                         // [B, T, H]
                hN[k] = h;
                cN[k] = c;
            }
            input = directions == 1 ? outs[0] : Tensor.cat(2, outs);
            if (dropout != null && l < numLayers - 1 && isTraining()) input = dropout.forward(input);
        }
        Tensor h = Tensor.stack(0, hN), c = kind == Recurrence.Kind.LSTM ? Tensor.stack(0, cN) : null;
        if (unbatched) {
            return new Run(input.squeeze(0), h.squeeze(1), c == null ? null : c.squeeze(1));
        }
        return new Run(input, h, c);
    }

    /** The per-(layer, direction) {@code [B, H]} slices of an initial state, checked; null for none. */
    private Tensor[] initial(String what, Tensor t, int batch, boolean unbatched) {
        if (t == null) return null;
        int n = numLayers * directions;
        int[] want = unbatched ? new int[] {n, hiddenSize} : new int[] {n, batch, hiddenSize};
        if (!Arrays.equals(t.shape(), want)) {
            throw new IllegalArgumentException(describe() + ": initial state " + what + " has shape " + Shape.toString(t.shape())
                + " but the input needs " + Shape.toString(want) + " ([layers·directions" + (unbatched ? "" : ", batch") + ", hidden])");
        }
        Tensor tb = unbatched ? t.unsqueeze(1) : t;
        Tensor[] out = new Tensor[n];
        for (int k = 0; k < n; k++) out[k] = tb.select(0, k);
        return out;
    }

    final String describe() {
        return getClass().getSimpleName() + "(" + extraRepr() + ")";
    }

    /** The input width. */
    public final int inputSize() {
        return inputSize;
    }

    /** The state width H of each direction. */
    public final int hiddenSize() {
        return hiddenSize;
    }

    /** The number of stacked layers L. */
    public final int numLayers() {
        return numLayers;
    }

    /** Whether a second direction reads each sequence backwards. */
    public final boolean isBidirectional() {
        return directions == 2;
    }

    /** The dropout probability between layers. */
    public final double dropout() {
        return dropoutP;
    }

    @Override
    protected String extraRepr() {
        return "input=" + inputSize + ", hidden=" + hiddenSize + (numLayers > 1 ? ", layers=" + numLayers : "")
            + (directions == 2 ? ", bidirectional" : "") + (bIh[0] == null ? ", bias=false" : "")
            + (dropoutP > 0 ? ", dropout=" + dropoutP : "");
    }

    /**
     * Options shared by the three layer builders (PyTorch's defaults: one layer, biases,
     * unidirectional, no dropout).
     *
     * @param <B> the concrete builder
     */
    public abstract static class Builder<B extends Builder<B>> {
        final int inputSize;
        final int hiddenSize;
        int numLayers = 1;
        boolean bias = true;
        boolean bidirectional;
        double dropout;

        Builder(int inputSize, int hiddenSize) {
            this.inputSize = inputSize;
            this.hiddenSize = hiddenSize;
        }

        abstract B self();

        /** Stacked layers (PyTorch's {@code num_layers}); default 1. */
        public B numLayers(int numLayers) {
            this.numLayers = numLayers;
            return self();
        }

        /** Whether the layers have {@code bias_ih} and {@code bias_hh}; default true. */
        public B bias(boolean bias) {
            this.bias = bias;
            return self();
        }

        /** Whether each layer also reads the sequence backwards; default false. */
        public B bidirectional(boolean bidirectional) {
            this.bidirectional = bidirectional;
            return self();
        }

        /** Dropout probability on the outputs of every layer but the last, in training; default 0. */
        public B dropout(double p) {
            this.dropout = p;
            return self();
        }
    }
}

package dev.chainrule.nn;

import dev.chainrule.autograd.Shape;
import dev.chainrule.autograd.Tensor;
import java.util.Arrays;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * What the three cells share: the parameters {@code weight_ih [G·H, in]}, {@code weight_hh [G·H, H]},
 * {@code bias_ih [G·H]}, {@code bias_hh [G·H]} (PyTorch's names and layout, U(±1/√H)), input and
 * state checks, and unbatched inputs ({@code [in]} in, {@code [H]} out, as PyTorch).
 */
abstract class RecurrentCell extends Module {

    final Recurrence.Kind kind;
    final int inputSize;
    final int hiddenSize;
    final Tensor weightIh;
    final Tensor weightHh;
    final Tensor biasIh;
    final Tensor biasHh;

    RecurrentCell(Recurrence.Kind kind, int inputSize, int hiddenSize, boolean bias, RandomGenerator rng) {
        String name = kind.name + "Cell";
        if (inputSize < 1 || hiddenSize < 1) {
            throw new IllegalArgumentException(name + ": inputSize=" + inputSize + " and hiddenSize=" + hiddenSize + " must both be at least 1");
        }
        Objects.requireNonNull(rng, name + ": random generator is null; pass e.g. new SplittableRandom(seed)");
        this.kind = kind;
        this.inputSize = inputSize;
        this.hiddenSize = hiddenSize;
        int g = kind.gates * hiddenSize;
        weightIh = registerParameter("weight_ih", Recurrence.init(new int[] {g, inputSize}, hiddenSize, rng));
        weightHh = registerParameter("weight_hh", Recurrence.init(new int[] {g, hiddenSize}, hiddenSize, rng));
        biasIh = bias ? registerParameter("bias_ih", Recurrence.init(new int[] {g}, hiddenSize, rng)) : null;
        biasHh = bias ? registerParameter("bias_hh", Recurrence.init(new int[] {g}, hiddenSize, rng)) : null;
    }

    /** The input as {@code [B, in]} (an unbatched {@code [in]} gets a batch of one). */
    final Tensor batched(Tensor x) {
        Objects.requireNonNull(x, getClass().getSimpleName() + ".forward: input is null");
        int[] s = x.shape();
        if ((s.length != 1 && s.length != 2) || s[s.length - 1] != inputSize) {
            throw new IllegalArgumentException(getClass().getSimpleName() + "(" + extraRepr() + "): input shape " + Shape.toString(s)
                + " is not [batch, " + inputSize + "] or [" + inputSize + "]");
        }
        return s.length == 1 ? x.unsqueeze(0) : x;
    }

    /** A state tensor ({@code what} = "h" or "c") as {@code [B, H]}, checked against the input; null gives zeros in the parameters' dtype. */
    final Tensor state(String what, Tensor t, int batch, boolean unbatched) {
        if (t == null) return Tensor.zeros(weightHh.dtype(), batch, hiddenSize);   // the parameters' dtype
        int[] want = unbatched ? new int[] {hiddenSize} : new int[] {batch, hiddenSize};
        if (!Arrays.equals(t.shape(), want)) {
            throw new IllegalArgumentException(getClass().getSimpleName() + "(" + extraRepr() + "): state " + what + " has shape "
                + Shape.toString(t.shape()) + " but the input needs " + Shape.toString(want));
        }
        return unbatched ? t.unsqueeze(0) : t;
    }

    /** One step on {@code [B, in]} with states {@code [B, H]}. */
    final Tensor[] step(Tensor x, Tensor h, Tensor c) {
        return Recurrence.step(kind, x.linear(weightIh, biasIh), h, c, weightHh, biasHh);
    }

    /** The input width. */
    public int inputSize() {
        return inputSize;
    }

    /** The state width H. */
    public int hiddenSize() {
        return hiddenSize;
    }

    @Override
    protected String extraRepr() {
        return "input=" + inputSize + ", hidden=" + hiddenSize + (biasIh == null ? ", bias=false" : "");
    }
}

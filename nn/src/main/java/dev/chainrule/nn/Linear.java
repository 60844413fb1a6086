package dev.chainrule.nn;

import dev.chainrule.autograd.Shape;
import dev.chainrule.autograd.Tensor;
import dev.chainrule.nn.init.Initializer;
import dev.chainrule.nn.init.LeCunUniform;
import java.util.random.RandomGenerator;

/**
 * A fully connected (dense) layer: {@code y = x·Wᵀ + b}, one neuron per output unit before its
 * activation (z = Σ_j w_j x_j + b of the notes), computed by the fused {@link Tensor#linear} op.
 *
 * <p>Shapes (batch-first): input {@code [..., in]} (usually {@code [N, in]}), weight
 * {@code [out, in]}, bias {@code [out]}, output {@code [..., out]}. Parameters are named
 * {@code weight} and {@code bias}; the bias is optional.
 *
 * <p>Default initialization, as PyTorch's {@code nn.Linear}: weight and bias both drawn from
 * U(−1/√in, +1/√in) ({@link LeCunUniform} with fan-in {@code in}). Other rules are passed as
 * {@link Initializer}s; the bias initializer is called with the layer's fans ({@code in},
 * {@code out}), so fan-scaled rules give the bias the same bound as the weight.
 *
 * <pre>{@code
 * Linear layer = new Linear(3, 2, new SplittableRandom(7));
 * Tensor y = layer.forward(Tensor.randn(rng, 16, 3));   // [16, 2]
 * }</pre>
 */
public final class Linear extends Module {

    private final int in;
    private final int out;
    private final Tensor weight;
    private final Tensor bias;

    /**
     * A layer with a bias and PyTorch's default initialization U(±1/√in) for weight and bias.
     *
     * @throws IllegalArgumentException if {@code in} or {@code out} is below 1 or {@code rng} is null
     */
    public Linear(int in, int out, RandomGenerator rng) {
        this(in, out, true, rng);
    }

    /**
     * A layer with PyTorch's default initialization, with or without a bias.
     *
     * @throws IllegalArgumentException if {@code in} or {@code out} is below 1 or {@code rng} is null
     */
    public Linear(int in, int out, boolean bias, RandomGenerator rng) {
        this(in, out, new LeCunUniform(), bias ? new LeCunUniform() : null, rng);
    }

    /**
     * A layer whose weight is drawn by {@code weightInit} and bias by {@code biasInit}; a null
     * {@code biasInit} means no bias. Both are called with fan-in {@code in} and fan-out {@code out}.
     *
     * @throws IllegalArgumentException if {@code in} or {@code out} is below 1, or {@code weightInit}
     *                                  or {@code rng} is null
     */
    public Linear(int in, int out, Initializer weightInit, Initializer biasInit, RandomGenerator rng) {
        if (in < 1 || out < 1) {
            throw new IllegalArgumentException("Linear: in=" + in + " and out=" + out + " must both be at least 1");
        }
        java.util.Objects.requireNonNull(weightInit, "Linear: weight initializer is null");
        java.util.Objects.requireNonNull(rng, "Linear: random generator is null; pass e.g. new SplittableRandom(seed)");
        this.in = in;
        this.out = out;
        this.weight = registerParameter("weight", checkedInit("weight", weightInit, new int[] {out, in}, rng));
        this.bias = biasInit == null ? null : registerParameter("bias", checkedInit("bias", biasInit, new int[] {out}, rng));
    }

    private Tensor checkedInit(String what, Initializer init, int[] shape, RandomGenerator rng) {
        Tensor t = init.init(shape, in, out, rng);
        if (t == null || !java.util.Arrays.equals(t.shape(), shape)) {
            throw new IllegalArgumentException("Linear: " + what + " initializer " + init + " returned "
                + (t == null ? "null" : "shape " + Shape.toString(t.shape())) + " instead of " + Shape.toString(shape));
        }
        return t.isLeaf() ? t : t.detach();
    }

    /**
     * {@code x·Wᵀ + b}.
     *
     * @param x input {@code [..., in]}
     * @return output {@code [..., out]}
     * @throws IllegalArgumentException if the last dimension of {@code x} is not {@code in}
     */
    @Override
    public Tensor forward(Tensor x) {
        java.util.Objects.requireNonNull(x, "Linear.forward: x is null");
        int[] s = x.shape();
        if (s.length == 0 || s[s.length - 1] != in) {
            throw new IllegalArgumentException("Linear(in=" + in + ", out=" + out + "): input shape " + Shape.toString(s)
                + " does not end in " + in + "; expected [batch, " + in + "]");
        }
        return x.linear(weight, bias);
    }

    /** The weight {@code [out, in]} (a parameter: optimizers update it in place). */
    public Tensor weight() {
        return weight;
    }

    /** The bias {@code [out]}, or null for a layer without bias. */
    public Tensor bias() {
        return bias;
    }

    /** The input width {@code in}. */
    public int inFeatures() {
        return in;
    }

    /** The output width {@code out}. */
    public int outFeatures() {
        return out;
    }

    @Override
    protected String extraRepr() {
        return "in=" + in + ", out=" + out + (bias == null ? ", bias=false" : "");
    }
}

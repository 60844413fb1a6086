package dev.chainrule.nn;

import dev.chainrule.autograd.Tensor;

/**
 * The exponential linear unit z for z &gt; 0, α(e^z − 1) otherwise, elementwise: smooth for α = 1,
 * with negative outputs that push mean activations towards 0. Derivative 1 for z &gt; 0, α e^z
 * otherwise. Clevert et al., "Fast and Accurate Deep Network Learning by Exponential Linear Units"
 * (2016). Default α = 1. No parameters; any shape, unchanged.
 */
public final class ELU extends Module {

    private final double alpha;

    /** α = 1, PyTorch's default. */
    public ELU() {
        this(1.0);
    }

    /**
     * @param alpha the value −α the output approaches as z → −∞ (any finite value)
     * @throws IllegalArgumentException if {@code alpha} is not finite
     */
    public ELU(double alpha) {
        if (!Double.isFinite(alpha)) throw new IllegalArgumentException("ELU: alpha " + alpha + " must be finite");
        this.alpha = alpha;
    }

    /** Applies {@code elu(alpha)} to every element. */
    @Override
    public Tensor forward(Tensor x) {
        java.util.Objects.requireNonNull(x, "ELU.forward: x is null");
        return x.elu(alpha);
    }

    /** α. */
    public double alpha() {
        return alpha;
    }

    @Override
    protected String extraRepr() {
        return "alpha=" + alpha;
    }
}

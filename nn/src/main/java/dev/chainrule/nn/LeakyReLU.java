package dev.chainrule.nn;

import dev.chainrule.autograd.Tensor;

/**
 * The leaky rectifier z for z &gt; 0, slope·z otherwise, elementwise: a ReLU whose negative side keeps
 * a small gradient (slope, also at 0, as PyTorch), so that units cannot die. Default slope 0.01.
 * No parameters; any shape, unchanged.
 */
public final class LeakyReLU extends Module {

    private final double slope;

    /** Slope 0.01, PyTorch's default. */
    public LeakyReLU() {
        this(0.01);
    }

    /**
     * @param slope the gradient for z ≤ 0 (any finite value)
     * @throws IllegalArgumentException if {@code slope} is not finite
     */
    public LeakyReLU(double slope) {
        if (!Double.isFinite(slope)) throw new IllegalArgumentException("LeakyReLU: slope " + slope + " must be finite");
        this.slope = slope;
    }

    /** Applies {@code leakyRelu(slope)} to every element. */
    @Override
    public Tensor forward(Tensor x) {
        java.util.Objects.requireNonNull(x, "LeakyReLU.forward: x is null");
        return x.leakyRelu(slope);
    }

    /** The negative-side slope. */
    public double slope() {
        return slope;
    }

    @Override
    protected String extraRepr() {
        return "slope=" + slope;
    }
}

package dev.chainrule.nn;

import dev.chainrule.autograd.Tensor;

/**
 * The hard tanh min(max(z, lo), hi), elementwise: a piecewise-linear squashing into [lo, hi]
 * (default [−1, 1]) whose gradient is 1 strictly inside and 0 outside, as PyTorch's.
 * No parameters; any shape, unchanged.
 */
public final class Hardtanh extends Module {

    private final double lo, hi;

    /** Bounds −1 and 1, PyTorch's defaults. */
    public Hardtanh() {
        this(-1, 1);
    }

    /**
     * @param lo the lower bound
     * @param hi the upper bound
     * @throws IllegalArgumentException unless {@code lo <= hi}
     */
    public Hardtanh(double lo, double hi) {
        if (!(lo <= hi)) {
            throw new IllegalArgumentException("Hardtanh: lower bound " + lo + " is above upper bound " + hi);
        }
        this.lo = lo;
        this.hi = hi;
    }

    /** Applies {@code hardtanh(lo, hi)} to every element. */
    @Override
    public Tensor forward(Tensor x) {
        java.util.Objects.requireNonNull(x, "Hardtanh.forward: x is null");
        return x.hardtanh(lo, hi);
    }

    @Override
    protected String extraRepr() {
        return "lo=" + lo + ", hi=" + hi;
    }
}

package dev.chainrule.optim;

import dev.chainrule.autograd.Tensor;
import dev.chainrule.nn.Module;

/**
 * RMSProp: divides each gradient coordinate by a running root-mean-square of its recent values, so
 * that the step size adapts per coordinate; optionally centered (divides by an estimate of the
 * standard deviation instead) and with momentum.
 *
 * <p>When to use: recurrent networks and non-stationary objectives, where Adagrad's ever-growing
 * sum would shrink steps too much; a common choice in reinforcement learning.
 *
 * <p>Update for each parameter p with gradient g, as {@code torch.optim.RMSprop} (s, ḡ and the
 * momentum buffer b start at 0):
 * <pre>
 *   g ← g + λ p                                   (if λ ≠ 0)
 *   s ← α s + (1 − α) g²
 *   ḡ ← α ḡ + (1 − α) g,   d = √(s − ḡ²) + ε      (centered)
 *   d = √s + ε                                    (not centered)
 *   b ← μ b + g / d,       p ← p − lr · b          (if μ &gt; 0)
 *   p ← p − lr · g / d                            (if μ = 0)
 * </pre>
 * In the centered form s − ḡ² is a variance estimate, never negative in exact arithmetic; it is
 * clamped at 0 so that rounding cannot produce NaN. Reference: Hinton, Neural Networks for Machine
 * Learning, lecture 6e (2012); Graves, "Generating Sequences With Recurrent Neural Networks", 2013 (centered).
 *
 * <pre>{@code RmsProp opt = RmsProp.builder(model).lr(0.01).alpha(0.99).centered(true).build();}</pre>
 */
public final class RmsProp extends Optimizer {

    private final double alpha;
    private final double eps;
    private final double momentum;
    private final boolean centered;
    private final double weightDecay;
    private final double[][] squareAvg;
    private final double[][] gradAvg;
    private final double[][] buffers;

    private RmsProp(Builder b) {
        super(b.parameters, b.lr);
        this.alpha = b.alpha;
        this.eps = b.eps;
        this.momentum = b.momentum;
        this.centered = b.centered;
        this.weightDecay = b.weightDecay;
        int n = parameters().size();
        this.squareAvg = new double[n][];
        this.gradAvg = new double[n][];
        this.buffers = new double[n][];
    }

    /** A builder over {@code parameters}, with PyTorch's defaults (lr 0.01, alpha 0.99, eps 1e-8, no momentum, not centered). */
    public static Builder builder(Iterable<Tensor> parameters) {
        return new Builder(parameters);
    }

    /** A builder over every parameter of {@code model}. */
    public static Builder builder(Module model) {
        return new Builder(model.parameters());
    }

    @Override
    protected void update(int index, int t, double[] p, double[] g) {
        int n = p.length;
        if (squareAvg[index] == null) {
            squareAvg[index] = new double[n];
            if (centered) gradAvg[index] = new double[n];
            if (momentum > 0) buffers[index] = new double[n];
        }
        double[] s = squareAvg[index], ga = gradAvg[index], b = buffers[index];
        double lr = learningRate();
        for (int i = 0; i < n; i++) {
            double gi = weightDecay != 0 ? g[i] + weightDecay * p[i] : g[i];
            s[i] = alpha * s[i] + (1 - alpha) * gi * gi;
            double d;
            if (centered) {
                ga[i] = alpha * ga[i] + (1 - alpha) * gi;
                d = Math.sqrt(Math.max(0, s[i] - ga[i] * ga[i])) + eps;
            } else {
                d = Math.sqrt(s[i]) + eps;
            }
            if (momentum > 0) {
                b[i] = momentum * b[i] + gi / d;
                p[i] -= lr * b[i];
            } else {
                p[i] -= lr * (gi / d);
            }
        }
    }

    public double alpha() {
        return alpha;
    }

    public double eps() {
        return eps;
    }

    public double momentum() {
        return momentum;
    }

    public boolean centered() {
        return centered;
    }

    public double weightDecay() {
        return weightDecay;
    }

    @Override
    protected String describe() {
        return "lr=" + learningRate() + ", alpha=" + alpha + ", eps=" + eps + ", momentum=" + momentum + ", centered="
            + centered + ", weightDecay=" + weightDecay;
    }

    /** Collects the hyperparameters; {@link #build()} validates them. */
    public static final class Builder {
        private final Iterable<Tensor> parameters;
        private double lr = 1e-2;
        private double alpha = 0.99;
        private double eps = 1e-8;
        private double momentum;
        private boolean centered;
        private double weightDecay;

        private Builder(Iterable<Tensor> parameters) {
            this.parameters = parameters;
        }

        /** Learning rate α &gt; 0; default 0.01. */
        public Builder lr(double lr) {
            this.lr = lr;
            return this;
        }

        /** Smoothing constant α in [0, 1) of the squared-gradient average; default 0.99. */
        public Builder alpha(double alpha) {
            this.alpha = alpha;
            return this;
        }

        /** ε &gt; 0 added to the denominator for numerical stability; default 1e-8. */
        public Builder eps(double eps) {
            this.eps = eps;
            return this;
        }

        /** Momentum μ in [0, 1); default 0 (none). */
        public Builder momentum(double momentum) {
            this.momentum = momentum;
            return this;
        }

        /** Whether to normalize by the centered second moment (a variance estimate); default false. */
        public Builder centered(boolean centered) {
            this.centered = centered;
            return this;
        }

        /** L2 penalty coefficient λ ≥ 0 added to the gradient as λp; default 0. */
        public Builder weightDecay(double weightDecay) {
            this.weightDecay = weightDecay;
            return this;
        }

        /**
         * @throws IllegalArgumentException if lr or eps is not positive and finite, alpha or momentum
         *         is outside [0, 1), weight decay is negative or not finite, or the parameter list is
         *         empty or invalid
         */
        public RmsProp build() {
            Checks.positive("RmsProp", "lr", lr);
            Checks.unitInterval("RmsProp", "alpha", alpha);
            Checks.positive("RmsProp", "eps", eps);
            Checks.unitInterval("RmsProp", "momentum", momentum);
            Checks.nonNegative("RmsProp", "weightDecay", weightDecay);
            return new RmsProp(this);
        }
    }
}

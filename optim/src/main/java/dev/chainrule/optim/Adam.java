package dev.chainrule.optim;

import dev.chainrule.autograd.Tensor;
import dev.chainrule.nn.Module;

/**
 * Adam: per-coordinate step sizes from bias-corrected running averages of the gradient and of its
 * square, with optional L2 weight decay added to the gradient (for decoupled decay use {@link AdamW}).
 *
 * <p>When to use: a robust default for neural networks that needs little learning-rate tuning
 * (lr 1e-3 is a common start); it copes with badly scaled parameters and noisy gradients.
 *
 * <p>Update for each parameter p with gradient g at its t-th step (t = 1, 2, ...), as
 * {@code torch.optim.Adam} without amsgrad (m and v start at 0):
 * <pre>
 *   g ← g + λ p                                   (if λ ≠ 0: L2 penalty through the gradient)
 *   m ← β₁ m + (1 − β₁) g
 *   v ← β₂ v + (1 − β₂) g²
 *   m̂ = m / (1 − β₁ᵗ),   v̂ = v / (1 − β₂ᵗ)          (bias correction)
 *   p ← p − lr · m̂ / (√v̂ + ε)
 * </pre>
 * At t = 1 this is p ← p − lr · g / (|g| + ε): the first step moves each coordinate by about lr.
 * Reference: Kingma and Ba, "Adam: A Method for Stochastic Optimization", ICLR 2015.
 *
 * <pre>{@code Adam opt = Adam.builder(model).lr(1e-3).betas(0.9, 0.999).build();}</pre>
 */
public final class Adam extends Optimizer {

    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;
    private final double[][] m;
    private final double[][] v;

    private Adam(Builder b) {
        super(b.parameters, b.lr);
        this.beta1 = b.beta1;
        this.beta2 = b.beta2;
        this.eps = b.eps;
        this.weightDecay = b.weightDecay;
        this.m = new double[parameters().size()][];
        this.v = new double[parameters().size()][];
    }

    /** A builder over {@code parameters}, with PyTorch's defaults (lr 0.001, betas (0.9, 0.999), eps 1e-8, no weight decay). */
    public static Builder builder(Iterable<Tensor> parameters) {
        return new Builder(parameters);
    }

    /** A builder over every parameter of {@code model}. */
    public static Builder builder(Module model) {
        return new Builder(model.parameters());
    }

    @Override
    protected void update(int index, int t, double[] p, double[] g) {
        if (weightDecay != 0) {
            for (int i = 0; i < p.length; i++) g[i] += weightDecay * p[i];
        }
        if (m[index] == null) {
            m[index] = new double[p.length];
            v[index] = new double[p.length];
        }
        adamStep(p, g, m[index], v[index], t, learningRate(), beta1, beta2, eps);
    }

    /** The moment updates and the bias-corrected step shared with {@link AdamW}. */
    static void adamStep(double[] p, double[] g, double[] m, double[] v, int t, double lr, double beta1, double beta2,
                         double eps) {
        double biasCorrection1 = 1 - Math.pow(beta1, t);
        double biasCorrection2Sqrt = Math.sqrt(1 - Math.pow(beta2, t));
        double stepSize = lr / biasCorrection1;
        for (int i = 0; i < p.length; i++) {
            m[i] = beta1 * m[i] + (1 - beta1) * g[i];
            v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i];
            double denom = Math.sqrt(v[i]) / biasCorrection2Sqrt + eps;
            p[i] -= stepSize * (m[i] / denom);
        }
    }

    public double beta1() {
        return beta1;
    }

    public double beta2() {
        return beta2;
    }

    public double eps() {
        return eps;
    }

    public double weightDecay() {
        return weightDecay;
    }

    @Override
    protected String describe() {
        return "lr=" + learningRate() + ", betas=(" + beta1 + ", " + beta2 + "), eps=" + eps + ", weightDecay=" + weightDecay;
    }

    /** Collects the hyperparameters; {@link #build()} validates them. */
    public static final class Builder {
        private final Iterable<Tensor> parameters;
        private double lr = 1e-3;
        private double beta1 = 0.9;
        private double beta2 = 0.999;
        private double eps = 1e-8;
        private double weightDecay;

        private Builder(Iterable<Tensor> parameters) {
            this.parameters = parameters;
        }

        /** Learning rate α &gt; 0; default 0.001. */
        public Builder lr(double lr) {
            this.lr = lr;
            return this;
        }

        /** Decay rates β₁, β₂ in [0, 1) of the first- and second-moment averages; default (0.9, 0.999). */
        public Builder betas(double beta1, double beta2) {
            this.beta1 = beta1;
            this.beta2 = beta2;
            return this;
        }

        /** ε &gt; 0 added to the denominator for numerical stability; default 1e-8. */
        public Builder eps(double eps) {
            this.eps = eps;
            return this;
        }

        /** L2 penalty coefficient λ ≥ 0 added to the gradient as λp; default 0. */
        public Builder weightDecay(double weightDecay) {
            this.weightDecay = weightDecay;
            return this;
        }

        /**
         * @throws IllegalArgumentException if lr or eps is not positive and finite, a beta is outside
         *         [0, 1), weight decay is negative or not finite, or the parameter list is empty or invalid
         */
        public Adam build() {
            Checks.positive("Adam", "lr", lr);
            Checks.unitInterval("Adam", "beta1", beta1);
            Checks.unitInterval("Adam", "beta2", beta2);
            Checks.positive("Adam", "eps", eps);
            Checks.nonNegative("Adam", "weightDecay", weightDecay);
            return new Adam(this);
        }
    }
}

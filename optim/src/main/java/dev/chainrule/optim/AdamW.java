package dev.chainrule.optim;

import dev.chainrule.autograd.Tensor;
import dev.chainrule.nn.Module;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * AdamW: {@link Adam} with decoupled weight decay — the parameters shrink by a factor (1 − lr·λ)
 * directly, instead of λp being added to the gradient where Adam's per-coordinate scaling would
 * weaken it for coordinates with large gradients.
 *
 * <p>When to use: instead of Adam whenever you want weight decay (regularization) with an adaptive
 * method; the standard choice for training transformers.
 *
 * <p>Update for each parameter p with gradient g at its t-th step (t = 1, 2, ...), as
 * {@code torch.optim.AdamW} without amsgrad (m and v start at 0):
 * <pre>
 *   p ← p · (1 − lr · λ)                          (decoupled decay, before the Adam step)
 *   m ← β₁ m + (1 − β₁) g
 *   v ← β₂ v + (1 − β₂) g²
 *   m̂ = m / (1 − β₁ᵗ),   v̂ = v / (1 − β₂ᵗ)
 *   p ← p − lr · m̂ / (√v̂ + ε)
 * </pre>
 * Reference: Loshchilov and Hutter, "Decoupled Weight Decay Regularization", ICLR 2019.
 *
 * <pre>{@code AdamW opt = AdamW.builder(model).lr(1e-3).weightDecay(0.01).build();}</pre>
 */
public final class AdamW extends Optimizer {

    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;

    private AdamW(Builder b) {
        super(b.parameters, b.lr);
        this.beta1 = b.beta1;
        this.beta2 = b.beta2;
        this.eps = b.eps;
        this.weightDecay = b.weightDecay;
    }

    /** A builder over {@code parameters}, with PyTorch's defaults (lr 0.001, betas (0.9, 0.999), eps 1e-8, weight decay 0.01). */
    public static Builder builder(Iterable<Tensor> parameters) {
        return new Builder(Objects.requireNonNull(parameters, "AdamW.builder: parameters is null"));
    }

    /** A builder over every parameter of {@code model}. */
    public static Builder builder(Module model) {
        return new Builder(Objects.requireNonNull(model, "AdamW.builder: model is null").parameters());
    }

    /** The update in place: {@code p.mul_(1 − lr·λ)}, then Adam's step; allocates nothing. */
    @Override
    protected void update(int index, int t, Tensor p, Tensor g) {
        double lr = learningRate();
        if (weightDecay != 0) p.mulInPlace(1 - lr * weightDecay);
        Adam.adamStep(this, index, t, p, g, lr, beta1, beta2, eps);
    }

    @Override
    protected List<String> stateNames() {
        return List.of(Adam.EXP_AVG, Adam.EXP_AVG_SQ);
    }

    @Override
    protected Map<String, String> hyperparameters() {
        return Adam.hyperparameters(beta1, beta2, eps, weightDecay);
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
        private double weightDecay = 1e-2;

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

        /** Decoupled weight decay λ ≥ 0 (parameters shrink by 1 − lr·λ per step); default 0.01. */
        public Builder weightDecay(double weightDecay) {
            this.weightDecay = weightDecay;
            return this;
        }

        /**
         * @throws IllegalArgumentException if lr or eps is not positive and finite, a beta is outside
         *         [0, 1), weight decay is negative or not finite, or the parameter list is empty or invalid
         */
        public AdamW build() {
            Checks.positive("AdamW", "lr", lr);
            Checks.unitInterval("AdamW", "beta1", beta1);
            Checks.unitInterval("AdamW", "beta2", beta2);
            Checks.positive("AdamW", "eps", eps);
            Checks.nonNegative("AdamW", "weightDecay", weightDecay);
            return new AdamW(this);
        }
    }
}

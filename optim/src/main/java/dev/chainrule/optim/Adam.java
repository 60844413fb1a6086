package dev.chainrule.optim;

import dev.chainrule.autograd.Tensor;
import dev.chainrule.nn.Module;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

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

    private Adam(Builder b) {
        super(b.parameters, b.lr);
        this.beta1 = b.beta1;
        this.beta2 = b.beta2;
        this.eps = b.eps;
        this.weightDecay = b.weightDecay;
    }

    /** A builder over {@code parameters}, with PyTorch's defaults (lr 0.001, betas (0.9, 0.999), eps 1e-8, no weight decay). */
    public static Builder builder(Iterable<Tensor> parameters) {
        return new Builder(Objects.requireNonNull(parameters, "Adam.builder: parameters is null"));
    }

    /** A builder over every parameter of {@code model}. */
    public static Builder builder(Module model) {
        return new Builder(Objects.requireNonNull(model, "Adam.builder: model is null").parameters());
    }

    /** The update in place; with weight decay one temporary g + λp per parameter (as PyTorch), otherwise none. */
    @Override
    protected void update(int index, int t, Tensor p, Tensor grad) {
        Tensor g = weightDecay != 0 ? withWeightDecay(grad, p, weightDecay) : grad;
        adamStep(this, index, t, p, g, learningRate(), beta1, beta2, eps);
    }

    static final String EXP_AVG = "exp_avg";
    static final String EXP_AVG_SQ = "exp_avg_sq";

    /**
     * The moment updates and the bias-corrected step shared with {@link AdamW}, as PyTorch's
     * single-tensor Adam: {@code m.lerp_(g, 1 − β₁)}, {@code v.mul_(β₂).addcmul_(g, g, 1 − β₂)},
     * {@code p.addcdiv_(m, √v / √(1 − β₂ᵗ) + ε, −lr / (1 − β₁ᵗ))}, the last with its denominator fused.
     */
    static void adamStep(Optimizer opt, int index, int t, Tensor p, Tensor g, double lr, double beta1, double beta2, double eps) {
        Tensor m = opt.state(index, EXP_AVG);
        Tensor v = opt.state(index, EXP_AVG_SQ);
        if (m == null) {
            m = opt.initState(index, EXP_AVG, Tensor.zerosLike(p));            // state in the parameter's dtype
            v = opt.initState(index, EXP_AVG_SQ, Tensor.zerosLike(p));
        }
        m.lerpInPlace(g, 1 - beta1);
        v.mulInPlace(beta2).addcmulInPlace(g, g, 1 - beta2);
        double biasCorrection1 = 1 - Math.pow(beta1, t);
        double biasCorrection2Sqrt = Math.sqrt(1 - Math.pow(beta2, t));
        p.addcdivSqrtInPlace(m, v, -(lr / biasCorrection1), biasCorrection2Sqrt, eps);
    }

    @Override
    protected List<String> stateNames() {
        return List.of(EXP_AVG, EXP_AVG_SQ);
    }

    @Override
    protected Map<String, String> hyperparameters() {
        return hyperparameters(beta1, beta2, eps, weightDecay);
    }

    static Map<String, String> hyperparameters(double beta1, double beta2, double eps, double weightDecay) {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("beta1", Double.toString(beta1));
        h.put("beta2", Double.toString(beta2));
        h.put("eps", Double.toString(eps));
        h.put("weight_decay", Double.toString(weightDecay));
        return h;
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

package dev.chainrule.optim;

import dev.chainrule.autograd.Tensor;
import dev.chainrule.nn.Module;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

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

    private RmsProp(Builder b) {
        super(b.parameters, b.lr);
        this.alpha = b.alpha;
        this.eps = b.eps;
        this.momentum = b.momentum;
        this.centered = b.centered;
        this.weightDecay = b.weightDecay;
    }

    /** A builder over {@code parameters}, with PyTorch's defaults (lr 0.01, alpha 0.99, eps 1e-8, no momentum, not centered). */
    public static Builder builder(Iterable<Tensor> parameters) {
        return new Builder(Objects.requireNonNull(parameters, "RmsProp.builder: parameters is null"));
    }

    /** A builder over every parameter of {@code model}. */
    public static Builder builder(Module model) {
        return new Builder(Objects.requireNonNull(model, "RmsProp.builder: model is null").parameters());
    }

    private static final String SQUARE_AVG = "square_avg";
    private static final String GRAD_AVG = "grad_avg";
    private static final String MOMENTUM_BUFFER = "momentum_buffer";

    /**
     * The update in place, as PyTorch's: {@code s.mul_(α).addcmul_(g, g, 1 − α)}; centered,
     * {@code ḡ.lerp_(g, 1 − α)}; then {@code p.addcdiv_(g, d, −lr)} or, with momentum,
     * {@code b.mul_(μ).addcdiv_(g, d)} and {@code p.add_(b, −lr)}, the denominator d fused in.
     * Allocates nothing, except one temporary per parameter for the centered variance s − ḡ² and one
     * for g + λp with weight decay.
     */
    @Override
    protected void update(int index, int t, Tensor p, Tensor grad) {
        Tensor g = weightDecay != 0 ? withWeightDecay(grad, p, weightDecay) : grad;
        Tensor s = state(index, SQUARE_AVG);
        if (s == null) {
            s = initState(index, SQUARE_AVG, Tensor.zerosLike(p));             // state in the parameter's dtype
            if (centered) initState(index, GRAD_AVG, Tensor.zerosLike(p));
            if (momentum > 0) initState(index, MOMENTUM_BUFFER, Tensor.zerosLike(p));
        }
        s.mulInPlace(alpha).addcmulInPlace(g, g, 1 - alpha);
        Tensor squares = s;
        if (centered) {
            Tensor ga = state(index, GRAD_AVG).lerpInPlace(g, 1 - alpha);
            squares = s.detach().addcmulInPlace(ga, ga, -1).clampInPlace(0, Double.POSITIVE_INFINITY);
        }
        double lr = learningRate();
        if (momentum > 0) {
            Tensor b = state(index, MOMENTUM_BUFFER);
            b.mulInPlace(momentum).addcdivSqrtInPlace(g, squares, 1, 1, eps);
            p.addInPlace(b, -lr);
        } else {
            p.addcdivSqrtInPlace(g, squares, -lr, 1, eps);
        }
    }

    @Override
    protected List<String> stateNames() {
        List<String> names = new ArrayList<>(List.of(SQUARE_AVG));
        if (centered) names.add(GRAD_AVG);
        if (momentum > 0) names.add(MOMENTUM_BUFFER);
        return names;
    }

    @Override
    protected Map<String, String> hyperparameters() {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("alpha", Double.toString(alpha));
        h.put("eps", Double.toString(eps));
        h.put("momentum", Double.toString(momentum));
        h.put("centered", Boolean.toString(centered));
        h.put("weight_decay", Double.toString(weightDecay));
        return h;
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

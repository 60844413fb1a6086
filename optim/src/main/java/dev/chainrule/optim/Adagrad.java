package dev.chainrule.optim;

import dev.chainrule.autograd.Tensor;
import dev.chainrule.nn.Module;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Adagrad: divides each gradient coordinate by the square root of the sum of all its past squares,
 * so rarely updated coordinates keep large steps and frequently updated ones slow down.
 *
 * <p>When to use: convex problems and sparse features (e.g. linear models over bag-of-words); in deep
 * networks its steps often decay too early, which RMSProp and Adam fix with running averages.
 *
 * <p>Update for each parameter p with gradient g at its t-th step (t = 1, 2, ...), as
 * {@code torch.optim.Adagrad} (the sum s starts at the initial accumulator value):
 * <pre>
 *   g ← g + λ p                                   (if λ ≠ 0)
 *   η = lr / (1 + (t − 1) · lrDecay)
 *   s ← s + g²
 *   p ← p − η · g / (√s + ε)
 * </pre>
 * Reference: Duchi, Hazan and Singer, "Adaptive Subgradient Methods for Online Learning and
 * Stochastic Optimization", JMLR 2011.
 *
 * <pre>{@code Adagrad opt = Adagrad.builder(model).lr(0.1).build();}</pre>
 */
public final class Adagrad extends Optimizer {

    private final double lrDecay;
    private final double eps;
    private final double weightDecay;
    private final double initialAccumulatorValue;

    private Adagrad(Builder b) {
        super(b.parameters, b.lr);
        this.lrDecay = b.lrDecay;
        this.eps = b.eps;
        this.weightDecay = b.weightDecay;
        this.initialAccumulatorValue = b.initialAccumulatorValue;
    }

    /** A builder over {@code parameters}, with PyTorch's defaults (lr 0.01, no lr decay, eps 1e-10, accumulator 0). */
    public static Builder builder(Iterable<Tensor> parameters) {
        return new Builder(Objects.requireNonNull(parameters, "Adagrad.builder: parameters is null"));
    }

    /** A builder over every parameter of {@code model}. */
    public static Builder builder(Module model) {
        return new Builder(Objects.requireNonNull(model, "Adagrad.builder: model is null").parameters());
    }

    private static final String SUM = "sum";

    /**
     * The update in place, as PyTorch's: {@code s.addcmul_(g, g, 1)}, {@code p.addcdiv_(g, √s + ε, −η)}
     * with the denominator fused in. Allocates nothing, except one temporary g + λp with weight decay.
     */
    @Override
    protected void update(int index, int t, Tensor p, Tensor grad) {
        Tensor g = weightDecay != 0 ? withWeightDecay(grad, p, weightDecay) : grad;
        Tensor s = state(index, SUM);
        if (s == null) s = initState(index, SUM, Tensor.fullLike(p, initialAccumulatorValue));
        double clr = learningRate() / (1 + (t - 1) * lrDecay);
        s.addcmulInPlace(g, g, 1);
        p.addcdivSqrtInPlace(g, s, -clr, 1, eps);
    }

    @Override
    protected List<String> stateNames() {
        return List.of(SUM);
    }

    @Override
    protected Map<String, String> hyperparameters() {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("lr_decay", Double.toString(lrDecay));
        h.put("eps", Double.toString(eps));
        h.put("weight_decay", Double.toString(weightDecay));
        h.put("initial_accumulator_value", Double.toString(initialAccumulatorValue));
        return h;
    }

    public double lrDecay() {
        return lrDecay;
    }

    public double eps() {
        return eps;
    }

    public double weightDecay() {
        return weightDecay;
    }

    public double initialAccumulatorValue() {
        return initialAccumulatorValue;
    }

    @Override
    protected String describe() {
        return "lr=" + learningRate() + ", lrDecay=" + lrDecay + ", eps=" + eps + ", weightDecay=" + weightDecay
            + ", initialAccumulatorValue=" + initialAccumulatorValue;
    }

    /** Collects the hyperparameters; {@link #build()} validates them. */
    public static final class Builder {
        private final Iterable<Tensor> parameters;
        private double lr = 1e-2;
        private double lrDecay;
        private double eps = 1e-10;
        private double weightDecay;
        private double initialAccumulatorValue;

        private Builder(Iterable<Tensor> parameters) {
            this.parameters = parameters;
        }

        /** Learning rate α &gt; 0; default 0.01. */
        public Builder lr(double lr) {
            this.lr = lr;
            return this;
        }

        /** Decay ≥ 0 of the learning rate per step of each parameter, η = lr / (1 + (t − 1)·lrDecay); default 0. */
        public Builder lrDecay(double lrDecay) {
            this.lrDecay = lrDecay;
            return this;
        }

        /** ε &gt; 0 added to the denominator for numerical stability; default 1e-10. */
        public Builder eps(double eps) {
            this.eps = eps;
            return this;
        }

        /** L2 penalty coefficient λ ≥ 0 added to the gradient as λp; default 0. */
        public Builder weightDecay(double weightDecay) {
            this.weightDecay = weightDecay;
            return this;
        }

        /** Starting value ≥ 0 of every squared-gradient sum; default 0. */
        public Builder initialAccumulatorValue(double value) {
            this.initialAccumulatorValue = value;
            return this;
        }

        /**
         * @throws IllegalArgumentException if lr or eps is not positive and finite, lr decay, weight
         *         decay or the initial accumulator value is negative or not finite, or the parameter
         *         list is empty or invalid
         */
        public Adagrad build() {
            Checks.positive("Adagrad", "lr", lr);
            Checks.nonNegative("Adagrad", "lrDecay", lrDecay);
            Checks.positive("Adagrad", "eps", eps);
            Checks.nonNegative("Adagrad", "weightDecay", weightDecay);
            Checks.nonNegative("Adagrad", "initialAccumulatorValue", initialAccumulatorValue);
            return new Adagrad(this);
        }
    }
}

package dev.chainrule.nn.loss;

import dev.chainrule.autograd.Tensor;

/**
 * Kullback–Leibler divergence KL(p ‖ q) of the model's <b>categorical</b> distribution q from a
 * target distribution p, per row:
 * <pre>{@code  KL_i = Σ_j p_ij (log p_ij − log q_ij)}</pre>
 * with 0·log 0 = 0, then the {@link Reduction} over rows (default MEAN, PyTorch's
 * {@code batchmean}). It differs from {@link CrossEntropy} with probability targets only by the
 * target's entropy, a constant in the model: minimizing KL(p_data ‖ p_model) is maximum likelihood.
 * Use it for distillation or when the value itself (0 iff q = p) matters.
 *
 * <p>As PyTorch's {@code KLDivLoss}: the prediction is <em>log</em>-probabilities log q (e.g.
 * {@code logSoftmax(-1)} of logits), the target plain probabilities p. Shapes: identical
 * {@code [N, C]} (generally {@code [..., C]}); NONE returns {@code [N]}.
 */
public final class KlDivergence implements Loss {

    private final Reduction reduction;

    /** With {@link Reduction#MEAN}. */
    public KlDivergence() {
        this(Reduction.MEAN);
    }

    /** @throws NullPointerException if {@code reduction} is null */
    public KlDivergence(Reduction reduction) {
        this.reduction = Reduction.checked("KlDivergence", reduction);
    }

    /**
     * @param prediction log-probabilities log q, {@code [N, C]}
     * @param target     probabilities p, {@code [N, C]}, non-negative
     * @throws IllegalArgumentException if the shapes differ, the prediction is a scalar, or a target is negative
     */
    @Override
    public Tensor apply(Tensor prediction, Tensor target) {
        LossSupport.sameShape("KlDivergence", prediction, target);
        if (prediction.rank() < 1) {
            throw new IllegalArgumentException("KlDivergence: prediction [] and target []: distributions need a class axis, e.g. [N, C]");
        }
        LossSupport.valuesIn("KlDivergence", "target", target, 0, Double.MAX_VALUE, "; targets are probabilities");
        target = LossSupport.like(target, prediction);
        // p·log p with 0·log 0 = 0: the clamp keeps log finite where p = 0, and p = 0 zeroes the term.
        Tensor pLogP = target.mul(target.clamp(Double.MIN_NORMAL, Double.POSITIVE_INFINITY).log());
        Tensor perRow = pLogP.sub(target.mul(prediction)).sum(-1, false);
        return reduction.reduce(perRow);
    }

    /** How the terms are combined. */
    public Reduction reduction() {
        return reduction;
    }

    @Override
    public String toString() {
        return "KlDivergence(" + reduction + ")";
    }
}

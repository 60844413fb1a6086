package dev.chainrule.nn.loss;

import dev.chainrule.autograd.Tensor;

/**
 * Negative log-likelihood of a <b>categorical</b> distribution given its log-probabilities:
 * <pre>{@code  L_i = −log ŷ_{i, y_i}}</pre>
 * then the {@link Reduction} over rows (default MEAN). {@code NllLoss} applied to
 * {@code logSoftmax(f)} equals {@link CrossEntropy} on the logits f; use it when the model already
 * ends in a log-softmax (or produces log-probabilities some other way).
 *
 * <p>Shapes: log-probabilities {@code [N, C]} and class indices {@code [N]} as integer-valued
 * doubles in [0, C). NONE returns {@code [N]}.
 */
public final class NllLoss implements Loss {

    private final Reduction reduction;

    /** With {@link Reduction#MEAN}. */
    public NllLoss() {
        this(Reduction.MEAN);
    }

    /** @throws NullPointerException if {@code reduction} is null */
    public NllLoss(Reduction reduction) {
        this.reduction = Reduction.checked("NllLoss", reduction);
    }

    /**
     * @param prediction log-probabilities {@code [N, C]}
     * @param target     class indices {@code [N]}
     * @throws IllegalArgumentException if the shapes do not fit or a class index is invalid
     */
    @Override
    public Tensor apply(Tensor prediction, Tensor target) {
        int[] idx = LossSupport.classIndices("NllLoss", prediction, target);
        return reduction.reduce(prediction.pick(idx).neg());
    }

    /** How the terms are combined. */
    public Reduction reduction() {
        return reduction;
    }

    @Override
    public String toString() {
        return "NllLoss(" + reduction + ")";
    }
}

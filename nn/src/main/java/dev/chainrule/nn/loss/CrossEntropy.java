package dev.chainrule.nn.loss;

import dev.chainrule.autograd.Shape;
import dev.chainrule.autograd.Tensor;
import java.util.Arrays;

/**
 * Softmax cross-entropy on raw scores (logits), the negative log-likelihood of a <b>categorical</b>
 * (multinoulli) distribution ŷ = softmax(f(x)): for one sample with class y_i,
 * <pre>{@code  L_i = −log( e^{f_{y_i}} / Σ_j e^{f_j} ) = logSumExp(f) − f_{y_i}}</pre>
 * and with a one-hot or probability target row y_i, {@code L_i = −Σ_j y_ij log softmax(f)_ij}.
 * Then the {@link Reduction} over rows (default MEAN). Minimizing it is minimizing
 * KL(p_data ‖ p_model) up to the data's entropy.
 *
 * <p>Use it for multi-class classification with a final linear layer and <em>no</em> softmax
 * module: the softmax is applied here, in log space, finite for logits of ±1000.
 *
 * <p>Shapes: logits {@code [N, C]} (generally {@code [..., C]}) and either class indices {@code [N]}
 * stored as integer-valued doubles in [0, C) (MEAN uses the fused {@link Tensor#crossEntropy} op), or
 * targets {@code [N, C]} of the same shape as the logits (one-hot or probabilities, gradient
 * {@code softmax(f) − y} per row). NONE returns {@code [N]}, else a scalar.
 */
public final class CrossEntropy implements Loss {

    private final Reduction reduction;

    /** With {@link Reduction#MEAN}. */
    public CrossEntropy() {
        this(Reduction.MEAN);
    }

    /** @throws NullPointerException if {@code reduction} is null */
    public CrossEntropy(Reduction reduction) {
        this.reduction = Reduction.checked("CrossEntropy", reduction);
    }

    /**
     * @param prediction logits {@code [N, C]}
     * @param target     class indices {@code [N]} or target distributions {@code [N, C]}
     * @throws IllegalArgumentException if the shapes fit neither form, or a class index is not an
     *                                  integer in [0, C)
     */
    @Override
    public Tensor apply(Tensor prediction, Tensor target) {
        LossSupport.notNull("CrossEntropy", prediction, target);
        if (prediction.rank() < 1) {
            throw new IllegalArgumentException("CrossEntropy: prediction " + Shape.toString(prediction.shape())
                + " and target " + Shape.toString(target.shape()) + ": logits need a class axis, e.g. [N, C]");
        }
        if (Arrays.equals(prediction.shape(), target.shape())) {
            Tensor perRow = LossSupport.like(target, prediction).mul(prediction.logSoftmax(-1)).sum(-1, false).neg();
            return reduction.reduce(perRow);
        }
        int[] idx = LossSupport.classIndices("CrossEntropy", prediction, target);
        if (reduction == Reduction.MEAN) return prediction.crossEntropy(idx);
        return reduction.reduce(prediction.logSoftmax(-1).pick(idx).neg());
    }

    /** How the terms are combined. */
    public Reduction reduction() {
        return reduction;
    }

    @Override
    public String toString() {
        return "CrossEntropy(" + reduction + ")";
    }
}

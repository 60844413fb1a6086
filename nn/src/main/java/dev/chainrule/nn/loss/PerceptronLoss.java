package dev.chainrule.nn.loss;

import dev.chainrule.autograd.Tensor;

/**
 * The perceptron criterion for labels y ∈ {−1, +1} and raw scores s = w·x + b:
 * <pre>{@code  l_i = max(0, −y_i · s_i)}</pre>
 * then the {@link Reduction} over all elements (default MEAN). It is zero on correctly classified
 * points and grows linearly with the score on the wrong side.
 *
 * <p>Why it exists: the perceptron's output sign(s) has derivative 0, so it cannot be trained by
 * gradient descent on its own output; this criterion has the gradient {@code ∂l/∂s = −y} on a mistake
 * and 0 otherwise, so that for {@link dev.chainrule.nn.Perceptron} ∂l/∂w = −y·x and one SGD step
 * with rate α on one point is Rosenblatt's rule {@code w ← w + α y x} (with {@code SUM}, or a batch
 * of one). A score of exactly 0 counts as a mistake (subgradient −y, as the classic rule updates
 * when y·s ≤ 0), which is what lets training start from w = 0.
 *
 * <p>Composed as {@code (−y·s) · [y·s ≤ 0]}, the indicator a constant of the graph.
 * Shapes: scores and labels identical (usually {@code [N]}); NONE keeps the shape.
 */
public final class PerceptronLoss implements Loss {

    private final Reduction reduction;

    /** With {@link Reduction#MEAN}. */
    public PerceptronLoss() {
        this(Reduction.MEAN);
    }

    /** @throws NullPointerException if {@code reduction} is null */
    public PerceptronLoss(Reduction reduction) {
        this.reduction = Reduction.checked("PerceptronLoss", reduction);
    }

    /**
     * @param prediction raw scores s (not signs)
     * @param target     labels, each −1 or +1
     * @throws IllegalArgumentException if the shapes differ or a label is not ±1
     */
    @Override
    public Tensor apply(Tensor prediction, Tensor target) {
        LossSupport.sameShape("PerceptronLoss", prediction, target);
        double[] y = target.toArray();
        for (int i = 0; i < y.length; i++) {
            if (y[i] != 1 && y[i] != -1) {
                throw new IllegalArgumentException("PerceptronLoss: label " + y[i] + " at position " + i
                    + " must be -1 or +1 (map {0, 1} labels with y * 2 - 1)");
            }
        }
        Tensor margin = LossSupport.like(target, prediction).mul(prediction);
        Tensor mistake = margin.detach().step().neg().add(1);   // 1 where y·s ≤ 0
        return reduction.reduce(margin.neg().mul(mistake));
    }

    /** How the terms are combined. */
    public Reduction reduction() {
        return reduction;
    }

    @Override
    public String toString() {
        return "PerceptronLoss(" + reduction + ")";
    }
}

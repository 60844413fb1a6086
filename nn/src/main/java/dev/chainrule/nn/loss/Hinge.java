package dev.chainrule.nn.loss;

import dev.chainrule.autograd.Tensor;

/**
 * The multiclass hinge loss (Weston–Watkins / the "SVM loss"): the correct class's score should
 * beat every other score by a margin Δ (default 1),
 * <pre>{@code  L_i = Σ_{j ≠ y_i} max(0, f_j − f_{y_i} + Δ)}</pre>
 * then the {@link Reduction} over rows (default MEAN). Unlike the likelihood losses it is not a
 * negative log-likelihood: it is zero once every margin is met and ignores confidence beyond that.
 * Subgradient: each violated pair adds +1 to f_j and −1 to f_{y_i} (0 at exactly the margin).
 *
 * <p>Shapes: scores {@code [N, C]} and class indices {@code [N]} as integer-valued doubles.
 * NONE returns {@code [N]}.
 */
public final class Hinge implements Loss {

    private final double margin;
    private final Reduction reduction;

    /** Margin 1, MEAN reduction. */
    public Hinge() {
        this(1.0, Reduction.MEAN);
    }

    /** @throws IllegalArgumentException if {@code margin} is negative or not finite, and NullPointerException if reduction is null */
    public Hinge(double margin, Reduction reduction) {
        if (!(margin >= 0) || !Double.isFinite(margin)) {
            throw new IllegalArgumentException("Hinge: margin " + margin + " must be finite and >= 0");
        }
        this.margin = margin;
        this.reduction = Reduction.checked("Hinge", reduction);
    }

    /**
     * @param prediction scores {@code [N, C]}
     * @param target     class indices {@code [N]}
     * @throws IllegalArgumentException if the shapes do not fit or a class index is invalid
     */
    @Override
    public Tensor apply(Tensor prediction, Tensor target) {
        int[] idx = LossSupport.classIndices("Hinge", prediction, target);
        int[] keep = prediction.shape();
        keep[keep.length - 1] = 1;
        Tensor correct = prediction.pick(idx).reshape(keep);
        // The j = y_i term is a constant max(0, Δ); masking it out also removes its (cancelling) gradient.
        Tensor others = LossSupport.oneHot(idx, prediction.shape(), prediction.dtype()).neg().add(1);
        Tensor perRow = prediction.sub(correct).add(margin).relu().mul(others).sum(-1, false);
        return reduction.reduce(perRow);
    }

    /** The required gap Δ between the correct score and the others. */
    public double margin() {
        return margin;
    }

    /** How the terms are combined. */
    public Reduction reduction() {
        return reduction;
    }

    @Override
    public String toString() {
        return "Hinge(margin=" + margin + ", " + reduction + ")";
    }
}

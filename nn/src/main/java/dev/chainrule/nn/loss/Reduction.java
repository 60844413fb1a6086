package dev.chainrule.nn.loss;

import dev.chainrule.autograd.Tensor;

/**
 * How a loss combines its per-sample (or per-element) terms into what it returns.
 *
 * <p>Elementwise losses ({@link MeanSquaredError}, {@link GaussianNll}, {@link BinaryCrossEntropy},
 * {@link BinaryCrossEntropyWithLogits}, {@link PerceptronLoss}) reduce over every element; row losses
 * over classes ({@link CrossEntropy}, {@link NllLoss}, {@link Hinge}, {@link KlDivergence}) first sum
 * over the class axis and then reduce over the rows — as PyTorch does (KL's {@code MEAN} is PyTorch's
 * {@code batchmean}). Minimizing the {@code SUM} is maximizing the likelihood; {@code MEAN} gives the
 * same minimizer with a gradient scale that does not depend on the batch size.
 */
public enum Reduction {
    /** The average of the terms, a scalar (the default). */
    MEAN,
    /** The sum of the terms, a scalar: the negative log-likelihood of the whole batch. */
    SUM,
    /** No reduction: one term per element (or per row), e.g. to weight samples yourself. */
    NONE;

    /** Applies this reduction to {@code terms}. */
    public Tensor reduce(Tensor terms) {
        java.util.Objects.requireNonNull(terms, "Reduction.reduce: terms is null");
        return switch (this) {
            case MEAN -> terms.mean();
            case SUM -> terms.sum();
            case NONE -> terms;
        };
    }

    static Reduction checked(String loss, Reduction r) {
        java.util.Objects.requireNonNull(r, loss + ": reduction is null; use Reduction.MEAN, SUM or NONE");
        return r;
    }
}

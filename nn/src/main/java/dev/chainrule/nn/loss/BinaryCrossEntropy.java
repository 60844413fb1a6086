package dev.chainrule.nn.loss;

import dev.chainrule.autograd.Tensor;

/**
 * Binary cross-entropy on probabilities, the negative log-likelihood of a <b>Bernoulli</b>
 * y ~ Bernoulli(p) with p = σ(f(x)) (logistic regression, a sigmoid output unit):
 * <pre>{@code  l_i = −[ y_i · log p_i + (1 − y_i) · log(1 − p_i) ]}</pre>
 * then the {@link Reduction} over all elements (default MEAN). Targets y may be soft (any value
 * in [0, 1]).
 *
 * <p>As in PyTorch, each log is clamped at −100 (computed as {@code log(max(p, e^−100))}) so that a
 * prediction of exactly 0 or 1 gives a finite loss (at most 100 per element) and a finite gradient.
 * Prefer {@link BinaryCrossEntropyWithLogits} when you have the raw score f(x): it is exact for
 * any score, where σ(f) would round to 0 or 1.
 *
 * <p>Shapes: prediction and target identical; NONE keeps the shape, else a scalar.
 */
public final class BinaryCrossEntropy implements Loss {

    /** e^−100: the smallest argument passed to log, so that log is clamped at −100. */
    private static final double LOG_FLOOR = Math.exp(-100);

    private final Reduction reduction;

    /** With {@link Reduction#MEAN}. */
    public BinaryCrossEntropy() {
        this(Reduction.MEAN);
    }

    /** @throws NullPointerException if {@code reduction} is null */
    public BinaryCrossEntropy(Reduction reduction) {
        this.reduction = Reduction.checked("BinaryCrossEntropy", reduction);
    }

    /**
     * @param prediction probabilities in [0, 1]
     * @param target     labels (or soft labels) in [0, 1]
     * @throws IllegalArgumentException if the shapes differ or a value is outside [0, 1]
     */
    @Override
    public Tensor apply(Tensor prediction, Tensor target) {
        LossSupport.sameShape("BinaryCrossEntropy", prediction, target);
        LossSupport.valuesIn("BinaryCrossEntropy", "prediction", prediction, 0, 1,
            "; it takes probabilities (e.g. after a Sigmoid); for raw scores use BinaryCrossEntropyWithLogits");
        LossSupport.valuesIn("BinaryCrossEntropy", "target", target, 0, 1, "; targets are probabilities of class 1");
        target = LossSupport.like(target, prediction);
        Tensor logP = prediction.clamp(LOG_FLOOR, Double.POSITIVE_INFINITY).log();
        Tensor log1mP = prediction.neg().add(1).clamp(LOG_FLOOR, Double.POSITIVE_INFINITY).log();
        Tensor terms = target.mul(logP).add(target.neg().add(1).mul(log1mP)).neg();
        return reduction.reduce(terms);
    }

    /** How the terms are combined. */
    public Reduction reduction() {
        return reduction;
    }

    @Override
    public String toString() {
        return "BinaryCrossEntropy(" + reduction + ")";
    }
}

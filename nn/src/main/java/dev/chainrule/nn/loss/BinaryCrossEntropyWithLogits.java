package dev.chainrule.nn.loss;

import dev.chainrule.autograd.Tensor;

/**
 * Binary cross-entropy on raw scores (logits), the negative log-likelihood of a <b>Bernoulli</b>
 * y ~ Bernoulli(σ(x)) computed without forming σ(x):
 * <pre>{@code  l_i = −[y log σ(x) + (1 − y) log(1 − σ(x))] = softplus(x_i) − x_i · y_i}</pre>
 * using log σ(x) = −softplus(−x) and softplus(x) − softplus(−x) = x. Softplus is evaluated stably,
 * so the loss and its gradient σ(x) − y are exact and finite even for logits of ±1000. Then the
 * {@link Reduction} over all elements (default MEAN).
 *
 * <p>Use it instead of a {@code Sigmoid} output + {@link BinaryCrossEntropy} for binary
 * classification. Shapes: logits and targets identical; NONE keeps the shape.
 */
public final class BinaryCrossEntropyWithLogits implements Loss {

    private final Reduction reduction;

    /** With {@link Reduction#MEAN}. */
    public BinaryCrossEntropyWithLogits() {
        this(Reduction.MEAN);
    }

    /** @throws NullPointerException if {@code reduction} is null */
    public BinaryCrossEntropyWithLogits(Reduction reduction) {
        this.reduction = Reduction.checked("BinaryCrossEntropyWithLogits", reduction);
    }

    /**
     * @param prediction raw scores (logits), any real values
     * @param target     labels (or soft labels) in [0, 1]
     * @throws IllegalArgumentException if the shapes differ or a target is outside [0, 1]
     */
    @Override
    public Tensor apply(Tensor prediction, Tensor target) {
        LossSupport.sameShape("BinaryCrossEntropyWithLogits", prediction, target);
        LossSupport.valuesIn("BinaryCrossEntropyWithLogits", "target", target, 0, 1, "; targets are probabilities of class 1");
        return reduction.reduce(prediction.softplus().sub(prediction.mul(LossSupport.like(target, prediction))));
    }

    /** How the terms are combined. */
    public Reduction reduction() {
        return reduction;
    }

    @Override
    public String toString() {
        return "BinaryCrossEntropyWithLogits(" + reduction + ")";
    }
}

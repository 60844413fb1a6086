package dev.chainrule.nn.loss;

import dev.chainrule.autograd.Tensor;

/**
 * Mean squared error, the negative log-likelihood of a <b>Gaussian</b> with fixed variance:
 * if y ~ N(ŷ, σ²) then −log p(y | ŷ) = (ŷ − y)²/(2σ²) + const, so for fixed σ minimizing
 * {@code Σ (ŷ − y)²} is maximum likelihood (and the ML estimate of a constant mean is the sample
 * mean). Use it for regression with real-valued targets; use {@link GaussianNll} when the noise
 * level differs between samples.
 *
 * <p>Formula: terms {@code (ŷ_i − y_i)²} elementwise, then the {@link Reduction} (default
 * {@code MEAN}: over all elements). Gradient {@code 2(ŷ − y)/n} for MEAN.
 * Shapes: prediction and target identical (any shape); NONE returns that shape, else a scalar.
 */
public final class MeanSquaredError implements Loss {

    private final Reduction reduction;

    /** The mean over all elements. */
    public MeanSquaredError() {
        this(Reduction.MEAN);
    }

    /** @throws NullPointerException if {@code reduction} is null */
    public MeanSquaredError(Reduction reduction) {
        this.reduction = Reduction.checked("MeanSquaredError", reduction);
    }

    /** @throws IllegalArgumentException if the shapes differ (naming both) */
    @Override
    public Tensor apply(Tensor prediction, Tensor target) {
        LossSupport.sameShape("MeanSquaredError", prediction, target);
        return reduction.reduce(prediction.sub(LossSupport.like(target, prediction)).square());
    }

    /** How the terms are combined. */
    public Reduction reduction() {
        return reduction;
    }

    @Override
    public String toString() {
        return "MeanSquaredError(" + reduction + ")";
    }
}

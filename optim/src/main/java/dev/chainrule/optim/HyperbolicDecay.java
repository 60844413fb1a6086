package dev.chainrule.optim;

/**
 * The classic stochastic-approximation step size α<sub>k</sub> = C / k (k = 1, 2, ...).
 *
 * <p>When to use: plain SGD applied per update; since Σ α<sub>k</sub> = ∞ and Σ α<sub>k</sub>² &lt; ∞,
 * SGD with this schedule converges on convex problems despite noisy gradients (Robbins and Monro, 1951).
 * Its decay is fast, so C must be large enough for early progress.
 *
 * @param c the constant C, which is also the rate at k = 1
 */
public record HyperbolicDecay(double c) implements LearningRateSchedule {

    /** @throws IllegalArgumentException if C is not positive and finite */
    public HyperbolicDecay {
        Checks.positive("HyperbolicDecay", "c", c);
    }

    @Override
    public double rate(int k) {
        Checks.period("HyperbolicDecay", k);
        return c / k;
    }
}

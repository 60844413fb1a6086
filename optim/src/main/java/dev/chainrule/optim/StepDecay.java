package dev.chainrule.optim;

/**
 * Multiplies the learning rate by γ every {@code stepSize} periods:
 * α<sub>k</sub> = α₀ · γ<sup>⌊(k − 1) / stepSize⌋</sup>, as {@code torch.optim.lr_scheduler.StepLR}
 * (whose epoch 0 is our k = 1).
 *
 * <p>When to use: SGD with momentum on long runs, e.g. divide by 10 every 30 epochs.
 *
 * @param initialRate α₀, the rate for the first {@code stepSize} periods
 * @param stepSize    periods between two decays
 * @param gamma       the factor γ in (0, 1]
 */
public record StepDecay(double initialRate, int stepSize, double gamma) implements LearningRateSchedule {

    /** @throws IllegalArgumentException if the initial rate is not positive and finite, stepSize &lt; 1 or γ is outside (0, 1] */
    public StepDecay {
        Checks.positive("StepDecay", "initialRate", initialRate);
        Checks.positive("StepDecay", "stepSize", stepSize);
        if (!(gamma > 0 && gamma <= 1)) throw new IllegalArgumentException("StepDecay: gamma must be in (0, 1], got " + gamma);
    }

    @Override
    public double rate(int k) {
        Checks.period("StepDecay", k);
        return initialRate * Math.pow(gamma, (k - 1) / stepSize);
    }
}

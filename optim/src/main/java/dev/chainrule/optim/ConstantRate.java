package dev.chainrule.optim;

/**
 * The same learning rate in every period: α<sub>k</sub> = α.
 *
 * <p>When to use: adaptive optimizers (Adam, RMSProp) and short runs, where no decay is needed.
 *
 * @param rate the learning rate α
 */
public record ConstantRate(double rate) implements LearningRateSchedule {

    /** @throws IllegalArgumentException if the rate is not positive and finite */
    public ConstantRate {
        Checks.positive("ConstantRate", "rate", rate);
    }

    @Override
    public double rate(int k) {
        Checks.period("ConstantRate", k);
        return rate;
    }
}

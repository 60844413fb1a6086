package dev.chainrule.optim;

import java.util.Objects;

/**
 * Applies a {@link LearningRateSchedule} to an optimizer: each {@link #advance()} moves to the next
 * period k and sets the optimizer's learning rate to {@code schedule.rate(k)}.
 *
 * <p>When to use: in a hand-written training loop; {@link Trainer} does this itself. Call
 * {@link #advance()} once at the start of every epoch (or before every update, for per-update
 * schedules such as {@link HyperbolicDecay} applied to SGD):
 * <pre>{@code
 * Scheduler scheduler = new Scheduler(optimizer, new CosineAnnealing(0.1, 0.001, epochs));
 * for (int epoch = 1; epoch <= epochs; epoch++) {
 *     scheduler.advance();
 *     for (Batch b : loader) { ...; loss.backward(); optimizer.step(); optimizer.zeroGrad(); }
 * }
 * }</pre>
 */
public final class Scheduler {

    private final Optimizer optimizer;
    private final LearningRateSchedule schedule;
    private int period;

    /**
     * A scheduler at period 0 (before the first {@link #advance()}).
     *
     * @throws NullPointerException if either argument is null
     */
    public Scheduler(Optimizer optimizer, LearningRateSchedule schedule) {
        this.optimizer = Objects.requireNonNull(optimizer, "Scheduler: optimizer is null");
        this.schedule = Objects.requireNonNull(schedule, "Scheduler: schedule is null");
    }

    /**
     * Moves to the next period (the first call starts period 1) and sets the optimizer's learning rate.
     *
     * @return the rate now in force
     * @throws IllegalArgumentException if the schedule returns a negative, NaN or infinite rate
     */
    public double advance() {
        period++;
        double rate = schedule.rate(period);
        if (!(rate >= 0) || Double.isInfinite(rate)) {
            throw new IllegalArgumentException("Scheduler: schedule " + schedule + " returned rate " + rate + " for period "
                + period + "; a learning rate must be >= 0 and finite");
        }
        optimizer.setLearningRate(rate);
        return rate;
    }

    /** The current period: 0 before the first {@link #advance()}. */
    public int period() {
        return period;
    }

    /**
     * Restores the current period (e.g. from a training checkpoint): the next {@link #advance()}
     * moves to {@code period + 1}. The optimizer's learning rate is not changed.
     *
     * @throws IllegalArgumentException if {@code period} is negative
     */
    public void setPeriod(int period) {
        if (period < 0) throw new IllegalArgumentException("Scheduler.setPeriod: period " + period + " is negative");
        this.period = period;
    }

    public Optimizer optimizer() {
        return optimizer;
    }

    public LearningRateSchedule schedule() {
        return schedule;
    }
}

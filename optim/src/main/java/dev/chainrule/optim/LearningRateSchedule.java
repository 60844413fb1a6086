package dev.chainrule.optim;

/**
 * A learning rate as a function of a 1-based counter k: the k-th epoch, or the k-th update,
 * depending on how it is applied ({@link Scheduler}, {@link Trainer.Builder#learningRateSchedule}
 * per epoch or {@link Trainer.Builder#learningRateSchedulePerBatch} per update).
 *
 * <p>Implementations: {@link ConstantRate}, {@link HyperbolicDecay} (α<sub>k</sub> = C/k),
 * {@link StepDecay}, {@link CosineAnnealing}; a lambda works too: {@code k -> 0.1 * Math.pow(0.95, k - 1)}.
 */
@FunctionalInterface
public interface LearningRateSchedule {
    /**
     * The learning rate for period {@code k}.
     *
     * @param k the period, starting at 1
     * @return a finite learning rate ≥ 0 (0 leaves the parameters unchanged)
     * @throws IllegalArgumentException if {@code k < 1}
     */
    double rate(int k);
}

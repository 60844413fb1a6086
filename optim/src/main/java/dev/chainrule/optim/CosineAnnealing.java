package dev.chainrule.optim;

/**
 * Lowers the learning rate from α<sub>max</sub> to α<sub>min</sub> along half a cosine over
 * {@code periods} periods, then holds α<sub>min</sub>:
 * α<sub>k</sub> = α<sub>min</sub> + (α<sub>max</sub> − α<sub>min</sub>) · (1 + cos(π (k − 1) / T)) / 2
 * for 1 ≤ k ≤ T + 1, and α<sub>min</sub> after. This is {@code torch.optim.lr_scheduler.CosineAnnealingLR}
 * with T_max = T (its epoch 0 is our k = 1), except that it does not rise again after T.
 *
 * <p>When to use: a smooth decay for a run of known length; a good default for SGD with momentum.
 * Reference: Loshchilov and Hutter, "SGDR: Stochastic Gradient Descent with Warm Restarts", ICLR 2017.
 *
 * @param maxRate α<sub>max</sub>, the rate at k = 1
 * @param minRate α<sub>min</sub> ≥ 0, reached at k = T + 1 (a rate of 0 there leaves parameters unchanged)
 * @param periods T, the length of the decay
 */
public record CosineAnnealing(double maxRate, double minRate, int periods) implements LearningRateSchedule {

    /** @throws IllegalArgumentException if maxRate is not positive and finite, minRate is outside [0, maxRate], or periods &lt; 1 */
    public CosineAnnealing {
        Checks.positive("CosineAnnealing", "maxRate", maxRate);
        if (!(minRate >= 0 && minRate <= maxRate)) {
            throw new IllegalArgumentException("CosineAnnealing: minRate must be in [0, maxRate = " + maxRate + "], got " + minRate);
        }
        Checks.positive("CosineAnnealing", "periods", periods);
    }

    @Override
    public double rate(int k) {
        Checks.period("CosineAnnealing", k);
        if (k - 1 >= periods) return minRate;
        return minRate + (maxRate - minRate) * (1 + Math.cos(Math.PI * (k - 1) / periods)) / 2;
    }
}

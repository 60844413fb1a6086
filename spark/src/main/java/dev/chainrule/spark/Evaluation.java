package dev.chainrule.spark;

/**
 * Loss and metric of a model over a whole {@link ShardedData}, computed in eval mode.
 *
 * @param samples the number of samples evaluated
 * @param loss    the mean loss, {@code Σ_i L_i / n}
 * @param metric  the mean metric, or NaN without a metric
 */
public record Evaluation(long samples, double loss, double metric) {
}

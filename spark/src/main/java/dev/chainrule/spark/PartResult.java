package dev.chainrule.spark;

import java.io.Serializable;

/**
 * What one partition computed in one job: over its {@code rows} rows of the batch (or data set), the
 * sum of the per-sample losses, of the metric, and (training steps only) the gradient sum of every
 * parameter (flat, see {@link Layout}) and which parameters the backward pass reached.
 *
 * @param partition    the partition index
 * @param rows         how many samples it used (0: it had none in this batch)
 * @param lossSum      Σ L_i over those rows
 * @param metricSum    Σ metric_i over those rows (0 without a metric)
 * @param grad         Σ ∇L_i, or null (no rows, or evaluation)
 * @param reached      per parameter, whether it received a gradient, or null
 * @param computeNanos time spent in forward, loss and backward on the executor
 */
record PartResult(int partition, int rows, double lossSum, double metricSum, double[] grad, boolean[] reached, long computeNanos)
    implements Serializable {
}

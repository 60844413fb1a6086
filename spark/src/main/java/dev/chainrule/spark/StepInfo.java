package dev.chainrule.spark;

/**
 * One completed data-parallel training step, as reported to a {@link StepListener}.
 *
 * @param step          the global step number of this update, from 0 (the number of updates before it)
 * @param epoch         the epoch, from 1
 * @param batch         the batch within the epoch, from 1
 * @param batchSize     the global batch size B of this step
 * @param loss          the mean loss over the batch before the update, {@code Σ_p lossSum_p / B}
 * @param metric        the mean metric over the batch, or NaN without a metric
 * @param broadcastNanos time to copy and broadcast the parameters
 * @param jobNanos      time of the Spark job (schedule the tasks, compute, collect the partitions' sums)
 * @param computeNanos  the longest partition's forward + backward time inside the job
 * @param updateNanos   time to add the sums, write the gradients and run the optimizer
 */
public record StepInfo(long step, int epoch, int batch, int batchSize, double loss, double metric,
                       long broadcastNanos, long jobNanos, long computeNanos, long updateNanos) {

    /** Wall time of the whole step in milliseconds. */
    public double millis() {
        return (broadcastNanos + jobNanos + updateNanos) / 1e6;
    }
}

package dev.chainrule.optim;

/**
 * What one training epoch produced, as plain numbers (no tensors, so no graph is kept alive).
 * Values that were not computed are NaN: the validation entries without a validation set, the
 * metric entries without a {@link Metric}.
 *
 * @param epoch            the epoch number, starting at 1
 * @param trainLoss        mean training loss over the epoch's batches, weighted by batch size (each
 *                         batch measured before its update)
 * @param trainMetric      the metric on the training batches, averaged the same way
 * @param validationLoss   mean loss on the validation set after the epoch, in eval mode
 * @param validationMetric the metric on the validation set after the epoch
 * @param learningRate     the optimizer's learning rate at the end of the epoch
 */
public record EpochSummary(int epoch, double trainLoss, double trainMetric, double validationLoss,
                           double validationMetric, double learningRate) {

    /** @throws IllegalArgumentException if {@code epoch} is below 1 */
    public EpochSummary {
        if (epoch < 1) throw new IllegalArgumentException("EpochSummary: epoch " + epoch + " must be at least 1 (epochs count from 1)");
    }

    /** Whether this epoch was evaluated on a validation set. */
    public boolean hasValidation() {
        return !Double.isNaN(validationLoss);
    }
}

package dev.chainrule.optim;

import java.util.List;

/**
 * The record of one {@link Trainer#fit}: one {@link EpochSummary} per epoch run, plus how the run
 * ended. Immutable.
 */
public final class History {

    private final List<EpochSummary> epochs;
    private final String metricName;
    private final boolean stoppedEarly;
    private final int bestEpoch;

    History(List<EpochSummary> epochs, String metricName, boolean stoppedEarly, int bestEpoch) {
        this.epochs = List.copyOf(epochs);
        this.metricName = metricName;
        this.stoppedEarly = stoppedEarly;
        this.bestEpoch = bestEpoch;
    }

    /** One summary per epoch run, in order. */
    public List<EpochSummary> epochs() {
        return epochs;
    }

    /** Number of epochs run. */
    public int size() {
        return epochs.size();
    }

    /** The last epoch's summary. @throws IllegalStateException if no epoch ran */
    public EpochSummary last() {
        if (epochs.isEmpty()) throw new IllegalStateException("History: no epoch was run");
        return epochs.get(epochs.size() - 1);
    }

    /** Training loss per epoch. */
    public double[] trainLoss() {
        return epochs.stream().mapToDouble(EpochSummary::trainLoss).toArray();
    }

    /** Validation loss per epoch (NaN entries without a validation set). */
    public double[] validationLoss() {
        return epochs.stream().mapToDouble(EpochSummary::validationLoss).toArray();
    }

    /** The metric on the training batches per epoch (NaN entries without a metric). */
    public double[] trainMetric() {
        return epochs.stream().mapToDouble(EpochSummary::trainMetric).toArray();
    }

    /** The metric on the validation set per epoch (NaN entries without a metric or validation set). */
    public double[] validationMetric() {
        return epochs.stream().mapToDouble(EpochSummary::validationMetric).toArray();
    }

    /** The metric's name, or null when the trainer had no metric. */
    public String metricName() {
        return metricName;
    }

    /** Whether early stopping ended the run before the planned number of epochs. */
    public boolean stoppedEarly() {
        return stoppedEarly;
    }

    /**
     * The epoch (from 1) with the lowest validation loss, or the lowest training loss when there was
     * no validation set (an improvement must exceed the early-stopping {@code minDelta}); 0 if no
     * epoch had a finite loss.
     */
    public int bestEpoch() {
        return bestEpoch;
    }

    @Override
    public String toString() {
        if (epochs.isEmpty()) return "History(no epochs)";
        EpochSummary last = last();
        StringBuilder sb = new StringBuilder("History(epochs=").append(size())
            .append(", final train loss=").append(last.trainLoss());
        if (last.hasValidation()) sb.append(", final validation loss=").append(last.validationLoss());
        if (metricName != null) sb.append(", final train ").append(metricName).append('=').append(last.trainMetric());
        return sb.append(", best epoch=").append(bestEpoch).append(", stopped early=").append(stoppedEarly).append(')').toString();
    }
}

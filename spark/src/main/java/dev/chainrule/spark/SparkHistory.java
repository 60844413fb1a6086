package dev.chainrule.spark;

import dev.chainrule.optim.EpochSummary;
import java.util.List;

/**
 * The record of one {@link SparkTrainer#fit}: one {@link EpochSummary} per epoch finished (the same
 * record single-machine {@code Trainer} training produces), and every step's loss and timings.
 * Immutable.
 */
public final class SparkHistory {

    private final List<EpochSummary> epochs;
    private final List<StepInfo> steps;
    private final double[] epochMillis;

    SparkHistory(List<EpochSummary> epochs, List<StepInfo> steps, double[] epochMillis) {
        this.epochs = List.copyOf(epochs);
        this.steps = List.copyOf(steps);
        this.epochMillis = epochMillis.clone();
    }

    /** The wall time of each completed epoch in milliseconds: its steps and its validation. */
    public double[] epochMillis() {
        return epochMillis.clone();
    }

    /** One summary per epoch completed in this fit, in order. */
    public List<EpochSummary> epochs() {
        return epochs;
    }

    /** Every step run in this fit, in order. */
    public List<StepInfo> steps() {
        return steps;
    }

    /** The training loss of each completed epoch (mean over its samples, each batch before its update). */
    public double[] trainLoss() {
        return epochs.stream().mapToDouble(EpochSummary::trainLoss).toArray();
    }

    /** The loss of each step of this fit, before its update. */
    public double[] stepLosses() {
        return steps.stream().mapToDouble(StepInfo::loss).toArray();
    }

    /** Mean wall time of a step in milliseconds (NaN without steps). */
    public double meanStepMillis() {
        return steps.stream().mapToDouble(StepInfo::millis).average().orElse(Double.NaN);
    }

    /** Mean of one timing component over the steps, in milliseconds: broadcast, job, compute or update. */
    public double meanMillis(String component) {
        java.util.Objects.requireNonNull(component, "SparkHistory.meanMillis: component is null");
        return steps.stream().mapToLong(s -> switch (component) {
            case "broadcast" -> s.broadcastNanos();
            case "job" -> s.jobNanos();
            case "compute" -> s.computeNanos();
            case "update" -> s.updateNanos();
            default -> throw new IllegalArgumentException("SparkHistory.meanMillis: unknown component '" + component
                + "'; use broadcast, job, compute or update");
        }).average().orElse(Double.NaN) / 1e6;
    }

    @Override
    public String toString() {
        return "SparkHistory(epochs=" + epochs.size() + ", steps=" + steps.size()
            + (epochs.isEmpty() ? "" : ", final train loss=" + epochs.get(epochs.size() - 1).trainLoss()) + ")";
    }
}

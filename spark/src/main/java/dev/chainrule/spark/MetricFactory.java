package dev.chainrule.spark;

import dev.chainrule.optim.Metric;
import java.io.Serializable;

/**
 * Builds a {@link Metric} on the executors, e.g. {@code MetricFactory accuracy = Accuracy::multiclass;}.
 * Each partition reports {@code metric.evaluate(prediction, target) · rows}; the driver adds them in
 * partition order and divides by the number of samples, which gives the mean over the whole batch
 * (or data set) for any per-sample metric.
 */
@FunctionalInterface
public interface MetricFactory extends Serializable {

    /** A fresh metric. */
    Metric create();
}

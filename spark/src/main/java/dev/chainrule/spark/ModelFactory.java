package dev.chainrule.spark;

import dev.chainrule.nn.Module;
import java.io.Serializable;

/**
 * Builds the model to train, on the driver and on every executor: Spark sends the factory (not a
 * model) to the executors, so it must be serializable and deterministic — every call must build the
 * same architecture with the same non-trained state (e.g. each {@code Dropout}'s seed), which means
 * seeding every random generator it uses. {@link SparkTrainer} checks both on the driver before it
 * starts a job.
 *
 * <pre>{@code
 * ModelFactory factory = () -> Mlp.builder().sizes(784, 128, 10).dropout(0.2).seed(42).build();
 * }</pre>
 * A lambda assigned to this interface is serializable as long as what it captures is (sizes, seeds,
 * strings; not a {@code Module}, a {@code JavaSparkContext} or an enclosing non-serializable object).
 */
@FunctionalInterface
public interface ModelFactory extends Serializable {

    /** A freshly built model (in training mode); each call returns a new, independent instance. */
    Module create();
}

package dev.chainrule.spark;

import dev.chainrule.nn.Module;
import java.io.IOException;
import java.io.Serializable;
import java.util.Objects;

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

    /**
     * {@code factory} Java-serialized, as Spark ships it to the executors (ML persistence stores it so).
     *
     * @throws IOException if it is not serializable (e.g. it captured a {@code Module})
     */
    static byte[] toBytes(ModelFactory factory) throws IOException {
        Objects.requireNonNull(factory, "ModelFactory.toBytes: factory is null");
        return Serialization.toBytes(factory);
    }

    /**
     * The factory serialized in {@code data} by {@link #toBytes}; classes resolve through the thread's
     * context class loader first (user classes added by {@code spark-submit --jars}).
     *
     * @throws IOException if {@code data} is not a serialized factory
     * @throws ClassNotFoundException if the factory's classes are not on the class path
     */
    static ModelFactory fromBytes(byte[] data) throws IOException, ClassNotFoundException {
        Objects.requireNonNull(data, "ModelFactory.fromBytes: data is null");
        Object value = Serialization.fromBytes(data);
        if (value instanceof ModelFactory f) return f;
        throw new IOException("ModelFactory.fromBytes: the data holds a " + (value == null ? "null" : value.getClass().getName())
            + ", not a ModelFactory");
    }
}

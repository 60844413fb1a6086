package dev.chainrule.spark;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;

/** Java-serialization round trips on the driver: what Spark does to every task closure, checked before any job. */
final class Serialization {
    private Serialization() {}

    /**
     * Serializes and deserializes {@code value} as Spark will when it ships it to the executors.
     *
     * @return the deserialized copy
     * @throws IllegalArgumentException if it is not serializable, naming what was captured
     */
    @SuppressWarnings("unchecked")
    static <T extends Serializable> T check(String where, String what, T value) {
        try {
            return (T) fromBytes(toBytes(value));
        } catch (IOException | ClassNotFoundException | RuntimeException e) {
            throw new IllegalArgumentException(where + ": the " + what + " (" + value.getClass().getName() + ") is not serializable: "
                + e + ". Spark sends it to every executor; let it capture only serializable values (sizes, seeds, "
                + "file names), not a Module, an Optimizer, a JavaSparkContext or a non-serializable enclosing object", e);
        }
    }

    static byte[] toBytes(Object value) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(value);
        }
        return bytes.toByteArray();
    }

    static Object fromBytes(byte[] data) throws IOException, ClassNotFoundException {
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(data)) {
            @Override
            protected Class<?> resolveClass(java.io.ObjectStreamClass desc) throws IOException, ClassNotFoundException {
                // The context loader sees user classes (spark-submit --jars) that this module's loader may not.
                ClassLoader cl = Thread.currentThread().getContextClassLoader();
                if (cl != null) {
                    try {
                        return Class.forName(desc.getName(), false, cl);
                    } catch (ClassNotFoundException ignored) {
                        // fall back to the default resolution
                    }
                }
                return super.resolveClass(desc);
            }
        }) {
            return in.readObject();
        }
    }
}

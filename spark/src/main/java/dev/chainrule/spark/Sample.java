package dev.chainrule.spark;

import java.io.Serializable;
import java.util.Objects;

/**
 * One training example for {@link ShardedData#fromSamples}: its features and its target, each
 * flattened row-major (the shapes are given once for the whole data set). A class-index target is a
 * one-element array holding the class as a double.
 *
 * @param features the input values, {@code prod(featureShape)} of them
 * @param target   the target values, {@code prod(targetShape)} of them
 */
public record Sample(double[] features, double[] target) implements Serializable {

    /** @throws NullPointerException if an array is null */
    public Sample {
        Objects.requireNonNull(features, "Sample: features is null");
        Objects.requireNonNull(target, "Sample: target is null");
    }

    /** A sample with a class-index (or scalar) target. */
    public static Sample of(double[] features, double target) {
        return new Sample(features, new double[] {target});
    }
}

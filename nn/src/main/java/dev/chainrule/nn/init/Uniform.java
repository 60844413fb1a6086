package dev.chainrule.nn.init;

import dev.chainrule.autograd.Tensor;
import java.util.random.RandomGenerator;

/**
 * Independent uniform samples w ~ U(a, b), ignoring the fans; mean (a+b)/2, standard deviation
 * (b−a)/√12. For dense layers prefer a fan-scaled range ({@link LeCunUniform}, {@link GlorotUniform}).
 *
 * @param a the lower bound (inclusive); finite
 * @param b the upper bound (exclusive); finite and ≥ a
 */
public record Uniform(double a, double b) implements Initializer {

    /** @throws IllegalArgumentException if a bound is not finite or {@code a > b} */
    public Uniform {
        if (!Double.isFinite(a) || !Double.isFinite(b) || a > b) {
            throw new IllegalArgumentException("Uniform: bounds a=" + a + ", b=" + b + " must be finite with a <= b");
        }
    }

    @Override
    public Tensor init(int[] shape, int fanIn, int fanOut, RandomGenerator rng) {
        Samples.checkArguments("Uniform", shape, fanIn, fanOut, rng);
        return Samples.uniform(shape, a, b, rng);
    }
}

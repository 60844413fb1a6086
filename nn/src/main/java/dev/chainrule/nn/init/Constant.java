package dev.chainrule.nn.init;

import dev.chainrule.autograd.Tensor;
import java.util.random.RandomGenerator;

/**
 * Every element equal to {@code value}. Use it for biases, e.g. {@code new Constant(0.1)} before a
 * ReLU so that units start active and receive gradient. Draws nothing from the generator.
 *
 * @param value the constant; must be finite
 */
public record Constant(double value) implements Initializer {

    /** @throws IllegalArgumentException if {@code value} is NaN or infinite */
    public Constant {
        if (!Double.isFinite(value)) throw new IllegalArgumentException("Constant: value " + value + " must be finite");
    }

    @Override
    public Tensor init(int[] shape, int fanIn, int fanOut, RandomGenerator rng) {
        Samples.checkArguments("Constant", shape, fanIn, fanOut, rng);
        return Tensor.full(value, shape);
    }
}

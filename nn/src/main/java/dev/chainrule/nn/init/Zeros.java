package dev.chainrule.nn.init;

import dev.chainrule.autograd.Tensor;
import java.util.random.RandomGenerator;

/**
 * All zeros. Use it for biases (the usual default); never for the weights of a hidden layer, where
 * equal starting values keep every unit identical forever (the symmetry problem). Draws nothing
 * from the generator.
 */
public record Zeros() implements Initializer {
    @Override
    public Tensor init(int[] shape, int fanIn, int fanOut, RandomGenerator rng) {
        Samples.checkArguments("Zeros", shape, fanIn, fanOut, rng);
        return Tensor.zeros(shape);
    }
}

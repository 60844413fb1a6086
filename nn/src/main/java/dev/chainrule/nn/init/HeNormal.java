package dev.chainrule.nn.init;

import dev.chainrule.autograd.Tensor;
import java.util.random.RandomGenerator;

/**
 * He (Kaiming) normal: w ~ N(0, 2/fan_in), standard deviation √(2/fan_in). For ReLU layers: a ReLU
 * zeroes half its inputs on average, and the factor 2 makes up for the lost variance.
 * Reference: He et al., "Delving Deep into Rectifiers", ICCV 2015.
 */
public record HeNormal() implements Initializer {
    @Override
    public Tensor init(int[] shape, int fanIn, int fanOut, RandomGenerator rng) {
        Samples.checkArguments("HeNormal", shape, fanIn, fanOut, rng);
        return Samples.normal(shape, 0, Math.sqrt(2.0 / fanIn), rng);
    }
}

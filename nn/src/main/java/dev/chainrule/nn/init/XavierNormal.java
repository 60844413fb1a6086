package dev.chainrule.nn.init;

import dev.chainrule.autograd.Tensor;
import java.util.random.RandomGenerator;

/**
 * Xavier normal as the notes define it: w ~ N(0, 1/fan_in), standard deviation 1/√fan_in. Suited
 * to tanh layers: it keeps the variance of each unit's pre-activation near that of its inputs.
 *
 * <p>Note: PyTorch's {@code xavier_normal_} uses variance 2/(fan_in+fan_out) instead; the two agree
 * when fan_in = fan_out.
 */
public record XavierNormal() implements Initializer {
    @Override
    public Tensor init(int[] shape, int fanIn, int fanOut, RandomGenerator rng) {
        Samples.checkArguments("XavierNormal", shape, fanIn, fanOut, rng);
        return Samples.normal(shape, 0, Math.sqrt(1.0 / fanIn), rng);
    }
}

package dev.chainrule.nn.init;

import dev.chainrule.autograd.Tensor;
import java.util.random.RandomGenerator;

/**
 * Glorot (Xavier) uniform: w ~ U(−√(6/(fan_in+fan_out)), +√(6/(fan_in+fan_out))), variance
 * 2/(fan_in+fan_out). Keeps activation and gradient variances roughly constant across layers with
 * symmetric saturating activations (tanh, sigmoid); a good default for dense layers.
 * Reference: Glorot &amp; Bengio, "Understanding the difficulty of training deep feedforward neural
 * networks", AISTATS 2010.
 */
public record GlorotUniform() implements Initializer {
    @Override
    public Tensor init(int[] shape, int fanIn, int fanOut, RandomGenerator rng) {
        Samples.checkArguments("GlorotUniform", shape, fanIn, fanOut, rng);
        double bound = Math.sqrt(6.0 / ((double) fanIn + fanOut));   // in double: fanIn + fanOut may exceed an int
        return Samples.uniform(shape, -bound, bound, rng);
    }
}

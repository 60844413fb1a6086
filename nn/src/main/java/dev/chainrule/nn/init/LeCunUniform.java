package dev.chainrule.nn.init;

import dev.chainrule.autograd.Tensor;
import java.util.random.RandomGenerator;

/**
 * w ~ U(−1/√fan_in, +1/√fan_in), the dense-layer rule of the notes (U(−1/√N_k, 1/√N_k) with N_k
 * the units feeding the layer). It is also what PyTorch's {@code nn.Linear} produces by default for
 * both weight and bias (its {@code kaiming_uniform_(a=√5)} reduces to this bound), so it is the
 * default of {@link dev.chainrule.nn.Linear}. Standard deviation 1/√(3·fan_in).
 *
 * <p>Note: some libraries use the name "LeCun uniform" for the wider U(±√(3/fan_in)), whose
 * variance is 1/fan_in; this class follows the notes and PyTorch's default layer.
 */
public record LeCunUniform() implements Initializer {
    @Override
    public Tensor init(int[] shape, int fanIn, int fanOut, RandomGenerator rng) {
        Samples.checkArguments("LeCunUniform", shape, fanIn, fanOut, rng);
        double bound = 1.0 / Math.sqrt(fanIn);
        return Samples.uniform(shape, -bound, bound, rng);
    }
}

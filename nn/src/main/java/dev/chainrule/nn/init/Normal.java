package dev.chainrule.nn.init;

import dev.chainrule.autograd.Tensor;
import java.util.random.RandomGenerator;

/**
 * Independent Gaussian samples w ~ N(mean, std²), ignoring the fans. The classic "small random"
 * initialization is {@code new Normal(0, 0.01)}; for deep networks prefer a fan-scaled rule
 * ({@link XavierNormal}, {@link HeNormal}).
 *
 * @param mean the mean; finite
 * @param std  the standard deviation; finite and ≥ 0
 */
public record Normal(double mean, double std) implements Initializer {

    /** @throws IllegalArgumentException if {@code mean} is not finite or {@code std} is negative or not finite */
    public Normal {
        if (!Double.isFinite(mean) || !Double.isFinite(std) || std < 0) {
            throw new IllegalArgumentException("Normal: mean " + mean + " must be finite and std " + std
                + " finite and >= 0");
        }
    }

    @Override
    public Tensor init(int[] shape, int fanIn, int fanOut, RandomGenerator rng) {
        Samples.checkArguments("Normal", shape, fanIn, fanOut, rng);
        return Samples.normal(shape, mean, std, rng);
    }
}

package dev.chainrule.nn.init;

import dev.chainrule.autograd.Shape;
import dev.chainrule.autograd.Tensor;
import java.util.random.RandomGenerator;

/** Argument checks and samplers shared by the initializers. */
final class Samples {
    private Samples() {}

    /**
     * Checks the common arguments of {@link Initializer#init(int[], int, int, RandomGenerator)}.
     *
     * @throws IllegalArgumentException naming {@code who} if the shape or a fan is bad
     * @throws NullPointerException     naming {@code who} if the shape or the generator is null
     */
    static void checkArguments(String who, int[] shape, int fanIn, int fanOut, RandomGenerator rng) {
        java.util.Objects.requireNonNull(shape, who + ": shape is null");
        for (int d : shape) {
            if (d < 1) {
                throw new IllegalArgumentException(who + ": shape " + Shape.toString(shape)
                    + " has a dimension " + d + "; every dimension must be at least 1");
            }
        }
        if (fanIn < 1 || fanOut < 1) {
            throw new IllegalArgumentException(who + ": fan-in " + fanIn + " and fan-out " + fanOut
                + " must both be at least 1");
        }
        java.util.Objects.requireNonNull(rng, who + ": random generator is null; pass e.g. new SplittableRandom(seed)");
    }

    /** A tensor of {@code shape} with independent U(lo, hi) samples. */
    static Tensor uniform(int[] shape, double lo, double hi, RandomGenerator rng) {
        double[] d = new double[Shape.size(shape)];
        double width = hi - lo;
        for (int i = 0; i < d.length; i++) d[i] = lo + width * rng.nextDouble();
        return Tensor.of(d, shape);
    }

    /** A tensor of {@code shape} with independent N(mean, std²) samples. */
    static Tensor normal(int[] shape, double mean, double std, RandomGenerator rng) {
        double[] d = new double[Shape.size(shape)];
        for (int i = 0; i < d.length; i++) d[i] = mean + std * rng.nextGaussian();
        return Tensor.of(d, shape);
    }
}

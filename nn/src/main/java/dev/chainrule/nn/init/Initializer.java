package dev.chainrule.nn.init;

import dev.chainrule.autograd.Tensor;
import java.util.random.RandomGenerator;

/**
 * A rule for the starting values of a parameter tensor, drawn from a caller-supplied random
 * generator so that a fixed seed gives the same network every run.
 *
 * <p>Why it matters: if every weight of a layer starts equal (e.g. all zeros), every hidden unit
 * computes the same function and receives the same update forever (the symmetry problem), so
 * weights start random; how wide the distribution should be depends on how many units feed a
 * layer (its fan-in) and how many it feeds (its fan-out). Biases may start at zero or a small
 * constant.
 *
 * <p>Implementations: {@link Zeros}, {@link Constant}, {@link Normal}, {@link Uniform},
 * {@link LeCunUniform}, {@link GlorotUniform}, {@link XavierNormal}, {@link HeNormal}.
 * They are immutable values and thread-safe (the generator is not: pass one per thread).
 *
 * <pre>{@code
 * Tensor w = new HeNormal().init(new int[] {64, 128}, 128, 64, new SplittableRandom(42));
 * }</pre>
 */
@FunctionalInterface
public interface Initializer {

    /**
     * A new tensor (a leaf without gradient tracking) of {@code shape} holding initial values.
     *
     * @param shape  the parameter's shape, e.g. {@code [out, in]} for a dense weight
     * @param fanIn  the number of inputs feeding each unit (for a dense layer, {@code in})
     * @param fanOut the number of units fed (for a dense layer, {@code out})
     * @param rng    the source of randomness; advanced by the call
     * @throws IllegalArgumentException if a dimension or a fan is below 1
     */
    Tensor init(int[] shape, int fanIn, int fanOut, RandomGenerator rng);

    /**
     * Like {@link #init(int[], int, int, RandomGenerator)} with the fans read from the shape the way
     * dense layers store weights: for {@code [out, in, k...]} fan-in is {@code in·Πk} and fan-out
     * {@code out·Πk}; for a rank-1 shape {@code [n]} both are {@code n}; for a scalar both are 1.
     */
    default Tensor init(int[] shape, RandomGenerator rng) {
        java.util.Objects.requireNonNull(shape, getClass().getSimpleName() + ".init: shape is null");
        java.util.Objects.requireNonNull(rng, getClass().getSimpleName() + ".init: random generator is null");
        int[] fans = fans(shape);
        return init(shape, fans[0], fans[1], rng);
    }

    /**
     * {@code {fanIn, fanOut}} of a weight of {@code shape} laid out as {@code [out, in, k...]}.
     *
     * @throws IllegalArgumentException if a dimension is below 1, or a fan exceeds {@code Integer.MAX_VALUE}
     *                                  (such a tensor could not be allocated)
     */
    static int[] fans(int[] shape) {
        java.util.Objects.requireNonNull(shape, "Initializer.fans: shape is null");
        for (int d : shape) {
            if (d < 1) {
                throw new IllegalArgumentException("Initializer.fans: shape " + java.util.Arrays.toString(shape)
                    + " has a dimension " + d + "; every dimension must be at least 1");
            }
        }
        if (shape.length == 0) return new int[] {1, 1};
        if (shape.length == 1) return new int[] {shape[0], shape[0]};
        long receptive = 1;
        for (int i = 2; i < shape.length; i++) receptive = Math.min(receptive * shape[i], 1L << 40);
        long in = shape[1] * receptive, out = shape[0] * receptive;
        if (in > Integer.MAX_VALUE || out > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("Initializer.fans: shape " + java.util.Arrays.toString(shape) + " has fans of " + in
                + " and " + out + " inputs, more than a tensor can hold");
        }
        return new int[] {(int) in, (int) out};
    }
}

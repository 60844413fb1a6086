package dev.chainrule.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.quicktheories.QuickTheory.qt;

import dev.chainrule.autograd.Tensor;
import java.util.SplittableRandom;
import org.quicktheories.QuickTheory;

/** Shared helpers for nn tests: seeded property runs and random tensors. */
public final class TestData {
    private TestData() {}

    /** Fixed seed for QuickTheories so that CI runs are reproducible; QuickTheories prints it on failure. */
    public static final long SEED = 0x5EED_2026L;

    /**
     * A property runner with a fixed seed and {@code examples} examples; shrinking is bounded so that
     * a failing property reports within seconds.
     */
    // Tests compile into the dev.chainrule.nn module, which does not (and need not) require QuickTheories;
    // javac's [exports] lint would flag this public test helper for exposing a QuickTheories type.
    @SuppressWarnings("exports")
    public static QuickTheory props(int examples) {
        return qt().withFixedSeed(SEED).withExamples(examples).withShrinkCycles(100);
    }

    /** Uniform values in [lo, hi). */
    public static double[] uniformArray(SplittableRandom rng, int n, double lo, double hi) {
        double[] d = new double[n];
        for (int i = 0; i < n; i++) d[i] = rng.nextDouble(lo, hi);
        return d;
    }

    public static Tensor uniform(SplittableRandom rng, double lo, double hi, int... shape) {
        int n = 1;
        for (int s : shape) n *= s;
        return Tensor.of(uniformArray(rng, n, lo, hi), shape);
    }

    /** Random class indices in [0, classes) as a [n] tensor of integer-valued doubles. */
    public static Tensor classes(SplittableRandom rng, int n, int classes) {
        double[] d = new double[n];
        for (int i = 0; i < n; i++) d[i] = rng.nextInt(classes);
        return Tensor.of(d);
    }

    public static void assertValues(double[] expected, Tensor actual, double tol) {
        assertEquals(expected.length, actual.size(), "size");
        double[] a = actual.toArray();
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], a[i], tol * Math.max(1, Math.abs(expected[i])), "element " + i);
        }
    }

    public static void assertShape(Tensor t, int... shape) {
        assertArrayEquals(shape, t.shape(), () -> "shape " + java.util.Arrays.toString(t.shape()));
    }
}

package dev.chainrule.examples;

import dev.chainrule.autograd.Tensor;
import java.util.random.RandomGenerator;

/** The synthetic data sets the examples make for themselves (nothing is downloaded). */
public final class Datasets {

    private Datasets() {}

    /** Points (rows) with one class label each. */
    public record Labeled(double[][] x, int[] y) {
        public int size() {
            return y.length;
        }

        /** The inputs as an {@code [n, features]} tensor. */
        public Tensor inputs() {
            return Tensor.of(x);
        }

        /** The labels as an {@code [n, 1]} tensor of 0.0/1.0 (binary targets). */
        public Tensor binaryTargets() {
            double[] t = new double[y.length];
            for (int i = 0; i < t.length; i++) t[i] = y[i];
            return Tensor.of(t, y.length, 1);
        }

        /** The labels as an {@code [n]} tensor of class indices stored as doubles. */
        public Tensor classTargets() {
            double[] t = new double[y.length];
            for (int i = 0; i < t.length; i++) t[i] = y[i];
            return Tensor.of(t, y.length);
        }
    }

    /** The four XOR points 00→0, 01→1, 10→1, 11→0. */
    public static Labeled xor() {
        return new Labeled(new double[][] {{0, 0}, {0, 1}, {1, 0}, {1, 1}}, new int[] {0, 1, 1, 0});
    }

    /**
     * Two Gaussian blobs with identity covariance centred at {@code ±(separation/2)·d} for the unit
     * direction {@code d = (cos angle, sin angle)}; class 1 is the {@code +d} blob. With equal
     * covariances the Bayes-optimal boundary is the hyperplane through 0 normal to {@code d}, and
     * its accuracy is Φ(separation/2).
     */
    public static Labeled blobs(RandomGenerator rng, int perClass, double angle, double separation) {
        double dx = Math.cos(angle), dy = Math.sin(angle);
        double[][] x = new double[2 * perClass][];
        int[] y = new int[2 * perClass];
        for (int i = 0; i < 2 * perClass; i++) {
            int label = i % 2;
            double sign = label == 1 ? 0.5 : -0.5;
            x[i] = new double[] {sign * separation * dx + rng.nextGaussian(), sign * separation * dy + rng.nextGaussian()};
            y[i] = label;
        }
        return new Labeled(x, y);
    }

    /**
     * Interleaved spirals, one arm per class (the CS231n data set): for class k and t in [0, 1],
     * radius t and angle {@code 4k + 4t + 0.2·N(0, 1)} (radians), as (r sin θ, r cos θ).
     */
    public static Labeled spirals(RandomGenerator rng, int perClass, int classes) {
        double[][] x = new double[perClass * classes][];
        int[] y = new int[perClass * classes];
        for (int k = 0; k < classes; k++) {
            for (int i = 0; i < perClass; i++) {
                double t = perClass == 1 ? 0 : (double) i / (perClass - 1);
                double r = t;
                double theta = 4.0 * k + 4.0 * t + 0.2 * rng.nextGaussian();
                x[k * perClass + i] = new double[] {r * Math.sin(theta), r * Math.cos(theta)};
                y[k * perClass + i] = k;
            }
        }
        return new Labeled(x, y);
    }

    /** Fraction of equal entries. */
    public static double accuracy(int[] predicted, int[] labels) {
        int ok = 0;
        for (int i = 0; i < labels.length; i++) if (predicted[i] == labels[i]) ok++;
        return (double) ok / labels.length;
    }
}

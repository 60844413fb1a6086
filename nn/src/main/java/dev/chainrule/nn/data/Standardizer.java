package dev.chainrule.nn.data;

import dev.chainrule.autograd.Shape;
import dev.chainrule.autograd.Tensor;
import java.util.Arrays;
import java.util.Objects;

/**
 * Per-feature standardization {@code z = (x − μ) / σ}, with {@code μ} and {@code σ} the mean and
 * population standard deviation ({@code σ² = (1/n) Σ_i (x_i − μ)²}) of each feature over the samples
 * (the first dimension) of the data it was fitted on.
 *
 * <p>Fit it on the training split only and apply the same transform, unchanged, to validation and
 * test data: statistics computed on test data would leak information about it into the model.
 * A constant feature has {@code σ = 0}; its {@code σ} is set to 1 (and {@code μ} to the constant), so it
 * maps to 0 instead of dividing by zero.
 *
 * <p>Immutable. {@link #transform} and {@link #inverse} are ordinary tensor ops (broadcast sub/div),
 * so they record a graph when their input requires grad.
 */
public final class Standardizer {

    private final Tensor mean;
    private final Tensor std;
    private final int[] featureShape;

    private Standardizer(double[] mean, double[] std, int[] featureShape) {
        this.mean = Tensor.of(mean, featureShape);
        this.std = Tensor.of(std, featureShape);
        this.featureShape = featureShape;
    }

    /**
     * Fits the per-feature mean and standard deviation of {@code x} ({@code [n, ...]}) over its first dimension.
     * The statistics have shape {@code x.shape()[1..]} (a scalar for a rank-1 {@code x}).
     *
     * @throws IllegalArgumentException if {@code x} is a scalar
     */
    public static Standardizer fit(Tensor x) {
        Objects.requireNonNull(x, "Standardizer.fit: x is null");
        int[] shape = x.shape();
        if (shape.length == 0) {
            throw new IllegalArgumentException("Standardizer.fit: x has shape [] but needs a first dimension indexing samples");
        }
        int n = shape[0];
        double[] d = x.toArray();
        int cols = d.length / n;
        double[] mean = new double[cols];
        double[] std = new double[cols];
        for (int c = 0; c < cols; c++) {
            double min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY, sum = 0;
            for (int r = 0; r < n; r++) {
                double v = d[r * cols + c];
                sum += v;
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
            if (min == max) {
                // Exactly constant: a two-pass variance could still be a rounding residue, not 0.
                mean[c] = min;
                std[c] = 1;
                continue;
            }
            double mu = sum / n;
            double ss = 0;
            for (int r = 0; r < n; r++) {
                double dv = d[r * cols + c] - mu;
                ss += dv * dv;
            }
            double sigma = Math.sqrt(ss / n);
            mean[c] = mu;
            std[c] = sigma > 0 ? sigma : 1;
        }
        return new Standardizer(mean, std, Arrays.copyOfRange(shape, 1, shape.length));
    }

    /**
     * {@code (x − μ) / σ}, for {@code x} of shape {@code [m, ...]} with the fitted feature shape, in
     * {@code x}'s dtype (the FLOAT64 statistics are converted to it).
     *
     * @throws IllegalArgumentException if {@code x}'s feature shape differs from the fitted one
     */
    public Tensor transform(Tensor x) {
        check("transform", x);
        return x.sub(mean.to(x.dtype())).div(std.to(x.dtype()));      // in x's dtype (statistics are FLOAT64)
    }

    /** {@code z · σ + μ}: undoes {@link #transform}, e.g. to report predicted targets in original units. */
    public Tensor inverse(Tensor x) {
        check("inverse", x);
        return x.mul(std.to(x.dtype())).add(mean.to(x.dtype()));
    }

    /** The fitted per-feature mean, shape {@code x.shape()[1..]}. */
    public Tensor mean() {
        return mean;
    }

    /** The fitted per-feature standard deviation (1 for constant features), shape {@code x.shape()[1..]}. */
    public Tensor std() {
        return std;
    }

    private void check(String op, Tensor x) {
        Objects.requireNonNull(x, "Standardizer." + op + ": x is null");
        int[] s = x.shape();
        if (s.length != featureShape.length + 1 || !Arrays.equals(Arrays.copyOfRange(s, 1, s.length), featureShape)) {
            throw new IllegalArgumentException("Standardizer." + op + ": x has shape " + Shape.toString(s)
                + " but the standardizer was fitted on samples of shape " + Shape.toString(featureShape)
                + " (expected [m" + (featureShape.length == 0 ? "]" : ", " + Shape.toString(featureShape).substring(1)) + ")");
        }
    }

    @Override
    public String toString() {
        return "Standardizer(features=" + Shape.toString(featureShape) + ")";
    }
}

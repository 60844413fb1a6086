package dev.chainrule.autograd.internal;

/**
 * Fused loops of batch and layer normalization: statistics, normalization and the affine map in
 * one pass over each group of elements, and the first-order backward in two. Batch norm views its
 * input as {@code [n, c, l]} and normalizes each channel over {@code n·l} elements; layer norm
 * views it as {@code [rows, d]} and normalizes each row over its {@code d} elements. Statistics
 * are two-pass (mean, then the mean of squared deviations), which stays accurate for data with a
 * large mean.
 */
public final class NormKernels {
    private NormKernels() {}

    private static final int GRAIN = 1 << 14;

    // Sums with four accumulators: a single one makes each addition wait for the previous (FP add
    // latency), four keep the adder busy; the order is fixed, so results do not depend on timing.

    /** Σ x[from..from+n). */
    static double sum(double[] x, int from, int n) {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int i = from, end = from + n, end4 = from + (n & ~3);
        for (; i < end4; i += 4) {
            s0 += x[i];
            s1 += x[i + 1];
            s2 += x[i + 2];
            s3 += x[i + 3];
        }
        for (; i < end; i++) s0 += x[i];
        return (s0 + s1) + (s2 + s3);
    }

    /** Σ (x − mu)² over x[from..from+n). */
    static double sumSquaredDeviations(double[] x, int from, int n, double mu) {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int i = from, end = from + n, end4 = from + (n & ~3);
        for (; i < end4; i += 4) {
            double d0 = x[i] - mu, d1 = x[i + 1] - mu, d2 = x[i + 2] - mu, d3 = x[i + 3] - mu;
            s0 += d0 * d0;
            s1 += d1 * d1;
            s2 += d2 * d2;
            s3 += d3 * d3;
        }
        for (; i < end; i++) {
            double d = x[i] - mu;
            s0 += d * d;
        }
        return (s0 + s1) + (s2 + s3);
    }

    /** Σ g·(x − mu) over the same range of g and x. */
    static double sumProductDeviations(double[] g, double[] x, int from, int n, double mu) {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int i = from, end = from + n, end4 = from + (n & ~3);
        for (; i < end4; i += 4) {
            s0 += g[i] * (x[i] - mu);
            s1 += g[i + 1] * (x[i + 1] - mu);
            s2 += g[i + 2] * (x[i + 2] - mu);
            s3 += g[i + 3] * (x[i + 3] - mu);
        }
        for (; i < end; i++) s0 += g[i] * (x[i] - mu);
        return (s0 + s1) + (s2 + s3);
    }

    /**
     * Batch norm with batch statistics: for each channel, {@code mean}, biased {@code var} and
     * {@code invstd = 1/√(var + eps)} are stored and {@code y = (x − mean)·invstd·γ + β} written
     * (γ, β may be null: 1 and 0).
     */
    public static void batchNormTrain(double[] x, int n, int c, int l, double eps, double[] gamma, double[] beta,
                                      double[] y, double[] mean, double[] var, double[] invstd) {
        double m = (double) n * l;
        Parallel.forRange(c, Math.max(1, GRAIN / (n * l)), (lo, hi) -> {
            for (int ch = lo; ch < hi; ch++) {
                double s = 0;
                for (int b = 0; b < n; b++) s += sum(x, (b * c + ch) * l, l);
                double mu = s / m;
                double ss = 0;
                for (int b = 0; b < n; b++) ss += sumSquaredDeviations(x, (b * c + ch) * l, l, mu);
                double v = ss / m, r = 1 / Math.sqrt(v + eps);
                mean[ch] = mu;
                var[ch] = v;
                invstd[ch] = r;
                double scale = (gamma == null ? 1 : gamma[ch]) * r, shift = (beta == null ? 0 : beta[ch]) - mu * scale;
                for (int b = 0; b < n; b++) {
                    int base = (b * c + ch) * l;
                    for (int i = 0; i < l; i++) y[base + i] = x[base + i] * scale + shift;
                }
            }
        });
    }

    /**
     * First-order backward of {@link #batchNormTrain}, with x̂ = (x − mean)·invstd and m = n·l:
     * {@code dβ = Σ g}, {@code dγ = Σ g·x̂}, {@code dx = γ·invstd·(g − dβ/m − x̂·dγ/m)}.
     * {@code dx}, {@code dgamma} and {@code dbeta} may each be null when not wanted.
     */
    public static void batchNormBackward(double[] g, double[] x, int n, int c, int l, double[] mean, double[] invstd,
                                         double[] gamma, double[] dx, double[] dgamma, double[] dbeta) {
        double m = (double) n * l;
        Parallel.forRange(c, Math.max(1, GRAIN / (n * l)), (lo, hi) -> {
            for (int ch = lo; ch < hi; ch++) {
                double mu = mean[ch], r = invstd[ch];
                double sg = 0, sgx = 0;
                for (int b = 0; b < n; b++) {
                    int base = (b * c + ch) * l;
                    sg += sum(g, base, l);
                    sgx += sumProductDeviations(g, x, base, l, mu);
                }
                double sgxhat = sgx * r;
                if (dbeta != null) dbeta[ch] = sg;
                if (dgamma != null) dgamma[ch] = sgxhat;
                if (dx == null) continue;
                double k = (gamma == null ? 1 : gamma[ch]) * r;
                double meanG = sg / m, coef = sgxhat / m * r;     // x̂·dγ/m = (x − mu)·r·sgxhat/m
                for (int b = 0; b < n; b++) {
                    int base = (b * c + ch) * l;
                    for (int i = 0; i < l; i++) dx[base + i] = k * (g[base + i] - meanG - (x[base + i] - mu) * coef);
                }
            }
        });
    }

    /**
     * Layer norm of each row of {@code [rows, d]}: {@code mean}, {@code invstd = 1/√(var + eps)} per
     * row and {@code y = (x − mean)·invstd ⊙ γ + β} (γ, β of length d, or null: 1 and 0).
     */
    public static void layerNorm(double[] x, int rows, int d, double eps, double[] gamma, double[] beta,
                                 double[] y, double[] mean, double[] invstd) {
        Parallel.forRange(rows, Math.max(1, GRAIN / d), (lo, hi) -> {
            for (int r = lo; r < hi; r++) {
                int base = r * d;
                double mu = sum(x, base, d) / d, ss = sumSquaredDeviations(x, base, d, mu);
                double rs = 1 / Math.sqrt(ss / d + eps);
                mean[r] = mu;
                invstd[r] = rs;
                for (int i = 0; i < d; i++) {
                    double v = (x[base + i] - mu) * rs;
                    if (gamma != null) v *= gamma[i];
                    if (beta != null) v += beta[i];
                    y[base + i] = v;
                }
            }
        });
    }

    /**
     * First-order backward of {@link #layerNorm}, with x̂ = (x − mean)·invstd and h = g ⊙ γ per row:
     * {@code dx = invstd·(h − mean(h) − x̂·mean(h·x̂))}, {@code dγ = Σ_rows g·x̂}, {@code dβ = Σ_rows g}.
     * Outputs may be null when not wanted; {@code dgamma} and {@code dbeta} must start at zero.
     */
    public static void layerNormBackward(double[] g, double[] x, int rows, int d, double[] mean, double[] invstd,
                                         double[] gamma, double[] dx, double[] dgamma, double[] dbeta) {
        // Partial sums of dγ and dβ per part, added in part order: the result does not depend on timing.
        int parts = (int) Math.max(1, Math.min(Parallel.THREADS, (long) rows * d / GRAIN));
        double[][] pg = new double[parts][], pb = new double[parts][];
        Parallel.forRange(parts, 1, (p0, p1) -> {
            for (int p = p0; p < p1; p++) {
                int lo = (int) ((long) rows * p / parts), hi = (int) ((long) rows * (p + 1) / parts);
                pg[p] = dgamma == null ? null : new double[d];
                pb[p] = dbeta == null ? null : new double[d];
                layerNormBackwardRows(g, x, d, mean, invstd, gamma, dx, pg[p], pb[p], lo, hi);
            }
        });
        for (int p = 0; p < parts; p++) {
            for (int i = 0; i < d; i++) {
                if (dgamma != null) dgamma[i] += pg[p][i];
                if (dbeta != null) dbeta[i] += pb[p][i];
            }
        }
    }

    private static void layerNormBackwardRows(double[] g, double[] x, int d, double[] mean, double[] invstd, double[] gamma,
                                              double[] dx, double[] pg, double[] pb, int lo, int hi) {
        for (int r = lo; r < hi; r++) {
            int base = r * d;
            double mu = mean[r], rs = invstd[r];
            double sh = 0, shx = 0;
            for (int i = 0; i < d; i++) {
                double gi = g[base + i], xh = (x[base + i] - mu) * rs;
                double h = gamma == null ? gi : gi * gamma[i];
                sh += h;
                shx += h * xh;
                if (pg != null) pg[i] += gi * xh;
                if (pb != null) pb[i] += gi;
            }
            if (dx == null) continue;
            double mh = sh / d, mhx = shx / d;
            for (int i = 0; i < d; i++) {
                double xh = (x[base + i] - mu) * rs;
                double h = gamma == null ? g[base + i] : g[base + i] * gamma[i];
                dx[base + i] = rs * (h - mh - xh * mhx);
            }
        }
    }
}

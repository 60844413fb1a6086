package dev.chainrule.autograd.internal;

/**
 * The float32 twins of {@link NormKernels}' batch-norm loops: activations, outputs and gradients
 * are {@code float[]}, while statistics, per-channel parameters and every sum are double (so a
 * FLOAT32 batch norm is as accurate as PyTorch's, which accumulates in double on the CPU too).
 * Same formulas as {@link NormKernels#batchNormTrain} and {@link NormKernels#batchNormBackward}.
 */
public final class FloatNormKernels {
    private FloatNormKernels() {}

    private static final int GRAIN = 1 << 14;

    private static double sum(float[] x, int from, int n) {
        double s0 = 0, s1 = 0;
        int i = from, end = from + n, end2 = from + (n & ~1);
        for (; i < end2; i += 2) {
            s0 += x[i];
            s1 += x[i + 1];
        }
        if (i < end) s0 += x[i];
        return s0 + s1;
    }

    /** See {@link NormKernels#batchNormTrain}; {@code gamma} and {@code beta} may be null. */
    public static void batchNormTrain(float[] x, int n, int c, int l, double eps, double[] gamma, double[] beta,
                                      float[] y, double[] mean, double[] var, double[] invstd) {
        double m = (double) n * l;
        Parallel.forRange(c, Math.max(1, GRAIN / (n * l)), (lo, hi) -> {
            for (int ch = lo; ch < hi; ch++) {
                double s = 0;
                for (int b = 0; b < n; b++) s += sum(x, (b * c + ch) * l, l);
                double mu = s / m;
                double ss = 0;
                for (int b = 0; b < n; b++) {
                    int base = (b * c + ch) * l;
                    for (int i = 0; i < l; i++) {
                        double d = x[base + i] - mu;
                        ss += d * d;
                    }
                }
                double v = ss / m, r = 1 / Math.sqrt(v + eps);
                mean[ch] = mu;
                var[ch] = v;
                invstd[ch] = r;
                // (x − mean)·scale + β: centred first, so a large mean does not cancel in float
                float fmu = (float) mu, scale = (float) ((gamma == null ? 1 : gamma[ch]) * r), shift = (float) (beta == null ? 0 : beta[ch]);
                for (int b = 0; b < n; b++) {
                    int base = (b * c + ch) * l;
                    for (int i = 0; i < l; i++) y[base + i] = (x[base + i] - fmu) * scale + shift;
                }
            }
        });
    }

    /** See {@link NormKernels#batchNormBackward}; {@code dx}, {@code dgamma}, {@code dbeta} may be null. */
    public static void batchNormBackward(float[] g, float[] x, int n, int c, int l, double[] mean, double[] invstd,
                                         double[] gamma, float[] dx, double[] dgamma, double[] dbeta) {
        double m = (double) n * l;
        Parallel.forRange(c, Math.max(1, GRAIN / (n * l)), (lo, hi) -> {
            for (int ch = lo; ch < hi; ch++) {
                double mu = mean[ch], r = invstd[ch];
                double sg = 0, sgx = 0;
                for (int b = 0; b < n; b++) {
                    int base = (b * c + ch) * l;
                    for (int i = 0; i < l; i++) {
                        double gi = g[base + i];
                        sg += gi;
                        sgx += gi * (x[base + i] - mu);
                    }
                }
                double sgxhat = sgx * r;
                if (dbeta != null) dbeta[ch] = sg;
                if (dgamma != null) dgamma[ch] = sgxhat;
                if (dx == null) continue;
                double k = (gamma == null ? 1 : gamma[ch]) * r;
                double meanG = sg / m, coef = sgxhat / m * r;
                float fk = (float) k, fmeanG = (float) meanG, fmu = (float) mu, fcoef = (float) coef;
                for (int b = 0; b < n; b++) {
                    int base = (b * c + ch) * l;
                    for (int i = 0; i < l; i++) dx[base + i] = fk * (g[base + i] - fmeanG - (x[base + i] - fmu) * fcoef);
                }
            }
        });
    }
}

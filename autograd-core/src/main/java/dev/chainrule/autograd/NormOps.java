package dev.chainrule.autograd;

import static dev.chainrule.autograd.Tensor.SAVES_INPUTS;

import dev.chainrule.autograd.internal.Kernels;
import dev.chainrule.autograd.internal.FloatNormKernels;
import dev.chainrule.autograd.internal.NormKernels;
import java.util.Arrays;
import java.util.Objects;

/**
 * Batch and layer normalization. Both are compositions of primitives in principle
 * ({@code (x − mean) / √(var + ε) · γ + β}), but as such they take about ten passes over the input
 * forward and twenty backward; training-mode batch norm and layer norm are therefore fused
 * primitives for speed: statistics, normalization and affine map in one kernel, and a backward rule
 * that is one two-pass kernel in first-order mode and, under {@code createGraph}, the same formula
 * written in Tensor ops (statistics recomputed from x), so that second derivatives stay exact.
 * Eval-mode batch norm, a per-channel affine map of x, is a plain composition.
 */
final class NormOps {
    private NormOps() {}

    /** PyTorch's {@code F.batch_norm} over axis 1 of {@code [N, C, ...]}. */
    static Tensor batchNorm(Tensor x, Tensor runningMean, Tensor runningVar, Tensor weight, Tensor bias, boolean training,
                            double momentum, double eps) {
        Objects.requireNonNull(x, "batchNorm: input is null");
        if (x.rank() < 2) {
            throw new IllegalArgumentException("batchNorm: input " + Shape.toString(x.shape) + " must be [N, C] or [N, C, ...] (rank at least 2)");
        }
        int n = x.shape[0], c = x.shape[1], l = x.size() / (n * c);
        checkChannels("batchNorm", "weight", weight, c, x);
        checkChannels("batchNorm", "bias", bias, c, x);
        checkChannels("batchNorm", "running mean", runningMean, c, x);
        checkChannels("batchNorm", "running variance", runningVar, c, x);
        Checks.sameDType("batchNorm", x, "weight", weight);
        Checks.sameDType("batchNorm", x, "bias", bias);
        Checks.sameDType("batchNorm", x, "running mean", runningMean);
        Checks.sameDType("batchNorm", x, "running variance", runningVar);
        if ((runningMean == null) != (runningVar == null)) {
            throw new IllegalArgumentException("batchNorm: pass both running statistics (mean and variance) or neither");
        }
        if (!(eps > 0) || !(momentum >= 0 && momentum <= 1)) {
            throw new IllegalArgumentException("batchNorm: eps " + eps + " must be > 0 and momentum " + momentum + " in [0, 1]");
        }
        int[] cs = ConvOps.channelShape(c, x.rank() - 2);       // [1, C, 1, ...]
        if (!training) {
            if (runningMean == null) {
                throw new IllegalArgumentException("batchNorm: evaluation mode (training = false) needs the running mean and variance; "
                    + "pass them, or use batch statistics with training = true");
            }
            // y = x·scale + shift, scale = γ/√(var + ε), shift = β − mean·scale: differentiable in x, γ, β
            Tensor inv = Tensor.result(Kernels.unary(Kernels.POW, Kernels.scalar(Kernels.ADD, runningVar.d(), eps), -0.5, 0), new int[] {c}, x);
            Tensor scale = weight == null ? inv : weight.mul(inv);
            Tensor shift = scale.mul(runningMean.copyValues()).neg();
            if (bias != null) shift = shift.add(bias);
            return x.mul(scale.reshape(cs)).add(shift.reshape(cs));
        }
        long m = (long) n * l;
        if (m < 2) {
            throw new IllegalArgumentException("batchNorm: input " + Shape.toString(x.shape) + " has " + m + " value per channel; "
                + "training needs more than 1 (a larger batch, or eval mode with running statistics)");
        }
        if ((runningMean != null && runningMean.requiresGrad) || (runningVar != null && runningVar.requiresGrad)) {
            throw new IllegalArgumentException("batchNorm: the running statistics are updated in place and must not require grad");
        }
        double[] mean = new double[c], var = new double[c], invstd = new double[c];
        double[] gamma = weight == null ? null : weight.d(), beta = bias == null ? null : bias.d();
        Tensor out;
        if (x.isFloat()) {
            float[] y = new float[x.size()];
            FloatNormKernels.batchNormTrain(x.fdata, n, c, l, eps, gamma, beta, y, mean, var, invstd);
            out = new Tensor(y, x.shape);
        } else {
            double[] y = new double[x.size()];
            NormKernels.batchNormTrain(x.data, n, c, l, eps, gamma, beta, y, mean, var, invstd);
            out = new Tensor(y, x.shape);
        }
        if (runningMean != null) {
            double unbiased = (double) m / (m - 1);
            double[] rm = runningMean.d(), rv = runningVar.d();
            for (int i = 0; i < c; i++) {
                rm[i] = (1 - momentum) * rm[i] + momentum * mean[i];
                rv[i] = (1 - momentum) * rv[i] + momentum * var[i] * unbiased;
            }
            runningMean.storeValues(rm);
            runningVar.storeValues(rv);
            runningMean.version++;
            runningVar.version++;
        }
        Node.Rule rule = g -> {
            if (GradMode.enabled()) return affineGrads(batchNormGrads(x, g, weight, n, c, l, eps), weight, bias);
            double[] dg = weight != null && weight.requiresGrad ? new double[c] : null;
            double[] db = bias != null && bias.requiresGrad ? new double[c] : null;
            Tensor dxt = null;
            if (x.isFloat() && g.isFloat()) {
                float[] dx = x.requiresGrad ? new float[x.size()] : null;
                FloatNormKernels.batchNormBackward(g.fdata, x.fdata, n, c, l, mean, invstd, weight == null ? null : weight.d(), dx, dg, db);
                if (dx != null) dxt = new Tensor(dx, x.shape);
            } else {
                double[] dx = x.requiresGrad ? new double[x.size()] : null;
                NormKernels.batchNormBackward(g.d(), x.d(), n, c, l, mean, invstd, weight == null ? null : weight.d(), dx, dg, db);
                dxt = wrap(dx, x.shape);
            }
            return affineGrads(new Tensor[] {dxt, wrap(dg, new int[] {c}), wrap(db, new int[] {c})}, weight, bias);
        };
        return record(out, "batchNorm", rule, x, weight, bias);
    }

    /**
     * The batch-norm gradients as Tensor ops, x̂ recomputed from x (x viewed as [N, C, L], m = N·L):
     * dβ = Σ G, dγ = Σ G·x̂, dx = γ/σ · (G − dβ/m − x̂·dγ/m).
     */
    private static Tensor[] batchNormGrads(Tensor x, Tensor g, Tensor weight, int n, int c, int l, double eps) {
        double m = (double) n * l;
        Tensor x3 = x.reshape(n, c, l), g3 = g.reshape(n, c, l);
        Tensor mu = x3.sum(2, true).sum(0, true).div(m);
        Tensor xc = x3.sub(mu);
        Tensor r = xc.square().sum(2, true).sum(0, true).div(m).add(eps).pow(-0.5);
        Tensor xhat = xc.mul(r);
        Tensor sg = g3.sum(2, true).sum(0, true), sgx = g3.mul(xhat).sum(2, true).sum(0, true);
        Tensor k = weight == null ? r : weight.reshape(1, c, 1).mul(r);
        Tensor dx = k.mul(g3.sub(sg.div(m)).sub(xhat.mul(sgx.div(m)))).reshape(x.shape);
        return new Tensor[] {dx, sgx.reshape(c), sg.reshape(c)};
    }

    /** PyTorch's {@code F.layer_norm} over the trailing dimensions {@code normalizedShape}. */
    static Tensor layerNorm(Tensor x, int[] normalizedShape, Tensor weight, Tensor bias, double eps) {
        Objects.requireNonNull(x, "layerNorm: input is null");
        Objects.requireNonNull(normalizedShape, "layerNorm: normalized shape is null");
        int k = normalizedShape.length;
        if (k == 0 || k > x.rank() || !Arrays.equals(normalizedShape, Arrays.copyOfRange(x.shape, x.rank() - k, x.rank()))) {
            throw new IllegalArgumentException("layerNorm: normalized shape " + Arrays.toString(normalizedShape)
                + " must be non-empty and equal the last dimensions of the input " + Shape.toString(x.shape));
        }
        for (Tensor t : new Tensor[] {weight, bias}) {
            if (t != null && !Arrays.equals(t.shape, normalizedShape)) {
                throw new IllegalArgumentException("layerNorm: " + (t == weight ? "weight " : "bias ") + Shape.toString(t.shape)
                    + " must have the normalized shape " + Arrays.toString(normalizedShape));
            }
        }
        if (!(eps > 0)) throw new IllegalArgumentException("layerNorm: eps " + eps + " must be > 0");
        Checks.sameDType("layerNorm", x, "weight", weight);
        Checks.sameDType("layerNorm", x, "bias", bias);
        int d = Shape.size(normalizedShape), rows = x.size() / d;
        double[] y = new double[x.size()], mean = new double[rows], invstd = new double[rows];
        NormKernels.layerNorm(x.d(), rows, d, eps, weight == null ? null : weight.d(), bias == null ? null : bias.d(), y, mean, invstd);
        int[] ns = normalizedShape.clone();
        Node.Rule rule = g -> {
            if (GradMode.enabled()) return affineGrads(layerNormGrads(x, g, weight, rows, d, eps, ns), weight, bias);
            double[] dx = x.requiresGrad ? new double[x.size()] : null;
            double[] dg = weight != null && weight.requiresGrad ? new double[d] : null;
            double[] db = bias != null && bias.requiresGrad ? new double[d] : null;
            NormKernels.layerNormBackward(g.d(), x.d(), rows, d, mean, invstd, weight == null ? null : weight.d(), dx, dg, db);
            return affineGrads(new Tensor[] {wrap(dx, x.shape), wrap(dg, ns), wrap(db, ns)}, weight, bias);
        };
        return record(new Tensor(y, x.shape), "layerNorm", rule, x, weight, bias);
    }

    /**
     * The layer-norm gradients as Tensor ops (x viewed as [rows, D], H = G ⊙ γ):
     * dx = (H − mean(H) − x̂·mean(H·x̂)) / σ, dγ = Σ_rows G·x̂, dβ = Σ_rows G.
     */
    private static Tensor[] layerNormGrads(Tensor x, Tensor g, Tensor weight, int rows, int d, double eps, int[] ns) {
        Tensor x2 = x.reshape(rows, d), g2 = g.reshape(rows, d);
        Tensor xc = x2.sub(x2.sum(1, true).div(d));
        Tensor r = xc.square().sum(1, true).div(d).add(eps).pow(-0.5);
        Tensor xhat = xc.mul(r);
        Tensor h = weight == null ? g2 : g2.mul(weight.reshape(1, d));
        Tensor dx = r.mul(h.sub(h.sum(1, true).div(d)).sub(xhat.mul(h.mul(xhat).sum(1, true).div(d)))).reshape(x.shape);
        return new Tensor[] {dx, g2.mul(xhat).sum(0, false).reshape(ns), g2.sum(0, false).reshape(ns)};
    }

    private static void checkChannels(String op, String what, Tensor t, int c, Tensor x) {
        if (t != null && (t.rank() != 1 || t.shape[0] != c)) {
            throw new IllegalArgumentException(op + ": " + what + " " + Shape.toString(t.shape) + " must be [C] = [" + c
                + "] for input " + Shape.toString(x.shape) + " (channels on axis 1)");
        }
    }

    private static Tensor wrap(double[] d, int[] shape) {
        return d == null ? null : new Tensor(d, shape.clone());
    }

    /** {dx, dγ, dβ} cut down to the inputs actually recorded (γ and β may be absent). */
    private static Tensor[] affineGrads(Tensor[] all, Tensor weight, Tensor bias) {
        if (weight != null && bias != null) return all;
        if (weight != null) return new Tensor[] {all[0], all[1]};
        if (bias != null) return new Tensor[] {all[0], all[2]};
        return new Tensor[] {all[0]};
    }

    private static Tensor record(Tensor out, String op, Node.Rule rule, Tensor x, Tensor weight, Tensor bias) {
        if (weight != null && bias != null) return out.record(op, SAVES_INPUTS, rule, x, weight, bias);
        if (weight != null) return out.record(op, SAVES_INPUTS, rule, x, weight);
        if (bias != null) return out.record(op, SAVES_INPUTS, rule, x, bias);
        return out.record(op, SAVES_INPUTS, rule, x);
    }
}

package dev.chainrule.autograd;

import static dev.chainrule.autograd.Tensor.SAVES_BOTH;
import static dev.chainrule.autograd.Tensor.SAVES_INPUTS;
import static dev.chainrule.autograd.Tensor.SAVES_NONE;
import static dev.chainrule.autograd.Tensor.SAVES_OUTPUT;
import static dev.chainrule.autograd.Tensor.grads;

import dev.chainrule.autograd.internal.Kernels;
import java.util.Arrays;

/**
 * Reductions and the softmax family: forward kernel and backward rule side by side. A reduction
 * over one axis views its input as {@code [outer, n, inner]} (see {@link Shape#outer} and
 * {@link Shape#inner}); its gradient is broadcast back over the reduced axis.
 */
final class ReductionOps {
    private ReductionOps() {}

    /** Gradient: broadcast to the input's shape. */
    static Tensor sum(Tensor x) {
        return new Tensor(new double[] {Kernels.sum(x.data)}, Kernels.SCALAR).record("sum", SAVES_NONE,
            g -> grads(g.broadcastTo(x.shape)), x);
    }

    /** Gradient: broadcast back over the axis. */
    static Tensor sum(Tensor x, int axis, boolean keepDims) {
        int ax = Shape.axis("sum", axis, x.shape);
        int[] keep = Shape.keep(x.shape, ax);
        return new Tensor(Kernels.sumAxis(x.data, Shape.outer(x.shape, ax), x.shape[ax], Shape.inner(x.shape, ax)),
            keepDims ? keep : Shape.drop(x.shape, ax))
            .record("sum", SAVES_NONE, g -> grads(g.reshape(keep).broadcastTo(x.shape)), x);
    }

    /** Gradient to the maximal elements, split equally among ties: dx = G · [x = max] / #[x = max]. */
    static Tensor max(Tensor x, int axis, boolean keepDims) {
        int ax = Shape.axis("max", axis, x.shape);
        int[] keep = Shape.keep(x.shape, ax);
        int outer = Shape.outer(x.shape, ax), n = x.shape[ax], inner = Shape.inner(x.shape, ax);
        Tensor out = new Tensor(Kernels.maxAxis(x.data, outer, n, inner), keepDims ? keep : Shape.drop(x.shape, ax));
        return out.record("max", SAVES_BOTH, g -> {
            double[] mask = Kernels.binary(Kernels.EQ, x.data, x.shape, out.data, keep, x.shape);
            double[] count = Kernels.sumAxis(mask, outer, n, inner);
            Tensor share = new Tensor(Kernels.binary(Kernels.DIV, mask, x.shape, count, keep, x.shape), x.shape);
            return grads(g.reshape(keep).mul(share));
        }, x);
    }

    /** Index of the largest element along {@code axis} (first on ties), as a tensor without graph. */
    static Tensor argMax(Tensor x, int axis) {
        int ax = Shape.axis("argMax", axis, x.shape);
        return new Tensor(Kernels.argMaxAxis(x.data, Shape.outer(x.shape, ax), x.shape[ax], Shape.inner(x.shape, ax)),
            Shape.drop(x.shape, ax));
    }

    // ---------------------------------------------------------------- softmax family

    private static double[] softmaxKernel(int kind, Tensor x, int ax) {
        return Kernels.softmaxFamily(kind, x.data, Shape.outer(x.shape, ax), x.shape[ax], Shape.inner(x.shape, ax));
    }

    /** dx = y ⊙ (G − Σ_axis G ⊙ y) (reuses the output y). */
    static Tensor softmax(Tensor x, int axis) {
        int ax = Shape.axis("softmax", axis, x.shape);
        Tensor out = new Tensor(softmaxKernel(Kernels.SOFTMAX, x, ax), x.shape);
        return out.record("softmax", SAVES_OUTPUT, g -> grads(out.mul(g.sub(g.mul(out).sum(ax, true)))), x);
    }

    /** dx = G − softmax(x) Σ_axis G (reuses the output). */
    static Tensor logSoftmax(Tensor x, int axis) {
        int ax = Shape.axis("logSoftmax", axis, x.shape);
        Tensor out = new Tensor(softmaxKernel(Kernels.LOG_SOFTMAX, x, ax), x.shape);
        return out.record("logSoftmax", SAVES_OUTPUT, g -> grads(g.sub(out.exp().mul(g.sum(ax, true)))), x);
    }

    /**
     * dx = G · softmax(x), computed from x rather than as e^(x − out), which loses the log Σ term
     * next to a huge max (ties at 1e300).
     */
    static Tensor logSumExp(Tensor x, int axis, boolean keepDims) {
        int ax = Shape.axis("logSumExp", axis, x.shape);
        int[] keep = Shape.keep(x.shape, ax);
        Tensor out = new Tensor(softmaxKernel(Kernels.LOG_SUM_EXP, x, ax), keepDims ? keep : Shape.drop(x.shape, ax));
        return out.record("logSumExp", SAVES_INPUTS, g -> grads(g.reshape(keep).mul(x.softmax(ax))), x);
    }

    /**
     * Fused mean softmax cross-entropy of logits {@code [..., C]} against one class per row:
     * {@code (1/N) Σ_r (logSumExp(x_r) − x_r[t_r])}. d/dx = (softmax(x) − onehot(t)) · G / N.
     */
    static Tensor crossEntropy(Tensor x, int[] targets) {
        int[] t = IndexingOps.classIndices("crossEntropy", x, targets);
        int classes = x.shape[x.rank() - 1];
        int rows = t.length;
        double[] logp = Kernels.softmaxFamily(Kernels.LOG_SOFTMAX, x.data, rows, classes, 1);
        double loss = 0;
        for (int r = 0; r < rows; r++) loss -= logp[r * classes + t[r]];
        return new Tensor(new double[] {loss / rows}, Kernels.SCALAR).record("crossEntropy", SAVES_INPUTS, g -> {
            if (GradMode.enabled()) {          // createGraph: a differentiable expression, for second derivatives
                double[] ones = new double[rows];
                Arrays.fill(ones, 1.0);
                Tensor onehot = new Tensor(Kernels.scatter(ones, classes, t), x.shape);
                return grads(x.softmax(-1).sub(onehot).mul(g.div(rows)));
            }
            double scale = g.data[0] / rows;   // first order: one pass over the saved log-probabilities
            double[] dx = new double[logp.length];
            for (int i = 0; i < dx.length; i++) dx[i] = Math.exp(logp[i]) * scale;
            for (int r = 0; r < rows; r++) dx[r * classes + t[r]] -= scale;
            return grads(new Tensor(dx, x.shape));
        }, x);
    }
}

package dev.chainrule.autograd;

import static dev.chainrule.autograd.Tensor.SAVES_BOTH;
import static dev.chainrule.autograd.Tensor.SAVES_INPUTS;
import static dev.chainrule.autograd.Tensor.SAVES_NONE;
import static dev.chainrule.autograd.Tensor.SAVES_OUTPUT;
import static dev.chainrule.autograd.Tensor.grads;

import dev.chainrule.autograd.internal.FloatKernels;
import dev.chainrule.autograd.internal.Kernels;
import dev.chainrule.autograd.internal.ReductionKernels;
import java.util.Arrays;
import java.util.Objects;

/**
 * Reductions and the softmax family: forward kernel and backward rule side by side. A reduction
 * over one axis views its input as {@code [outer, n, inner]} (see {@link Shape#outer} and
 * {@link Shape#inner}); its gradient is broadcast back over the reduced axis.
 */
final class ReductionOps {
    private ReductionOps() {}

    /** Gradient: broadcast to the input's shape. */
    static Tensor sum(Tensor x) {
        double s = x.isFloat() ? FloatKernels.sum(x.fdata) : Kernels.sum(x.data);
        return new Tensor(new double[] {s}, Kernels.SCALAR).record("sum", SAVES_NONE,
            g -> grads(g.broadcastTo(x.shape)), x);
    }

    /** Gradient: broadcast back over the axis. */
    static Tensor sum(Tensor x, int axis, boolean keepDims) {
        int ax = Shape.axis("sum", axis, x.shape);
        int[] keep = Shape.keep(x.shape, ax);
        int outer = Shape.outer(x.shape, ax), n = x.shape[ax], inner = Shape.inner(x.shape, ax);
        int[] shape = keepDims ? keep : Shape.drop(x.shape, ax);
        Tensor out = x.isFloat() ? new Tensor(FloatKernels.sumAxis(x.fdata, outer, n, inner), shape)
            : new Tensor(Kernels.sumAxis(x.data, outer, n, inner), shape);
        return out.record("sum", SAVES_NONE, g -> grads(g.reshape(keep).broadcastTo(x.shape)), x);
    }

    static Tensor max(Tensor x, int axis, boolean keepDims) {
        return max(x, new int[] {axis}, keepDims);
    }

    /**
     * Max over several axes at once. Gradient to the maximal elements of each reduced slice, split
     * equally among ties over the whole slice (PyTorch's amax): dx = G · [x = max] / #[x = max]. A slice
     * holding NaN has max NaN, and its gradient is split among its NaNs.
     */
    static Tensor max(Tensor x, int[] axes, boolean keepDims) {
        boolean[] red = reducedAxes("max", axes, x.shape);
        int[] keep = keep(x.shape, red);
        double[] v = x.d();
        int[] cur = x.shape;
        int single = -1;                                 // the one reduced axis, if only one
        for (int ax = 0; ax < red.length; ax++) {
            if (!red[ax]) continue;
            v = Kernels.maxAxis(v, Shape.outer(cur, ax), cur[ax], Shape.inner(cur, ax));
            cur = Shape.keep(cur, ax);
            single = single == -1 ? ax : -2;
        }
        int one = single;
        Tensor out = new Tensor(v, keepDims ? keep : drop(x.shape, red));
        return out.record("max", SAVES_BOTH, g -> {
            double[] mask = Kernels.binary(Kernels.SAME, x.d(), x.shape, out.d(), keep, x.shape);
            double[] count = one >= 0 ? Kernels.sumAxis(mask, Shape.outer(x.shape, one), x.shape[one], Shape.inner(x.shape, one))
                : Kernels.sumTo(mask, x.shape, keep);
            Tensor share = new Tensor(Kernels.binary(Kernels.DIV, mask, x.shape, count, keep, x.shape), x.shape);
            return grads(g.reshape(keep).mul(share));
        }, x);
    }

    /** −max(−x) over several axes. */
    static Tensor min(Tensor x, int[] axes, boolean keepDims) {
        reducedAxes("min", axes, x.shape);           // so that bad axes are reported as min's, not max's
        return x.neg().max(axes, keepDims).neg();
    }

    /** Index of the largest ({@code largest}) or smallest element along {@code axis} (first on ties, NaN wins), no graph. */
    static Tensor argMax(String op, Tensor x, int axis, boolean largest) {
        int ax = Shape.axis(op, axis, x.shape);
        return new Tensor(Kernels.argMaxAxis(x.d(), Shape.outer(x.shape, ax), x.shape[ax], Shape.inner(x.shape, ax), largest),
            Shape.drop(x.shape, ax));
    }

    // ---------------------------------------------------------------- several axes at once

    /** Which axes of {@code shape} {@code axes} reduces (negative ones count from the end), each at most once. */
    static boolean[] reducedAxes(String op, int[] axes, int[] shape) {
        Objects.requireNonNull(axes, op + ": axes is null");
        if (axes.length == 0) {
            throw new IllegalArgumentException(op + ": no axes given for shape " + Shape.toString(shape)
                + "; pass at least one axis, or use " + op + "() to reduce all elements");
        }
        boolean[] red = new boolean[shape.length];
        for (int a : axes) {
            int ax = Shape.axis(op, a, shape);
            if (red[ax]) {
                throw new IllegalArgumentException(op + ": axes " + Arrays.toString(axes) + " for shape " + Shape.toString(shape)
                    + " repeat axis " + ax + "; pass each axis at most once");
            }
            red[ax] = true;
        }
        return red;
    }

    /** {@code shape} with the reduced axes set to 1 (the keepDims shape). */
    static int[] keep(int[] shape, boolean[] red) {
        int[] s = shape.clone();
        for (int i = 0; i < s.length; i++) if (red[i]) s[i] = 1;
        return s;
    }

    /** {@code shape} without the reduced axes. */
    static int[] drop(int[] shape, boolean[] red) {
        int n = 0;
        for (boolean r : red) if (!r) n++;
        int[] s = new int[n];
        for (int i = 0, j = 0; i < shape.length; i++) if (!red[i]) s[j++] = shape[i];
        return s;
    }

    /** Sum over several axes: one pass of the adjoint of broadcasting ({@code sumTo}), then the reduced axes dropped. */
    static Tensor sum(Tensor x, int[] axes, boolean keepDims) {
        boolean[] red = reducedAxes("sum", axes, x.shape);
        Tensor s = x.sumTo(keep(x.shape, red));
        return keepDims ? s : s.reshape(drop(x.shape, red));
    }

    /** Mean over several axes: their sum / the number of elements summed. */
    static Tensor mean(Tensor x, int[] axes, boolean keepDims) {
        boolean[] red = reducedAxes("mean", axes, x.shape);
        long count = 1;
        for (int i = 0; i < red.length; i++) if (red[i]) count *= x.shape[i];
        return sum(x, axes, keepDims).div(count);
    }

    // ---------------------------------------------------------------- products

    /**
     * Product over one axis. d prod = Σ_k (Π_{j≠k} x_j) dx_k, exact with zeros (as PyTorch). First
     * order: one pass ({@link ReductionKernels#prodOthers}). Second order (createGraph): prod/x where
     * the input holds no zero; with zeros, Π_{j≠k} x_j is built as a product over an
     * {@code [outer, n, n, inner]} tensor with x_k replaced by 1, which is exact to every order but
     * takes n times the input's memory.
     */
    static Tensor prod(Tensor x, int axis, boolean keepDims) {
        int ax = Shape.axis("prod", axis, x.shape);
        int[] keep = Shape.keep(x.shape, ax);
        int outer = Shape.outer(x.shape, ax), n = x.shape[ax], inner = Shape.inner(x.shape, ax);
        Tensor out = new Tensor(ReductionKernels.prodAxis(x.d(), outer, n, inner), keepDims ? keep : Shape.drop(x.shape, ax));
        return out.record("prod", SAVES_BOTH, g -> {
            if (!GradMode.enabled()) {
                return grads(g.reshape(keep).mul(new Tensor(ReductionKernels.prodOthers(x.d(), outer, n, inner), x.shape)));
            }
            boolean zeros = false;
            for (double v : x.d()) zeros |= v == 0;
            if (!zeros) return grads(g.reshape(keep).mul(out.reshape(keep).div(x)));
            Checks.elements("prod (second derivative with zeros)", Checks.product(Checks.product(outer, n), (long) n * inner), null);
            double[] eye = new double[n * n];
            for (int k = 0; k < n; k++) eye[k * n + k] = 1;
            Tensor rows = x.reshape(outer, 1, n, inner).broadcastTo(outer, n, n, inner);   // [o, k, j, i] = x[o, j, i]
            Tensor others = Tensor.where(new Tensor(eye, new int[] {1, n, n, 1}), Tensor.scalar(1), rows).prod(2, false);
            return grads(g.reshape(keep).mul(others.reshape(x.shape)));
        }, x);
    }

    /** Product of all elements (a scalar); see {@link #prod(Tensor, int, boolean)}. */
    static Tensor prod(Tensor x) {
        return prod(x.reshape(x.size()), 0, false);
    }

    // ---------------------------------------------------------------- variance and norms

    /** n − correction, checked to be positive. */
    private static double dof(String op, int n, double correction, String where) {
        Checks.finite(op, "correction", correction);
        if (!(n - correction > 0)) {
            throw new IllegalArgumentException(op + ": " + where + " has " + n + " element" + (n == 1 ? "" : "s")
                + ", and correction " + correction + " leaves no degrees of freedom (n - correction must be > 0; "
                + "PyTorch would return NaN or Inf); use correction 0 or reduce over more elements");
        }
        return n - correction;
    }

    /** Σ (x − mean)² / (n − correction) over one axis: a composite (mean, sub, square, sum, div); two passes, so no cancellation. */
    static Tensor var(String op, Tensor x, int axis, double correction, boolean keepDims) {
        int ax = Shape.axis(op, axis, x.shape);
        double d = dof(op, x.shape[ax], correction, "axis " + axis + " of shape " + Shape.toString(x.shape));
        return x.sub(x.mean(ax, true)).square().sum(ax, keepDims).div(d);
    }

    /** The variance of all elements with correction 1 (a scalar). */
    static Tensor var(String op, Tensor x) {
        dof(op, x.size(), 1, "shape " + Shape.toString(x.shape));
        return var(op, x.reshape(x.size()), 0, 1, false);
    }

    /** √var with the subgradient 0 where var = 0 (as PyTorch). */
    static Tensor std(Tensor x, int axis, double correction, boolean keepDims) {
        return root(var("std", x, axis, correction, keepDims), 0.5);
    }

    static Tensor std(Tensor x) {
        return root(var("std", x), 0.5);
    }

    /**
     * s^q for s ≥ 0 (the last step of a p-norm or a standard deviation), with the subgradient 0 at
     * s = 0 as PyTorch's norm and std: d(s^q) = q s^q / s ds where s &gt; 0, else 0. The division is
     * by a safe denominator, so no 0/0 reaches even the second derivative.
     */
    private static Tensor root(Tensor s, double q) {
        Tensor out = new Tensor(Kernels.unary(Kernels.POW, s.d(), q, 0), s.shape);
        return out.record("root", SAVES_BOTH, g -> {
            Tensor positive = s.gt(0), zero = Tensor.scalar(0);
            Tensor safe = Tensor.where(positive, s, Tensor.scalar(1));
            return grads(Tensor.where(positive, g.mul(out).div(safe).mul(q), zero));
        }, s);
    }

    /**
     * The p-norm (Σ |x|^p)^(1/p) over {@code axes}: p = 1 is Σ|x|, p = ∞ is max|x| (ties split the
     * gradient), p = 2 over a matrix's two axes is its Frobenius norm. A composite; the gradient at a
     * zero norm is 0, as PyTorch's.
     */
    static Tensor norm(Tensor x, double p, int[] axes, boolean keepDims) {
        if (!(p >= 1)) {
            throw new IllegalArgumentException("norm: p = " + p + " is not supported; use p >= 1 (1, 2, 3, ...) "
                + "or Double.POSITIVE_INFINITY");
        }
        reducedAxes("norm", axes, x.shape);
        if (p == 1) return x.abs().sum(axes, keepDims);
        if (p == Double.POSITIVE_INFINITY) return x.abs().max(axes, keepDims);
        return root((p == 2 ? x.square() : x.abs().pow(p)).sum(axes, keepDims), 1 / p);
    }

    /** The p-norm of all elements (a scalar). */
    static Tensor norm(Tensor x, double p) {
        return norm(x.reshape(x.size()), p, new int[] {0}, false);
    }

    // ---------------------------------------------------------------- running sums

    /** Gradient: the running sum of G taken from the other end, d cumsum = reverse cumsum of G. */
    static Tensor cumsum(Tensor x, int axis) {
        return cumsum(x, Shape.axis("cumsum", axis, x.shape), false);
    }

    private static Tensor cumsum(Tensor x, int ax, boolean reverse) {
        double[] out = ReductionKernels.cumsumAxis(x.d(), Shape.outer(x.shape, ax), x.shape[ax], Shape.inner(x.shape, ax), reverse);
        return new Tensor(out, x.shape).record(reverse ? "cumsumReverse" : "cumsum", SAVES_NONE,
            g -> grads(cumsum(g, ax, !reverse)), x);
    }

    // ---------------------------------------------------------------- softmax family

    private static double[] softmaxKernel(int kind, Tensor x, int ax) {
        return Kernels.softmaxFamily(kind, x.d(), Shape.outer(x.shape, ax), x.shape[ax], Shape.inner(x.shape, ax));
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
        double[] logp = Kernels.softmaxFamily(Kernels.LOG_SOFTMAX, x.d(), rows, classes, 1);
        double loss = 0;
        for (int r = 0; r < rows; r++) loss -= logp[r * classes + t[r]];
        return new Tensor(new double[] {loss / rows}, Kernels.SCALAR).record("crossEntropy", SAVES_INPUTS, g -> {
            if (GradMode.enabled()) {          // createGraph: a differentiable expression, for second derivatives
                double[] ones = new double[rows];
                Arrays.fill(ones, 1.0);
                Tensor onehot = new Tensor(Kernels.scatter(ones, classes, t), x.shape);
                return grads(x.softmax(-1).sub(onehot).mul(g.div(rows)));
            }
            double scale = g.d()[0] / rows;   // first order: one pass over the saved log-probabilities
            double[] dx = new double[logp.length];
            for (int i = 0; i < dx.length; i++) dx[i] = Math.exp(logp[i]) * scale;
            for (int r = 0; r < rows; r++) dx[r * classes + t[r]] -= scale;
            return grads(Tensor.result(dx, x.shape, x));
        }, x);
    }
}

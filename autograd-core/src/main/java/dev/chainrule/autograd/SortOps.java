package dev.chainrule.autograd;

import static dev.chainrule.autograd.Tensor.SAVES_NONE;
import static dev.chainrule.autograd.Tensor.grads;

import dev.chainrule.autograd.internal.ReductionKernels;

/**
 * Sorting along an axis: {@code sort} and {@code topk}. The values are the input's elements moved to
 * sorted positions, so their gradient is the incoming gradient moved back (scattered to the source
 * positions, which are distinct); that scatter is itself recorded, with the gather as its gradient,
 * so second derivatives work. The indices are a tensor without graph.
 */
final class SortOps {
    private SortOps() {}

    /** Stable sort along {@code axis} (ties keep their order, as PyTorch's {@code stable=True}; NaN sorts above every number). */
    static ValuesAndIndices sort(Tensor x, int axis, boolean descending) {
        int ax = Shape.axis("sort", axis, x.shape);
        return select("sort", x, ax, x.shape[ax], descending);
    }

    /** The k largest along {@code axis}, largest first; ties in index order. */
    static ValuesAndIndices topk(Tensor x, int k, int axis) {
        int ax = Shape.axis("topk", axis, x.shape);
        int n = x.shape[ax];
        if (k < 1 || k > n) {
            throw new IllegalArgumentException("topk: k = " + k + " is out of range for axis " + axis + " of shape "
                + Shape.toString(x.shape) + " (" + n + " elements); pass 1 <= k <= " + n);
        }
        return select("topk", x, ax, k, true);
    }

    private static ValuesAndIndices select(String op, Tensor x, int ax, int k, boolean descending) {
        double[] index = ReductionKernels.sortIndices(x.d(), Shape.outer(x.shape, ax), x.shape[ax], Shape.inner(x.shape, ax),
            k, descending);
        int[] s = x.shape.clone();
        s[ax] = k;
        return new ValuesAndIndices(gather(op, x, index, ax, s), new Tensor(index.clone(), s));
    }

    /** {@code out[.., j, ..] = x[.., index[.., j, ..], ..]} along {@code ax}. Gradient: scattered back. */
    private static Tensor gather(String op, Tensor x, double[] index, int ax, int[] s) {
        int outer = Shape.outer(x.shape, ax), n = x.shape[ax], k = s[ax], inner = Shape.inner(x.shape, ax);
        return new Tensor(ReductionKernels.takeAlong(x.d(), index, outer, n, k, inner), s).record(op, SAVES_NONE,
            g -> grads(scatter(g, index, ax, x.shape)), x);
    }

    /** The adjoint of {@link #gather}: zeros of {@code target} with g added at the indexed positions. Gradient: gathered. */
    private static Tensor scatter(Tensor g, double[] index, int ax, int[] target) {
        int outer = Shape.outer(target, ax), n = target[ax], k = g.shape[ax], inner = Shape.inner(target, ax);
        return new Tensor(ReductionKernels.putAlong(g.d(), index, outer, n, k, inner), target).record("scatter", SAVES_NONE,
            gg -> grads(gather("gather", gg, index, ax, g.shape)), g);
    }
}

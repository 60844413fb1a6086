package dev.chainrule.autograd;

import static dev.chainrule.autograd.Tensor.SAVES_NONE;
import static dev.chainrule.autograd.Tensor.grads;

import dev.chainrule.autograd.internal.Kernels;
import dev.chainrule.autograd.internal.LayoutKernels;
import java.util.Arrays;
import java.util.Objects;

/**
 * Indexing primitives: selecting elements by integer indices and their adjoints (scattering the
 * gradient back into zeros). Index arrays and index tensors are checked at the boundary and copied
 * into private {@code int[]}s, so later changes to the caller's array or tensor cannot reach a
 * backward rule. Each pair is adjoint both ways (indexSelect / indexAdd, gather / scatterAdd), so
 * every gradient is differentiable again.
 */
final class IndexingOps {
    private IndexingOps() {}

    /** {@code out[r] = x[r, index[r]]} over the last axis. Gradient: scattered back into zeros. */
    static Tensor pick(Tensor x, int[] index) {
        int[] idx = classIndices("pick", x, index);
        int classes = x.shape[x.rank() - 1];
        return new Tensor(Kernels.pick(x.d(), classes, idx), Shape.drop(x.shape, x.rank() - 1)).record("pick", SAVES_NONE,
            g -> grads(scatter(g, idx, x.shape)), x);
    }

    /** The adjoint of {@link #pick}: zeros of {@code target} with row r's value at {@code [r, index[r]]}. */
    private static Tensor scatter(Tensor x, int[] index, int[] target) {
        int classes = target[target.length - 1];
        return new Tensor(Kernels.scatter(x.d(), classes, index), target).record("scatter", SAVES_NONE,
            g -> grads(g.pick(index)), x);
    }

    /**
     * Checks one class index per row of {@code x} ({@code [..., C]}, each index in [0, C)) for
     * {@code op} and returns a private copy.
     */
    static int[] classIndices(String op, Tensor x, int[] index) {
        Checks.nonNull(op, op.equals("crossEntropy") ? "targets" : "index", index);
        if (x.rank() < 1) {
            throw new IllegalArgumentException(op + ": needs rank >= 1 ([rows, classes]), got a scalar");
        }
        int classes = x.shape[x.rank() - 1];
        int rows = x.size() / classes;
        if (index.length != rows) {
            throw new IllegalArgumentException(op + ": shape " + Shape.toString(x.shape) + " has " + rows
                + " rows but " + index.length + " class indices were given; pass one class index per row");
        }
        for (int r = 0; r < rows; r++) {
            if (index[r] < 0 || index[r] >= classes) {
                throw new IllegalArgumentException(op + ": class index " + index[r] + " at row " + r + " is out of range [0, "
                    + classes + ") for shape " + Shape.toString(x.shape));
            }
        }
        return index.clone();
    }

    // ================================================================ indexSelect and its adjoint

    /** {@code out[..., j, ...] = x[..., index[j], ...]} on {@code axis}. Gradient: index-added back (repeats accumulate). */
    static Tensor indexSelect(Tensor x, int axis, int[] index) {
        Objects.requireNonNull(index, "indexSelect: index is null");
        int ax = Shape.axis("indexSelect", axis, x.shape);
        int n = x.shape[ax];
        if (index.length == 0) {
            throw new IllegalArgumentException("indexSelect: no indices for axis " + axis + " of shape " + Shape.toString(x.shape)
                + "; empty tensors are not supported");
        }
        for (int j = 0; j < index.length; j++) {
            if (index[j] < 0 || index[j] >= n) {
                throw new IllegalArgumentException("indexSelect: index " + index[j] + " at position " + j + " is out of range [0, "
                    + n + ") for axis " + axis + " of shape " + Shape.toString(x.shape));
            }
        }
        return indexSelectUnchecked(x, ax, index.clone());
    }

    private static Tensor indexSelectUnchecked(Tensor x, int ax, int[] idx) {
        int n = x.shape[ax];
        int[] shape = x.shape.clone();
        shape[ax] = idx.length;
        Checks.elements("indexSelect", shape);
        int outer = Shape.outer(x.shape, ax), inner = Shape.inner(x.shape, ax);
        Tensor out = x.isFloat() ? new Tensor(LayoutKernels.indexSelect(x.fdata, outer, n, inner, idx), shape)
            : new Tensor(LayoutKernels.indexSelect(x.data, outer, n, inner, idx), shape);
        return out.record("indexSelect", SAVES_NONE, g -> grads(indexAdd(g, ax, idx, n)), x);
    }

    /** Zeros with {@code n} entries on {@code axis} and {@code out[..., index[j], ...] += g[..., j, ...]}. Gradient: indexSelect. */
    private static Tensor indexAdd(Tensor g, int ax, int[] idx, int n) {
        int[] shape = g.shape.clone();
        shape[ax] = n;
        return new Tensor(LayoutKernels.indexAdd(g.d(), Shape.outer(g.shape, ax), n, Shape.inner(g.shape, ax), idx), shape)
            .record("indexAdd", SAVES_NONE, gg -> grads(indexSelectUnchecked(gg, ax, idx)), g);
    }

    // ================================================================ gather and scatterAdd

    /**
     * PyTorch's gather: {@code out[p] = x[p with p_axis = index[p]]}, out of index's shape (same rank
     * as x, no larger off the axis). Gradient: scatter-added into zeros of x's shape.
     */
    static Tensor gather(Tensor x, int axis, Tensor index) {
        Objects.requireNonNull(index, "gather: index is null");
        int ax = Shape.axis("gather", axis, x.shape);
        sameRank("gather", index, "input", x);
        fitsOffAxis("gather", index, "input", x, ax);
        return gatherUnchecked(x, ax, indices("gather", index, ax, x), index.shape.clone());
    }

    private static Tensor gatherUnchecked(Tensor x, int ax, int[] idx, int[] idxShape) {
        return new Tensor(LayoutKernels.gather(x.d(), x.shape, ax, idx, idxShape), idxShape)
            .record("gather", SAVES_NONE, g -> grads(scatterAddUnchecked(Tensor.zeros(x.shape), ax, idx, idxShape, g)), x);
    }

    /**
     * PyTorch's scatter_add: a copy of self with {@code out[p with p_axis = index[p]] += src[p]} for
     * every p of index's shape (src may be larger; its other elements are unused). Gradients:
     * dself = G, dsrc = G gathered at index (zero where unused).
     */
    static Tensor scatterAdd(Tensor self, int axis, Tensor index, Tensor src) {
        Objects.requireNonNull(index, "scatterAdd: index is null");
        Objects.requireNonNull(src, "scatterAdd: src is null");
        int ax = Shape.axis("scatterAdd", axis, self.shape);
        sameRank("scatterAdd", index, "self", self);
        sameRank("scatterAdd", index, "src", src);
        fitsOffAxis("scatterAdd", index, "self", self, ax);
        for (int d = 0; d < index.rank(); d++) {
            if (index.shape[d] > src.shape[d]) {
                throw new IllegalArgumentException("scatterAdd: index shape " + Shape.toString(index.shape) + " does not fit src shape "
                    + Shape.toString(src.shape) + ": dimension " + d + " is " + index.shape[d] + " > " + src.shape[d]
                    + "; index must be no larger than src in every dimension");
            }
        }
        int[] idx = indices("scatterAdd", index, ax, self);
        int[] idxShape = index.shape.clone();
        Tensor s = Arrays.equals(src.shape, idxShape) ? src
            : LayoutOps.view("slice", src, idxShape, 0, LayoutKernels.strides(src.shape));   // the used corner of src
        return scatterAddUnchecked(self, ax, idx, idxShape, s);
    }

    private static Tensor scatterAddUnchecked(Tensor self, int ax, int[] idx, int[] idxShape, Tensor src) {
        return new Tensor(LayoutKernels.scatterAdd(self.d(), self.shape, ax, idx, idxShape, src.d()), self.shape)
            .record("scatterAdd", SAVES_NONE,
                g -> grads(self.requiresGrad ? g : null, src.requiresGrad ? gatherUnchecked(g, ax, idx, idxShape) : null), self, src);
    }

    private static void sameRank(String op, Tensor index, String name, Tensor x) {
        if (index.rank() != x.rank()) {
            throw new IllegalArgumentException(op + ": index shape " + Shape.toString(index.shape) + " has rank " + index.rank()
                + " but " + name + " shape " + Shape.toString(x.shape) + " has rank " + x.rank() + "; they must have the same rank");
        }
    }

    private static void fitsOffAxis(String op, Tensor index, String name, Tensor x, int ax) {
        for (int d = 0; d < x.rank(); d++) {
            if (d != ax && index.shape[d] > x.shape[d]) {
                throw new IllegalArgumentException(op + ": index shape " + Shape.toString(index.shape) + " does not fit " + name
                    + " shape " + Shape.toString(x.shape) + ": dimension " + d + " is " + index.shape[d] + " > " + x.shape[d]
                    + "; off axis " + ax + " index must be no larger than " + name);
            }
        }
    }

    /** The values of an index tensor as ints, each checked to be an integer in [0, x.shape[ax]). */
    private static int[] indices(String op, Tensor index, int ax, Tensor x) {
        int n = x.shape[ax];
        int[] idx = new int[index.size()];
        for (int p = 0; p < idx.length; p++) {
            double v = index.d()[p];
            if (v != Math.rint(v) || Double.isInfinite(v)) {
                throw new IllegalArgumentException(op + ": index element " + elementAt(p, index.shape) + " is " + v
                    + ", not an integer; index tensors hold integer values (as doubles)");
            }
            if (v < 0 || v >= n) {
                throw new IllegalArgumentException(op + ": index element " + elementAt(p, index.shape) + " is " + (long) v
                    + ", out of range [0, " + n + ") for axis " + ax + " of shape " + Shape.toString(x.shape));
            }
            idx[p] = (int) v;
        }
        return idx;
    }

    /** The multi-index of flat position p in shape, as {@code [i, j, ...]}. */
    private static String elementAt(int p, int[] shape) {
        int[] idx = new int[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) {
            idx[d] = p % shape[d];
            p /= shape[d];
        }
        return Arrays.toString(idx);
    }
}

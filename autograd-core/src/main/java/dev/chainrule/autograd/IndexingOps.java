package dev.chainrule.autograd;

import static dev.chainrule.autograd.Tensor.SAVES_NONE;
import static dev.chainrule.autograd.Tensor.grads;

import dev.chainrule.autograd.internal.Kernels;

/**
 * Indexing primitives: selecting elements by integer indices and their adjoints (scattering the
 * gradient back into zeros). Index arrays are checked at the boundary and copied, so later
 * changes to the caller's array cannot reach a backward rule.
 */
final class IndexingOps {
    private IndexingOps() {}

    /** {@code out[r] = x[r, index[r]]} over the last axis. Gradient: scattered back into zeros. */
    static Tensor pick(Tensor x, int[] index) {
        int[] idx = classIndices("pick", x, index);
        int classes = x.shape[x.rank() - 1];
        return new Tensor(Kernels.pick(x.data, classes, idx), Shape.drop(x.shape, x.rank() - 1)).record("pick", SAVES_NONE,
            g -> grads(scatter(g, idx, x.shape)), x);
    }

    /** The adjoint of {@link #pick}: zeros of {@code target} with row r's value at {@code [r, index[r]]}. */
    private static Tensor scatter(Tensor x, int[] index, int[] target) {
        int classes = target[target.length - 1];
        return new Tensor(Kernels.scatter(x.data, classes, index), target).record("scatter", SAVES_NONE,
            g -> grads(g.pick(index)), x);
    }

    /**
     * Checks one class index per row of {@code x} ({@code [..., C]}, each index in [0, C)) for
     * {@code op} and returns a private copy.
     */
    static int[] classIndices(String op, Tensor x, int[] index) {
        if (x.rank() < 1) {
            throw new IllegalArgumentException(op + ": needs rank >= 1 ([rows, classes]), got a scalar");
        }
        int classes = x.shape[x.rank() - 1];
        int rows = x.data.length / classes;
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
}

package dev.chainrule.autograd;

import static dev.chainrule.autograd.Tensor.SAVES_NONE;
import static dev.chainrule.autograd.Tensor.grads;

import dev.chainrule.autograd.internal.Kernels;
import java.util.Arrays;

/**
 * Layout primitives: ops that move or copy values without arithmetic (reshape, transposes,
 * broadcasting and its adjoint). Each gradient is the inverse movement of the incoming gradient.
 * Tensors are contiguous and immutable, so every op here returns a copy.
 */
final class LayoutOps {
    private LayoutOps() {}

    /** Gradient: transposed back. */
    static Tensor transpose(Tensor x) {
        if (x.rank() < 2) return x;
        int r = x.rank();
        int rows = x.shape[r - 2], cols = x.shape[r - 1];
        int[] s = x.shape.clone();
        s[r - 2] = cols;
        s[r - 1] = rows;
        return new Tensor(Kernels.transposeLast2(x.data, x.data.length / (rows * cols), rows, cols), s)
            .record("transpose", SAVES_NONE, g -> grads(g.transpose()), x);
    }

    /** Gradient: reshaped back. */
    static Tensor reshape(Tensor x, int[] newShape) {
        int[] s = newShape.clone();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < s.length; i++) {
            if (s[i] == -1 && infer < 0) {
                infer = i;
            } else if (s[i] <= 0) {
                throw new IllegalArgumentException("reshape: " + Shape.toString(x.shape) + " to " + Shape.toString(newShape)
                    + ": dimension " + s[i] + " is invalid (at most one -1, the rest at least 1)");
            } else {
                known = Math.min(known * s[i], 1L << 31);   // saturate: more than any tensor holds, and no overflow
            }
        }
        int n = x.data.length;
        if (infer >= 0) {
            if (n % known != 0) {
                throw new IllegalArgumentException("reshape: " + Shape.toString(x.shape) + " to " + Shape.toString(newShape)
                    + ": " + n + " elements are not divisible by " + known);
            }
            s[infer] = (int) (n / known);
        } else if (known != n) {
            throw new IllegalArgumentException("reshape: " + Shape.toString(x.shape) + " (" + n + " elements) to "
                + Shape.toString(newShape) + " (" + known + " elements): sizes differ");
        }
        if (Arrays.equals(s, x.shape)) return x;
        return new Tensor(x.data.clone(), s).record("reshape", SAVES_NONE, g -> grads(g.reshape(x.shape)), x);
    }

    /** Gradient: summed back to the input's shape. */
    static Tensor broadcastTo(Tensor x, int[] target) {
        if (Arrays.equals(x.shape, target)) return x;
        int[] s = Kernels.broadcastShape(x.shape, target);
        if (s == null || !Arrays.equals(s, target)) {
            throw new IllegalArgumentException("broadcastTo: shape " + Shape.toString(x.shape) + " cannot be broadcast to "
                + Shape.toString(target));
        }
        int[] t = target.clone();
        return new Tensor(Kernels.broadcastTo(x.data, x.shape, t), t).record("broadcastTo", SAVES_NONE,
            g -> grads(g.sumTo(x.shape)), x);
    }

    /** The reverse of broadcasting. Gradient: broadcast back. */
    static Tensor sumTo(Tensor x, int[] target) {
        if (Arrays.equals(x.shape, target)) return x;
        int[] s = Kernels.broadcastShape(target, x.shape);
        if (s == null || !Arrays.equals(s, x.shape)) {
            throw new IllegalArgumentException("sumTo: shape " + Shape.toString(x.shape) + " is not a broadcast of "
                + Shape.toString(target));
        }
        int[] t = target.clone();
        return new Tensor(Kernels.sumTo(x.data, x.shape, t), t).record("sumTo", SAVES_NONE,
            g -> grads(g.broadcastTo(x.shape)), x);
    }
}

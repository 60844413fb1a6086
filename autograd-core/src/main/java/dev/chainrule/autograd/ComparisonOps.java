package dev.chainrule.autograd;

import static dev.chainrule.autograd.Tensor.FILLS_INF;
import static dev.chainrule.autograd.Tensor.MASK_LAST;
import static dev.chainrule.autograd.Tensor.SAVES_INPUTS;
import static dev.chainrule.autograd.Tensor.grads;

import dev.chainrule.autograd.internal.Kernels;
import java.util.Objects;

/**
 * Comparisons and masks. A comparison returns a tensor of 0s and 1s without graph (it is piecewise
 * constant: its derivative is 0 wherever it exists). {@code where} and {@code maskedFill} select by a
 * mask (any tensor, read as ≠ 0); the mask is a constant of the graph and gets no gradient. Their
 * gradients are selections of the incoming gradient, never products with the mask, so a ±∞ in an
 * unselected branch cannot become 0 · ∞ = NaN in their own rule. An op inside the unselected branch
 * still receives 0 and may turn it into NaN where its own derivative is infinite (log at 0); as in
 * PyTorch, guard its input too: {@code where(x > 0, where(x > 0, x, 1).log(), 0)}.
 */
final class ComparisonOps {
    private ComparisonOps() {}

    /** {@code a op b} elementwise (broadcasting), 1 where it holds, else 0; no graph. */
    static Tensor compare(String op, int kernel, Tensor a, Tensor b) {
        return ElementwiseOps.binary(op, kernel, a, b);
    }

    /** {@code x op c} elementwise, 1 where it holds, else 0; no graph. */
    static Tensor compare(int kernel, Tensor x, double c) {
        return ElementwiseOps.scalarOp(kernel, x, c);
    }

    /** The shape all three broadcast to, or an error naming the op and the three shapes. */
    private static int[] broadcast3(String op, int[] m, int[] a, int[] b) {
        int[] ma = Kernels.broadcastShape(m, a);
        int[] s = ma == null ? null : Kernels.broadcastShape(ma, b);
        if (s == null) {
            throw new IllegalArgumentException(op + ": shapes " + Shape.toString(m) + " (mask), " + Shape.toString(a) + " and "
                + Shape.toString(b) + " do not broadcast together (aligned from the right, each dimension must be equal or 1)");
        }
        Checks.elements(op, s);
        return s;
    }

    /**
     * {@code out = mask ≠ 0 ? a : b} (all three broadcast). da = where(mask, G, 0) and
     * db = where(mask, 0, G), each summed back to its input's shape.
     */
    static Tensor where(Tensor mask, Tensor a, Tensor b) {
        Objects.requireNonNull(mask, "where: mask is null");
        Objects.requireNonNull(a, "where: a is null");
        Objects.requireNonNull(b, "where: b is null");
        int[] s = broadcast3("where", mask.shape, a.shape, b.shape);
        Tensor zero = Tensor.scalar(0);
        return new Tensor(Kernels.where(mask.d(), mask.shape, a.d(), a.shape, b.d(), b.shape, s), s)
            .record("where", SAVES_INPUTS | MASK_LAST, g -> grads(
                a.requiresGrad ? where(mask, g, zero).sumTo(a.shape) : null,
                b.requiresGrad ? where(mask, zero, g).sumTo(b.shape) : null,
                null), a, b, mask);
    }

    /**
     * {@code out = mask ≠ 0 ? value : x} (x and mask broadcast). dx = where(mask, 0, G) summed back to
     * x's shape. A fill with ±∞ is deliberate, so anomaly mode does not report it (FILLS_INF).
     */
    static Tensor maskedFill(Tensor x, Tensor mask, double value) {
        Objects.requireNonNull(mask, "maskedFill: mask is null");
        int[] s = Kernels.broadcastShape(x.shape, mask.shape);
        if (s == null) {
            throw new IllegalArgumentException("maskedFill: mask of shape " + Shape.toString(mask.shape)
                + " does not broadcast with the tensor's shape " + Shape.toString(x.shape)
                + " (aligned from the right, each dimension must be equal or 1)");
        }
        Checks.elements("maskedFill", s);
        Tensor zero = Tensor.scalar(0);
        int saves = SAVES_INPUTS | MASK_LAST | (Double.isInfinite(value) ? FILLS_INF : 0);
        return new Tensor(Kernels.where(mask.d(), mask.shape, new double[] {value}, Kernels.SCALAR, x.d(), x.shape, s), s)
            .record("maskedFill", saves, g -> grads(where(mask, zero, g).sumTo(x.shape), null), x, mask);
    }
}

package dev.chainrule.autograd;

import dev.chainrule.autograd.internal.Kernels;
import java.util.Arrays;

/**
 * The few mutations of tensor values (optimizer updates, loading checkpoints): allowed only inside
 * {@link Autograd#noGrad()}, so that they are never recorded, and each bumps the tensor's version
 * counter, so that backward through a graph that saved the tensor before the change fails loudly.
 */
final class InPlaceOps {
    private InPlaceOps() {}

    static void check(String op) {
        if (GradMode.enabled()) {
            throw new IllegalStateException(op + ": in-place updates are only allowed inside Autograd.noGrad() "
                + "(try (var s = Autograd.noGrad()) { ... }), so that they are never recorded in a graph");
        }
    }

    /** {@code x += alpha · other}, {@code other} broadcast to x's shape. */
    static Tensor addInPlace(Tensor x, Tensor other, double alpha) {
        check("addInPlace");
        int[] s = Kernels.broadcastShape(x.shape, other.shape);
        if (s == null || !Arrays.equals(s, x.shape)) {
            throw new IllegalArgumentException("addInPlace: " + Shape.toString(other.shape) + " does not broadcast to "
                + Shape.toString(x.shape));
        }
        double[] o = other.data.length == x.data.length ? other.data : Kernels.broadcastTo(other.data, other.shape, x.shape);
        Kernels.axpy(alpha, o, x.data);
        x.version++;
        return x;
    }

    /** {@code x *= c}. */
    static Tensor mulInPlace(Tensor x, double c) {
        check("mulInPlace");
        double[] d = x.data;
        for (int i = 0; i < d.length; i++) d[i] *= c;
        x.version++;
        return x;
    }

    /** Copies {@code src}'s values (same shape) into x. */
    static Tensor copyFrom(Tensor x, Tensor src) {
        check("copyFrom");
        if (!Arrays.equals(x.shape, src.shape)) {
            throw new IllegalArgumentException("copyFrom: source shape " + Shape.toString(src.shape) + " differs from "
                + Shape.toString(x.shape));
        }
        System.arraycopy(src.data, 0, x.data, 0, x.data.length);
        x.version++;
        return x;
    }

    /** Copies the first {@code x.size()} values of {@code src} (row-major) into x. */
    static Tensor copyFrom(Tensor x, double[] src) {
        check("copyFrom");
        if (src.length < x.data.length) {
            throw new IllegalArgumentException("copyFrom: " + src.length + " values cannot fill shape " + Shape.toString(x.shape)
                + " (" + x.data.length + " elements)");
        }
        System.arraycopy(src, 0, x.data, 0, x.data.length);
        x.version++;
        return x;
    }
}

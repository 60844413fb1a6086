package dev.chainrule.autograd;

import dev.chainrule.autograd.internal.InPlaceKernels;
import dev.chainrule.autograd.internal.Kernels;
import java.util.Arrays;
import java.util.Objects;

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

    /** Every operand of an elementwise in-place op must have exactly the target's shape (no broadcasting). */
    private static void sameShape(String op, Tensor x, String name, Tensor t) {
        Objects.requireNonNull(t, op + ": " + name + " is null");
        if (!Arrays.equals(x.shape, t.shape)) {
            throw new IllegalArgumentException(op + ": " + name + " has shape " + Shape.toString(t.shape) + " but the tensor updated in place has "
                + Shape.toString(x.shape) + "; in-place updates need operands of exactly its shape");
        }
    }

    /** {@code x += alpha · other}, {@code other} broadcast to x's shape. */
    static Tensor addInPlace(Tensor x, Tensor other, double alpha) {
        check("addInPlace");
        Objects.requireNonNull(other, "addInPlace: other is null");
        int[] s = Kernels.broadcastShape(x.shape, other.shape);
        if (s == null || !Arrays.equals(s, x.shape)) {
            throw new IllegalArgumentException("addInPlace: " + Shape.toString(other.shape) + " does not broadcast to "
                + Shape.toString(x.shape));
        }
        if (x.isFloat()) {
            float[] o = other.size() == x.size() ? other.f() : Kernels.toFloat(Kernels.broadcastTo(other.d(), other.shape, x.shape));
            InPlaceKernels.axpy(alpha, o, x.fdata);
        } else {
            double[] o = other.size() == x.size() ? other.d() : Kernels.broadcastTo(other.d(), other.shape, x.shape);
            Kernels.axpy(alpha, o, x.data);
        }
        x.version++;
        return x;
    }

    /** {@code x *= c}. */
    static Tensor mulInPlace(Tensor x, double c) {
        check("mulInPlace");
        if (x.isFloat()) {
            InPlaceKernels.scale(x.fdata, c);
        } else {
            double[] d = x.data;
            for (int i = 0; i < d.length; i++) d[i] *= c;
        }
        x.version++;
        return x;
    }

    /** {@code x ← x + w·(end − x)} (PyTorch's {@code lerp_}; see {@link InPlaceKernels#lerp}). */
    static Tensor lerpInPlace(Tensor x, Tensor end, double weight) {
        check("lerpInPlace");
        sameShape("lerpInPlace", x, "end", end);
        if (x.isFloat()) InPlaceKernels.lerp(x.fdata, end.f(), weight);
        else InPlaceKernels.lerp(x.data, end.d(), weight);
        x.version++;
        return x;
    }

    /** {@code x ← x + value·a·b}. */
    static Tensor addcmulInPlace(Tensor x, Tensor a, Tensor b, double value) {
        check("addcmulInPlace");
        sameShape("addcmulInPlace", x, "tensor1", a);
        sameShape("addcmulInPlace", x, "tensor2", b);
        if (x.isFloat()) InPlaceKernels.addcmul(x.fdata, a.f(), b.f(), value);
        else InPlaceKernels.addcmul(x.data, a.d(), b.d(), value);
        x.version++;
        return x;
    }

    /** {@code x ← x + value·a/b}. */
    static Tensor addcdivInPlace(Tensor x, Tensor a, Tensor b, double value) {
        check("addcdivInPlace");
        sameShape("addcdivInPlace", x, "tensor1", a);
        sameShape("addcdivInPlace", x, "tensor2", b);
        if (x.isFloat()) InPlaceKernels.addcdiv(x.fdata, a.f(), b.f(), value);
        else InPlaceKernels.addcdiv(x.data, a.d(), b.d(), value);
        x.version++;
        return x;
    }

    /** {@code x ← x + value·a / (√s / divisor + eps)}, the fused denominator of adaptive optimizers. */
    static Tensor addcdivSqrtInPlace(Tensor x, Tensor a, Tensor s, double value, double divisor, double eps) {
        check("addcdivSqrtInPlace");
        sameShape("addcdivSqrtInPlace", x, "tensor1", a);
        sameShape("addcdivSqrtInPlace", x, "squares", s);
        if (!(divisor > 0) || Double.isInfinite(divisor)) {
            throw new IllegalArgumentException("addcdivSqrtInPlace: divisor " + divisor + " must be positive and finite");
        }
        if (x.isFloat()) InPlaceKernels.addcdivSqrt(x.fdata, a.f(), s.f(), value, divisor, eps);
        else InPlaceKernels.addcdivSqrt(x.data, a.d(), s.d(), value, divisor, eps);
        x.version++;
        return x;
    }

    /** {@code x ← min(max(x, lo), hi)}. */
    static Tensor clampInPlace(Tensor x, double lo, double hi) {
        check("clampInPlace");
        if (!(lo <= hi)) {
            throw new IllegalArgumentException("clampInPlace: lo " + lo + " must be <= hi " + hi + " (and neither NaN)");
        }
        if (x.isFloat()) InPlaceKernels.clamp(x.fdata, lo, hi);
        else InPlaceKernels.clamp(x.data, lo, hi);
        x.version++;
        return x;
    }

    /** x's storage converted to {@code dtype}, keeping x's identity (see {@link Tensor#convertInPlace}). */
    static Tensor convertInPlace(Tensor x, DType dtype) {
        check("convertInPlace");
        Objects.requireNonNull(dtype, "convertInPlace: dtype is null");
        if (!x.isLeaf()) {
            throw new IllegalStateException("convertInPlace: only a leaf (a parameter or buffer) can change dtype in place; "
                + "this tensor is the result of '" + x.op() + "', use to(DType) instead");
        }
        if (dtype == x.dtype()) return x;
        if (dtype == DType.FLOAT32) {
            x.fdata = Kernels.toFloat(x.data);
            x.data = null;
        } else {
            x.data = Kernels.toDouble(x.fdata);
            x.fdata = null;
        }
        if (x.grad != null) x.grad = x.grad.to(dtype).detach();
        x.version++;
        return x;
    }

    /** Copies {@code src}'s values (same shape) into x. */
    static Tensor copyFrom(Tensor x, Tensor src) {
        check("copyFrom");
        Objects.requireNonNull(src, "copyFrom: src is null");
        if (!Arrays.equals(x.shape, src.shape)) {
            throw new IllegalArgumentException("copyFrom: source shape " + Shape.toString(src.shape) + " differs from "
                + Shape.toString(x.shape));
        }
        if (x.isFloat()) System.arraycopy(src.f(), 0, x.fdata, 0, x.size());
        else System.arraycopy(src.d(), 0, x.data, 0, x.size());
        x.version++;
        return x;
    }

    /** Copies the first {@code x.size()} values of {@code src} (row-major) into x. */
    static Tensor copyFrom(Tensor x, double[] src) {
        check("copyFrom");
        Objects.requireNonNull(src, "copyFrom: src is null");
        if (src.length < x.size()) {
            throw new IllegalArgumentException("copyFrom: " + src.length + " values cannot fill shape " + Shape.toString(x.shape)
                + " (" + x.size() + " elements)");
        }
        if (x.isFloat()) {
            for (int i = 0; i < x.fdata.length; i++) x.fdata[i] = (float) src[i];
        } else {
            System.arraycopy(src, 0, x.data, 0, x.size());
        }
        x.version++;
        return x;
    }
}

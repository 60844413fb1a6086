package dev.chainrule.autograd.internal;

/**
 * The loops of the in-place updates optimizers use ({@code lerp}, {@code addcmul}, {@code addcdiv},
 * the fused square-root denominator, {@code clamp}): each overwrites {@code y} elementwise and
 * allocates nothing. Each element is computed by the same expression however the loop is split,
 * so results do not depend on the thread count. The {@code float[]} overloads evaluate the same
 * expression in double and round each element once.
 */
public final class InPlaceKernels {
    private InPlaceKernels() {}

    /**
     * {@code y ← lerp(y, end, w)}, evaluated as PyTorch's CPU kernel does: {@code y + w·(end − y)}
     * for {@code |w| < 0.5}, else {@code end − (end − y)·(1 − w)}.
     */
    public static void lerp(double[] y, double[] end, double w) {
        if (Parallel.serial(y.length)) lerpRange(y, end, w, 0, y.length);
        else Parallel.forRange(y.length, (lo, hi) -> lerpRange(y, end, w, lo, hi));
    }

    private static void lerpRange(double[] y, double[] end, double w, int lo, int hi) {
        if (Math.abs(w) < 0.5) {
            for (int i = lo; i < hi; i++) y[i] = y[i] + w * (end[i] - y[i]);
        } else {
            double v = 1 - w;
            for (int i = lo; i < hi; i++) y[i] = end[i] - (end[i] - y[i]) * v;
        }
    }

    /** {@code y ← y + c·a·b} (PyTorch's {@code addcmul}: {@code y + c * a * b}, left to right). */
    public static void addcmul(double[] y, double[] a, double[] b, double c) {
        if (Parallel.serial(y.length)) addcmulRange(y, a, b, c, 0, y.length);
        else Parallel.forRange(y.length, (lo, hi) -> addcmulRange(y, a, b, c, lo, hi));
    }

    private static void addcmulRange(double[] y, double[] a, double[] b, double c, int lo, int hi) {
        for (int i = lo; i < hi; i++) y[i] = y[i] + c * a[i] * b[i];
    }

    /** {@code y ← y + c·a/b} (PyTorch's {@code addcdiv}: {@code y + c * a / b}, left to right). */
    public static void addcdiv(double[] y, double[] a, double[] b, double c) {
        if (Parallel.serial(y.length)) addcdivRange(y, a, b, c, 0, y.length);
        else Parallel.forRange(y.length, (lo, hi) -> addcdivRange(y, a, b, c, lo, hi));
    }

    private static void addcdivRange(double[] y, double[] a, double[] b, double c, int lo, int hi) {
        for (int i = lo; i < hi; i++) y[i] = y[i] + c * a[i] / b[i];
    }

    /** {@code y ← y + c·a / (√s / d + eps)}: addcdiv with the denominator of Adam, RMSProp and Adagrad fused in. */
    public static void addcdivSqrt(double[] y, double[] a, double[] s, double c, double d, double eps) {
        if (Parallel.serial(y.length)) addcdivSqrtRange(y, a, s, c, d, eps, 0, y.length);
        else Parallel.forRange(y.length, (lo, hi) -> addcdivSqrtRange(y, a, s, c, d, eps, lo, hi));
    }

    private static void addcdivSqrtRange(double[] y, double[] a, double[] s, double c, double d, double eps, int lo, int hi) {
        if (d == 1) {
            for (int i = lo; i < hi; i++) y[i] = y[i] + c * a[i] / (Math.sqrt(s[i]) + eps);
        } else {
            for (int i = lo; i < hi; i++) y[i] = y[i] + c * a[i] / (Math.sqrt(s[i]) / d + eps);
        }
    }

    /** {@code y ← min(max(y, lo), hi)}; NaN stays NaN. */
    public static void clamp(double[] y, double min, double max) {
        if (Parallel.serial(y.length)) clampRange(y, min, max, 0, y.length);
        else Parallel.forRange(y.length, (lo, hi) -> clampRange(y, min, max, lo, hi));
    }

    private static void clampRange(double[] y, double min, double max, int lo, int hi) {
        for (int i = lo; i < hi; i++) y[i] = Math.min(Math.max(y[i], min), max);
    }

    // ---------------------------------------------------------------- float32: the same expressions, in double, rounded once

    public static void lerp(float[] y, float[] end, double w) {
        if (Parallel.serial(y.length)) lerpRange(y, end, w, 0, y.length);
        else Parallel.forRange(y.length, (lo, hi) -> lerpRange(y, end, w, lo, hi));
    }

    private static void lerpRange(float[] y, float[] end, double w, int lo, int hi) {
        if (Math.abs(w) < 0.5) {
            for (int i = lo; i < hi; i++) y[i] = (float) (y[i] + w * ((double) end[i] - y[i]));
        } else {
            double v = 1 - w;
            for (int i = lo; i < hi; i++) y[i] = (float) (end[i] - ((double) end[i] - y[i]) * v);
        }
    }

    public static void addcmul(float[] y, float[] a, float[] b, double c) {
        if (Parallel.serial(y.length)) addcmulRange(y, a, b, c, 0, y.length);
        else Parallel.forRange(y.length, (lo, hi) -> addcmulRange(y, a, b, c, lo, hi));
    }

    private static void addcmulRange(float[] y, float[] a, float[] b, double c, int lo, int hi) {
        for (int i = lo; i < hi; i++) y[i] = (float) (y[i] + c * a[i] * b[i]);
    }

    public static void addcdiv(float[] y, float[] a, float[] b, double c) {
        if (Parallel.serial(y.length)) addcdivRange(y, a, b, c, 0, y.length);
        else Parallel.forRange(y.length, (lo, hi) -> addcdivRange(y, a, b, c, lo, hi));
    }

    private static void addcdivRange(float[] y, float[] a, float[] b, double c, int lo, int hi) {
        for (int i = lo; i < hi; i++) y[i] = (float) (y[i] + c * a[i] / b[i]);
    }

    public static void addcdivSqrt(float[] y, float[] a, float[] s, double c, double d, double eps) {
        if (Parallel.serial(y.length)) addcdivSqrtRange(y, a, s, c, d, eps, 0, y.length);
        else Parallel.forRange(y.length, (lo, hi) -> addcdivSqrtRange(y, a, s, c, d, eps, lo, hi));
    }

    private static void addcdivSqrtRange(float[] y, float[] a, float[] s, double c, double d, double eps, int lo, int hi) {
        for (int i = lo; i < hi; i++) y[i] = (float) (y[i] + c * a[i] / (Math.sqrt(s[i]) / d + eps));
    }

    public static void clamp(float[] y, double min, double max) {
        for (int i = 0; i < y.length; i++) y[i] = (float) Math.min(Math.max(y[i], min), max);
    }

    /** {@code y ← y + alpha·x}. */
    public static void axpy(double alpha, float[] x, float[] y) {
        if (Parallel.serial(y.length)) axpyRange(alpha, x, y, 0, y.length);
        else Parallel.forRange(y.length, (lo, hi) -> axpyRange(alpha, x, y, lo, hi));
    }

    private static void axpyRange(double alpha, float[] x, float[] y, int lo, int hi) {
        if (alpha == 1) {
            for (int i = lo; i < hi; i++) y[i] += x[i];
        } else {
            for (int i = lo; i < hi; i++) y[i] = (float) (y[i] + alpha * x[i]);
        }
    }

    public static void scale(float[] y, double c) {
        for (int i = 0; i < y.length; i++) y[i] = (float) (y[i] * c);
    }
}

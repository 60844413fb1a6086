package dev.chainrule.autograd.internal;

/**
 * The float32 entry points of the elementwise and summing kernels of {@link Kernels}. The ops a
 * training step spends its time in (+, −, ×, ÷, relu and its mask, negation, squaring) run as
 * float loops, which give exactly the IEEE single-precision result. Every other op evaluates the
 * double kernel of {@link Kernels} on blocks of {@link #BLOCK} elements widened into a small
 * buffer and rounds each result once, so it needs no code of its own and no full-size double copy.
 * Sums accumulate in double.
 */
public final class FloatKernels {
    private FloatKernels() {}

    /** Elements widened at a time: the buffers stay in the L1 cache. */
    static final int BLOCK = 512;

    private static boolean nativeBinary(int op) {
        return op == Kernels.ADD || op == Kernels.SUB || op == Kernels.MUL || op == Kernels.DIV || op == Kernels.RELU_GRAD;
    }

    /** {@code out = a op b} with NumPy broadcasting (see {@link Kernels#binary}). */
    public static float[] binary(int op, float[] a, int[] aShape, float[] b, int[] bShape, int[] outShape) {
        int n = Kernels.size(outShape);
        float[] out = new float[n];
        if (a.length == n && b.length == n) {
            if (Parallel.serial(n)) run(op, a, 0, 1, b, 0, 1, out, 0, n);
            else Parallel.forRange(n, (lo, hi) -> run(op, a, lo, 1, b, lo, 1, out, lo, hi - lo));
            return out;
        }
        if (b.length == 1 && a.length == n) {
            if (Parallel.serial(n)) run(op, a, 0, 1, b, 0, 0, out, 0, n);
            else Parallel.forRange(n, (lo, hi) -> run(op, a, lo, 1, b, 0, 0, out, lo, hi - lo));
            return out;
        }
        if (a.length == 1 && b.length == n) {
            if (Parallel.serial(n)) run(op, a, 0, 0, b, 0, 1, out, 0, n);
            else Parallel.forRange(n, (lo, hi) -> run(op, a, 0, 0, b, lo, 1, out, lo, hi - lo));
            return out;
        }
        if (!nativeBinary(op)) {           // broadcasting a rarer op: the double kernel on widened copies
            return Kernels.toFloat(Kernels.binary(op, Kernels.toDouble(a), aShape, Kernels.toDouble(b), bShape, outShape));
        }
        int rank = outShape.length;
        int cols = outShape[rank - 1];
        if (b.length == cols && a.length == n && bShape.length > 0 && bShape[bShape.length - 1] == cols) {
            int rows = n / cols;
            if (Parallel.serial(n)) {
                for (int r = 0; r < rows; r++) run(op, a, r * cols, 1, b, 0, 1, out, r * cols, cols);
            } else {
                Parallel.forRange(rows, Math.max(1, Parallel.GRAIN / cols), (lo, hi) -> {
                    for (int r = lo; r < hi; r++) run(op, a, r * cols, 1, b, 0, 1, out, r * cols, cols);
                });
            }
            return out;
        }
        int[] as = Kernels.broadcastStrides(aShape, outShape);
        int[] bs = Kernels.broadcastStrides(bShape, outShape);
        int rows = n / cols;
        int[] idx = new int[rank];
        int ao = 0, bo = 0;
        for (int r = 0; r < rows; r++) {
            run(op, a, ao, as[rank - 1], b, bo, bs[rank - 1], out, r * cols, cols);
            for (int d = rank - 2; d >= 0; d--) {
                idx[d]++;
                ao += as[d];
                bo += bs[d];
                if (idx[d] < outShape[d]) break;
                ao -= as[d] * idx[d];
                bo -= bs[d] * idx[d];
                idx[d] = 0;
            }
        }
        return out;
    }

    /** n results {@code out[oi + i] = a[ai + i·as] op b[bi + i·bs]}. */
    private static void run(int op, float[] a, int ai, int as, float[] b, int bi, int bs, float[] out, int oi, int n) {
        if (nativeBinary(op)) {
            if (as == 1 && bs == 1) {
                switch (op) {
                    case Kernels.ADD: for (int i = 0; i < n; i++) out[oi + i] = a[ai + i] + b[bi + i]; return;
                    case Kernels.SUB: for (int i = 0; i < n; i++) out[oi + i] = a[ai + i] - b[bi + i]; return;
                    case Kernels.MUL: for (int i = 0; i < n; i++) out[oi + i] = a[ai + i] * b[bi + i]; return;
                    case Kernels.DIV: for (int i = 0; i < n; i++) out[oi + i] = a[ai + i] / b[bi + i]; return;
                    default:                    // RELU_GRAD, branch-free as in Kernels
                        for (int i = 0; i < n; i++) {
                            int keep = positive(b[bi + i]);
                            out[oi + i] = Float.intBitsToFloat(Float.floatToRawIntBits(a[ai + i]) & keep);
                        }
                        return;
                }
            }
            switch (op) {
                case Kernels.ADD: for (int i = 0; i < n; i++) out[oi + i] = a[ai + i * as] + b[bi + i * bs]; return;
                case Kernels.SUB: for (int i = 0; i < n; i++) out[oi + i] = a[ai + i * as] - b[bi + i * bs]; return;
                case Kernels.MUL: for (int i = 0; i < n; i++) out[oi + i] = a[ai + i * as] * b[bi + i * bs]; return;
                case Kernels.DIV: for (int i = 0; i < n; i++) out[oi + i] = a[ai + i * as] / b[bi + i * bs]; return;
                default:
                    for (int i = 0; i < n; i++) {
                        int keep = positive(b[bi + i * bs]);
                        out[oi + i] = Float.intBitsToFloat(Float.floatToRawIntBits(a[ai + i * as]) & keep);
                    }
                    return;
            }
        }
        int len = Math.min(n, BLOCK);
        double[] x = new double[len], y = new double[len], z = new double[len];
        for (int lo = 0; lo < n; lo += BLOCK) {
            int m = Math.min(BLOCK, n - lo);
            for (int i = 0; i < m; i++) {
                x[i] = a[ai + (lo + i) * as];
                y[i] = b[bi + (lo + i) * bs];
            }
            Kernels.run(op, x, 0, 1, y, 0, 1, z, 0, m);
            for (int i = 0; i < m; i++) out[oi + lo + i] = (float) z[i];
        }
    }

    /** All ones when {@code v > 0} (+∞ included, NaN not), else 0 (see {@code Kernels.positive}). */
    private static int positive(float v) {
        return Float.floatToRawIntBits(v) - 1 + Integer.MIN_VALUE < POSITIVE_BOUND ? -1 : 0;
    }

    private static final int POSITIVE_BOUND = 0x7F800000 + Integer.MIN_VALUE;

    /** {@code out = x op c} (see {@link Kernels#scalar}). */
    public static float[] scalar(int op, float[] x, double c) {
        float[] out = new float[x.length];
        if (Parallel.serial(x.length)) scalarRange(op, x, c, out, 0, x.length);
        else Parallel.forRange(x.length, (lo, hi) -> scalarRange(op, x, c, out, lo, hi));
        return out;
    }

    private static void scalarRange(int op, float[] x, double c, float[] y, int lo, int hi) {
        float f = (float) c;
        if (f == c) {                     // c exact in float: x op c in float is the rounded double result
            switch (op) {
                case Kernels.ADD: for (int i = lo; i < hi; i++) y[i] = x[i] + f; return;
                case Kernels.SUB: for (int i = lo; i < hi; i++) y[i] = x[i] - f; return;
                case Kernels.MUL: for (int i = lo; i < hi; i++) y[i] = x[i] * f; return;
                case Kernels.DIV: for (int i = lo; i < hi; i++) y[i] = x[i] / f; return;
                default: break;
            }
        }
        double[] a = new double[Math.min(BLOCK, hi - lo)], b = new double[a.length];
        for (int s = lo; s < hi; s += BLOCK) {
            int m = Math.min(BLOCK, hi - s);
            for (int i = 0; i < m; i++) a[i] = x[s + i];
            Kernels.scalarRange(op, a, c, b, 0, m);
            for (int i = 0; i < m; i++) y[s + i] = (float) b[i];
        }
    }

    /** {@code out[i] = f(x[i])} (see {@link Kernels#unary}). */
    public static float[] unary(int op, float[] x, double p, double q) {
        float[] out = new float[x.length];
        if (Parallel.serial(x.length)) unaryRange(op, x, out, 0, x.length, p, q);
        else Parallel.forRange(x.length, (lo, hi) -> unaryRange(op, x, out, lo, hi, p, q));
        return out;
    }

    private static void unaryRange(int op, float[] x, float[] y, int lo, int hi, double p, double q) {
        switch (op) {
            case Kernels.NEG: for (int i = lo; i < hi; i++) y[i] = -x[i]; return;
            case Kernels.RELU: for (int i = lo; i < hi; i++) y[i] = Math.max(x[i], 0f); return;     // relu(NaN) = NaN
            case Kernels.SQUARE: for (int i = lo; i < hi; i++) y[i] = x[i] * x[i]; return;
            case Kernels.ABS: for (int i = lo; i < hi; i++) y[i] = Math.abs(x[i]); return;
            default: break;
        }
        double[] a = new double[Math.min(BLOCK, hi - lo)], b = new double[a.length];
        for (int s = lo; s < hi; s += BLOCK) {
            int m = Math.min(BLOCK, hi - s);
            for (int i = 0; i < m; i++) a[i] = x[s + i];
            Kernels.unaryRange(op, a, b, 0, m, p, q);
            for (int i = 0; i < m; i++) y[s + i] = (float) b[i];
        }
    }

    /** {@code out[i] = g[i] · f'(x[i])} (see {@link Kernels#derivative}). */
    public static float[] derivative(int op, float[] g, float[] x, double p) {
        float[] out = new float[x.length];
        if (Parallel.serial(x.length)) derivativeRange(op, g, x, out, 0, x.length, p);
        else Parallel.forRange(x.length, (lo, hi) -> derivativeRange(op, g, x, out, lo, hi, p));
        return out;
    }

    private static void derivativeRange(int op, float[] g, float[] x, float[] y, int lo, int hi, double p) {
        double[] a = new double[Math.min(BLOCK, hi - lo)], b = new double[a.length], c = new double[a.length];
        for (int s = lo; s < hi; s += BLOCK) {
            int m = Math.min(BLOCK, hi - s);
            for (int i = 0; i < m; i++) {
                a[i] = g[s + i];
                b[i] = x[s + i];
            }
            Kernels.derivativeRange(op, a, b, c, 0, m, p);
            for (int i = 0; i < m; i++) y[s + i] = (float) c[i];
        }
    }

    /** Sum of all elements, accumulated in double in the fixed blocks of {@link Kernels#sum}. */
    public static double sum(float[] x) {
        if (x.length < 2 * Parallel.GRAIN) return sumRange(x, 0, x.length);
        int blocks = (x.length + Parallel.GRAIN - 1) / Parallel.GRAIN;
        double[] partial = new double[blocks];
        Parallel.forRange(blocks, 1, (lo, hi) -> {
            for (int b = lo; b < hi; b++) partial[b] = sumRange(x, b * Parallel.GRAIN, Math.min(x.length, (b + 1) * Parallel.GRAIN));
        });
        double s = 0;
        for (double v : partial) s += v;
        return s;
    }

    private static double sumRange(float[] x, int lo, int hi) {
        double s = 0;
        for (int i = lo; i < hi; i++) s += x[i];
        return s;
    }

    /** Sum over the middle index of {@code [outer, n, inner]}, accumulated in double; result {@code [outer, inner]}. */
    public static float[] sumAxis(float[] x, int outer, int n, int inner) {
        float[] out = new float[outer * inner];
        if (Parallel.serial((long) outer * n * inner) || outer < Parallel.THREADS) {
            sumAxisRange(x, out, 0, outer, n, inner);
        } else {
            Parallel.forRange(outer, 1, (lo, hi) -> sumAxisRange(x, out, lo, hi, n, inner));
        }
        return out;
    }

    private static void sumAxisRange(float[] x, float[] out, int oLo, int oHi, int n, int inner) {
        double[] acc = new double[inner];
        for (int o = oLo; o < oHi; o++) {
            int base = o * n * inner;
            if (inner == 1) {
                double s = 0;
                for (int k = 0; k < n; k++) s += x[base + k];
                out[o] = (float) s;
                continue;
            }
            java.util.Arrays.fill(acc, 0);
            for (int k = 0; k < n; k++) {
                int row = base + k * inner;
                for (int i = 0; i < inner; i++) acc[i] += x[row + i];
            }
            for (int i = 0; i < inner; i++) out[o * inner + i] = (float) acc[i];
        }
    }
}

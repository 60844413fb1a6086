package dev.chainrule.autograd.internal;

/**
 * Loops behind the layout and indexing ops: one strided box copy (permute, slice, select, flip,
 * diagonals, pad and their adjoints all reduce to it), block copies along one axis (cat, index
 * select and index add), gather / scatter-add along an axis, and triangular masks. Plain loops over
 * {@code double[]} with offsets kept incrementally; no per-element lambdas, no boxing.
 */
public final class LayoutKernels {
    private LayoutKernels() {}

    /** Row-major strides of a contiguous tensor of {@code shape}. */
    public static int[] strides(int[] shape) {
        int[] s = new int[shape.length];
        int stride = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            s[d] = stride;
            stride *= shape[d];
        }
        return s;
    }

    // ---------------------------------------------------------------- strided box copy

    /**
     * For every multi-index {@code i} of {@code shape}:
     * {@code dst[dOff + Σ_d i_d·dStr_d] = src[sOff + Σ_d i_d·sStr_d]}. Source strides may be 0 or
     * negative; destination positions must be distinct. Dimensions that are contiguous in both arrays are merged first, so
     * the innermost loop is as long as possible (an {@code arraycopy} when both strides are 1); large
     * copies are split over the outermost dimension across threads, which is safe when distinct
     * indices write distinct destination elements.
     */
    public static void copy(int[] shape, double[] src, int sOff, int[] sStr, double[] dst, int dOff, int[] dStr) {
        copy(shape, src, sOff, sStr, dst, dOff, dStr, false);
    }

    /**
     * The same box walk as {@link #copy} but accumulating: {@code dst[...] += src[...]}. Backward uses
     * it to sum the gradient of a slice into its input's gradient in place (no zeros of the input's
     * shape per slice).
     */
    public static void addTo(int[] shape, double[] src, int sOff, int[] sStr, double[] dst, int dOff, int[] dStr) {
        copy(shape, src, sOff, sStr, dst, dOff, dStr, true);
    }

    /** Float32 {@code dst[dOff + Σ i_d·dStr[d]] += src[i]} for contiguous {@code src} of {@code shape}. */
    public static void addTo(int[] shape, float[] src, float[] dst, int dOff, int[] dStr) {
        int rank = shape.length;
        if (rank == 0) {
            dst[dOff] += src[0];
            return;
        }
        int last = rank - 1, len = shape[last], dl = dStr[last];
        int[] idx = new int[rank];
        int o = dOff;
        for (int s = 0; s < src.length; s += len) {
            for (int i = 0; i < len; i++) dst[o + i * dl] += src[s + i];
            int d = last - 1;
            for (; d >= 0; d--) {
                idx[d]++;
                o += dStr[d];
                if (idx[d] < shape[d]) break;
                o -= dStr[d] * shape[d];
                idx[d] = 0;
            }
            if (d < 0) break;
        }
    }

    private static void copy(int[] shape, double[] src, int sOff, int[] sStr, double[] dst, int dOff, int[] dStr, boolean add) {
        int rank = 0;
        int[] n = new int[shape.length], ss = new int[shape.length], ds = new int[shape.length];
        for (int d = 0; d < shape.length; d++) {             // drop size-1 dims, merge contiguous neighbours
            if (shape[d] == 1) continue;
            if (rank > 0 && ss[rank - 1] == sStr[d] * shape[d] && ds[rank - 1] == dStr[d] * shape[d]) {
                n[rank - 1] *= shape[d];
                ss[rank - 1] = sStr[d];
                ds[rank - 1] = dStr[d];
            } else {
                n[rank] = shape[d];
                ss[rank] = sStr[d];
                ds[rank] = dStr[d];
                rank++;
            }
        }
        if (rank == 0) {
            dst[dOff] = add ? dst[dOff] + src[sOff] : src[sOff];
            return;
        }
        long total = 1;
        for (int d = 0; d < rank; d++) total *= n[d];
        final int r = rank;
        if (Parallel.serial(total) || n[0] < 2) {
            copyRange(r, n, src, sOff, ss, dst, dOff, ds, 0, n[0], add);
        } else {
            Parallel.forRange(n[0], 1, (lo, hi) -> copyRange(r, n, src, sOff, ss, dst, dOff, ds, lo, hi, add));
        }
    }

    /** The copy restricted to indices {@code lo ≤ i_0 < hi} of the outermost (merged) dimension. */
    private static void copyRange(int rank, int[] n, double[] src, int sOff, int[] ss, double[] dst, int dOff, int[] ds,
                                  int lo, int hi, boolean add) {
        int last = rank - 1;
        int len = n[last], sl = ss[last], dl = ds[last];
        if (rank == 1) {
            line(src, sOff + lo * sl, sl, dst, dOff + lo * dl, dl, hi - lo, add);
            return;
        }
        int[] idx = new int[rank];
        idx[0] = lo;
        int so = sOff + lo * ss[0], dO = dOff + lo * ds[0];
        while (true) {
            line(src, so, sl, dst, dO, dl, len, add);
            int d = last - 1;                                 // odometer step over the outer dims
            for (; d >= 0; d--) {
                idx[d]++;
                so += ss[d];
                dO += ds[d];
                if (idx[d] < (d == 0 ? hi : n[d])) break;
                if (d == 0) return;
                so -= ss[d] * n[d];
                dO -= ds[d] * n[d];
                idx[d] = 0;
            }
        }
    }

    private static void line(double[] src, int s, int sl, double[] dst, int d, int dl, int len, boolean add) {
        if (add) {
            for (int i = 0; i < len; i++) dst[d + i * dl] += src[s + i * sl];
        } else if (sl == 1 && dl == 1) {
            System.arraycopy(src, s, dst, d, len);
        } else if (dl == 1) {
            for (int i = 0; i < len; i++) dst[d + i] = src[s + i * sl];
        } else {
            for (int i = 0; i < len; i++) dst[d + i * dl] = src[s + i * sl];
        }
    }

    /** A contiguous array of {@code shape} read from {@code src} at {@code off} with {@code strides}. */
    public static double[] gatherStrided(double[] src, int off, int[] strides, int[] shape, int size) {
        double[] out = new double[size];
        copy(shape, src, off, strides, out, 0, strides(shape));
        return out;
    }

    // ---------------------------------------------------------------- blocks along one axis

    /**
     * Concatenation along the middle index of {@code [outer, n_p, inner]} views: part {@code p}
     * ({@code outer · sizes[p] · inner} values) lands at offset {@code Σ_{q<p} sizes[q]} of the
     * {@code [outer, Σ sizes, inner]} result.
     */
    public static double[] cat(double[][] parts, int[] sizes, int outer, int inner) {
        int total = 0;
        for (int s : sizes) total += s;
        double[] out = new double[outer * total * inner];
        int at = 0;
        for (int p = 0; p < parts.length; p++) {
            int block = sizes[p] * inner;
            for (int o = 0; o < outer; o++) System.arraycopy(parts[p], o * block, out, (o * total + at) * inner, block);
            at += sizes[p];
        }
        return out;
    }

    /** {@code out[o, j, i] = x[o, index[j], i]} over an {@code [outer, n, inner]} view; result {@code [outer, m, inner]}. */
    public static double[] indexSelect(double[] x, int outer, int n, int inner, int[] index) {
        int m = index.length;
        double[] out = new double[outer * m * inner];
        for (int o = 0; o < outer; o++) {
            for (int j = 0; j < m; j++) System.arraycopy(x, (o * n + index[j]) * inner, out, (o * m + j) * inner, inner);
        }
        return out;
    }

    /** Float32 {@link #indexSelect}: rows copied, nothing widened (an embedding lookup reads only its rows). */
    public static float[] indexSelect(float[] x, int outer, int n, int inner, int[] index) {
        int m = index.length;
        float[] out = new float[outer * m * inner];
        for (int o = 0; o < outer; o++) {
            for (int j = 0; j < m; j++) System.arraycopy(x, (o * n + index[j]) * inner, out, (o * m + j) * inner, inner);
        }
        return out;
    }

    /** The adjoint of {@link #indexSelect}: zeros {@code [outer, n, inner]} with {@code out[o, index[j], i] += g[o, j, i]}. */
    public static double[] indexAdd(double[] g, int outer, int n, int inner, int[] index) {
        int m = index.length;
        double[] out = new double[outer * n * inner];
        for (int o = 0; o < outer; o++) {
            for (int j = 0; j < m; j++) {
                int dst = (o * n + index[j]) * inner, src = (o * m + j) * inner;
                for (int i = 0; i < inner; i++) out[dst + i] += g[src + i];
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- gather / scatter along an axis

    /**
     * {@code out[p] = x[p with p_axis replaced by index[p]]} for every multi-index {@code p} of
     * {@code indexShape} (same rank as {@code xShape}, no larger off the axis); {@code out} has
     * {@code indexShape}.
     */
    public static double[] gather(double[] x, int[] xShape, int axis, int[] index, int[] indexShape) {
        double[] out = new double[index.length];
        int[] xs = strides(xShape);
        int rank = indexShape.length;
        int[] idx = new int[rank];
        int base = 0;                                         // offset in x of p with p_axis = 0
        for (int p = 0; p < index.length; p++) {
            out[p] = x[base + index[p] * xs[axis]];
            for (int d = rank - 1; d >= 0; d--) {
                idx[d]++;
                if (d != axis) base += xs[d];
                if (idx[d] < indexShape[d]) break;
                if (d != axis) base -= xs[d] * indexShape[d];
                idx[d] = 0;
            }
        }
        return out;
    }

    /**
     * {@code out = copy of self; out[p with p_axis replaced by index[p]] += src[p]} for every
     * multi-index {@code p} of {@code indexShape} ({@code src} has that shape).
     */
    public static double[] scatterAdd(double[] self, int[] selfShape, int axis, int[] index, int[] indexShape, double[] src) {
        double[] out = self.clone();
        int[] xs = strides(selfShape);
        int rank = indexShape.length;
        int[] idx = new int[rank];
        int base = 0;
        for (int p = 0; p < index.length; p++) {
            out[base + index[p] * xs[axis]] += src[p];
            for (int d = rank - 1; d >= 0; d--) {
                idx[d]++;
                if (d != axis) base += xs[d];
                if (idx[d] < indexShape[d]) break;
                if (d != axis) base -= xs[d] * indexShape[d];
                idx[d] = 0;
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- triangles

    /**
     * Keeps the lower ({@code lower}: column − row ≤ k) or upper (column − row ≥ k) triangle of each
     * {@code rows × cols} matrix of a {@code [batch, rows, cols]} view and zeros the rest.
     */
    public static double[] triangle(double[] x, int batch, int rows, int cols, int k, boolean lower) {
        double[] out = new double[x.length];
        for (int b = 0; b < batch; b++) {
            for (int r = 0; r < rows; r++) {
                int row = (b * rows + r) * cols;
                // lower keeps columns [0, r + k], upper keeps [r + k, cols); computed in long: k may be huge
                int lo = lower ? 0 : (int) Math.max(0, Math.min(cols, (long) r + k));
                int hi = lower ? (int) Math.max(0, Math.min(cols, (long) r + k + 1)) : cols;
                if (hi > lo) System.arraycopy(x, row + lo, out, row + lo, hi - lo);
            }
        }
        return out;
    }
}

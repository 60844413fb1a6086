package dev.chainrule.autograd.internal;

/**
 * Loops of the reductions beyond sum and max (products, running sums, sorting), each over the middle
 * index of an {@code [outer, n, inner]} view of a row-major array: element {@code (o, k, i)} is at
 * {@code (o·n + k)·inner + i}. Plain loops, no boxing.
 */
public final class ReductionKernels {
    private ReductionKernels() {}

    /** Product over the middle index; result {@code [outer, inner]}. */
    public static double[] prodAxis(double[] x, int outer, int n, int inner) {
        double[] out = new double[outer * inner];
        for (int o = 0; o < outer; o++) {
            int base = o * n * inner, ob = o * inner;
            for (int i = 0; i < inner; i++) out[ob + i] = 1;
            for (int k = 0; k < n; k++) {
                int row = base + k * inner;
                for (int i = 0; i < inner; i++) out[ob + i] *= x[row + i];
            }
        }
        return out;
    }

    /**
     * For every element, the product of the other elements of its slice, {@code Π_{j≠k} x_j}: the
     * derivative of the slice's product. As PyTorch: {@code prod / x_k} in a slice without zeros; with
     * one zero, the product of the non-zero elements at the zero and 0 elsewhere; with several zeros, 0.
     */
    public static double[] prodOthers(double[] x, int outer, int n, int inner) {
        double[] out = new double[x.length];
        for (int o = 0; o < outer; o++) {
            int base = o * n * inner;
            for (int i = 0; i < inner; i++) {
                int zeros = 0, zeroAt = -1;
                double all = 1, nonZero = 1;
                for (int k = 0; k < n; k++) {
                    double v = x[base + k * inner + i];
                    all *= v;
                    if (v == 0) {
                        zeros++;
                        zeroAt = k;
                    } else {
                        nonZero *= v;
                    }
                }
                for (int k = 0; k < n; k++) {
                    int j = base + k * inner + i;
                    out[j] = zeros == 0 ? all / x[j] : zeros == 1 && k == zeroAt ? nonZero : 0.0;
                }
            }
        }
        return out;
    }

    /** Running sum along the middle index: {@code out_k = Σ_{j≤k} x_j}, or {@code Σ_{j≥k} x_j} when {@code reverse}. */
    public static double[] cumsumAxis(double[] x, int outer, int n, int inner, boolean reverse) {
        double[] out = new double[x.length];
        for (int o = 0; o < outer; o++) {
            int base = o * n * inner;
            if (!reverse) {
                System.arraycopy(x, base, out, base, inner);
                for (int k = 1; k < n; k++) {
                    int row = base + k * inner, prev = row - inner;
                    for (int i = 0; i < inner; i++) out[row + i] = out[prev + i] + x[row + i];
                }
            } else {
                int last = base + (n - 1) * inner;
                System.arraycopy(x, last, out, last, inner);
                for (int k = n - 2; k >= 0; k--) {
                    int row = base + k * inner, next = row + inner;
                    for (int i = 0; i < inner; i++) out[row + i] = out[next + i] + x[row + i];
                }
            }
        }
        return out;
    }

    /**
     * The order of {@code a} against {@code b} for sorting, as PyTorch: NaN above every number (NaNs
     * equal to each other), −0.0 equal to 0.0.
     */
    static int compare(double a, double b) {
        if (a < b) return -1;
        if (a > b) return 1;
        boolean na = a != a, nb = b != b;
        return na == nb ? 0 : na ? 1 : -1;
    }

    /**
     * Stable sort of each slice along the middle index, keeping the first {@code k} positions:
     * returns the source indices {@code [outer, k, inner]} (as doubles), ascending or descending; equal
     * values keep their original order in both directions (PyTorch's {@code stable=True}).
     */
    public static double[] sortIndices(double[] x, int outer, int n, int inner, int k, boolean descending) {
        double[] out = new double[outer * k * inner];
        double[] keys = new double[n];
        int[] idx = new int[n], tmp = new int[n];
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < inner; i++) {
                for (int j = 0; j < n; j++) {
                    keys[j] = x[(o * n + j) * inner + i];
                    idx[j] = j;
                }
                mergeSort(keys, idx, tmp, n, descending);
                for (int j = 0; j < k; j++) out[(o * k + j) * inner + i] = idx[j];
            }
        }
        return out;
    }

    /** Bottom-up merge sort of {@code idx[0, n)} by {@code keys[idx]}: stable, O(n log n), no recursion. */
    private static void mergeSort(double[] keys, int[] idx, int[] tmp, int n, boolean descending) {
        int[] src = idx, dst = tmp;
        for (int width = 1; width < n; width *= 2) {
            for (int lo = 0; lo < n; lo += 2 * width) {
                int mid = Math.min(lo + width, n), hi = Math.min(lo + 2 * width, n);
                int a = lo, b = mid, d = lo;
                while (a < mid && b < hi) {
                    int c = compare(keys[src[b]], keys[src[a]]);
                    // take from the right run only when it is strictly first, so that ties keep their order
                    if (descending ? c > 0 : c < 0) dst[d++] = src[b++];
                    else dst[d++] = src[a++];
                }
                while (a < mid) dst[d++] = src[a++];
                while (b < hi) dst[d++] = src[b++];
            }
            int[] t = src;
            src = dst;
            dst = t;
        }
        if (src != idx) System.arraycopy(src, 0, idx, 0, n);
    }

    /** {@code out[o, j, i] = x[o, index[o, j, i], i]} for an index of {@code k} entries per slice of {@code n}. */
    public static double[] takeAlong(double[] x, double[] index, int outer, int n, int k, int inner) {
        double[] out = new double[outer * k * inner];
        for (int o = 0; o < outer; o++) {
            for (int j = 0; j < k; j++) {
                int row = (o * k + j) * inner;
                for (int i = 0; i < inner; i++) out[row + i] = x[(o * n + (int) index[row + i]) * inner + i];
            }
        }
        return out;
    }

    /** The adjoint of {@link #takeAlong}: zeros of {@code [outer, n, inner]} with {@code g[o, j, i]} added at {@code index[o, j, i]}. */
    public static double[] putAlong(double[] g, double[] index, int outer, int n, int k, int inner) {
        double[] out = new double[outer * n * inner];
        for (int o = 0; o < outer; o++) {
            for (int j = 0; j < k; j++) {
                int row = (o * k + j) * inner;
                for (int i = 0; i < inner; i++) out[(o * n + (int) index[row + i]) * inner + i] += g[row + i];
            }
        }
        return out;
    }
}

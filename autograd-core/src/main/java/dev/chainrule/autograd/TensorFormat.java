package dev.chainrule.autograd;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.function.IntToDoubleFunction;

/**
 * Renders tensor values the way NumPy's {@code repr} does for small arrays: up to 8 fraction digits,
 * as few as the values need, whole numbers as {@code 1.}, columns aligned, scientific notation for
 * very large or very small magnitudes, and "..." summaries beyond 1000 elements (3 entries at each
 * end of every axis longer than 6). Only the printed elements are read and formatted.
 */
final class TensorFormat {
    private TensorFormat() {}

    private static final int PRECISION = 8;
    private static final int THRESHOLD = 1000;
    private static final int EDGE = 3;
    private static final String PREFIX = "tensor(";

    static String format(double[] data, int[] shape) {
        return format(i -> data[i], data.length, shape);
    }

    /**
     * Renders the {@code size} values of {@code shape}, reading them through {@code value}, which it
     * calls once for each printed element and for no other: a summarized tensor (more than 1000
     * elements) costs as much as its ~6 printed entries per axis, however large it is. As in NumPy,
     * the number format (digits, scientific notation) is chosen from the printed values.
     */
    static String format(IntToDoubleFunction value, int size, int[] shape) {
        boolean summarize = size > THRESHOLD;
        int[] shown = shape.length == 0 ? new int[] {0} : printed(shape, summarize);
        double[] v = new double[shown.length];
        for (int k = 0; k < shown.length; k++) v[k] = value.applyAsDouble(shown[k]);
        boolean sci = useScientific(v);
        int digits = 0;
        for (double x : v) {
            if (Double.isFinite(x)) digits = Math.max(digits, fractionDigits(x, sci));
        }
        String[] cells = new String[v.length];
        int width = 0;
        for (int k = 0; k < v.length; k++) {
            cells[k] = cell(v[k], digits, sci);
            width = Math.max(width, cells[k].length());
        }
        StringBuilder sb = new StringBuilder(PREFIX);
        if (shape.length == 0) {
            sb.append(cells[0]);
        } else {
            block(sb, cells, new int[1], shape, 0, width, summarize);
        }
        return sb.append(')').toString();
    }

    /** The flat indices of the printed elements, in print order (within EDGE of each end of every long axis). */
    static int[] printed(int[] shape, boolean summarize) {
        int count = 1;
        for (int n : shape) count = Math.multiplyExact(count, summarize && n > 2 * EDGE ? 2 * EDGE : n);
        int[] out = new int[count];
        collect(out, new int[1], shape, 0, 0, summarize);
        return out;
    }

    private static void collect(int[] out, int[] next, int[] shape, int dim, int offset, boolean summarize) {
        int n = shape[dim];
        int stride = 1;
        for (int d = dim + 1; d < shape.length; d++) stride *= shape[d];
        for (int i = 0; i < n; i++) {
            if (summarize && n > 2 * EDGE && i == EDGE) i = n - EDGE;
            if (dim == shape.length - 1) out[next[0]++] = offset + i;
            else collect(out, next, shape, dim + 1, offset + i * stride, summarize);
        }
    }

    /** Writes one axis; {@code next[0]} walks {@code cells} in the print order of {@link #printed}. */
    private static void block(StringBuilder sb, String[] cells, int[] next, int[] shape, int dim, int width, boolean summarize) {
        int n = shape[dim];
        sb.append('[');
        for (int i = 0; i < n; i++) {
            if (summarize && n > 2 * EDGE && i == EDGE) {
                sb.append(dim == shape.length - 1 ? "..., " : "...,\n" + indent(dim + 1));
                i = n - EDGE;
            }
            if (dim == shape.length - 1) {
                String c = cells[next[0]++];
                sb.append(" ".repeat(width - c.length())).append(c);
                if (i < n - 1) sb.append(", ");
            } else {
                block(sb, cells, next, shape, dim + 1, width, summarize);
                if (i < n - 1) {
                    sb.append(',').append("\n".repeat(shape.length - dim - 1)).append(indent(dim + 1));
                }
            }
        }
        sb.append(']');
    }

    private static String indent(int depth) {
        return " ".repeat(PREFIX.length() + depth);
    }

    private static boolean useScientific(double[] data) {
        double max = 0, minNonZero = Double.POSITIVE_INFINITY;
        for (double v : data) {
            if (!Double.isFinite(v)) continue;
            double a = Math.abs(v);
            max = Math.max(max, a);
            if (a > 0) minNonZero = Math.min(minNonZero, a);
        }
        return max >= 1e8 || minNonZero < 1e-4 || (minNonZero != Double.POSITIVE_INFINITY && max / minNonZero > 1e3 && minNonZero < 1e-3);
    }

    private static int fractionDigits(double v, boolean sci) {
        BigDecimal b = new BigDecimal(v);
        if (sci) {
            if (v == 0) return 0;
            b = b.round(new java.math.MathContext(PRECISION + 1, RoundingMode.HALF_EVEN));
            return Math.max(0, b.stripTrailingZeros().precision() - 1);
        }
        return Math.max(0, b.setScale(PRECISION, RoundingMode.HALF_EVEN).stripTrailingZeros().scale());
    }

    private static String cell(double v, int digits, boolean sci) {
        if (Double.isNaN(v)) return "nan";
        if (Double.isInfinite(v)) return v > 0 ? "inf" : "-inf";
        if (sci) {
            String s = String.format(java.util.Locale.ROOT, "%." + digits + "e", v);
            int e = s.indexOf('e');
            String mant = s.substring(0, e), exp = s.substring(e + 1);
            if (digits == 0) mant += ".";
            return mant + "e" + exp;
        }
        String s = new BigDecimal(v).setScale(digits, RoundingMode.HALF_EVEN).toPlainString();
        if (v == 0 && 1 / v < 0) s = "-" + s;
        return digits == 0 ? s + "." : s;
    }
}

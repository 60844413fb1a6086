package dev.chainrule.autograd;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * Renders tensor values the way NumPy's {@code repr} does for small arrays: up to 8 fraction digits,
 * as few as the values need, whole numbers as {@code 1.}, columns aligned, scientific notation for
 * very large or very small magnitudes, and "..." summaries beyond 1000 elements.
 */
final class TensorFormat {
    private TensorFormat() {}

    private static final int PRECISION = 8;
    private static final int THRESHOLD = 1000;
    private static final int EDGE = 3;
    private static final String PREFIX = "tensor(";

    static String format(double[] data, int[] shape) {
        boolean summarize = data.length > THRESHOLD;
        boolean sci = useScientific(data);
        int digits = 0;
        for (double v : data) {
            if (Double.isFinite(v)) digits = Math.max(digits, fractionDigits(v, sci));
        }
        String[] cells = new String[data.length];
        int width = 0;
        for (int i = 0; i < data.length; i++) {
            if (summarize && !shown(i, shape)) continue;
            cells[i] = cell(data[i], digits, sci);
            width = Math.max(width, cells[i].length());
        }
        StringBuilder sb = new StringBuilder(PREFIX);
        if (shape.length == 0) {
            sb.append(cells[0]);
        } else {
            block(sb, cells, shape, 0, 0, width, summarize);
        }
        return sb.append(')').toString();
    }

    /** Whether element {@code flat} survives summarization (within EDGE of each axis end). */
    private static boolean shown(int flat, int[] shape) {
        for (int d = shape.length - 1; d >= 0; d--) {
            int i = flat % shape[d];
            flat /= shape[d];
            if (shape[d] > 2 * EDGE && i >= EDGE && i < shape[d] - EDGE) return false;
        }
        return true;
    }

    private static void block(StringBuilder sb, String[] cells, int[] shape, int dim, int offset, int width, boolean summarize) {
        int n = shape[dim];
        int stride = 1;
        for (int d = dim + 1; d < shape.length; d++) stride *= shape[d];
        sb.append('[');
        for (int i = 0; i < n; i++) {
            if (summarize && n > 2 * EDGE && i == EDGE) {
                sb.append(dim == shape.length - 1 ? "..., " : "...,\n" + indent(dim + 1));
                i = n - EDGE;
            }
            if (dim == shape.length - 1) {
                String c = cells[offset + i];
                sb.append(" ".repeat(width - c.length())).append(c);
                if (i < n - 1) sb.append(", ");
            } else {
                block(sb, cells, shape, dim + 1, offset + i * stride, width, summarize);
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

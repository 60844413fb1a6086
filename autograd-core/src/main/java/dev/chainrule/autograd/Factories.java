package dev.chainrule.autograd;

import dev.chainrule.autograd.internal.Kernels;
import java.util.Objects;
import java.util.function.ToDoubleFunction;
import java.util.random.RandomGenerator;

/** The factories that need more than one line: ranges, identity matrices, random integers, tensors from a function. */
final class Factories {
    private Factories() {}

    private static void finite(String op, String name, double v) {
        if (!Double.isFinite(v)) throw new IllegalArgumentException(op + ": " + name + " " + v + " must be finite");
    }

    /** {@code start + i·step} for i = 0, 1, ... while below {@code end} (above, for a negative step); as PyTorch. */
    static Tensor arange(double start, double end, double step) {
        finite("arange", "start", start);
        finite("arange", "end", end);
        finite("arange", "step", step);
        if (step == 0) throw new IllegalArgumentException("arange: step must not be 0");
        if (step > 0 ? end < start : end > start) {
            throw new IllegalArgumentException("arange: from " + start + " to " + end + " with step " + step
                + ": the step's sign points away from the end; use a " + (step > 0 ? "negative" : "positive") + " step");
        }
        double count = Math.ceil((end - start) / step);
        if (count < 1) {
            throw new IllegalArgumentException("arange: [" + start + ", " + end + ") with step " + step
                + " is empty; empty tensors are not supported");
        }
        if (count > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("arange: from " + start + " to " + end + " with step " + step + " has "
                + (long) count + " elements, more than fit in one tensor");
        }
        double[] d = new double[(int) count];
        for (int i = 0; i < d.length; i++) d[i] = start + i * step;
        return new Tensor(d, new int[] {d.length});
    }

    /**
     * {@code steps} evenly spaced values from {@code start} to {@code end} inclusive: the first half
     * counted up from start, the second down from end, as PyTorch (so both ends are exact).
     */
    static Tensor linspace(double start, double end, int steps) {
        finite("linspace", "start", start);
        finite("linspace", "end", end);
        if (steps < 1) {
            throw new IllegalArgumentException("linspace: steps " + steps + " must be at least 1 (empty tensors are not supported)");
        }
        double[] d = new double[steps];
        if (steps == 1) {
            d[0] = start;
        } else {
            double step = (end - start) / (steps - 1);
            int half = steps / 2;
            for (int i = 0; i < steps; i++) d[i] = i < half ? start + step * i : end - step * (steps - 1 - i);
        }
        return new Tensor(d, new int[] {steps});
    }

    /** The {@code n × m} matrix with ones on the main diagonal. */
    static Tensor eye(int n, int m) {
        int[] s = Shape.checked("eye", new int[] {n, m});
        double[] d = new double[Kernels.size(s)];
        for (int i = 0; i < Math.min(n, m); i++) d[i * m + i] = 1;
        return new Tensor(d, s);
    }

    /** Uniform random integers in [lo, hi), as doubles. */
    static Tensor randint(RandomGenerator rng, int lo, int hi, int[] shape) {
        Objects.requireNonNull(rng, "randint: rng is null");
        if (lo >= hi) {
            throw new IllegalArgumentException("randint: range [" + lo + ", " + hi + ") is empty; pass lo < hi (hi is exclusive)");
        }
        int[] s = Shape.checked("randint", shape);
        double[] d = new double[Kernels.size(s)];
        for (int i = 0; i < d.length; i++) d[i] = rng.nextLong(lo, hi);
        return new Tensor(d, s);
    }

    /** {@code out[idx] = f(idx)} for every multi-index, in row-major order; f gets a fresh copy of the index. */
    static Tensor fromFunction(int[] shape, ToDoubleFunction<int[]> f) {
        Objects.requireNonNull(shape, "fromFunction: shape is null");
        Objects.requireNonNull(f, "fromFunction: function is null");
        int[] s = Shape.checked("fromFunction", shape);
        double[] d = new double[Kernels.size(s)];
        int[] idx = new int[s.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = f.applyAsDouble(idx.clone());
            for (int k = s.length - 1; k >= 0; k--) {      // odometer: next row-major index
                if (++idx[k] < s[k]) break;
                idx[k] = 0;
            }
        }
        return new Tensor(d, s);
    }
}

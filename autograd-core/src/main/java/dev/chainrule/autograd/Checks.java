package dev.chainrule.autograd;

import dev.chainrule.autograd.internal.Kernels;
import java.util.List;

/**
 * The argument checks of the public boundary, one message style for all of them (see the package
 * documentation, "Bad input"): a null is a {@link NullPointerException} {@code "op: name is null"};
 * a bad value is an {@link IllegalArgumentException} that names the op, the value and what to pass
 * instead. Each check builds its message only when it fails.
 */
final class Checks {
    private Checks() {}

    /** {@code x}, or a NullPointerException {@code "op: name is null"}. */
    static <T> T nonNull(String op, String name, T x) {
        if (x == null) throw new NullPointerException(op + ": " + name + " is null");
        return x;
    }

    /** {@code xs} with no null element: {@code "op: name is null"} or {@code "op: name 2 is null"} (by index). */
    static <T> T[] nonNullElements(String op, String name, T[] xs) {
        if (xs == null) throw new NullPointerException(op + ": " + name + "s is null");
        for (int i = 0; i < xs.length; i++) {
            if (xs[i] == null) throw new NullPointerException(op + ": " + name + " " + i + " is null");
        }
        return xs;
    }

    /** The list's elements as an array, none null (the list itself may be any {@code List}). */
    static Tensor[] nonNullElements(String op, String name, List<Tensor> xs) {
        if (xs == null) throw new NullPointerException(op + ": " + name + "s is null");
        Object[] a = xs.toArray();
        Tensor[] out = new Tensor[a.length];
        for (int i = 0; i < a.length; i++) {
            if (a[i] == null) throw new NullPointerException(op + ": " + name + " " + i + " is null");
            if (!(a[i] instanceof Tensor t)) {
                throw new IllegalArgumentException(op + ": " + name + " " + i + " is a " + a[i].getClass().getName() + ", not a Tensor");
            }
            out[i] = t;
        }
        return out;
    }

    /** Rejects NaN: a bound, a rate or a limit for which NaN has no meaning. */
    static double notNaN(String op, String name, double v) {
        if (Double.isNaN(v)) throw new IllegalArgumentException(op + ": " + name + " is NaN; pass a number");
        return v;
    }

    /** Rejects NaN and ±∞. */
    static double finite(String op, String name, double v) {
        if (!Double.isFinite(v)) throw new IllegalArgumentException(op + ": " + name + " " + v + " must be finite");
        return v;
    }

    /**
     * A user's shape, checked and copied: not null, at most {@link Shape#MAX_RANK} dimensions, each at
     * least 1, and few enough elements to fit in one tensor and in this JVM's heap.
     */
    static int[] shape(String op, String name, int[] shape) {
        nonNull(op, name, shape);
        if (shape.length > Shape.MAX_RANK) {
            throw new IllegalArgumentException(op + ": " + name + " has " + shape.length + " dimensions; at most " + Shape.MAX_RANK
                + " are supported (as NumPy)");
        }
        for (int d : shape) {
            if (d <= 0) {
                throw new IllegalArgumentException(op + ": " + name + " " + Shape.toString(shape) + " has a dimension " + d
                    + "; every dimension must be at least 1 (empty tensors are not supported)");
            }
        }
        elements(op, shape);
        return shape.clone();
    }

    /** The number of elements of a (positive) shape, checked to fit one tensor and the heap; {@code op} names who asks. */
    static int elements(String op, int[] shape) {
        long n = 1;
        for (int d : shape) {
            n *= d;                              // checked per factor: a long holds the product of two ints
            if (n > Kernels.MAX_ELEMENTS) throw tooMany(op, shape, -1);
        }
        return elements(op, n, shape);
    }

    /** {@code n} elements (of {@code shape}, for the message; may be null), checked to fit one tensor and the heap. */
    static int elements(String op, long n, int[] shape) {
        if (n > Kernels.MAX_ELEMENTS || n < 0) throw tooMany(op, shape, n);
        if (n > Kernels.maxHeapElements()) {
            throw new IllegalArgumentException(op + ": " + (shape == null ? "" : "shape " + Shape.toString(shape) + ", ") + n
                + " elements, needs " + Kernels.mib(n * 8) + " MiB, more than half of this JVM's heap (" + Kernels.mib(Runtime.getRuntime().maxMemory())
                + " MiB, -Xmx; an op on it needs room for its result too); use a smaller size or a larger heap");
        }
        return (int) n;
    }

    private static IllegalArgumentException tooMany(String op, int[] shape, long n) {
        return new IllegalArgumentException(op + ": " + (shape == null ? n + " elements are" : "shape " + Shape.toString(shape) + " has")
            + " more than " + Kernels.MAX_ELEMENTS + " elements, the most that fit in one tensor");
    }

    /** A product of counts in long arithmetic, saturated at Long.MAX_VALUE (no wrap-around), for size checks. */
    static long product(long a, long b) {
        try {
            return Math.multiplyExact(a, b);
        } catch (ArithmeticException overflow) {
            return Long.MAX_VALUE;
        }
    }

    /**
     * For ops that, like PyTorch's, reject mixed float types (matmul, convolution, linear algebra,
     * normalization with weights): {@code t} (when present) must have {@code x}'s dtype.
     */
    static void sameDType(String op, Tensor x, String name, Tensor t) {
        if (t != null && t.dtype() != x.dtype()) {
            throw new IllegalArgumentException(op + ": " + name + " is " + t.dtype() + " " + Shape.toString(t.shape)
                + " but the input is " + x.dtype() + " " + Shape.toString(x.shape)
                + "; mixed float types are not promoted here, convert one with .to(DType." + x.dtype() + ")");
        }
    }
}

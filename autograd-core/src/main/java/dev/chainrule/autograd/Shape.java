package dev.chainrule.autograd;

import dev.chainrule.autograd.internal.Kernels;

/** Static helpers for tensor shapes ({@code int[]}, outermost dimension first, every dimension at least 1). */
public final class Shape {
    private Shape() {}

    /** The most dimensions a tensor may have (as NumPy's {@code NPY_MAXDIMS}). */
    public static final int MAX_RANK = 64;

    /**
     * Number of elements of {@code shape}; 1 for the scalar shape {@code []}.
     *
     * @throws IllegalArgumentException if a dimension is below 1 or the count exceeds what one tensor holds
     */
    public static int size(int... shape) {
        Checks.nonNull("Shape.size", "shape", shape);
        long n = 1;
        for (int d : shape) {
            if (d < 1) {
                throw new IllegalArgumentException("Shape.size: shape " + toString(shape) + " has a dimension " + d
                    + "; every dimension must be at least 1");
            }
            n *= d;
            if (n > Kernels.MAX_ELEMENTS) {
                throw new IllegalArgumentException("Shape.size: shape " + toString(shape) + " has more than " + Kernels.MAX_ELEMENTS
                    + " elements, the most that fit in one tensor");
            }
        }
        return (int) n;
    }

    /**
     * The number of elements of a tensor of {@code shape} that {@code op} is about to allocate, checked as the
     * factories check theirs: at most {@link #MAX_RANK} dimensions, each at least 1, no more elements than
     * one tensor holds, and no more than half of what this JVM's heap ({@code -Xmx}) could ever hold (an op on
     * the tensor needs room for its result too). For code
     * outside the core that allocates a tensor's values itself (initializers, layers, loaders).
     *
     * @throws IllegalArgumentException naming {@code op} if a tensor of this shape cannot exist here
     * @throws NullPointerException if {@code shape} is null
     */
    public static int checkedSize(String op, int... shape) {
        return Kernels.size(Checks.shape(op, "shape", shape));
    }

    /**
     * The NumPy broadcast of two shapes: aligned from the right, each pair of dimensions equal or 1.
     *
     * @throws IllegalArgumentException if they do not broadcast, or a dimension is below 1
     */
    public static int[] broadcast(int[] a, int[] b) {
        for (int[] s : new int[][] {Checks.nonNull("Shape.broadcast", "a", a), Checks.nonNull("Shape.broadcast", "b", b)}) {
            for (int d : s) {
                if (d < 1) {
                    throw new IllegalArgumentException("Shape.broadcast: shape " + toString(s) + " has a dimension " + d
                        + "; every dimension must be at least 1");
                }
            }
        }
        int[] out = Kernels.broadcastShape(a, b);
        if (out == null) {
            throw new IllegalArgumentException("broadcast: shapes " + toString(a) + " and " + toString(b)
                + " do not broadcast: aligned from the right, each pair of dimensions must be equal or 1");
        }
        return out == a || out == b ? out.clone() : out;
    }

    /** {@code [2, 3]} style, {@code []} for a scalar. */
    public static String toString(int... shape) {
        Checks.nonNull("Shape.toString", "shape", shape);
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < shape.length; i++) {
            if (i > 0) sb.append(", ");
            sb.append(shape[i]);
        }
        return sb.append(']').toString();
    }

    /** Normalizes {@code axis} (negative counts from the end) for a tensor of {@code rank}. */
    static int axis(String op, int axis, int[] shape) {
        int rank = shape.length;
        if (axis < -rank || axis >= rank || rank == 0) {
            throw new IllegalArgumentException(op + ": axis " + axis + " is out of range for shape " + toString(shape)
                + (rank == 0 ? " (a scalar has no axes; use the all-elements form)" : "; valid axes are "
                + (-rank) + " to " + (rank - 1)));
        }
        return axis < 0 ? axis + rank : axis;
    }

    /** Checks a user-supplied shape (see {@link Checks#shape}) and returns a copy. */
    static int[] checked(String op, int[] shape) {
        return Checks.shape(op, "shape", shape);
    }

    /** Product of the dimensions before {@code axis}: the outer count of an {@code [outer, n, inner]} view. */
    static int outer(int[] shape, int axis) {
        int o = 1;
        for (int i = 0; i < axis; i++) o *= shape[i];
        return o;
    }

    /** Product of the dimensions after {@code axis}: the inner count of an {@code [outer, n, inner]} view. */
    static int inner(int[] shape, int axis) {
        int in = 1;
        for (int i = axis + 1; i < shape.length; i++) in *= shape[i];
        return in;
    }

    /** {@code shape} with dimension {@code axis} set to 1 (a reduction's keepDims shape). */
    static int[] keep(int[] shape, int axis) {
        int[] s = shape.clone();
        s[axis] = 1;
        return s;
    }

    /** {@code shape} without dimension {@code axis}. */
    static int[] drop(int[] shape, int axis) {
        int[] out = new int[shape.length - 1];
        for (int i = 0, j = 0; i < shape.length; i++) if (i != axis) out[j++] = shape[i];
        return out;
    }
}

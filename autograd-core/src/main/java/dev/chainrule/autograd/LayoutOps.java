package dev.chainrule.autograd;

import static dev.chainrule.autograd.Tensor.FILLS_INF;
import static dev.chainrule.autograd.Tensor.SAVES_NONE;
import static dev.chainrule.autograd.Tensor.grads;

import dev.chainrule.autograd.internal.Kernels;
import dev.chainrule.autograd.internal.LayoutKernels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * Layout primitives: ops that move or copy values without arithmetic (reshape, transposes,
 * broadcasting and its adjoint, permute, flip, slices, concatenation, padding, triangular masks).
 * Each gradient is the inverse movement of the incoming gradient, itself a layout op, so every op
 * here is differentiable to any order. Tensors are contiguous and immutable, so every op here
 * returns a copy (there are no views).
 *
 * <p>Most movements are one primitive, {@link #view}: the output reads the input at
 * {@code offset + Σ_d i_d · stride_d} (each output element a distinct input element), and its
 * adjoint {@link #embed} writes a gradient back into zeros at the same positions; permute, slice,
 * select, flip and einsum's diagonals only compute the offset and strides.
 */
final class LayoutOps {
    private LayoutOps() {}

    /** Gradient: transposed back. */
    static Tensor transpose(Tensor x) {
        if (x.rank() < 2) return x;
        int r = x.rank();
        int rows = x.shape[r - 2], cols = x.shape[r - 1];
        int[] s = x.shape.clone();
        s[r - 2] = cols;
        s[r - 1] = rows;
        return new Tensor(Kernels.transposeLast2(x.d(), x.size() / (rows * cols), rows, cols), s)
            .record("transpose", SAVES_NONE, g -> grads(g.transpose()), x);
    }

    /** Gradient: reshaped back. */
    static Tensor reshape(Tensor x, int[] newShape) {
        int[] s = Checks.nonNull("reshape", "shape", newShape).clone();
        if (s.length > Shape.MAX_RANK) {
            throw new IllegalArgumentException("reshape: " + s.length + " dimensions; at most " + Shape.MAX_RANK + " are supported");
        }
        int infer = -1;
        long known = 1;
        for (int i = 0; i < s.length; i++) {
            if (s[i] == -1 && infer < 0) {
                infer = i;
            } else if (s[i] <= 0) {
                throw new IllegalArgumentException("reshape: " + Shape.toString(x.shape) + " to " + Shape.toString(newShape)
                    + ": dimension " + s[i] + " is invalid (at most one -1, the rest at least 1)");
            } else {
                known = Math.min(known * s[i], 1L << 31);   // saturate: more than any tensor holds, and no overflow
            }
        }
        int n = x.size();
        if (infer >= 0) {
            if (n % known != 0) {
                throw new IllegalArgumentException("reshape: " + Shape.toString(x.shape) + " to " + Shape.toString(newShape)
                    + ": " + n + " elements are not divisible by " + known);
            }
            s[infer] = (int) (n / known);
        } else if (known != n) {
            throw new IllegalArgumentException("reshape: " + Shape.toString(x.shape) + " (" + n + " elements) to "
                + Shape.toString(newShape) + " (" + known + " elements): sizes differ");
        }
        if (Arrays.equals(s, x.shape)) return x;
        return x.copyValues(s).record("reshape", SAVES_NONE, g -> grads(g.reshape(x.shape)), x);
    }

    /** Gradient: summed back to the input's shape. */
    static Tensor broadcastTo(Tensor x, int[] target) {
        Checks.shape("broadcastTo", "target", target);
        if (Arrays.equals(x.shape, target)) return x;
        int[] s = Kernels.broadcastShape(x.shape, target);
        if (s == null || !Arrays.equals(s, target)) {
            throw new IllegalArgumentException("broadcastTo: shape " + Shape.toString(x.shape) + " cannot be broadcast to "
                + Shape.toString(target));
        }
        int[] t = target.clone();
        return new Tensor(Kernels.broadcastTo(x.d(), x.shape, t), t).record("broadcastTo", SAVES_NONE,
            g -> grads(g.sumTo(x.shape)), x);
    }

    /** The reverse of broadcasting. Gradient: broadcast back. */
    static Tensor sumTo(Tensor x, int[] target) {
        Checks.shape("sumTo", "target", target);
        if (Arrays.equals(x.shape, target)) return x;
        int[] s = Kernels.broadcastShape(target, x.shape);
        if (s == null || !Arrays.equals(s, x.shape)) {
            throw new IllegalArgumentException("sumTo: shape " + Shape.toString(x.shape) + " is not a broadcast of "
                + Shape.toString(target));
        }
        int[] t = target.clone();
        return new Tensor(Kernels.sumTo(x.d(), x.shape, t), t).record("sumTo", SAVES_NONE,
            g -> grads(g.broadcastTo(x.shape)), x);
    }

    // ================================================================ strided views and their adjoint

    /**
     * A copy of the strided view of {@code x}: {@code out[i] = x[offset + Σ_d i_d · strides[d]]} with
     * {@code out} of {@code outShape}; the positions must be distinct (no zero strides). Gradient:
     * {@link #embed} into zeros of x's shape at the same positions.
     */
    static Tensor view(String op, Tensor x, int[] outShape, int offset, int[] strides) {
        Tensor out = new Tensor(LayoutKernels.gatherStrided(x.d(), offset, strides, outShape, Kernels.size(outShape)), outShape)
            .record(op, SAVES_NONE, g -> grads(embed(op, g, x.shape, offset, strides)), x);
        if (out.node != null) {            // lets a first-order backward add g into x's gradient in place (see Backprop)
            out.node.viewOffset = offset;
            out.node.viewStrides = strides;
        }
        return out;
    }

    /** The adjoint of {@link #view}: zeros of {@code shape} with g written at the view's positions. Gradient: the view. */
    private static Tensor embed(String op, Tensor g, int[] shape, int offset, int[] strides) {
        double[] out = new double[Kernels.size(shape)];
        LayoutKernels.copy(g.shape, g.d(), 0, LayoutKernels.strides(g.shape), out, offset, strides);
        return new Tensor(out, shape).record(op + "Backward", SAVES_NONE, gg -> grads(view(op, gg, g.shape, offset, strides)), g);
    }

    // ================================================================ axis order

    /** out[i_0, ..., i_{r−1}] = x[i at axes[0], ..., i at axes[r−1]]. Gradient: permuted by the inverse. */
    static Tensor permute(Tensor x, int[] axes) {
        Objects.requireNonNull(axes, "permute: axes is null");
        int r = x.rank();
        if (axes.length != r) {
            throw new IllegalArgumentException("permute: axes " + Arrays.toString(axes) + " for shape " + Shape.toString(x.shape)
                + " have " + axes.length + " entries; pass a permutation of the " + r + " axes (each exactly once)");
        }
        int[] p = distinctAxes("permute", axes, x.shape);
        int[] inv = new int[r];
        boolean identity = true;
        for (int i = 0; i < r; i++) {
            inv[p[i]] = i;
            identity &= p[i] == i;
        }
        if (identity) return x;
        int[] xs = LayoutKernels.strides(x.shape);
        int[] shape = new int[r], strides = new int[r];
        for (int i = 0; i < r; i++) {
            shape[i] = x.shape[p[i]];
            strides[i] = xs[p[i]];
        }
        return new Tensor(LayoutKernels.gatherStrided(x.d(), 0, strides, shape, x.size()), shape)
            .record("permute", SAVES_NONE, g -> grads(g.permute(inv)), x);
    }

    /** Swaps axes a and b: a permute. */
    static Tensor transpose(Tensor x, int a, int b) {
        int i = Shape.axis("transpose", a, x.shape), j = Shape.axis("transpose", b, x.shape);
        int[] p = new int[x.rank()];
        for (int d = 0; d < p.length; d++) p[d] = d;
        p[i] = j;
        p[j] = i;
        return permute(x, p);
    }

    /** Reverses the order along each of {@code axes}. Gradient: flipped back along the same axes. */
    static Tensor flip(Tensor x, int[] axes) {
        Objects.requireNonNull(axes, "flip: axes is null");
        int[] ax = distinctAxes("flip", axes, x.shape);
        int[] strides = LayoutKernels.strides(x.shape);
        int offset = 0;
        for (int a : ax) {
            offset += (x.shape[a] - 1) * strides[a];
            strides[a] = -strides[a];
        }
        if (offset == 0) return x;                        // only size-1 axes (or none): nothing moves
        return new Tensor(LayoutKernels.gatherStrided(x.d(), offset, strides, x.shape, x.size()), x.shape)
            .record("flip", SAVES_NONE, g -> grads(g.flip(ax)), x);
    }

    /** Normalized axes, each at most once, for {@code op}. */
    private static int[] distinctAxes(String op, int[] axes, int[] shape) {
        int[] ax = new int[axes.length];
        boolean[] seen = new boolean[shape.length];
        for (int i = 0; i < axes.length; i++) {
            ax[i] = Shape.axis(op, axes[i], shape);
            if (seen[ax[i]]) {
                throw new IllegalArgumentException(op + ": axes " + Arrays.toString(axes) + " for shape " + Shape.toString(shape)
                    + " repeat axis " + ax[i] + "; pass each axis exactly once");
            }
            seen[ax[i]] = true;
        }
        return ax;
    }

    // ================================================================ size-1 axes (reshapes)

    /** Drops every size-1 dimension: a reshape. */
    static Tensor squeeze(Tensor x) {
        int n = 0;
        for (int d : x.shape) if (d != 1) n++;
        int[] s = new int[n];
        for (int i = 0, j = 0; i < x.rank(); i++) if (x.shape[i] != 1) s[j++] = x.shape[i];
        return x.reshape(s);
    }

    /** Drops {@code axis} if its size is 1, else returns x unchanged (as PyTorch): a reshape. */
    static Tensor squeeze(Tensor x, int axis) {
        int ax = Shape.axis("squeeze", axis, x.shape);
        return x.shape[ax] == 1 ? x.reshape(Shape.drop(x.shape, ax)) : x;
    }

    /** Inserts a size-1 dimension at {@code axis} (in [−rank−1, rank]): a reshape. */
    static Tensor unsqueeze(Tensor x, int axis) {
        int ax = newAxis("unsqueeze", axis, x.shape);
        int[] s = new int[x.rank() + 1];
        for (int i = 0, j = 0; i < s.length; i++) s[i] = i == ax ? 1 : x.shape[j++];
        return x.reshape(s);
    }

    /** Normalizes the position of a new axis, in [−rank−1, rank], for {@code op}. */
    static int newAxis(String op, int axis, int[] shape) {
        int r = shape.length;
        if (r >= Shape.MAX_RANK) {
            throw new IllegalArgumentException(op + ": shape " + Shape.toString(shape) + " already has " + r + " dimensions, the most supported");
        }
        if (axis < -r - 1 || axis > r) {
            throw new IllegalArgumentException(op + ": axis " + axis + " is out of range for shape " + Shape.toString(shape)
                + "; a new axis goes at " + (-r - 1) + " to " + r);
        }
        return axis < 0 ? axis + r + 1 : axis;
    }

    /** Merges axes start..end (inclusive) into one; a scalar becomes {@code [1]}: a reshape. */
    static Tensor flatten(Tensor x, int start, int end) {
        if (x.rank() == 0) {
            if ((start != 0 && start != -1) || (end != 0 && end != -1)) {
                throw new IllegalArgumentException("flatten: axes " + start + " to " + end
                    + " are out of range for a scalar; use 0 (or -1)");
            }
            return x.reshape(1);
        }
        int a = Shape.axis("flatten", start, x.shape), b = Shape.axis("flatten", end, x.shape);
        if (a > b) {
            throw new IllegalArgumentException("flatten: start axis " + start + " comes after end axis " + end + " for shape "
                + Shape.toString(x.shape) + "; pass start <= end");
        }
        int[] s = new int[x.rank() - (b - a)];
        int merged = 1;
        for (int d = a; d <= b; d++) merged *= x.shape[d];
        for (int i = 0, j = 0; i < x.rank(); i++) {
            if (i < a || i > b) s[j++] = x.shape[i];
            else if (i == a) s[j++] = merged;
        }
        return x.reshape(s);
    }

    // ================================================================ broadcasting forms

    /** PyTorch's expand: broadcastTo with −1 keeping an existing dimension. */
    static Tensor expand(Tensor x, int[] sizes) {
        Objects.requireNonNull(sizes, "expand: sizes is null");
        int lead = sizes.length - x.rank();
        if (lead < 0) {
            throw new IllegalArgumentException("expand: " + sizes.length + " sizes " + Arrays.toString(sizes) + " for shape "
                + Shape.toString(x.shape) + " (rank " + x.rank() + "); pass at least one size per dimension");
        }
        int[] target = new int[sizes.length];
        for (int i = 0; i < sizes.length; i++) {
            int have = i < lead ? 1 : x.shape[i - lead];
            int want = sizes[i];
            if (want == -1 && i >= lead) {
                want = have;
            } else if (want < 1) {
                throw new IllegalArgumentException("expand: size " + sizes[i] + " at position " + i + " of " + Arrays.toString(sizes)
                    + " for shape " + Shape.toString(x.shape) + " is invalid; sizes are at least 1, or -1 to keep an existing dimension"
                    + (i < lead ? " (position " + i + " is a new leading dimension, which has nothing to keep)" : ""));
            } else if (have != 1 && have != want) {
                throw new IllegalArgumentException("expand: shape " + Shape.toString(x.shape) + " to " + Arrays.toString(sizes)
                    + ": dimension " + (i - lead) + " has size " + have + " and cannot become " + want
                    + "; only size-1 dimensions stretch (use repeat to tile)");
            }
            target[i] = want;
        }
        Checks.shape("expand", "sizes", target);
        return x.broadcastTo(target);
    }

    /**
     * PyTorch's repeat (tiling): out has shape {@code shape · repeats} (shape padded with leading 1s
     * to the length of repeats). Composite: reshape to {@code [1, s_0, 1, s_1, ...]}, broadcast to
     * {@code [r_0, s_0, r_1, s_1, ...]}, reshape; the gradient is broadcast's (a sum over the tiles).
     * Entries of 1 are left out of the middle shapes, which keeps them within {@link Shape#MAX_RANK}.
     */
    static Tensor repeat(Tensor x, int[] repeats) {
        Objects.requireNonNull(repeats, "repeat: repeats is null");
        int n = repeats.length, lead = n - x.rank();
        if (lead < 0) {
            throw new IllegalArgumentException("repeat: " + n + " repeats " + Arrays.toString(repeats) + " for shape "
                + Shape.toString(x.shape) + " (rank " + x.rank() + "); pass at least one repeat count per dimension");
        }
        if (n > Shape.MAX_RANK) {
            throw new IllegalArgumentException("repeat: " + n + " repeat counts; at most " + Shape.MAX_RANK + " dimensions are supported");
        }
        int[] out = new int[n];
        int[] split = new int[2 * n], tiled = new int[2 * n];
        int k = 0;                                               // entries of split/tiled used
        long count = 1;
        for (int i = 0; i < n; i++) {
            if (repeats[i] < 1) {
                throw new IllegalArgumentException("repeat: count " + repeats[i] + " at position " + i + " of "
                    + Arrays.toString(repeats) + " is invalid; every count must be at least 1 (empty tensors are not supported)");
            }
            int s = i < lead ? 1 : x.shape[i - lead];
            long d = (long) repeats[i] * s;
            count = Checks.product(count, d);
            out[i] = (int) Math.min(d, Integer.MAX_VALUE);
            if (repeats[i] > 1) {                                // a tiled axis: [1, s] broadcast to [r, s]
                split[k] = 1;
                tiled[k++] = repeats[i];
            }
            if (s > 1) {                                         // size-1 axes are left out (the last reshape restores them)
                split[k] = s;
                tiled[k++] = s;
            }
        }
        // Each kept entry is at least 2, so a count that fits leaves at most 31 of them per array (within MAX_RANK).
        Checks.elements("repeat", count, null);                  // fails clearly if the result cannot fit
        split = Arrays.copyOf(split, k);
        tiled = Arrays.copyOf(tiled, k);
        return x.reshape(split).broadcastTo(tiled).reshape(out);
    }

    // ================================================================ slices

    /**
     * Python's {@code x[..., start:end:step, ...]} on one axis: negative start/end count from the end,
     * both are clamped to [0, n], step ≥ 1. Gradient: embedded back into zeros.
     */
    static Tensor slice(Tensor x, int axis, int start, int end, int step) {
        return slice("slice", x, axis, start, end, step);
    }

    private static Tensor slice(String op, Tensor x, int axis, int start, int end, int step) {
        int ax = Shape.axis(op, axis, x.shape);
        int n = x.shape[ax];
        if (step < 1) {
            throw new IllegalArgumentException(op + ": step " + step + " on axis " + axis + " of shape " + Shape.toString(x.shape)
                + " is invalid; the step must be at least 1" + (step < 0 ? " (negative steps are not supported, as in PyTorch: "
                + "flip(" + axis + ") and then slice)" : ""));
        }
        int s = clampIndex(start, n), e = clampIndex(end, n);
        long count = e > s ? ((long) e - s + step - 1) / step : 0;
        if (count == 0) {
            throw new IllegalArgumentException(op + ": start " + start + ", end " + end + " on axis " + axis + " of shape "
                + Shape.toString(x.shape) + " select no elements (clamped to [" + s + ", " + e + ")); empty tensors are not supported");
        }
        if (count == n) return x;
        int[] shape = x.shape.clone(), strides = LayoutKernels.strides(x.shape);
        shape[ax] = (int) count;
        int offset = s * strides[ax];
        strides[ax] *= step;
        return view(op, x, shape, offset, strides);
    }

    /** Python's reading of a slice bound: negative counts from the end, then clamped to [0, n]. */
    private static int clampIndex(int i, int n) {
        long v = i < 0 ? (long) i + n : i;
        return (int) Math.max(0, Math.min(n, v));
    }

    /** {@code x[..., index, ...]} on one axis, which is dropped; negative index counts from the end. Gradient: embedded back. */
    static Tensor select(Tensor x, int axis, int index) {
        int ax = Shape.axis("select", axis, x.shape);
        int n = x.shape[ax];
        if (index < -n || index >= n) {
            throw new IllegalArgumentException("select: index " + index + " is out of range for axis " + axis + " of shape "
                + Shape.toString(x.shape) + "; valid indices are " + (-n) + " to " + (n - 1));
        }
        int i = index < 0 ? index + n : index;
        int[] strides = LayoutKernels.strides(x.shape);
        return view("select", x, Shape.drop(x.shape, ax), i * strides[ax], Shape.drop(strides, ax));
    }

    // ================================================================ concatenation and splitting

    /** Concatenation along {@code axis} (all other dimensions equal). Gradient: the matching slices of G. */
    static Tensor cat(int axis, Tensor[] tensors) {
        Tensor[] ts = nonEmpty("cat", tensors);
        Tensor first = ts[0];
        int ax = Shape.axis("cat", axis, first.shape);
        int[] sizes = new int[ts.length];
        double[][] parts = new double[ts.length][];
        long total = 0;
        for (int i = 0; i < ts.length; i++) {
            Tensor t = ts[i];
            boolean fits = t.rank() == first.rank();
            for (int d = 0; fits && d < t.rank(); d++) fits = d == ax || t.shape[d] == first.shape[d];
            if (!fits) {
                throw new IllegalArgumentException("cat: tensor " + i + " has shape " + Shape.toString(t.shape) + " but tensor 0 has "
                    + Shape.toString(first.shape) + "; all dimensions except axis " + ax + " must match");
            }
            sizes[i] = t.shape[ax];
            parts[i] = t.d();
            total += sizes[i];
        }
        if (ts.length == 1) return first;
        int[] shape = first.shape.clone();
        Checks.elements("cat", Checks.product(first.size() / first.shape[ax], total), null);
        shape[ax] = (int) total;
        double[] out = LayoutKernels.cat(parts, sizes, Shape.outer(first.shape, ax), Shape.inner(first.shape, ax));
        return new Tensor(out, shape).record("cat", SAVES_NONE, g -> {
            Tensor[] gs = new Tensor[ts.length];
            for (int i = 0, at = 0; i < ts.length; at += sizes[i], i++) {
                if (ts[i].requiresGrad) gs[i] = slice("slice", g, ax, at, at + sizes[i], 1);
            }
            return gs;
        }, ts);
    }

    /** Stacks equal shapes along a new axis: unsqueeze each, then cat. */
    static Tensor stack(int axis, Tensor[] tensors) {
        Tensor[] ts = nonEmpty("stack", tensors);
        int ax = newAxis("stack", axis, ts[0].shape);
        Tensor[] us = new Tensor[ts.length];
        for (int i = 0; i < ts.length; i++) {
            if (!Arrays.equals(ts[i].shape, ts[0].shape)) {
                throw new IllegalArgumentException("stack: tensor " + i + " has shape " + Shape.toString(ts[i].shape)
                    + " but tensor 0 has " + Shape.toString(ts[0].shape) + "; stack needs equal shapes (cat joins along an existing axis)");
            }
            us[i] = ts[i].unsqueeze(ax);
        }
        return cat(ax, us);
    }

    /** The list as an array, for the {@code List} forms of cat and stack. */
    static Tensor[] array(String op, List<Tensor> tensors) {
        return Objects.requireNonNull(tensors, op + ": tensors is null").toArray(new Tensor[0]);
    }

    /** A private copy of the tensors, checked: at least one, none null. */
    private static Tensor[] nonEmpty(String op, Tensor[] tensors) {
        Objects.requireNonNull(tensors, op + ": tensors is null");
        if (tensors.length == 0) throw new IllegalArgumentException(op + ": no tensors given; pass at least one");
        Tensor[] ts = tensors.clone();
        for (int i = 0; i < ts.length; i++) Objects.requireNonNull(ts[i], op + ": tensor " + i + " is null");
        return ts;
    }

    /** Pieces of the given sizes along {@code axis} (summing to its length): slices. */
    static List<Tensor> split(Tensor x, int axis, int[] sizes) {
        Objects.requireNonNull(sizes, "split: sizes is null");
        int ax = Shape.axis("split", axis, x.shape);
        long sum = 0;
        for (int s : sizes) {
            if (s < 1) {
                throw new IllegalArgumentException("split: size " + s + " in " + Arrays.toString(sizes)
                    + " is invalid; every piece needs at least 1 element (empty tensors are not supported)");
            }
            sum += s;
        }
        if (sum != x.shape[ax]) {
            throw new IllegalArgumentException("split: sizes " + Arrays.toString(sizes) + " sum to " + sum + " but axis " + axis
                + " of shape " + Shape.toString(x.shape) + " has " + x.shape[ax] + "; the sizes must add up to the axis length");
        }
        List<Tensor> out = new ArrayList<>(sizes.length);
        for (int i = 0, at = 0; i < sizes.length; at += sizes[i], i++) out.add(slice("split", x, ax, at, at + sizes[i], 1));
        return Collections.unmodifiableList(out);
    }

    /** Pieces of {@code size} along {@code axis}, the last one smaller when size does not divide it (torch.split(x, size, dim)). */
    static List<Tensor> splitEvery(Tensor x, int size, int axis) {
        int ax = Shape.axis("splitEvery", axis, x.shape);
        if (size < 1) {
            throw new IllegalArgumentException("splitEvery: size " + size + " is invalid; each piece needs at least 1 element");
        }
        return split(x, ax, pieces(x.shape[ax], size));
    }

    /** {@code n} pieces (fewer when they would be empty) of ⌈length / n⌉ along {@code axis}, the last one smaller, as PyTorch. */
    static List<Tensor> chunk(Tensor x, int n, int axis) {
        int ax = Shape.axis("chunk", axis, x.shape);
        if (n < 1) {
            throw new IllegalArgumentException("chunk: " + n + " chunks requested for shape " + Shape.toString(x.shape)
                + "; pass at least 1");
        }
        int len = x.shape[ax];
        return split(x, ax, pieces(len, (int) (((long) len + n - 1) / n)));
    }

    private static int[] pieces(int len, int size) {
        int count = (int) (((long) len + size - 1) / size);
        int[] sizes = new int[count];
        for (int i = 0; i < count; i++) sizes[i] = Math.min(size, len - i * size);
        return sizes;
    }

    // ================================================================ padding

    /**
     * Constant padding in F.pad order: (before, after) pairs for the last axis, then the one before
     * it, and so on; negative amounts crop. Gradient: G cropped back, i.e. {@code G.pad(0, −padding)}.
     * A ±∞ value (−∞ around max pooling) is a deliberate fill that anomaly mode accepts.
     */
    static Tensor pad(Tensor x, double value, int[] padding) {
        Objects.requireNonNull(padding, "pad: padding is null");
        int r = x.rank();
        if (padding.length % 2 != 0 || padding.length > 2 * r) {
            throw new IllegalArgumentException("pad: padding " + Arrays.toString(padding) + " for shape " + Shape.toString(x.shape)
                + " has " + padding.length + " entries; pass (before, after) pairs from the last axis backwards, at most "
                + r + " pairs");
        }
        int[] shape = x.shape.clone(), box = x.shape.clone();
        int[] xs = LayoutKernels.strides(x.shape);
        int srcOff = 0;
        int[] before = new int[r];
        boolean none = true;
        for (int j = 0; j < padding.length / 2; j++) {
            int ax = r - 1 - j;
            int lo = padding[2 * j], hi = padding[2 * j + 1];
            long len = (long) x.shape[ax] + lo + hi;
            if (len < 1) {
                throw new IllegalArgumentException("pad: padding (" + lo + ", " + hi + ") leaves axis " + ax + " of shape "
                    + Shape.toString(x.shape) + " with " + len + " elements; empty tensors are not supported");
            }
            shape[ax] = (int) Math.min(len, Integer.MAX_VALUE);
            box[ax] = (int) Math.max(0, x.shape[ax] - Math.max(0L, -(long) lo) - Math.max(0L, -(long) hi));
            srcOff += Math.max(0, -lo) * xs[ax];
            before[ax] = Math.max(0, lo);
            none &= lo == 0 && hi == 0;
        }
        if (none) return x;
        double[] out = new double[Checks.elements("pad", shape)];
        if (value != 0) Arrays.fill(out, value);
        int[] os = LayoutKernels.strides(shape);
        int dstOff = 0;
        boolean emptyBox = false;
        for (int d = 0; d < r; d++) {
            dstOff += before[d] * os[d];
            emptyBox |= box[d] == 0;
        }
        if (!emptyBox) LayoutKernels.copy(box, x.d(), srcOff, xs, out, dstOff, os);
        int[] crop = new int[padding.length];
        for (int i = 0; i < crop.length; i++) crop[i] = -padding[i];
        return new Tensor(out, shape).record("pad", SAVES_NONE | (Double.isInfinite(value) ? FILLS_INF : 0),
            g -> grads(g.pad(0, crop)), x);
    }

    // ================================================================ triangles

    /** Keeps column − row ≤ k (lower) or ≥ k (upper) in each matrix of the last two axes. Gradient: the same mask of G. */
    static Tensor triangle(Tensor x, int k, boolean lower) {
        String op = lower ? "tril" : "triu";
        if (x.rank() < 2) {
            throw new IllegalArgumentException(op + ": shape " + Shape.toString(x.shape)
                + " has rank " + x.rank() + "; it needs rank >= 2 (the last two axes are the matrices)");
        }
        int rows = x.shape[x.rank() - 2], cols = x.shape[x.rank() - 1];
        return new Tensor(LayoutKernels.triangle(x.d(), x.size() / (rows * cols), rows, cols, k, lower), x.shape)
            .record(op, SAVES_NONE, g -> grads(triangle(g, k, lower)), x);
    }
}

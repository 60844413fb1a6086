package dev.chainrule.autograd;

import static dev.chainrule.autograd.Tensor.SAVES_INPUTS;
import static dev.chainrule.autograd.Tensor.SAVES_NONE;
import static dev.chainrule.autograd.Tensor.grads;

import dev.chainrule.autograd.internal.ConvKernels;
import dev.chainrule.autograd.internal.FloatConvKernels;
import dev.chainrule.autograd.internal.Kernels;
import dev.chainrule.autograd.internal.ConvKernels.Geometry;
import dev.chainrule.autograd.internal.ConvKernels.Windows;
import java.util.Arrays;
import java.util.Objects;

/**
 * Convolution and pooling in PyTorch's channels-first layout ({@code [N, C, L]} for 1-D,
 * {@code [N, C, H, W]} for 2-D; an input without the batch dimension is treated as a batch of one).
 *
 * <p><b>Convolution is a family of three primitives whose backward rules are each other.</b> With
 * the trilinear form {@code T(x, w, G) = Σ G ⊙ conv(x, w)}, each primitive is the gradient of T with
 * respect to one argument:
 * <pre>
 *   conv(x, w)        = ∂T/∂G    backward: dx = convTranspose(G, w),  dw = convWeight(x, G)
 *   convTranspose(G, w) = ∂T/∂x  backward: dG = conv(H, w),           dw = convWeight(H, G)
 *   convWeight(x, G)  = ∂T/∂w    backward: dx = convTranspose(G, H),  dG = conv(x, H)
 * </pre>
 * ({@code H} is the incoming gradient.) So every backward is written in Tensor ops and derivatives of
 * any order work, while each primitive saves only its two inputs (no column matrix is kept in the
 * graph). Each is computed as im2col + one GEMM per block of samples through the same BLAS as
 * {@code matmul} (see {@code internal.ConvKernels}).
 *
 * <p>Pooling: max pooling records the position of each window's maximum (the first one on ties, as
 * PyTorch) and its backward scatters the gradient there; the scatter's own backward gathers from
 * the same positions. Average and adaptive average pooling are separable box averages whose backward
 * is the transposed box average, and vice versa. {@code unfold} (im2col) and {@code fold} (col2im)
 * are each other's backward.
 */
final class ConvOps {
    private ConvOps() {}

    // ---------------------------------------------------------------- arguments

    /** An int[] option for {@code d} spatial axes: one value for all, or one per axis; each ≥ min. */
    static int[] perAxis(String op, String what, int[] v, int d, int min) {
        Objects.requireNonNull(v, op + ": " + what + " is null");
        if (v.length != 1 && v.length != d) {
            throw new IllegalArgumentException(op + ": " + what + " " + Arrays.toString(v) + " must have 1 or " + d
                + " entries (one per spatial axis)");
        }
        int[] out = new int[d];
        for (int i = 0; i < d; i++) {
            out[i] = v.length == 1 ? v[0] : v[i];
            if (out[i] < min) {
                throw new IllegalArgumentException(op + ": " + what + " " + Arrays.toString(v) + " must be at least " + min);
            }
        }
        return out;
    }

    /** Output length of a sliding window: ⌊(in + 2p − d(k − 1) − 1) / s⌋ + 1, at least 1. */
    static int outLength(String op, int[] shape, int in, int k, int s, int p, int dil) {
        long span = in + 2L * p - (long) dil * (k - 1) - 1;         // in long: a padding or dilation near 2^31 overflows int
        if (span < 0) {
            throw new IllegalArgumentException(op + ": input " + Shape.toString(shape) + " is too small for kernel size " + k
                + " (dilation " + dil + ") with padding " + p + ": the dilated kernel spans " + (dil * (k - 1) + 1)
                + " positions but the padded input has only " + (in + 2L * p));
        }
        long out = span / s + 1;
        if (out > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(op + ": input " + Shape.toString(shape) + " with padding " + p + " gives an output length of "
                + out + ", more than a tensor holds; use a smaller padding");
        }
        return (int) out;
    }

    /** Adds a batch dimension of 1 to an unbatched input of rank {@code d + 1}; checks the rank. */
    static Tensor batched(String op, Tensor x, int d) {
        Objects.requireNonNull(x, op + ": input is null");
        if (x.rank() == d + 2) return x;
        if (x.rank() == d + 1) return x.reshape(prepend(1, x.shape));
        throw new IllegalArgumentException(op + ": input " + Shape.toString(x.shape) + " must be " + (d == 1 ? "[N, C, L]" : "[N, C, H, W]")
            + " (rank " + (d + 2) + ") or unbatched " + (d == 1 ? "[C, L]" : "[C, H, W]") + " (rank " + (d + 1) + ")");
    }

    private static int[] prepend(int v, int[] s) {
        int[] out = new int[s.length + 1];
        out[0] = v;
        System.arraycopy(s, 0, out, 1, s.length);
        return out;
    }

    /** The output for an input that was unbatched: the batch dimension of 1 dropped again. */
    private static Tensor unbatched(Tensor original, int d, Tensor out) {
        return original.rank() == d + 2 ? out : out.reshape(Arrays.copyOfRange(out.shape, 1, out.rank()));
    }

    private static String name(String base, int d) {
        return base + d + "d";
    }

    /** A 2-D geometry (1-D as height 1) from spatial sizes, kernel, output sizes and per-axis options. */
    private static Geometry geometry(String op, int n, int c, int o, int groups, int[] in, int[] k, int[] out, int[] s, int[] p,
                                     int[] dil) {
        long cols = c / groups;                                               // the unfolded input of one sample: (C/groups·Πk) × Πout
        for (int i = 0; i < k.length; i++) cols *= (long) k[i] * out[i];
        if (cols > Kernels.MAX_ELEMENTS) {
            throw new IllegalArgumentException(op + ": the unfolded input (in channels/groups x kernel " + Arrays.toString(k)
                + " x output " + Arrays.toString(out) + " = " + cols + " values) is more than one array holds; use a smaller kernel or input");
        }
        if (in.length == 1) {
            return new Geometry(n, c, o, groups, 1, in[0], 1, k[0], 1, out[0], 1, s[0], 0, p[0], 1, dil[0]);
        }
        return new Geometry(n, c, o, groups, in[0], in[1], k[0], k[1], out[0], out[1], s[0], s[1], p[0], p[1], dil[0], dil[1]);
    }

    private static int[] shape(int n, int c, int[] spatial) {
        int[] s = new int[spatial.length + 2];
        s[0] = n;
        s[1] = c;
        System.arraycopy(spatial, 0, s, 2, spatial.length);
        return s;
    }

    // ---------------------------------------------------------------- convolution

    /** {@code conv1d}/{@code conv2d}: {@link #conv} with one value per option, for a weight of exactly that spatial rank. */
    static Tensor convNd(int d, Tensor x, Tensor w, Tensor b, int stride, int padding, int dilation, int groups) {
        String op = name("conv", d);
        Objects.requireNonNull(w, op + ": weight is null");
        if (w.rank() != d + 2) {
            throw new IllegalArgumentException(op + ": weight " + Shape.toString(w.shape) + " must be [out, in/groups, "
                + (d == 1 ? "kW" : "kH, kW") + "] (rank " + (d + 2) + "); for a " + (w.rank() - 2) + "-D weight use conv");
        }
        return conv(x, w, b, new int[] {stride}, new int[] {padding}, new int[] {dilation}, groups);
    }

    /** PyTorch's {@code F.conv1d/conv2d}, the spatial rank taken from the weight. */
    static Tensor conv(Tensor x, Tensor w, Tensor b, int[] stride, int[] padding, int[] dilation, int groups) {
        Objects.requireNonNull(w, "conv: weight is null");
        Checks.sameDType("conv", x, "weight", w);
        Checks.sameDType("conv", x, "bias", b);
        if (w.rank() != 3 && w.rank() != 4) {
            throw new IllegalArgumentException("conv: weight " + Shape.toString(w.shape) + " must be [out, in/groups, kW] (1-D) or "
                + "[out, in/groups, kH, kW] (2-D); 3-D convolution is not supported");
        }
        int d = w.rank() - 2;
        String op = name("conv", d);
        Tensor xb = batched(op, x, d);
        int[] s = perAxis(op, "stride", stride, d, 1), p = perAxis(op, "padding", padding, d, 0), dil = perAxis(op, "dilation", dilation, d, 1);
        int n = xb.shape[0], c = xb.shape[1], o = w.shape[0];
        if (groups < 1 || c % groups != 0 || o % groups != 0 || w.shape[1] * groups != c) {
            throw new IllegalArgumentException(op + ": input " + Shape.toString(x.shape) + " and weight " + Shape.toString(w.shape)
                + " with groups=" + groups + ": need in channels (" + c + ") and out channels (" + o + ") divisible by groups, "
                + "and weight.shape[1] = in/groups = " + (groups >= 1 ? c / groups + "" : "?"));
        }
        if (b != null && (b.rank() != 1 || b.shape[0] != o)) {
            throw new IllegalArgumentException(op + ": bias " + Shape.toString(b.shape) + " must be [out] = [" + o + "] for weight "
                + Shape.toString(w.shape));
        }
        int[] in = Arrays.copyOfRange(xb.shape, 2, d + 2), k = Arrays.copyOfRange(w.shape, 2, d + 2), out = new int[d];
        for (int i = 0; i < d; i++) out[i] = outLength(op, x.shape, in[i], k[i], s[i], p[i], dil[i]);
        Checks.shape(op, "output", shape(n, o, out));                        // a tensor that can exist, before any buffer
        Geometry g = geometry(op, n, c, o, groups, in, k, out, s, p, dil);
        return unbatched(x, d, conv(xb, w, b, g, shape(n, o, out), d));
    }

    /** conv primitive: dx = convTranspose(G, w), dw = convWeight(x, G), db = Σ_{n, positions} G. */
    static Tensor conv(Tensor x, Tensor w, Tensor b, Geometry g, int[] outShape, int d) {
        Tensor out = x.isFloat() && w.isFloat()
            ? new Tensor(FloatConvKernels.conv(x.fdata, w.fdata, b == null ? null : b.f(), g), outShape)
            : new Tensor(ConvKernels.conv(x.d(), w.d(), b == null ? null : b.d(), g), outShape);
        Node.Rule rule = gr -> grads(
            x.requiresGrad ? convTranspose(gr, w, g, x.shape, d) : null,
            w.requiresGrad ? convWeight(x, gr, g, w.shape, d) : null,
            b != null && b.requiresGrad ? biasGrad(gr, g) : null);
        String op = name("conv", d);
        return b == null ? out.record(op, SAVES_INPUTS, rule, x, w) : out.record(op, SAVES_INPUTS, rule, x, w, b);
    }

    /** convTranspose primitive (conv's input gradient): dG = conv(H, w), dw = convWeight(H, G). */
    static Tensor convTranspose(Tensor gOut, Tensor w, Geometry g, int[] xShape, int d) {
        Tensor out = gOut.isFloat() && w.isFloat() ? new Tensor(FloatConvKernels.convInput(gOut.fdata, w.fdata, g), xShape)
            : new Tensor(ConvKernels.convInput(gOut.d(), w.d(), g), xShape);
        return out.record(name("convTranspose", d), SAVES_INPUTS,
            h -> grads(gOut.requiresGrad ? conv(h, w, null, g, gOut.shape, d) : null,
                w.requiresGrad ? convWeight(h, gOut, g, w.shape, d) : null), gOut, w);
    }

    /** convWeight primitive (conv's weight gradient): dx = convTranspose(G, H), dG = conv(x, H). */
    static Tensor convWeight(Tensor x, Tensor gOut, Geometry g, int[] wShape, int d) {
        Tensor out = x.isFloat() && gOut.isFloat() ? new Tensor(FloatConvKernels.convWeight(x.fdata, gOut.fdata, g), wShape)
            : new Tensor(ConvKernels.convWeight(x.d(), gOut.d(), g), wShape);
        return out.record(name("conv", d) + "Weight", SAVES_INPUTS,
            h -> grads(x.requiresGrad ? convTranspose(gOut, h, g, x.shape, d) : null,
                gOut.requiresGrad ? conv(x, h, null, g, gOut.shape, d) : null), x, gOut);
    }

    /** Σ_{n, positions} G as Tensor ops (differentiable) under createGraph, else one pass. */
    private static Tensor biasGrad(Tensor gr, Geometry g) {
        if (GradMode.enabled()) return gr.reshape(g.n, g.o, g.l).sum(2, false).sum(0, false);
        if (gr.isFloat()) return new Tensor(FloatConvKernels.channelSum(gr.fdata, g.n, g.o, g.l), new int[] {g.o});
        return new Tensor(ConvKernels.channelSum(gr.d(), g.n, g.o, g.l), new int[] {g.o});
    }

    /** PyTorch's {@code F.conv_transpose1d/2d}: weight {@code [in, out/groups, k...]}. */
    static Tensor convTranspose(Tensor x, Tensor w, Tensor b, int[] stride, int[] padding, int[] outputPadding, int[] dilation,
                                int groups) {
        Objects.requireNonNull(w, "convTranspose: weight is null");
        Checks.sameDType("convTranspose", x, "weight", w);
        Checks.sameDType("convTranspose", x, "bias", b);
        if (w.rank() != 3 && w.rank() != 4) {
            throw new IllegalArgumentException("convTranspose: weight " + Shape.toString(w.shape) + " must be [in, out/groups, kW] (1-D) or "
                + "[in, out/groups, kH, kW] (2-D)");
        }
        int d = w.rank() - 2;
        String op = name("convTranspose", d);
        Tensor xb = batched(op, x, d);
        int[] s = perAxis(op, "stride", stride, d, 1), p = perAxis(op, "padding", padding, d, 0);
        int[] op2 = perAxis(op, "outputPadding", outputPadding, d, 0), dil = perAxis(op, "dilation", dilation, d, 1);
        int n = xb.shape[0], cin = xb.shape[1];
        if (groups < 1 || w.shape[0] != cin || cin % groups != 0) {
            throw new IllegalArgumentException(op + ": input " + Shape.toString(x.shape) + " and weight " + Shape.toString(w.shape)
                + " with groups=" + groups + ": weight.shape[0] must equal the input channels (" + cin + ") and be divisible by groups");
        }
        int cout = w.shape[1] * groups;
        if (b != null && (b.rank() != 1 || b.shape[0] != cout)) {
            throw new IllegalArgumentException(op + ": bias " + Shape.toString(b.shape) + " must be [out] = [" + cout + "]");
        }
        int[] in = Arrays.copyOfRange(xb.shape, 2, d + 2), k = Arrays.copyOfRange(w.shape, 2, d + 2), out = new int[d];
        for (int i = 0; i < d; i++) {
            if (op2[i] >= Math.max(s[i], dil[i])) {
                throw new IllegalArgumentException(op + ": outputPadding " + Arrays.toString(outputPadding)
                    + " must be smaller than the stride or the dilation");
            }
            long len = (long) (in[i] - 1) * s[i] - 2L * p[i] + (long) dil[i] * (k[i] - 1) + op2[i] + 1;   // long: no overflow
            if (len < 1 || len > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(op + ": input " + Shape.toString(x.shape) + " with kernel " + Shape.toString(k)
                    + ", stride " + Arrays.toString(stride) + " and padding " + Arrays.toString(padding) + " gives output size " + len
                    + (len < 1 ? "" : ", more than a tensor holds"));
            }
            out[i] = (int) len;
        }
        Checks.shape(op, "output", shape(n, cout, out));                     // a tensor that can exist, before any buffer
        Geometry g = geometry(op, n, cout, cin, groups, out, k, in, s, p, dil);
        Tensor y = convTranspose(xb, w, g, shape(n, cout, out), d);
        if (b != null) y = y.add(b.reshape(channelShape(cout, d)));
        return unbatched(x, d, y);
    }

    /** {@code [1, c, 1 ...]}: a per-channel vector shaped to broadcast over {@code [N, C, spatial...]}. */
    static int[] channelShape(int c, int d) {
        int[] s = new int[d + 2];
        Arrays.fill(s, 1);
        s[1] = c;
        return s;
    }

    // ---------------------------------------------------------------- unfold / fold

    /** PyTorch's {@code F.unfold}: {@code [N, C, H, W] → [N, C·kH·kW, L]}; gradient: fold. */
    static Tensor unfold(Tensor x, int[] kernel, int[] dilation, int[] padding, int[] stride) {
        Objects.requireNonNull(x, "unfold: input is null");
        int d = x.rank() - 2;
        if (d != 1 && d != 2) {
            throw new IllegalArgumentException("unfold: input " + Shape.toString(x.shape) + " must be [N, C, H, W] (or [N, C, L])");
        }
        int[] k = perAxis("unfold", "kernel size", kernel, d, 1), dil = perAxis("unfold", "dilation", dilation, d, 1);
        int[] p = perAxis("unfold", "padding", padding, d, 0), s = perAxis("unfold", "stride", stride, d, 1);
        int[] in = Arrays.copyOfRange(x.shape, 2, d + 2), out = new int[d];
        for (int i = 0; i < d; i++) out[i] = outLength("unfold", x.shape, in[i], k[i], s[i], p[i], dil[i]);
        Geometry g = geometry("unfold", x.shape[0], x.shape[1], x.shape[1], 1, in, k, out, s, p, dil);
        return unfold(x, g, Checks.shape("unfold", "output", new int[] {g.n, g.c * g.kh * g.kw, g.l}));
    }

    private static Tensor unfold(Tensor x, Geometry g, int[] outShape) {
        return new Tensor(ConvKernels.unfold(x.d(), g), outShape).record("unfold", SAVES_NONE, h -> grads(fold(h, g, x.shape)), x);
    }

    private static Tensor fold(Tensor cols, Geometry g, int[] outShape) {
        return new Tensor(ConvKernels.fold(cols.d(), g), outShape).record("fold", SAVES_NONE, h -> grads(unfold(h, g, cols.shape)), cols);
    }

    /** PyTorch's {@code F.fold}: {@code [N, C·kH·kW, L] → [N, C, H, W]}, overlaps summed; gradient: unfold. */
    static Tensor fold(Tensor x, int[] outputSize, int[] kernel, int[] dilation, int[] padding, int[] stride) {
        Objects.requireNonNull(x, "fold: input is null");
        Objects.requireNonNull(outputSize, "fold: output size is null");
        int d = outputSize.length;
        if ((d != 1 && d != 2) || x.rank() != 3) {
            throw new IllegalArgumentException("fold: input " + Shape.toString(x.shape) + " must be [N, C·kH·kW, L] and the output size "
                + Arrays.toString(outputSize) + " have 1 or 2 entries");
        }
        int[] in = perAxis("fold", "output size", outputSize, d, 1);
        int[] k = perAxis("fold", "kernel size", kernel, d, 1), dil = perAxis("fold", "dilation", dilation, d, 1);
        int[] p = perAxis("fold", "padding", padding, d, 0), s = perAxis("fold", "stride", stride, d, 1);
        int kk = 1, blocks = 1;
        int[] out = new int[d];
        for (int i = 0; i < d; i++) {
            kk *= k[i];
            out[i] = outLength("fold", outputSize, in[i], k[i], s[i], p[i], dil[i]);
            blocks *= out[i];
        }
        if (x.shape[1] % kk != 0 || x.shape[2] != blocks) {
            throw new IllegalArgumentException("fold: input " + Shape.toString(x.shape) + " does not fit output size " + Arrays.toString(outputSize)
                + " with kernel " + Arrays.toString(k) + ": need dimension 1 divisible by " + kk + " and dimension 2 = " + blocks + " blocks");
        }
        Geometry g = geometry("fold", x.shape[0], x.shape[1] / kk, x.shape[1] / kk, 1, in, k, out, s, p, dil);
        return fold(x, g, shape(g.n, g.c, in));
    }

    // ---------------------------------------------------------------- pooling

    /** Checks PyTorch's pooling rule that padding is at most half the kernel. */
    private static void checkPoolPadding(String op, int[] k, int[] p) {
        for (int i = 0; i < k.length; i++) {
            if (p[i] > k[i] / 2) {
                throw new IllegalArgumentException(op + ": padding " + Arrays.toString(p) + " must be at most half the kernel size "
                    + Arrays.toString(k) + " (as in PyTorch)");
            }
        }
    }

    /** PyTorch's {@code F.max_pool1d/2d}, the spatial rank taken from the kernel; stride null = kernel. */
    static Tensor maxPool(Tensor x, int[] kernel, int[] stride, int[] padding, int[] dilation) {
        Objects.requireNonNull(kernel, "maxPool: kernel size is null");
        int d = kernel.length;
        if (d != 1 && d != 2) throw new IllegalArgumentException("maxPool: kernel size " + Arrays.toString(kernel) + " must have 1 or 2 entries");
        String op = name("maxPool", d);
        Tensor xb = batched(op, x, d);
        int[] k = perAxis(op, "kernel size", kernel, d, 1), s = stride == null ? k : perAxis(op, "stride", stride, d, 1);
        int[] p = perAxis(op, "padding", padding, d, 0), dil = perAxis(op, "dilation", dilation, d, 1);
        checkPoolPadding(op, k, p);
        int[] in = Arrays.copyOfRange(xb.shape, 2, d + 2), out = new int[d];
        for (int i = 0; i < d; i++) out[i] = outLength(op, x.shape, in[i], k[i], s[i], p[i], dil[i]);
        Geometry g = geometry(op, xb.shape[0], xb.shape[1], xb.shape[1], 1, in, k, out, s, p, dil);
        int[] index = new int[g.n * g.c * g.l];
        Tensor y = xb.isFloat() ? new Tensor(FloatConvKernels.maxPool(xb.fdata, g, index), shape(g.n, g.c, out))
            : new Tensor(ConvKernels.maxPool(xb.d(), g, index), shape(g.n, g.c, out));
        int planes = g.n * g.c;
        // FILLS_INF: a window of padding only (possible with dilation) is −∞, as in PyTorch, not an anomaly
        y.record(op, SAVES_NONE | Tensor.FILLS_INF, gr -> grads(scatterPlanes(op, gr, index, planes, g.l, g.hw, xb.shape)), xb);
        return unbatched(x, d, y);
    }

    /** dx[p, index[p, o]] += G[p, o]; gradient: the gather at the same positions. */
    private static Tensor scatterPlanes(String op, Tensor gOut, int[] index, int planes, int outPlane, int inPlane, int[] xShape) {
        Tensor out = gOut.isFloat() ? new Tensor(FloatConvKernels.scatterPlanes(gOut.fdata, index, planes, outPlane, inPlane), xShape)
            : new Tensor(ConvKernels.scatterPlanes(gOut.d(), index, planes, outPlane, inPlane), xShape);
        return out.record(op + "Backward",
            SAVES_NONE, h -> grads(gatherPlanes(op, h, index, planes, outPlane, inPlane, gOut.shape)), gOut);
    }

    /** out[p, o] = x[p, index[p, o]]; gradient: the scatter to the same positions. */
    private static Tensor gatherPlanes(String op, Tensor x, int[] index, int planes, int outPlane, int inPlane, int[] outShape) {
        return new Tensor(ConvKernels.gatherPlanes(x.d(), index, planes, outPlane, inPlane), outShape).record(op + "Gather",
            SAVES_NONE, h -> grads(scatterPlanes(op, h, index, planes, outPlane, inPlane, x.shape)), x);
    }

    /** PyTorch's {@code F.avg_pool1d/2d} (no ceil mode, no divisor override); stride null = kernel. */
    static Tensor avgPool(Tensor x, int[] kernel, int[] stride, int[] padding, boolean countIncludePad) {
        Objects.requireNonNull(kernel, "avgPool: kernel size is null");
        int d = kernel.length;
        if (d != 1 && d != 2) throw new IllegalArgumentException("avgPool: kernel size " + Arrays.toString(kernel) + " must have 1 or 2 entries");
        String op = name("avgPool", d);
        Tensor xb = batched(op, x, d);
        int[] k = perAxis(op, "kernel size", kernel, d, 1), s = stride == null ? k : perAxis(op, "stride", stride, d, 1);
        int[] p = perAxis(op, "padding", padding, d, 0);
        checkPoolPadding(op, k, p);
        Windows[] win = new Windows[d];
        int[] out = new int[d];
        for (int i = 0; i < d; i++) {
            out[i] = outLength(op, x.shape, xb.shape[2 + i], k[i], s[i], p[i], 1);
            win[i] = ConvKernels.avgWindows(xb.shape[2 + i], out[i], k[i], s[i], p[i], countIncludePad);
        }
        return unbatched(x, d, box(op, xb, win, shape(xb.shape[0], xb.shape[1], out)));
    }

    /** PyTorch's {@code F.adaptive_avg_pool1d/2d}: output i averages input [⌊i·in/out⌋, ⌈(i+1)·in/out⌉). */
    static Tensor adaptiveAvgPool(Tensor x, int[] outputSize) {
        Objects.requireNonNull(outputSize, "adaptiveAvgPool: output size is null");
        int d = outputSize.length;
        if (d != 1 && d != 2) {
            throw new IllegalArgumentException("adaptiveAvgPool: output size " + Arrays.toString(outputSize) + " must have 1 or 2 entries");
        }
        String op = name("adaptiveAvgPool", d);
        Tensor xb = batched(op, x, d);
        int[] out = perAxis(op, "output size", outputSize, d, 1);
        Checks.shape(op, "output", shape(xb.shape[0], xb.shape[1], out));   // a tensor that can exist, before its windows are made
        Windows[] win = new Windows[d];
        for (int i = 0; i < d; i++) win[i] = ConvKernels.adaptiveWindows(xb.shape[2 + i], out[i]);
        return unbatched(x, d, box(op, xb, win, shape(xb.shape[0], xb.shape[1], out)));
    }

    private static final Windows ONE = new Windows(new int[] {0}, new int[] {1}, new double[] {1});

    /** Box-average primitive over windows per spatial axis; gradient: the transposed box average. */
    private static Tensor box(String op, Tensor x, Windows[] win, int[] outShape) {
        Windows rows = win.length == 1 ? ONE : win[0], cols = win[win.length - 1];
        int h = win.length == 1 ? 1 : x.shape[2], w = x.shape[x.rank() - 1], planes = x.shape[0] * x.shape[1];
        return new Tensor(ConvKernels.boxAverage(x.d(), planes, h, w, rows, cols), outShape).record(op, SAVES_NONE,
            gr -> grads(boxTranspose(op, gr, win, x.shape)), x);
    }

    private static Tensor boxTranspose(String op, Tensor gOut, Windows[] win, int[] xShape) {
        Windows rows = win.length == 1 ? ONE : win[0], cols = win[win.length - 1];
        int h = win.length == 1 ? 1 : xShape[2], w = xShape[xShape.length - 1], planes = xShape[0] * xShape[1];
        return new Tensor(ConvKernels.boxAverageTranspose(gOut.d(), planes, h, w, rows, cols), xShape.clone())
            .record(op + "Backward", SAVES_NONE, h2 -> grads(box(op, h2, win, gOut.shape)), gOut);
    }
}

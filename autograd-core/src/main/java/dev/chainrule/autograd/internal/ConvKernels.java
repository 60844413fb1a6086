package dev.chainrule.autograd.internal;

import java.util.Arrays;

/**
 * Loops of convolution and pooling over row-major {@code double[]} arrays in PyTorch's
 * channels-first layout ({@code [N, C, H, W]}; 1-D inputs {@code [N, C, L]} are the case
 * {@code H = 1}). Convolutions are im2col + GEMM: the receptive fields of a block of samples are
 * copied into a column matrix {@code cols[C/groups · kh · kw, B · OH · OW]} (in a per-thread scratch
 * buffer of bounded size, so memory stays O(block) however large the batch), and one GEMM through
 * {@link Gemm} — the same BLAS as matmul — multiplies it with the weight. The three products of a
 * convolution and its gradients are:
 * <pre>
 *   forward      out_g[og, B·L] = W_g[og, ck] · cols_g[ck, B·L]
 *   input grad   cols_g[ck, B·L] = W_gᵀ · G_g[og, B·L],  then col2im (scatter-add) into dx
 *   weight grad  dW_g[og, ck] += G_g[og, B·L] · cols_gᵀ   (cols recomputed from x)
 * </pre>
 * A block is usually one sample: its columns then fit in the core's L2 cache and the GEMM writes
 * straight into the output, which measured faster than larger blocks (more samples per GEMM) on the
 * CNN's layers. The copies into and out of the column buffer are split across
 * {@link Parallel#THREADS} threads by channel; the GEMM is parallelized by the BLAS itself.
 */
public final class ConvKernels {
    private ConvKernels() {}

    /**
     * Doubles per column buffer: a block holds as many samples as fit (at least one). 2^16 doubles
     * (512 KiB) keeps the buffer in a core's L2 cache; the CNN's 32→64 3×3 layer on 14×14 (56,448
     * doubles per sample) gets one sample per block, which per-op timings on the 2-core build VM
     * (one and two threads, interleaved runs) found faster than 9 or 64 samples per block, at about
     * 0.6–0.8× their time. Overridable with {@code -Dchainrule.conv.cols=N}.
     */
    static final int COLS = Math.max(1 << 10, Integer.getInteger("chainrule.conv.cols", 1 << 16));

    /** Elements per parallel part of the copies (fewer stay on the calling thread). */
    static final int COPY_GRAIN = 1 << 14;

    /**
     * The sizes of one 2-D convolution or pooling (1-D is {@code h = kh = 1}, stride, dilation 1 and
     * padding 0 along the height): batch {@code n}, input channels {@code c}, output channels
     * {@code o} (for pooling and unfold, {@code o = c}), {@code groups}, input {@code h × w},
     * kernel {@code kh × kw}, output {@code oh × ow}, strides, paddings and dilations.
     */
    public static final class Geometry {
        public final int n, c, o, groups, h, w, kh, kw, oh, ow, sh, sw, ph, pw, dh, dw;
        /** Channels per group in and out, rows of the column matrix (cg·kh·kw), output and input plane sizes. */
        public final int cg, og, ck, l, hw;

        public Geometry(int n, int c, int o, int groups, int h, int w, int kh, int kw, int oh, int ow,
                        int sh, int sw, int ph, int pw, int dh, int dw) {
            this.n = n;
            this.c = c;
            this.o = o;
            this.groups = groups;
            this.h = h;
            this.w = w;
            this.kh = kh;
            this.kw = kw;
            this.oh = oh;
            this.ow = ow;
            this.sh = sh;
            this.sw = sw;
            this.ph = ph;
            this.pw = pw;
            this.dh = dh;
            this.dw = dw;
            this.cg = c / groups;
            this.og = o / groups;
            this.ck = cg * kh * kw;
            this.l = oh * ow;
            this.hw = h * w;
        }

        /** Multiply-adds of the forward convolution (each gradient costs the same). */
        public long macs() {
            return (long) n * o * l * ck;
        }
    }

    // ---------------------------------------------------------------- scratch

    private static final class Scratch {
        double[] cols = new double[0];
        double[] rows = new double[0];
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private static double[] cols(Scratch s, int n) {
        if (s.cols.length < n) s.cols = new double[n];
        return s.cols;
    }

    private static double[] rows(Scratch s, int n) {
        if (s.rows.length < n) s.rows = new double[n];
        return s.rows;
    }

    /** Samples per block: as many as fit in {@link #COLS} doubles of columns (at least 1). */
    static int block(Geometry g) {
        long perSample = (long) g.ck * g.l;
        return (int) Math.max(1, Math.min(g.n, COLS / Math.max(1, perSample)));
    }

    // ---------------------------------------------------------------- im2col / col2im

    /** First output column whose input column {@code j·s + off} is ≥ 0, clamped to [0, out]. */
    static int firstValid(int off, int s, int out) {
        return off >= 0 ? 0 : Math.min(out, (-off + s - 1) / s);
    }

    /** One past the last output column whose input column {@code j·s + off} is &lt; in, clamped to [lo, out]. */
    static int lastValid(int off, int s, int in, int out, int lo) {
        int last = in - 1 - off;
        return last < 0 ? lo : Math.max(lo, Math.min(out, last / s + 1));
    }

    // ---------------------------------------------------------------- convolution

    /**
     * {@code out[n, o, l] = Σ_{c, k} w[o, c, k] · x[n, g·cg + c, pos(l, k)] (+ bias[o])}: the forward
     * convolution, {@code x [n, c, h, w]}, {@code w [o, cg, kh, kw]}, bias {@code [o]} or null;
     * returns {@code [n, o, oh, ow]}.
     */
    public static double[] conv(double[] x, double[] w, double[] bias, Geometry g) {
        double[] out = new double[g.n * g.o * g.l];
        Scratch s = SCRATCH.get();
        int block = block(g);
        double[] cols = cols(s, g.ck * block * g.l);
        double[] rows = block > 1 ? rows(s, g.og * block * g.l) : null;
        for (int n0 = 0; n0 < g.n; n0 += block) {
            int b = Math.min(block, g.n - n0), ld = b * g.l;
            for (int grp = 0; grp < g.groups; grp++) {
                im2colGroup(x, g, grp, n0, b, cols);
                if (b == 1) {
                    int at = (n0 * g.o + grp * g.og) * g.l;
                    if (bias != null) {                 // the GEMM adds onto the bias (beta = 1), in cache
                        for (int o = 0; o < g.og; o++) Arrays.fill(out, at + o * g.l, at + (o + 1) * g.l, bias[grp * g.og + o]);
                    }
                    Gemm.gemm(false, false, g.og, g.l, g.ck, w, grp * g.og * g.ck, cols, 0, bias == null ? 0.0 : 1.0, out, at);
                } else {
                    Gemm.gemm(false, false, g.og, ld, g.ck, w, grp * g.og * g.ck, cols, 0, 0.0, rows, 0);
                    unpackRows(rows, g, grp, n0, b, bias, out);
                }
            }
        }
        return out;
    }

    /**
     * The input gradient of {@link #conv} (a transposed convolution): {@code dx = col2im(W_gᵀ · G_g)}
     * for {@code gOut [n, o, oh, ow]}; returns {@code [n, c, h, w]}.
     */
    public static double[] convInput(double[] gOut, double[] w, Geometry g) {
        double[] dx = new double[g.n * g.c * g.hw];
        Scratch s = SCRATCH.get();
        int block = block(g);
        double[] cols = cols(s, g.ck * block * g.l);
        double[] rows = block > 1 ? rows(s, g.og * block * g.l) : null;
        for (int n0 = 0; n0 < g.n; n0 += block) {
            int b = Math.min(block, g.n - n0), ld = b * g.l;
            for (int grp = 0; grp < g.groups; grp++) {
                if (b == 1) {
                    Gemm.gemm(true, false, g.ck, g.l, g.og, w, grp * g.og * g.ck, gOut, (n0 * g.o + grp * g.og) * g.l, 0.0, cols, 0);
                } else {
                    packRows(gOut, g, grp, n0, b, rows);
                    Gemm.gemm(true, false, g.ck, ld, g.og, w, grp * g.og * g.ck, rows, 0, 0.0, cols, 0);
                }
                col2imGroup(cols, g, grp, n0, b, dx);
            }
        }
        return dx;
    }

    /**
     * The weight gradient of {@link #conv}: {@code dW_g = Σ_blocks G_g · cols_gᵀ} for
     * {@code x [n, c, h, w]} and {@code gOut [n, o, oh, ow]}; returns {@code [o, cg, kh, kw]}.
     */
    public static double[] convWeight(double[] x, double[] gOut, Geometry g) {
        double[] dw = new double[g.o * g.ck];
        Scratch s = SCRATCH.get();
        int block = block(g);
        double[] cols = cols(s, g.ck * block * g.l);
        double[] rows = block > 1 ? rows(s, g.og * block * g.l) : null;
        for (int n0 = 0; n0 < g.n; n0 += block) {
            int b = Math.min(block, g.n - n0), ld = b * g.l;
            double beta = n0 == 0 ? 0.0 : 1.0;
            for (int grp = 0; grp < g.groups; grp++) {
                im2colGroup(x, g, grp, n0, b, cols);
                if (b == 1) {
                    Gemm.gemm(false, true, g.og, g.ck, g.l, gOut, (n0 * g.o + grp * g.og) * g.l, cols, 0, beta, dw, grp * g.og * g.ck);
                } else {
                    packRows(gOut, g, grp, n0, b, rows);
                    Gemm.gemm(false, true, g.og, g.ck, ld, rows, 0, cols, 0, beta, dw, grp * g.og * g.ck);
                }
            }
        }
        return dw;
    }

    /** {@code Σ_{n, l} g[n, o, l]}: the bias gradient, {@code [o]}. */
    public static double[] channelSum(double[] g, int n, int o, int l) {
        double[] out = new double[o];
        Parallel.forRange(o, Math.max(1, COPY_GRAIN / (n * l)), (lo, hi) -> {
            for (int c = lo; c < hi; c++) {
                double acc = 0;
                for (int s = 0; s < n; s++) acc += NormKernels.sum(g, (s * o + c) * l, l);
                out[c] = acc;
            }
        });
        return out;
    }

    /** im2col of group {@code grp} for samples {@code [n0, n0 + b)} into {@code cols[ck, b·l]}. */
    private static void im2colGroup(double[] x, Geometry g, int grp, int n0, int b, double[] cols) {
        int ld = b * g.l, units = b * g.cg, per = g.kh * g.kw * g.l;
        int rowsPerChannel = g.kh * g.kw;
        Parallel.forRange(units, Math.max(1, COPY_GRAIN / per), (lo, hi) -> {
            for (int u = lo; u < hi; u++) {
                int s = u / g.cg, c = u % g.cg;
                im2colChannel(x, n0 + s, grp * g.cg + c, g, cols, c * rowsPerChannel * ld, ld, s * g.l);
            }
        });
    }

    /** col2im of group {@code grp} for samples {@code [n0, n0 + b)} from {@code cols[ck, b·l]} (adds into dx). */
    private static void col2imGroup(double[] cols, Geometry g, int grp, int n0, int b, double[] dx) {
        int ld = b * g.l, units = b * g.cg, per = g.kh * g.kw * g.l;
        int rowsPerChannel = g.kh * g.kw;
        Parallel.forRange(units, Math.max(1, COPY_GRAIN / per), (lo, hi) -> {
            for (int u = lo; u < hi; u++) {
                int s = u / g.cg, c = u % g.cg;
                col2imChannel(cols, c * rowsPerChannel * ld, ld, s * g.l, n0 + s, grp * g.cg + c, g, dx);
            }
        });
    }

    /** im2col of one channel of one sample into the kh·kw rows starting at {@code rowBase}. */
    private static void im2colChannel(double[] x, int sample, int channel, Geometry g, double[] cols, int rowBase, int ld, int col0) {
        int xc = (sample * g.c + channel) * g.hw;
        for (int ki = 0; ki < g.kh; ki++) {
            for (int kj = 0; kj < g.kw; kj++) {
                int row = rowBase + (ki * g.kw + kj) * ld + col0;
                int off = kj * g.dw - g.pw;
                int lo = firstValid(off, g.sw, g.ow), hi = lastValid(off, g.sw, g.w, g.ow, lo);
                for (int i = 0; i < g.oh; i++) {
                    int ih = i * g.sh - g.ph + ki * g.dh;
                    int dst = row + i * g.ow;
                    if (ih < 0 || ih >= g.h) {
                        Arrays.fill(cols, dst, dst + g.ow, 0.0);
                        continue;
                    }
                    int src = xc + ih * g.w + off;
                    for (int j = 0; j < lo; j++) cols[dst + j] = 0.0;
                    if (g.sw == 1) {
                        System.arraycopy(x, src + lo, cols, dst + lo, hi - lo);
                    } else {
                        for (int j = lo; j < hi; j++) cols[dst + j] = x[src + j * g.sw];
                    }
                    for (int j = hi; j < g.ow; j++) cols[dst + j] = 0.0;
                }
            }
        }
    }

    /** The adjoint of {@link #im2colChannel}. */
    private static void col2imChannel(double[] cols, int rowBase, int ld, int col0, int sample, int channel, Geometry g, double[] dx) {
        int xc = (sample * g.c + channel) * g.hw;
        for (int ki = 0; ki < g.kh; ki++) {
            for (int kj = 0; kj < g.kw; kj++) {
                int row = rowBase + (ki * g.kw + kj) * ld + col0;
                int off = kj * g.dw - g.pw;
                int lo = firstValid(off, g.sw, g.ow), hi = lastValid(off, g.sw, g.w, g.ow, lo);
                for (int i = 0; i < g.oh; i++) {
                    int ih = i * g.sh - g.ph + ki * g.dh;
                    if (ih < 0 || ih >= g.h) continue;
                    int src = row + i * g.ow, dst = xc + ih * g.w + off;
                    if (g.sw == 1) {
                        for (int j = lo; j < hi; j++) dx[dst + j] += cols[src + j];
                    } else {
                        for (int j = lo; j < hi; j++) dx[dst + j * g.sw] += cols[src + j];
                    }
                }
            }
        }
    }

    /** Copies {@code rows[o, b·l]} (one GEMM's output) plus the bias into {@code out[n0 + s, grp·og + o, l]}. */
    private static void unpackRows(double[] rows, Geometry g, int grp, int n0, int b, double[] bias, double[] out) {
        int ld = b * g.l;
        Parallel.forRange(b * g.og, Math.max(1, COPY_GRAIN / g.l), (lo, hi) -> {
            for (int u = lo; u < hi; u++) {
                int s = u / g.og, o = u % g.og;
                int src = o * ld + s * g.l, dst = ((n0 + s) * g.o + grp * g.og + o) * g.l;
                if (bias == null) {
                    System.arraycopy(rows, src, out, dst, g.l);
                } else {
                    double v = bias[grp * g.og + o];
                    for (int i = 0; i < g.l; i++) out[dst + i] = rows[src + i] + v;
                }
            }
        });
    }

    /** Copies {@code gOut[n0 + s, grp·og + o, l]} into {@code rows[o, b·l]} (a GEMM operand). */
    private static void packRows(double[] gOut, Geometry g, int grp, int n0, int b, double[] rows) {
        int ld = b * g.l;
        Parallel.forRange(b * g.og, Math.max(1, COPY_GRAIN / g.l), (lo, hi) -> {
            for (int u = lo; u < hi; u++) {
                int s = u / g.og, o = u % g.og;
                System.arraycopy(gOut, ((n0 + s) * g.o + grp * g.og + o) * g.l, rows, o * ld + s * g.l, g.l);
            }
        });
    }

    // ---------------------------------------------------------------- unfold / fold

    /** F.unfold: {@code [n, c, h, w] → [n, c·kh·kw, l]}, the column matrix of each sample. */
    public static double[] unfold(double[] x, Geometry g) {
        double[] out = new double[g.n * g.c * g.kh * g.kw * g.l];
        int per = g.kh * g.kw * g.l;
        Parallel.forRange(g.n * g.c, Math.max(1, COPY_GRAIN / per), (lo, hi) -> {
            for (int u = lo; u < hi; u++) {
                int s = u / g.c, c = u % g.c;
                im2colChannel(x, s, c, g, out, (s * g.c + c) * per, g.l, 0);
            }
        });
        return out;
    }

    /** F.fold, the adjoint of {@link #unfold}: {@code [n, c·kh·kw, l] → [n, c, h, w]}, overlapping entries summed. */
    public static double[] fold(double[] cols, Geometry g) {
        double[] dx = new double[g.n * g.c * g.hw];
        int per = g.kh * g.kw * g.l;
        Parallel.forRange(g.n * g.c, Math.max(1, COPY_GRAIN / per), (lo, hi) -> {
            for (int u = lo; u < hi; u++) {
                int s = u / g.c, c = u % g.c;
                col2imChannel(cols, (s * g.c + c) * per, g.l, 0, s, c, g, dx);
            }
        });
        return dx;
    }

    // ---------------------------------------------------------------- pooling

    /**
     * Max pooling of each plane ({@code n·c} planes of {@code h × w}): the largest element of each
     * window (padding never wins; NaN propagates), and in {@code argmax} its index within the plane.
     * Ties go to the first maximum in row-major window order, as PyTorch. A window that covers
     * padding only (possible with dilation) gives −∞ and index −1, which gets no gradient.
     */
    public static double[] maxPool(double[] x, Geometry g, int[] argmax) {
        double[] out = new double[g.n * g.c * g.l];
        boolean inside = g.ph == 0 && g.pw == 0;       // without padding every window lies inside the input
        int[] offsets = new int[g.kh * g.kw];
        for (int ki = 0; ki < g.kh; ki++) {
            for (int kj = 0; kj < g.kw; kj++) offsets[ki * g.kw + kj] = ki * g.dh * g.w + kj * g.dw;
        }
        Parallel.forRange(g.n * g.c, Math.max(1, COPY_GRAIN / Math.max(1, g.l * g.kh * g.kw)), (lo, hi) -> {
            for (int p = lo; p < hi; p++) {
                if (inside) {
                    maxPoolInside(x, p * g.hw, g, offsets, out, argmax, p * g.l);
                } else {
                    maxPoolPadded(x, p * g.hw, g, out, argmax, p * g.l);
                }
            }
        });
        return out;
    }

    /**
     * One plane, no padding: fixed window offsets, no bounds checks. The maximum is taken first
     * ({@code Math.max}, no data-dependent branches), then its position is the first offset holding
     * it: on random data that is about twice as fast as tracking the position while comparing, whose
     * branches the CPU cannot predict. A window with a NaN (the maximum is then NaN) takes the first NaN.
     */
    private static void maxPoolInside(double[] x, int xp, Geometry g, int[] offsets, double[] out, int[] argmax, int op) {
        int k = offsets.length;
        for (int i = 0; i < g.oh; i++) {
            int row = xp + i * g.sh * g.w, o = op + i * g.ow;
            for (int j = 0; j < g.ow; j++) {
                int base = row + j * g.sw;
                double m;
                if (k == 4) {
                    m = Math.max(Math.max(x[base + offsets[0]], x[base + offsets[1]]), Math.max(x[base + offsets[2]], x[base + offsets[3]]));
                } else {
                    m = x[base + offsets[0]];
                    for (int t = 1; t < k; t++) m = Math.max(m, x[base + offsets[t]]);
                }
                int t = 0;
                if (m == m) {
                    while (x[base + offsets[t]] != m) t++;
                } else {
                    while (x[base + offsets[t]] == x[base + offsets[t]]) t++;
                }
                out[o + j] = m;
                argmax[o + j] = base - xp + offsets[t];
            }
        }
    }

    /** One plane with padding: positions outside the input are skipped (they count as −∞). */
    private static void maxPoolPadded(double[] x, int xp, Geometry g, double[] out, int[] argmax, int op) {
        for (int i = 0; i < g.oh; i++) {
            int h0 = i * g.sh - g.ph;
            for (int j = 0; j < g.ow; j++) {
                int w0 = j * g.sw - g.pw;
                double best = Double.NEGATIVE_INFINITY;
                int at = -1;                                  // stays −1 for a window of padding only
                for (int ki = 0; ki < g.kh; ki++) {
                    int ih = h0 + ki * g.dh;
                    if (ih < 0 || ih >= g.h) continue;
                    for (int kj = 0; kj < g.kw; kj++) {
                        int iw = w0 + kj * g.dw;
                        if (iw < 0 || iw >= g.w) continue;
                        double v = x[xp + ih * g.w + iw];
                        if (v > best || (v != v && best == best) || at < 0) {
                            best = v;
                            at = ih * g.w + iw;
                        }
                    }
                }
                out[op + i * g.ow + j] = best;
                argmax[op + i * g.ow + j] = at;
            }
        }
    }

    /** {@code dx[p, argmax[p, o]] += g[p, o]}: scatters each output's gradient to its plane position. */
    public static double[] scatterPlanes(double[] gOut, int[] index, int planes, int outPlane, int inPlane) {
        double[] dx = new double[planes * inPlane];
        Parallel.forRange(planes, Math.max(1, COPY_GRAIN / outPlane), (lo, hi) -> {
            for (int p = lo; p < hi; p++) {
                int ip = p * inPlane, op = p * outPlane;
                for (int o = 0; o < outPlane; o++) {
                    int at = index[op + o];
                    if (at >= 0) dx[ip + at] += gOut[op + o];     // −1: a window of padding only
                }
            }
        });
        return dx;
    }

    /** {@code out[p, o] = x[p, index[p, o]]}: the adjoint of {@link #scatterPlanes}. */
    public static double[] gatherPlanes(double[] x, int[] index, int planes, int outPlane, int inPlane) {
        double[] out = new double[planes * outPlane];
        Parallel.forRange(planes, Math.max(1, COPY_GRAIN / outPlane), (lo, hi) -> {
            for (int p = lo; p < hi; p++) {
                int ip = p * inPlane, op = p * outPlane;
                for (int o = 0; o < outPlane; o++) {
                    int at = index[op + o];
                    out[op + o] = at >= 0 ? x[ip + at] : 0.0;
                }
            }
        });
        return out;
    }

    /**
     * Windows of an average pooling along one axis: {@code [start, end)} of each output position,
     * clipped to the input, and its divisor.
     */
    public record Windows(int[] start, int[] end, double[] divisor) {}

    /**
     * PyTorch's AvgPool windows along one axis of length {@code in}: output i covers
     * {@code [i·s − p, i·s − p + k)} clipped to the input; the divisor is {@code k} when
     * {@code countIncludePad}, else the clipped length.
     */
    public static Windows avgWindows(int in, int out, int k, int s, int p, boolean countIncludePad) {
        int[] st = new int[out], en = new int[out];
        double[] dv = new double[out];
        for (int i = 0; i < out; i++) {
            int a = i * s - p, e = Math.min(a + k, in + p);
            int size = e - a;
            a = Math.max(a, 0);
            e = Math.min(e, in);
            st[i] = a;
            en[i] = e;
            dv[i] = countIncludePad ? size : e - a;
        }
        return new Windows(st, en, dv);
    }

    /** AdaptiveAvgPool windows: output i of {@code out} covers {@code [⌊i·in/out⌋, ⌈(i+1)·in/out⌉)}. */
    public static Windows adaptiveWindows(int in, int out) {
        int[] st = new int[out], en = new int[out];
        double[] dv = new double[out];
        for (int i = 0; i < out; i++) {
            st[i] = (int) ((long) i * in / out);
            en[i] = (int) (((long) (i + 1) * in + out - 1) / out);
            dv[i] = en[i] - st[i];
        }
        return new Windows(st, en, dv);
    }

    /**
     * Separable box average of each of {@code planes} planes {@code [h, w]}:
     * {@code out[p, i, j] = Σ_{rows of i} Σ_{cols of j} x / (divH[i] · divW[j])}.
     */
    public static double[] boxAverage(double[] x, int planes, int h, int w, Windows rows, Windows cols) {
        int oh = rows.start.length, ow = cols.start.length;
        double[] out = new double[planes * oh * ow];
        Parallel.forRange(planes, Math.max(1, COPY_GRAIN / (h * w)), (lo, hi) -> {
            for (int p = lo; p < hi; p++) {
                int xp = p * h * w, op = p * oh * ow;
                for (int i = 0; i < oh; i++) {
                    for (int j = 0; j < ow; j++) {
                        double acc = 0;
                        for (int r = rows.start[i]; r < rows.end[i]; r++) {
                            int base = xp + r * w;
                            for (int q = cols.start[j]; q < cols.end[j]; q++) acc += x[base + q];
                        }
                        out[op + i * ow + j] = acc / (rows.divisor[i] * cols.divisor[j]);
                    }
                }
            }
        });
        return out;
    }

    /** The adjoint of {@link #boxAverage}: each output's gradient spread over its window, divided by its divisor. */
    public static double[] boxAverageTranspose(double[] gOut, int planes, int h, int w, Windows rows, Windows cols) {
        int oh = rows.start.length, ow = cols.start.length;
        double[] dx = new double[planes * h * w];
        Parallel.forRange(planes, Math.max(1, COPY_GRAIN / (h * w)), (lo, hi) -> {
            for (int p = lo; p < hi; p++) {
                int xp = p * h * w, op = p * oh * ow;
                for (int i = 0; i < oh; i++) {
                    for (int j = 0; j < ow; j++) {
                        double v = gOut[op + i * ow + j] / (rows.divisor[i] * cols.divisor[j]);
                        for (int r = rows.start[i]; r < rows.end[i]; r++) {
                            int base = xp + r * w;
                            for (int q = cols.start[j]; q < cols.end[j]; q++) dx[base + q] += v;
                        }
                    }
                }
            }
        });
        return dx;
    }
}

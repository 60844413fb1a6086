package dev.chainrule.autograd.internal;

import dev.chainrule.autograd.internal.ConvKernels.Geometry;
import java.util.Arrays;

/**
 * The float32 twins of {@link ConvKernels}' convolution and max-pooling loops: the same im2col +
 * GEMM scheme over {@code float[]}, with single-precision GEMM ({@code sgemm}) and float column
 * buffers, so a FLOAT32 convolution moves half the bytes and runs the BLAS's float kernel. The code
 * is {@link ConvKernels}' with the element type changed (Java has no generics over primitive
 * arrays); change both together. The bias gradient accumulates in double.
 */
public final class FloatConvKernels {
    private FloatConvKernels() {}

    // ---------------------------------------------------------------- scratch

    private static final class Scratch {
        float[] cols = new float[0];
        float[] rows = new float[0];
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private static float[] cols(Scratch s, int n) {
        if (s.cols.length < n) s.cols = new float[n];
        return s.cols;
    }

    private static float[] rows(Scratch s, int n) {
        if (s.rows.length < n) s.rows = new float[n];
        return s.rows;
    }


    // ---------------------------------------------------------------- im2col / col2im


    // ---------------------------------------------------------------- convolution

    /**
     * {@code out[n, o, l] = Σ_{c, k} w[o, c, k] · x[n, g·cg + c, pos(l, k)] (+ bias[o])}: the forward
     * convolution, {@code x [n, c, h, w]}, {@code w [o, cg, kh, kw]}, bias {@code [o]} or null;
     * returns {@code [n, o, oh, ow]}.
     */
    public static float[] conv(float[] x, float[] w, float[] bias, Geometry g) {
        float[] out = new float[g.n * g.o * g.l];
        Scratch s = SCRATCH.get();
        int block = ConvKernels.block(g);
        float[] cols = cols(s, g.ck * block * g.l);
        float[] rows = block > 1 ? rows(s, g.og * block * g.l) : null;
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
    public static float[] convInput(float[] gOut, float[] w, Geometry g) {
        float[] dx = new float[g.n * g.c * g.hw];
        Scratch s = SCRATCH.get();
        int block = ConvKernels.block(g);
        float[] cols = cols(s, g.ck * block * g.l);
        float[] rows = block > 1 ? rows(s, g.og * block * g.l) : null;
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
    public static float[] convWeight(float[] x, float[] gOut, Geometry g) {
        float[] dw = new float[g.o * g.ck];
        Scratch s = SCRATCH.get();
        int block = ConvKernels.block(g);
        float[] cols = cols(s, g.ck * block * g.l);
        float[] rows = block > 1 ? rows(s, g.og * block * g.l) : null;
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
    public static float[] channelSum(float[] g, int n, int o, int l) {
        float[] out = new float[o];
        Parallel.forRange(o, Math.max(1, ConvKernels.COPY_GRAIN / (n * l)), (lo, hi) -> {
            for (int c = lo; c < hi; c++) {
                double acc = 0;
                for (int s = 0; s < n; s++) {
                    int at = (s * o + c) * l;
                    for (int i = 0; i < l; i++) acc += g[at + i];
                }
                out[c] = (float) acc;
            }
        });
        return out;
    }

    /** im2col of group {@code grp} for samples {@code [n0, n0 + b)} into {@code cols[ck, b·l]}. */
    private static void im2colGroup(float[] x, Geometry g, int grp, int n0, int b, float[] cols) {
        int ld = b * g.l, units = b * g.cg, per = g.kh * g.kw * g.l;
        int rowsPerChannel = g.kh * g.kw;
        Parallel.forRange(units, Math.max(1, ConvKernels.COPY_GRAIN / per), (lo, hi) -> {
            for (int u = lo; u < hi; u++) {
                int s = u / g.cg, c = u % g.cg;
                im2colChannel(x, n0 + s, grp * g.cg + c, g, cols, c * rowsPerChannel * ld, ld, s * g.l);
            }
        });
    }

    /** col2im of group {@code grp} for samples {@code [n0, n0 + b)} from {@code cols[ck, b·l]} (adds into dx). */
    private static void col2imGroup(float[] cols, Geometry g, int grp, int n0, int b, float[] dx) {
        int ld = b * g.l, units = b * g.cg, per = g.kh * g.kw * g.l;
        int rowsPerChannel = g.kh * g.kw;
        Parallel.forRange(units, Math.max(1, ConvKernels.COPY_GRAIN / per), (lo, hi) -> {
            for (int u = lo; u < hi; u++) {
                int s = u / g.cg, c = u % g.cg;
                col2imChannel(cols, c * rowsPerChannel * ld, ld, s * g.l, n0 + s, grp * g.cg + c, g, dx);
            }
        });
    }

    /** im2col of one channel of one sample into the kh·kw rows starting at {@code rowBase}. */
    private static void im2colChannel(float[] x, int sample, int channel, Geometry g, float[] cols, int rowBase, int ld, int col0) {
        int xc = (sample * g.c + channel) * g.hw;
        for (int ki = 0; ki < g.kh; ki++) {
            for (int kj = 0; kj < g.kw; kj++) {
                int row = rowBase + (ki * g.kw + kj) * ld + col0;
                int off = kj * g.dw - g.pw;
                int lo = ConvKernels.firstValid(off, g.sw, g.ow), hi = ConvKernels.lastValid(off, g.sw, g.w, g.ow, lo);
                for (int i = 0; i < g.oh; i++) {
                    int ih = i * g.sh - g.ph + ki * g.dh;
                    int dst = row + i * g.ow;
                    if (ih < 0 || ih >= g.h) {
                        Arrays.fill(cols, dst, dst + g.ow, 0f);
                        continue;
                    }
                    int src = xc + ih * g.w + off;
                    for (int j = 0; j < lo; j++) cols[dst + j] = 0f;
                    if (g.sw == 1) {
                        System.arraycopy(x, src + lo, cols, dst + lo, hi - lo);
                    } else {
                        for (int j = lo; j < hi; j++) cols[dst + j] = x[src + j * g.sw];
                    }
                    for (int j = hi; j < g.ow; j++) cols[dst + j] = 0f;
                }
            }
        }
    }

    /** The adjoint of {@link #im2colChannel}. */
    private static void col2imChannel(float[] cols, int rowBase, int ld, int col0, int sample, int channel, Geometry g, float[] dx) {
        int xc = (sample * g.c + channel) * g.hw;
        for (int ki = 0; ki < g.kh; ki++) {
            for (int kj = 0; kj < g.kw; kj++) {
                int row = rowBase + (ki * g.kw + kj) * ld + col0;
                int off = kj * g.dw - g.pw;
                int lo = ConvKernels.firstValid(off, g.sw, g.ow), hi = ConvKernels.lastValid(off, g.sw, g.w, g.ow, lo);
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
    private static void unpackRows(float[] rows, Geometry g, int grp, int n0, int b, float[] bias, float[] out) {
        int ld = b * g.l;
        Parallel.forRange(b * g.og, Math.max(1, ConvKernels.COPY_GRAIN / g.l), (lo, hi) -> {
            for (int u = lo; u < hi; u++) {
                int s = u / g.og, o = u % g.og;
                int src = o * ld + s * g.l, dst = ((n0 + s) * g.o + grp * g.og + o) * g.l;
                if (bias == null) {
                    System.arraycopy(rows, src, out, dst, g.l);
                } else {
                    float v = bias[grp * g.og + o];
                    for (int i = 0; i < g.l; i++) out[dst + i] = rows[src + i] + v;
                }
            }
        });
    }

    /** Copies {@code gOut[n0 + s, grp·og + o, l]} into {@code rows[o, b·l]} (a GEMM operand). */
    private static void packRows(float[] gOut, Geometry g, int grp, int n0, int b, float[] rows) {
        int ld = b * g.l;
        Parallel.forRange(b * g.og, Math.max(1, ConvKernels.COPY_GRAIN / g.l), (lo, hi) -> {
            for (int u = lo; u < hi; u++) {
                int s = u / g.og, o = u % g.og;
                System.arraycopy(gOut, ((n0 + s) * g.o + grp * g.og + o) * g.l, rows, o * ld + s * g.l, g.l);
            }
        });
    }

    /**
     * Max pooling of each plane ({@code n·c} planes of {@code h × w}): the largest element of each
     * window (padding never wins; NaN propagates), and in {@code argmax} its index within the plane.
     * Ties go to the first maximum in row-major window order, as PyTorch. A window that covers
     * padding only (possible with dilation) gives −∞ and index −1, which gets no gradient.
     */
    public static float[] maxPool(float[] x, Geometry g, int[] argmax) {
        float[] out = new float[g.n * g.c * g.l];
        boolean inside = g.ph == 0 && g.pw == 0;       // without padding every window lies inside the input
        int[] offsets = new int[g.kh * g.kw];
        for (int ki = 0; ki < g.kh; ki++) {
            for (int kj = 0; kj < g.kw; kj++) offsets[ki * g.kw + kj] = ki * g.dh * g.w + kj * g.dw;
        }
        Parallel.forRange(g.n * g.c, Math.max(1, ConvKernels.COPY_GRAIN / Math.max(1, g.l * g.kh * g.kw)), (lo, hi) -> {
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
    private static void maxPoolInside(float[] x, int xp, Geometry g, int[] offsets, float[] out, int[] argmax, int op) {
        int k = offsets.length;
        for (int i = 0; i < g.oh; i++) {
            int row = xp + i * g.sh * g.w, o = op + i * g.ow;
            for (int j = 0; j < g.ow; j++) {
                int base = row + j * g.sw;
                float m;
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
    private static void maxPoolPadded(float[] x, int xp, Geometry g, float[] out, int[] argmax, int op) {
        for (int i = 0; i < g.oh; i++) {
            int h0 = i * g.sh - g.ph;
            for (int j = 0; j < g.ow; j++) {
                int w0 = j * g.sw - g.pw;
                float best = Float.NEGATIVE_INFINITY;
                int at = -1;                                  // stays −1 for a window of padding only
                for (int ki = 0; ki < g.kh; ki++) {
                    int ih = h0 + ki * g.dh;
                    if (ih < 0 || ih >= g.h) continue;
                    for (int kj = 0; kj < g.kw; kj++) {
                        int iw = w0 + kj * g.dw;
                        if (iw < 0 || iw >= g.w) continue;
                        float v = x[xp + ih * g.w + iw];
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
    public static float[] scatterPlanes(float[] gOut, int[] index, int planes, int outPlane, int inPlane) {
        float[] dx = new float[planes * inPlane];
        Parallel.forRange(planes, Math.max(1, ConvKernels.COPY_GRAIN / outPlane), (lo, hi) -> {
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
}

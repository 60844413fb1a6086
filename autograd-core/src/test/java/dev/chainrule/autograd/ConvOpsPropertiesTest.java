package dev.chainrule.autograd;

import static dev.chainrule.autograd.TestGens.Case;
import static dev.chainrule.autograd.TestGens.assertGradient;
import static dev.chainrule.autograd.TestGens.assertSecondOrder;
import static dev.chainrule.autograd.TestGens.assertTensor;
import static dev.chainrule.autograd.TestGens.assertValues;
import static dev.chainrule.autograd.TestGens.between;
import static dev.chainrule.autograd.TestGens.bool;
import static dev.chainrule.autograd.TestGens.cases;
import static dev.chainrule.autograd.TestGens.distinct;
import static dev.chainrule.autograd.TestGens.theory;
import static dev.chainrule.autograd.TestGens.uniform;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.RandomnessSource;

/**
 * Gradient properties of the convolution and pooling primitives on generated geometries (1-D and
 * 2-D, strides, padding, dilation, groups, with and without bias): the forward values against a
 * naive loop over the definition, reverse-mode gradients against central differences, and second
 * derivatives (the conv/convTranspose/convWeight family differentiating itself).
 */
class ConvOpsPropertiesTest {

    private static final int N = 30;

    // ================================================================ generated geometries

    /** One generated convolution: shapes and options. */
    record Conv(int d, int n, int c, int o, int groups, int[] in, int[] k, int[] s, int[] p, int[] dil, boolean bias) {
        int[] out() {
            int[] out = new int[d];
            for (int i = 0; i < d; i++) out[i] = (in[i] + 2 * p[i] - dil[i] * (k[i] - 1) - 1) / s[i] + 1;
            return out;
        }

        int[] xShape() {
            return concat(new int[] {n, c}, in);
        }

        int[] wShape() {
            return concat(new int[] {o, c / groups}, k);
        }

        @Override
        public String toString() {
            return d + "-D n=" + n + " c=" + c + " o=" + o + " groups=" + groups + " in=" + Arrays.toString(in) + " k=" + Arrays.toString(k)
                + " stride=" + Arrays.toString(s) + " pad=" + Arrays.toString(p) + " dil=" + Arrays.toString(dil) + " bias=" + bias;
        }
    }

    static int[] concat(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** A small convolution: at most a few dozen input and weight elements, so that GradCheck stays fast. */
    static Conv conv(RandomnessSource rs) {
        int d = between(rs, 1, 2);
        int groups = between(rs, 1, 2);
        int c = groups * between(rs, 1, 2), o = groups * between(rs, 1, 2);
        int[] in = new int[d], k = new int[d], s = new int[d], p = new int[d], dil = new int[d];
        for (int i = 0; i < d; i++) {
            k[i] = between(rs, 1, 3);
            dil[i] = k[i] == 1 ? 1 : between(rs, 1, 2);
            s[i] = between(rs, 1, 2);
            p[i] = between(rs, 0, 2);
            int span = dil[i] * (k[i] - 1) + 1;
            in[i] = Math.max(1, span - 2 * p[i]) + between(rs, 0, d == 1 ? 4 : 2);
        }
        return new Conv(d, between(rs, 1, 2), c, o, groups, in, k, s, p, dil, bool(rs));
    }

    static Tensor values(RandomnessSource rs, int[] shape) {
        return Tensor.of(uniform(rs, Shape.size(shape), -1, 1), shape);
    }

    static Tensor conv(Conv g, Tensor x, Tensor w, Tensor b) {
        return x.conv(w, b, g.s, g.p, g.dil, g.groups);
    }

    /** The definition, as loops: out[n, o, q] = b[o] + Σ_{c ∈ group(o), k} w[o, c, k] x[n, c, q·s − p + k·dil]. */
    static double[] naiveConv(Conv g, double[] x, double[] w, double[] b) {
        int h = g.d == 2 ? g.in[0] : 1, wd = g.in[g.d - 1];
        int kh = g.d == 2 ? g.k[0] : 1, kw = g.k[g.d - 1];
        int[] out = g.out();
        int oh = g.d == 2 ? out[0] : 1, ow = out[g.d - 1];
        int sh = g.d == 2 ? g.s[0] : 1, sw = g.s[g.d - 1], ph = g.d == 2 ? g.p[0] : 0, pw = g.p[g.d - 1];
        int dh = g.d == 2 ? g.dil[0] : 1, dw = g.dil[g.d - 1];
        int cg = g.c / g.groups, og = g.o / g.groups;
        double[] y = new double[g.n * g.o * oh * ow];
        for (int n = 0; n < g.n; n++) {
            for (int o = 0; o < g.o; o++) {
                int grp = o / og;
                for (int i = 0; i < oh; i++) {
                    for (int j = 0; j < ow; j++) {
                        double acc = b == null ? 0 : b[o];
                        for (int c = 0; c < cg; c++) {
                            for (int a = 0; a < kh; a++) {
                                for (int e = 0; e < kw; e++) {
                                    int ih = i * sh - ph + a * dh, iw = j * sw - pw + e * dw;
                                    if (ih < 0 || ih >= h || iw < 0 || iw >= wd) continue;
                                    acc += w[((o * cg + c) * kh + a) * kw + e] * x[((n * g.c + grp * cg + c) * h + ih) * wd + iw];
                                }
                            }
                        }
                        y[((n * g.o + o) * oh + i) * ow + j] = acc;
                    }
                }
            }
        }
        return y;
    }

    // ================================================================ convolution

    @Test
    void convMatchesTheDefinitionAndItsGradientsMatchFiniteDifferences() {
        theory(N).forAll(cases(rs -> {
            Conv g = conv(rs);
            Tensor x = values(rs, g.xShape()), w = values(rs, g.wShape());
            Function<Tensor[], Tensor> f = g.bias ? t -> conv(g, t[0], t[1], t[2]) : t -> conv(g, t[0], t[1], null);
            return g.bias ? reg(g, new Case("conv " + g, f, x, w, values(rs, new int[] {g.o}))) : reg(g, new Case("conv " + g, f, x, w));
        })).checkAssert(c -> {
            Tensor[] in = c.inputs();
            Conv g = parse(c);
            Tensor b = in.length > 2 ? in[2] : null;
            assertTensor(naiveConv(g, in[0].toArray(), in[1].toArray(), b == null ? null : b.toArray()),
                concat(new int[] {g.n, g.o}, g.out()), c.f().apply(in), 1e-12);
            assertGradient(c);
        });
    }

    @Test
    void convSecondOrder() {
        theory(N / 2).forAll(cases(rs -> {
            Conv g = conv(rs);
            Tensor x = values(rs, g.xShape()), w = values(rs, g.wShape());
            // squared so that every second derivative (x–x, w–w, x–w) is non-zero
            return new Case("conv² " + g, t -> conv(g, t[0], t[1], null).square(), x, w);
        })).checkAssert(TestGens::assertSecondOrder);
    }

    @Test
    void convTransposeIsTheInputGradientOfConv() {
        theory(N).forAll(cases(rs -> {
            Conv g = conv(rs);
            Tensor x = values(rs, g.xShape()), w = values(rs, g.wShape());
            Tensor gy = values(rs, concat(new int[] {g.n, g.o}, g.out()));
            return reg(g, new Case("convTranspose " + g,
                t -> t[0].convTranspose(t[1], null, g.s, g.p, outputPadding(g), g.dil, g.groups), gy, w, x));
        })).checkAssert(c -> {
            Tensor gy = c.inputs()[0], w = c.inputs()[1], x = c.inputs()[2].detach().requiresGrad();
            Conv g = parse(c);
            conv(g, x, w, null).backward(gy);
            Tensor t = c.f().apply(c.inputs());
            assertTensor(x.grad().toArray(), g.xShape(), t, 1e-12);
            assertGradient(new Case(c.label(), c.f(), gy, w));
        });
    }

    /** The output padding that makes convTranspose reproduce the conv's input size exactly. */
    static int[] outputPadding(Conv g) {
        int[] out = g.out(), op = new int[g.d];
        for (int i = 0; i < g.d; i++) op[i] = g.in[i] - ((out[i] - 1) * g.s[i] - 2 * g.p[i] + g.dil[i] * (g.k[i] - 1) + 1);
        return op;
    }

    @Test
    void convTransposeSecondOrder() {
        theory(N / 2).forAll(cases(rs -> {
            Conv g;
            do {
                g = conv(rs);
            } while (Arrays.stream(outputPadding(g)).anyMatch(v -> v > 0) || g.bias);  // outputPadding 0 keeps every position reached
            Conv h = g;
            Tensor gy = values(rs, concat(new int[] {g.n, g.o}, g.out())), w = values(rs, g.wShape());
            return new Case("convTranspose² " + g, t -> t[0].convTranspose(t[1], null, h.s, h.p, new int[] {0}, h.dil, h.groups).square(),
                gy, w);
        })).checkAssert(TestGens::assertSecondOrder);
    }

    private static final java.util.Map<String, Conv> GEOMETRIES = new java.util.concurrent.ConcurrentHashMap<>();

    /** The geometry a case was built from (cases carry it in their label). */
    private static Conv parse(Case c) {
        return GEOMETRIES.computeIfAbsent(c.label(), l -> {
            throw new AssertionError("no geometry for " + l);
        });
    }

    /** Remembers the geometry of a case under its label (which spells the geometry out in full). */
    private static Case reg(Conv g, Case c) {
        GEOMETRIES.put(c.label(), g);
        return c;
    }

    // ================================================================ unfold / fold

    @Test
    void unfoldAndFoldAreAdjointAndMatchTheirGradients() {
        theory(N).forAll(cases(rs -> {
            Conv g = conv(rs);
            Tensor x = values(rs, g.xShape());
            return reg(g, new Case("unfold " + g, t -> t[0].unfold(g.k, g.dil, g.p, g.s), x));
        })).checkAssert(c -> {
            Conv g = parse(c);
            Tensor x = c.inputs()[0];
            Tensor u = c.f().apply(c.inputs());
            int blocks = Arrays.stream(g.out()).reduce(1, (a, b) -> a * b), kk = Arrays.stream(g.k).reduce(1, (a, b) -> a * b);
            assertEquals(Arrays.toString(new int[] {g.n, g.c * kk, blocks}), Arrays.toString(u.shape()));
            // unfold then a 1×1 matmul with the flattened weight is the convolution (groups = 1)
            if (g.groups == 1) {
                Tensor w = Tensor.rand(new java.util.SplittableRandom(1), concat(new int[] {g.o, g.c}, g.k));
                Tensor viaUnfold = w.reshape(g.o, g.c * kk).matmul(u);
                Conv g1 = new Conv(g.d, g.n, g.c, g.o, 1, g.in, g.k, g.s, g.p, g.dil, false);
                assertValues(naiveConv(g1, x.toArray(), w.toArray(), null), viaUnfold, 1e-12);
            }
            // <unfold(x), y> = <x, fold(y)>
            Tensor y = Tensor.rand(new java.util.SplittableRandom(2), u.shape());
            Tensor folded = y.fold(g.in, g.k, g.dil, g.p, g.s);
            assertEquals(u.mul(y).sum().item(), x.mul(folded).sum().item(), 1e-12);
            assertGradient(c);
            assertGradient(new Case("fold " + g, t -> t[0].fold(g.in, g.k, g.dil, g.p, g.s), y));
            assertSecondOrder(new Case("unfold² " + g, t -> t[0].unfold(g.k, g.dil, g.p, g.s).square(), x));
        });
    }

    // ================================================================ pooling

    record Pool(int d, int n, int c, int[] in, int[] k, int[] s, int[] p, int[] dil) {
        @Override
        public String toString() {
            return d + "-D n=" + n + " c=" + c + " in=" + Arrays.toString(in) + " k=" + Arrays.toString(k) + " stride=" + Arrays.toString(s)
                + " pad=" + Arrays.toString(p) + " dil=" + Arrays.toString(dil);
        }

        int[] xShape() {
            return concat(new int[] {n, c}, in);
        }
    }

    static Pool pool(RandomnessSource rs, boolean dilation) {
        int d = between(rs, 1, 2);
        int[] in = new int[d], k = new int[d], s = new int[d], p = new int[d], dil = new int[d];
        for (int i = 0; i < d; i++) {
            k[i] = between(rs, 1, 3);
            s[i] = between(rs, 1, 3);
            p[i] = between(rs, 0, k[i] / 2);
            dil[i] = dilation && k[i] > 1 ? between(rs, 1, 2) : 1;
            int span = dil[i] * (k[i] - 1) + 1;
            in[i] = Math.max(1, span - 2 * p[i]) + between(rs, 0, d == 1 ? 5 : 3);
        }
        return new Pool(d, between(rs, 1, 2), between(rs, 1, 2), in, k, s, p, dil);
    }

    private static final java.util.Map<String, Pool> POOLS = new java.util.concurrent.ConcurrentHashMap<>();

    @Test
    void maxPoolTakesTheWindowMaximumAndRoutesItsGradient() {
        theory(N).forAll(cases(rs -> {
            Pool g;
            do {
                g = pool(rs, true);
            } while (Arrays.stream(naivePool(g, new double[Shape.size(g.xShape())], true, true)).anyMatch(v -> v < 0));
            Pool h = g;
            int[] shape = g.xShape();
            Tensor x = Tensor.of(distinct(rs, Shape.size(shape)), shape);   // distinct: no ties for finite differences to cross
            Case c = new Case("maxPool " + g, t -> t[0].maxPool(h.k, h.s, h.p, h.dil), x);   // no window of padding only
            POOLS.put(c.label(), g);
            return c;
        })).checkAssert(c -> {
            Pool g = POOLS.get(c.label());
            assertValues(naivePool(g, c.inputs()[0].toArray(), true, true), c.f().apply(c.inputs()), 0);
            assertGradient(c);
            assertSecondOrder(new Case(c.label() + " squared", t -> c.f().apply(t).square(), c.inputs()));
        });
    }

    @Test
    void avgPoolAveragesEachWindowAndSpreadsItsGradient() {
        theory(N).forAll(cases(rs -> {
            Pool g = pool(rs, false);
            boolean include = bool(rs);
            Tensor x = values(rs, g.xShape());
            Case c = new Case("avgPool include=" + include + " " + g, t -> t[0].avgPool(g.k, g.s, g.p, include), x);
            POOLS.put(c.label(), g);
            return c;
        })).checkAssert(c -> {
            Pool g = POOLS.get(c.label());
            boolean include = c.label().startsWith("avgPool include=true");
            assertValues(naivePool(g, c.inputs()[0].toArray(), false, include), c.f().apply(c.inputs()), 1e-12);
            assertGradient(c);
            assertSecondOrder(new Case(c.label() + " squared", t -> c.f().apply(t).square(), c.inputs()));
        });
    }

    /** Max or average over each window, straight from the definition (padding excluded from the max, counted or not in the mean). */
    static double[] naivePool(Pool g, double[] x, boolean max, boolean countIncludePad) {
        int h = g.d == 2 ? g.in[0] : 1, w = g.in[g.d - 1];
        int[] out = new int[g.d];
        for (int i = 0; i < g.d; i++) out[i] = (g.in[i] + 2 * g.p[i] - g.dil[i] * (g.k[i] - 1) - 1) / g.s[i] + 1;
        int oh = g.d == 2 ? out[0] : 1, ow = out[g.d - 1];
        int kh = g.d == 2 ? g.k[0] : 1, kw = g.k[g.d - 1], sh = g.d == 2 ? g.s[0] : 1, sw = g.s[g.d - 1];
        int ph = g.d == 2 ? g.p[0] : 0, pw = g.p[g.d - 1], dh = g.d == 2 ? g.dil[0] : 1, dw = g.dil[g.d - 1];
        double[] y = new double[g.n * g.c * oh * ow];
        for (int pl = 0; pl < g.n * g.c; pl++) {
            for (int i = 0; i < oh; i++) {
                for (int j = 0; j < ow; j++) {
                    double best = Double.NEGATIVE_INFINITY, sum = 0;
                    int count = 0;
                    for (int a = 0; a < kh; a++) {
                        for (int e = 0; e < kw; e++) {
                            int ih = i * sh - ph + a * dh, iw = j * sw - pw + e * dw;
                            if (ih < 0 || ih >= h || iw < 0 || iw >= w) continue;
                            double v = x[(pl * h + ih) * w + iw];
                            best = Math.max(best, v);
                            sum += v;
                            count++;
                        }
                    }
                    y[(pl * oh + i) * ow + j] = max ? best : sum / (countIncludePad ? kh * kw : count);
                }
            }
        }
        return y;
    }

    @Test
    void adaptiveAvgPoolCoversTheInputWithOverlappingWindows() {
        theory(N).forAll(cases(rs -> {
            int d = between(rs, 1, 2);
            int[] in = new int[d], out = new int[d];
            for (int i = 0; i < d; i++) {
                in[i] = between(rs, 1, 6);
                out[i] = between(rs, 1, 6);
            }
            int[] shape = concat(new int[] {between(rs, 1, 2), between(rs, 1, 2)}, in);
            return new Case("adaptiveAvgPool in=" + Arrays.toString(in) + " out=" + Arrays.toString(out),
                t -> t[0].adaptiveAvgPool(out), values(rs, shape));
        })).checkAssert(c -> {
            Tensor x = c.inputs()[0];
            int d = x.rank() - 2;
            Tensor y = c.f().apply(c.inputs());
            // an output of 1 per axis is the mean over all spatial positions
            Tensor whole = x.adaptiveAvgPool(d == 1 ? new int[] {1} : new int[] {1, 1});
            Tensor mean = x.reshape(x.shape()[0], x.shape()[1], -1).mean(2, true);
            assertValues(mean.toArray(), whole, 1e-12);
            assertEquals(Shape.size(x.shape()) / Shape.size(Arrays.copyOfRange(x.shape(), 2, x.rank())) * Shape.size(
                Arrays.copyOfRange(y.shape(), 2, y.rank())), y.size());
            assertGradient(c);
            assertSecondOrder(new Case(c.label() + " squared", t -> c.f().apply(t).square(), c.inputs()));
        });
    }
}

package dev.chainrule.autograd;

import static dev.chainrule.autograd.MathGens.assertSameFunction;
import static dev.chainrule.autograd.MathGens.shape4;
import static dev.chainrule.autograd.TestGens.Case;
import static dev.chainrule.autograd.TestGens.assertGradient;
import static dev.chainrule.autograd.TestGens.assertTensor;
import static dev.chainrule.autograd.TestGens.assertValues;
import static dev.chainrule.autograd.TestGens.awayFromZero;
import static dev.chainrule.autograd.TestGens.between;
import static dev.chainrule.autograd.TestGens.bool;
import static dev.chainrule.autograd.TestGens.broadcastIndex;
import static dev.chainrule.autograd.TestGens.cases;
import static dev.chainrule.autograd.TestGens.distinct;
import static dev.chainrule.autograd.TestGens.size;
import static dev.chainrule.autograd.TestGens.tensor;
import static dev.chainrule.autograd.TestGens.theory;
import static dev.chainrule.autograd.TestGens.uniform;
import static dev.chainrule.autograd.TestGens.unflatten;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.function.DoubleBinaryOperator;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.quicktheories.core.RandomnessSource;

/**
 * The reductions of issue 8 — several axes at once, prod, var/std, norms, cumsum, argMin, sort and
 * topk — on generated shapes up to rank 4: forward values against naive loops, gradients against
 * finite differences, second derivatives, identities between them, and NaN handling.
 */
class ReductionOpsPropertiesTest {

    private static final int N = 30;

    // ================================================================ naive references

    /** Which axes a (possibly negative, unordered) axis list reduces. */
    private static boolean[] reduced(int[] axes, int rank) {
        boolean[] red = new boolean[rank];
        for (int a : axes) red[a < 0 ? a + rank : a] = true;
        return red;
    }

    private static int[] keepShape(int[] s, boolean[] red) {
        int[] k = s.clone();
        for (int i = 0; i < s.length; i++) if (red[i]) k[i] = 1;
        return k;
    }

    private static int[] dropShape(int[] s, boolean[] red) {
        return Arrays.stream(range(s.length)).filter(i -> !red[i]).map(i -> s[i]).toArray();
    }

    private static int[] range(int n) {
        int[] r = new int[n];
        for (int i = 0; i < n; i++) r[i] = i;
        return r;
    }

    /** Naive reduction of {@code x} over the axes in {@code red}, in the keepDims shape. */
    private static double[] reduce(Tensor x, boolean[] red, DoubleBinaryOperator op, double init) {
        int[] s = x.shape(), ks = keepShape(s, red);
        double[] d = x.toArray(), out = new double[size(ks)];
        Arrays.fill(out, init);
        for (int i = 0; i < d.length; i++) {
            int o = broadcastIndex(unflatten(i, s), ks);
            out[o] = op.applyAsDouble(out[o], d[i]);
        }
        return out;
    }

    /** A random non-empty set of axes of a rank-r shape, in random order, some written negative. */
    private static int[] axes(RandomnessSource rs, int rank) {
        List<Integer> picked = new ArrayList<>();
        for (int i = 0; i < rank; i++) if (bool(rs)) picked.add(i);
        if (picked.isEmpty()) picked.add(between(rs, 0, rank - 1));
        for (int i = picked.size() - 1; i > 0; i--) {
            int j = between(rs, 0, i);
            Integer t = picked.get(i);
            picked.set(i, picked.get(j));
            picked.set(j, t);
        }
        return picked.stream().mapToInt(a -> bool(rs) ? a - rank : a).toArray();
    }

    private static int[] parseAxes(String label) {
        String inside = label.substring(label.indexOf('[') + 1, label.indexOf(']'));
        return Arrays.stream(inside.split(", ")).mapToInt(Integer::parseInt).toArray();
    }

    // ================================================================ several axes at once

    private interface AxesOp {
        Tensor apply(Tensor x, int[] axes, boolean keepDims);
    }

    private static void multiAxisProperty(String op, AxesOp f, DoubleBinaryOperator ref, double init, boolean mean, boolean distinctValues) {
        theory(N).forAll(cases(rs -> {
            int[] s = shape4(rs, 1);
            int[] ax = axes(rs, s.length);
            boolean keep = bool(rs);
            double[] v = distinctValues ? distinct(rs, size(s)) : uniform(rs, size(s), -2, 2);
            return new Case(op + " axes " + Arrays.toString(ax) + " keepDims " + keep + " " + Shape.toString(s),
                x -> f.apply(x[0], ax, keep), tensor(v, s));
        })).checkAssert(c -> {
            Tensor x = c.inputs()[0];
            int[] ax = parseAxes(c.label());
            boolean keep = c.label().contains("keepDims true");
            boolean[] red = reduced(ax, x.rank());
            double[] e = reduce(x, red, ref, init);
            if (mean) {
                int count = x.size() / e.length;
                for (int i = 0; i < e.length; i++) e[i] /= count;
            }
            assertTensor(e, keep ? keepShape(x.shape(), red) : dropShape(x.shape(), red), f.apply(x, ax, keep), 1e-12);
            assertGradient(c);
        });
    }

    @Test
    void sumOverSeveralAxes() {
        multiAxisProperty("sum", Tensor::sum, Double::sum, 0, false, false);
    }

    @Test
    void meanOverSeveralAxes() {
        multiAxisProperty("mean", Tensor::mean, Double::sum, 0, true, false);
    }

    @Test
    void maxOverSeveralAxes() {
        multiAxisProperty("max", Tensor::max, Math::max, Double.NEGATIVE_INFINITY, false, true);
    }

    @Test
    void minOverSeveralAxes() {
        multiAxisProperty("min", Tensor::min, Math::min, Double.POSITIVE_INFINITY, false, true);
    }

    @Test
    void maxOverSeveralAxesSplitsTiesOverTheWholeSlice() {
        // amax semantics: the three 3s of the first [2, 3] slice share its gradient equally, 1/3 each
        Tensor x = Tensor.of(new double[] {1, 3, 3, 0, 3, -1, 2, 2, 0, 1, 0, 2}, 2, 2, 3).requiresGrad();
        x.max(new int[] {1, 2}, false).mul(Tensor.of(3, 6)).sum().backward();
        assertArrayEquals(new double[] {0, 1, 1, 0, 1, 0, 2, 2, 0, 0, 0, 2}, x.grad().toArray(), 1e-15);
        Tensor y = Tensor.of(new double[] {5, 5, 5, 5}, 2, 2).requiresGrad();
        y.min(new int[] {0, 1}, true).sum().backward();
        assertArrayEquals(new double[] {0.25, 0.25, 0.25, 0.25}, y.grad().toArray());
    }

    @Test
    void multiAxisSecondOrder() {
        theory(15).forAll(cases(rs -> {
            int[] s = shape4(rs, 1);
            if (size(s) > 24) s = new int[] {2, 3, 2};
            int[] ax = axes(rs, s.length);
            boolean keep = bool(rs);
            int which = between(rs, 0, 2);
            String[] names = {"sum", "mean", "max"};
            Function<Tensor[], Tensor> f = switch (which) {
                case 0 -> x -> x[0].sum(ax, keep).square();
                case 1 -> x -> x[0].mean(ax, keep).square();
                default -> x -> x[0].max(ax, keep).square();
            };
            return new Case(names[which] + " " + Arrays.toString(ax) + " " + Shape.toString(s), f, tensor(distinct(rs, size(s)), s));
        })).checkAssert(TestGens::assertSecondOrder);
    }

    // ================================================================ prod

    /** Values in [-2, 2], about a quarter of them exactly 0 (none when {@code zeros} is false). */
    private static double[] withZeros(RandomnessSource rs, int n, boolean zeros) {
        double[] d = uniform(rs, n, 0.3, 1.6);
        for (int i = 0; i < n; i++) {
            if (bool(rs)) d[i] = -d[i];
            if (zeros && between(rs, 0, 3) == 0) d[i] = 0;
        }
        return d;
    }

    private static Case prodCase(RandomnessSource rs, int maxSize) {
        int[] s = shape4(rs, 0);
        if (size(s) > maxSize) s = new int[] {between(rs, 1, 3), between(rs, 1, 4)};
        boolean zeros = bool(rs);
        Tensor x = tensor(withZeros(rs, size(s), zeros), s);
        if (s.length == 0 || between(rs, 0, 3) == 0) return new Case("prod() " + Shape.toString(s), t -> t[0].prod(), x);
        int axis = between(rs, -s.length, s.length - 1);
        boolean keep = bool(rs);
        return new Case("prod(axis " + axis + ", keepDims " + keep + ") " + Shape.toString(s), t -> t[0].prod(axis, keep), x);
    }

    @Test
    void prodWithAndWithoutZeros() {
        theory(40).forAll(cases(rs -> prodCase(rs, 81))).checkAssert(c -> {
            Tensor x = c.inputs()[0];
            Tensor y = c.f().apply(new Tensor[] {x});
            if (c.label().startsWith("prod()")) {
                assertEquals(0, y.rank());
                assertValues(reduce(x, reduced(range(x.rank()), x.rank()), (a, b) -> a * b, 1), y, 1e-13);
            } else {
                int axis = Integer.parseInt(c.label().substring(c.label().indexOf("axis ") + 5, c.label().indexOf(',')));
                boolean[] red = reduced(new int[] {axis}, x.rank());
                boolean keep = c.label().contains("keepDims true");
                assertTensor(reduce(x, red, (a, b) -> a * b, 1), keep ? keepShape(x.shape(), red) : dropShape(x.shape(), red), y, 1e-13);
            }
            assertGradient(c);
        });
    }

    /** Exact to second order also with zeros (a polynomial, so finite differences are valid at 0). */
    @Test
    void prodSecondOrderWithAndWithoutZeros() {
        theory(20).forAll(cases(rs -> prodCase(rs, 12))).checkAssert(TestGens::assertSecondOrder);
    }

    @Test
    void prodGradientWithZerosByHand() {
        Tensor x = Tensor.of(2, 0, 3, 4).requiresGrad();
        x.prod().backward();
        assertArrayEquals(new double[] {0, 24, 0, 0}, x.grad().toArray());      // one zero: the product of the others there
        Tensor y = Tensor.of(2, 0, 3, 0).requiresGrad();
        y.prod().backward();
        assertArrayEquals(new double[] {0, 0, 0, 0}, y.grad().toArray());       // two zeros: 0 everywhere
        Tensor z = Tensor.of(new double[][] {{1, 2, 3}, {0, 5, 6}, {0, 0, 7}}).requiresGrad();
        z.prod(1, false).sum().backward();
        assertArrayEquals(new double[] {6, 3, 2, 30, 0, 0, 0, 0, 0}, z.grad().toArray());
        // second order with two zeros: d²(x0 x1 x2 x3)/dx1 dx3 = x0 x2 = 6 (PyTorch returns 0 here)
        Tensor w = Tensor.of(2, 0, 3, 0).requiresGrad();
        Tensor g = Autograd.grad(w.prod(), List.of(w), true).get(0);
        Tensor h = Autograd.grad(g.mul(Tensor.of(0, 1, 0, 0)).sum(), List.of(w), false).get(0);
        assertArrayEquals(new double[] {0, 0, 0, 6}, h.toArray());
    }

    // ================================================================ var and std

    @Test
    void varAndStdWithCorrection() {
        theory(N).forAll(cases(rs -> {
            int[] s = shape4(rs, 1);
            boolean std = bool(rs);
            String op = std ? "std" : "var";
            Tensor x = tensor(distinct(rs, size(s)), s);      // never all equal: std has a kink at 0
            if (size(s) >= 2 && between(rs, 0, 3) == 0) {
                return new Case(op + "() " + Shape.toString(s), t -> std ? t[0].std() : t[0].var(), x);
            }
            int axis = between(rs, -s.length, s.length - 1);
            int n = s[axis < 0 ? axis + s.length : axis];
            if (n == 1) {
                s = s.clone();
                s[axis < 0 ? axis + s.length : axis] = n = 3;
                x = tensor(distinct(rs, size(s)), s);
            }
            double corr = Math.min(between(rs, 0, 2), n - 1);
            boolean keep = bool(rs);
            return new Case(op + "(axis " + axis + ", correction " + corr + ", keepDims " + keep + ") " + Shape.toString(s),
                t -> std ? t[0].std(axis, corr, keep) : t[0].var(axis, corr, keep), x);
        })).checkAssert(c -> {
            Tensor x = c.inputs()[0];
            String l = c.label();
            boolean std = l.startsWith("std");
            Tensor y = c.f().apply(new Tensor[] {x});
            boolean[] red;
            double corr;
            boolean keep;
            if (l.contains("()")) {
                red = reduced(range(x.rank()), x.rank());
                corr = 1;
                keep = false;
                assertEquals(0, y.rank());
            } else {
                int axis = Integer.parseInt(l.substring(l.indexOf("axis ") + 5, l.indexOf(',')));
                red = reduced(new int[] {axis}, x.rank());
                corr = Double.parseDouble(l.substring(l.indexOf("correction ") + 11, l.indexOf(", keepDims")));
                keep = l.contains("keepDims true");
            }
            double[] sum = reduce(x, red, Double::sum, 0);
            int n = x.size() / sum.length;
            int[] ks = keepShape(x.shape(), red);
            double[] ss = new double[sum.length], d = x.toArray();
            for (int i = 0; i < d.length; i++) {
                int o = broadcastIndex(unflatten(i, x.shape()), ks);
                double dev = d[i] - sum[o] / n;
                ss[o] += dev * dev;
            }
            for (int i = 0; i < ss.length; i++) ss[i] = std ? Math.sqrt(ss[i] / (n - corr)) : ss[i] / (n - corr);
            int[] expectedShape = l.contains("()") ? new int[0] : keep ? ks : dropShape(x.shape(), red);
            assertTensor(ss, expectedShape, y, 1e-12);
            assertGradient(c);
        });
    }

    @Test
    void varAndStdSecondOrder() {
        theory(15).forAll(cases(rs -> {
            int[] s = {between(rs, 2, 4), between(rs, 1, 3)};
            double corr = between(rs, 0, 1);
            boolean std = bool(rs);
            return new Case((std ? "std" : "var") + " " + corr + " " + Shape.toString(s),
                x -> std ? x[0].std(0, corr, false) : x[0].var(0, corr, true), tensor(distinct(rs, size(s)), s));
        })).checkAssert(TestGens::assertSecondOrder);
    }

    @Test
    void stdOfAConstantSliceHasGradientZero() {
        Tensor x = Tensor.of(new double[][] {{1, 1, 1}, {1, 2, 3}}).requiresGrad();
        Tensor s = x.std(1, 1, false);
        assertArrayEquals(new double[] {0, 1}, s.toArray(), 1e-15);
        s.sum().backward();
        assertArrayEquals(new double[] {0, 0, 0, -0.5, 0, 0.5}, x.grad().toArray(), 1e-15);
        // and its second derivative is finite too
        Tensor c = Tensor.of(2, 2, 2).requiresGrad();
        Tensor g = Autograd.grad(c.std(), List.of(c), true).get(0);
        assertArrayEquals(new double[] {0, 0, 0}, g.toArray());
        Tensor h = Autograd.grad(g.mul(Tensor.of(1, 2, 3)).sum(), List.of(c), false).get(0);
        assertTrue(Arrays.stream(h.toArray()).allMatch(Double::isFinite), "no 0/0 in the second derivative: " + h);
    }

    // ================================================================ norms

    private static Case normCase(RandomnessSource rs, int maxSize) {
        int[] s = shape4(rs, 1);
        if (size(s) > maxSize) s = new int[] {between(rs, 1, 3), between(rs, 1, 4)};
        double[] ps = {1, 1.5, 2, 3, Double.POSITIVE_INFINITY};
        double p = ps[between(rs, 0, ps.length - 1)];
        double[] v = p == Double.POSITIVE_INFINITY ? MathGens.distinctMagnitudes(rs, size(s)) : awayFromZero(rs, size(s), 2);
        Tensor x = tensor(v, s);
        int kind = between(rs, 0, 2);
        if (kind == 0) return new Case("norm(" + p + ") all " + Shape.toString(s), t -> t[0].norm(p), x);
        boolean keep = bool(rs);
        if (kind == 1) {
            int axis = between(rs, -s.length, s.length - 1);
            return new Case("norm(" + p + ") axes [" + axis + "] keepDims " + keep + " " + Shape.toString(s), t -> t[0].norm(p, axis, keep), x);
        }
        int[] ax = axes(rs, s.length);
        return new Case("norm(" + p + ") axes " + Arrays.toString(ax) + " keepDims " + keep + " " + Shape.toString(s),
            t -> t[0].norm(p, ax, keep), x);
    }

    @Test
    void norms() {
        theory(40).forAll(cases(rs -> normCase(rs, 81))).checkAssert(c -> {
            Tensor x = c.inputs()[0];
            String l = c.label();
            double p = Double.parseDouble(l.substring(5, l.indexOf(')')));
            boolean all = l.contains(" all ");
            boolean[] red = all ? reduced(range(x.rank()), x.rank()) : reduced(parseAxes(l), x.rank());
            boolean keep = l.contains("keepDims true");
            double[] e = p == Double.POSITIVE_INFINITY ? reduce(x, red, (a, b) -> Math.max(a, Math.abs(b)), 0)
                : reduce(x, red, (a, b) -> a + Math.pow(Math.abs(b), p), 0);
            if (p != Double.POSITIVE_INFINITY) for (int i = 0; i < e.length; i++) e[i] = Math.pow(e[i], 1 / p);
            int[] shape = all ? new int[0] : keep ? keepShape(x.shape(), red) : dropShape(x.shape(), red);
            assertTensor(e, shape, c.f().apply(new Tensor[] {x}), 1e-12);
            assertGradient(c);
        });
    }

    @Test
    void normsSecondOrder() {
        theory(20).forAll(cases(rs -> normCase(rs, 12))).checkAssert(TestGens::assertSecondOrder);
    }

    @Test
    void normGradientAtZeroIsZeroAsPyTorch() {
        for (double p : new double[] {1, 1.5, 2, 3, Double.POSITIVE_INFINITY}) {
            Tensor z = Tensor.zeros(2, 3).requiresGrad();
            z.norm(p).backward();
            assertArrayEquals(new double[6], z.grad().toArray(), "p = " + p);
            Tensor r = Tensor.of(new double[][] {{0, 0, 0}, {3, -4, 0}}).requiresGrad();
            r.norm(p, 1, false).sum().backward();
            assertTrue(Arrays.stream(r.grad().toArray()).allMatch(Double::isFinite), "p = " + p);
            assertEquals(0, r.grad().get(0, 1), "p = " + p);
        }
        Tensor t = Tensor.of(new double[][] {{0, 0}, {3, 4}}).requiresGrad();
        t.norm(2, 1, false).sum().backward();
        assertArrayEquals(new double[] {0, 0, 0.6, 0.8}, t.grad().toArray(), 1e-15);
    }

    // ================================================================ cumsum

    @Test
    void cumsum() {
        theory(N).forAll(cases(rs -> {
            int[] s = shape4(rs, 1);
            int axis = between(rs, -s.length, s.length - 1);
            return new Case("cumsum " + axis + " " + Shape.toString(s), x -> x[0].cumsum(axis), tensor(uniform(rs, size(s), -2, 2), s));
        })).checkAssert(c -> {
            Tensor x = c.inputs()[0];
            int axis = Integer.parseInt(c.label().split(" ")[1]);
            int ax = axis < 0 ? axis + x.rank() : axis;
            double[] d = x.toArray(), e = new double[d.length];
            int[] s = x.shape();
            for (int i = 0; i < d.length; i++) {
                int[] idx = unflatten(i, s);
                for (int k = 0; k <= idx[ax]; k++) {
                    int[] j = idx.clone();
                    j[ax] = k;
                    e[i] += x.get(j);
                }
            }
            assertTensor(e, s, x.cumsum(axis), 1e-13);
            assertGradient(c);
            TestGens.assertSecondOrder(new Case(c.label(), t -> t[0].cumsum(axis).square(), x));
        });
    }

    // ================================================================ argMin, sort, topk

    @Test
    void argMinIsTheFirstSmallest() {
        theory(N).forAll(cases(rs -> {
            int[] s = shape4(rs, 1);
            double[] v = new double[size(s)];
            for (int i = 0; i < v.length; i++) v[i] = between(rs, -2, 2);    // many ties
            int axis = between(rs, -s.length, s.length - 1);
            return new Case("argMin " + axis + " " + Shape.toString(s), x -> x[0], tensor(v, s));
        })).checkAssert(c -> {
            Tensor x = c.inputs()[0];
            int axis = Integer.parseInt(c.label().split(" ")[1]);
            int ax = axis < 0 ? axis + x.rank() : axis;
            Tensor a = x.argMin(axis), m = x.argMax(axis);
            boolean[] red = reduced(new int[] {ax}, x.rank());
            int[] ds = dropShape(x.shape(), red);
            assertArrayEquals(ds, a.shape());
            for (int o = 0; o < a.size(); o++) {
                int[] idx = unflatten(o, ds);
                int[] full = new int[x.rank()];
                for (int d = 0, j = 0; d < x.rank(); d++) full[d] = d == ax ? 0 : idx[j++];
                int best = 0, worst = 0;
                for (int k = 1; k < x.shape()[ax]; k++) {
                    full[ax] = k;
                    double v = x.get(full);
                    full[ax] = best;
                    if (v < x.get(full)) best = k;
                    full[ax] = worst;
                    if (v > x.get(full)) worst = k;
                }
                assertEquals(best, a.toArray()[o]);
                assertEquals(worst, m.toArray()[o]);
            }
            assertFalse(x.requiresGrad().argMin(axis).isGradRequired());
        });
    }

    /** Naive stable sort of every slice along {@code ax}: source indices in sorted order. */
    private static int[][] stableOrder(Tensor x, int ax, boolean descending) {
        int[] s = x.shape();
        boolean[] red = reduced(new int[] {ax}, s.length);
        int[] ds = dropShape(s, red);
        int slices = size(ds);
        int[][] order = new int[slices][];
        for (int o = 0; o < slices; o++) {
            int[] idx = unflatten(o, ds);
            int[] full = new int[s.length];
            for (int d = 0, j = 0; d < s.length; d++) full[d] = d == ax ? 0 : idx[j++];
            double[] keys = new double[s[ax]];
            for (int k = 0; k < keys.length; k++) {
                full[ax] = k;
                keys[k] = x.get(full);
            }
            Comparator<Integer> byKey = (p, q) -> Double.compare(keys[p] + 0.0, keys[q] + 0.0);   // + 0.0: −0 equals 0
            Integer[] boxed = Arrays.stream(range(keys.length)).boxed().toArray(Integer[]::new);
            Arrays.sort(boxed, descending ? byKey.reversed() : byKey);                            // a stable sort
            order[o] = Arrays.stream(boxed).mapToInt(Integer::intValue).toArray();
        }
        return order;
    }

    private static void assertSorted(Tensor x, int ax, int k, boolean descending, ValuesAndIndices r) {
        int[] s = x.shape();
        int[] rs = s.clone();
        rs[ax] = k;
        assertArrayEquals(rs, r.values().shape());
        assertArrayEquals(rs, r.indices().shape());
        assertFalse(r.indices().isGradRequired());
        int[][] order = stableOrder(x, ax, descending);
        boolean[] red = reduced(new int[] {ax}, s.length);
        int[] ds = dropShape(s, red);
        for (int o = 0; o < order.length; o++) {
            int[] idx = unflatten(o, ds);
            int[] full = new int[s.length];
            for (int d = 0, j = 0; d < s.length; d++) full[d] = d == ax ? 0 : idx[j++];
            for (int j = 0; j < k; j++) {
                full[ax] = j;
                int src = (int) r.indices().get(full);
                assertEquals(order[o][j], src, "slice " + o + " position " + j);
                double v = r.values().get(full);
                full[ax] = src;
                assertEquals(x.get(full), v);
            }
        }
    }

    @Test
    void sortIsStableInBothDirections() {
        theory(N).forAll(cases(rs -> {
            int[] s = shape4(rs, 1);
            double[] v = new double[size(s)];
            for (int i = 0; i < v.length; i++) v[i] = between(rs, -2, 2) * 0.5;      // many ties
            int axis = between(rs, -s.length, s.length - 1);
            boolean desc = bool(rs);
            return new Case("sort " + axis + " " + desc + " " + Shape.toString(s), x -> x[0], tensor(v, s));
        })).checkAssert(c -> {
            Tensor x = c.inputs()[0];
            String[] p = c.label().split(" ");
            int axis = Integer.parseInt(p[1]);
            boolean desc = Boolean.parseBoolean(p[2]);
            int ax = axis < 0 ? axis + x.rank() : axis;
            assertSorted(x, ax, x.shape()[ax], desc, x.sort(axis, desc));
            int k = Math.max(1, x.shape()[ax] / 2);
            assertSorted(x, ax, k, true, x.topk(k, axis));
        });
    }

    @Test
    void sortAndTopkGradients() {
        theory(N).forAll(cases(rs -> {
            int[] s = shape4(rs, 1);
            int axis = between(rs, -s.length, s.length - 1);
            int n = s[axis < 0 ? axis + s.length : axis];
            Tensor x = tensor(distinct(rs, size(s)), s);
            Tensor w = tensor(uniform(rs, size(s), -1, 1), s);   // weights make the gradient position-dependent
            if (bool(rs)) {
                boolean desc = bool(rs);
                return new Case("sort " + axis + " " + desc + " " + Shape.toString(s), t -> t[0].sort(axis, desc).values().mul(w), x);
            }
            int k = between(rs, 1, n);
            int[] ws = s.clone();
            ws[axis < 0 ? axis + s.length : axis] = k;
            Tensor wk = tensor(uniform(rs, size(ws), -1, 1), ws);
            return new Case("topk " + k + " " + axis + " " + Shape.toString(s), t -> t[0].topk(k, axis).values().mul(wk), x);
        })).checkAssert(c -> {
            assertGradient(c);
            TestGens.assertSecondOrder(new Case(c.label(), t -> c.f().apply(t).square(), c.inputs()));
        });
    }

    @Test
    void sortAndTopkWithNaN() {
        double nan = Double.NaN;
        Tensor x = Tensor.of(3, nan, 1, nan, -0.0, 0.0, 1);
        ValuesAndIndices up = x.sort(0, false), down = x.sort(0, true), top = x.topk(4, 0);
        assertArrayEquals(new double[] {4, 5, 2, 6, 0, 1, 3}, up.indices().toArray());       // as PyTorch's stable sort
        assertArrayEquals(new double[] {1, 3, 0, 2, 6, 4, 5}, down.indices().toArray());
        assertArrayEquals(new double[] {1, 3, 0, 2}, top.indices().toArray());                // PyTorch: [1, 3, 0, 6]; ties unspecified
        assertTrue(Double.isNaN(up.values().get(6)) && Double.isNaN(down.values().get(0)));
        Tensor m = Tensor.of(new double[][] {{1, nan, nan}, {2, 3, 1}});
        assertArrayEquals(new double[] {1, 1}, m.argMax(1).toArray());
        assertArrayEquals(new double[] {1, 2}, m.argMin(1).toArray());
        assertEquals(0, Tensor.of(nan, 2, 1).argMin(0).item());
        assertEquals(2, Tensor.of(0, 2, nan).argMax(0).item());
    }

    @Test
    void maxReductionsPropagateNaNAndSplitTheGradientAmongTheNaNs() {
        double nan = Double.NaN;
        Tensor x = Tensor.of(new double[][] {{1, nan, nan}, {2, 3, 1}}).requiresGrad();
        assertTrue(Double.isNaN(x.max().item()) && Double.isNaN(x.min().item()));
        Tensor rows = x.max(1, false);
        assertTrue(Double.isNaN(rows.get(0)));
        assertEquals(3, rows.get(1));
        rows.sum().backward();
        assertArrayEquals(new double[] {0, 0.5, 0.5, 0, 1, 0}, x.grad().toArray());   // PyTorch's max(): among the NaNs
        x.zeroGrad();
        x.min(new int[] {0, 1}, false).backward();
        assertArrayEquals(new double[] {0, 0.5, 0.5, 0, 0, 0}, x.grad().toArray());
        assertTrue(Double.isNaN(x.norm(Double.POSITIVE_INFINITY).item()) && Double.isNaN(x.norm(2).item()));
    }

    // ================================================================ identities

    @Test
    void identities() {
        theory(25).forAll(cases(rs -> {
            int[] s = shape4(rs, 1);
            return new Case(Shape.toString(s), x -> x[0], tensor(distinct(rs, size(s)), s));
        })).checkAssert(c -> {
            Tensor x = c.inputs()[0];
            int last = x.rank() - 1, n = x.shape()[last];
            int[] all = range(x.rank());
            int k = Math.max(1, n - 1);
            assertSameFunction(t -> t.topk(k, last).values(), t -> firstK(t.sort(last, true).values(), last, k), x, 0);
            assertSameFunction(t -> t.sort(last, false).values(), t -> t.neg().sort(last, true).values().neg(), x, 0);
            assertSameFunction(t -> t.var(last, 0, true), t -> t.sub(t.mean(last, true)).square().mean(last, true), x, 1e-13);
            if (n > 1) assertSameFunction(t -> t.var(last, 1, false), t -> t.var(last, 0, false).mul(n).div(n - 1), x, 1e-13);
            assertSameFunction(t -> t.std(last, 0, false).square(), t -> t.var(last, 0, false), x, 1e-13);
            assertSameFunction(t -> t.norm(2).square(), t -> t.square().sum(), x, 1e-13);
            assertSameFunction(t -> t.norm(2, all, false), t -> t.norm(2), x, 1e-14);
            assertSameFunction(t -> t.norm(Double.POSITIVE_INFINITY), t -> t.abs().max(), x, 0);
            assertSameFunction(t -> t.norm(1, last, true), t -> t.abs().sum(last, true), x, 0);
            assertSameFunction(t -> firstK(t.cumsum(last).sort(last, true).values(), last, 1).sum(), t -> t.cumsum(last).max(last, false).sum(), x, 1e-14);
            assertSameFunction(t -> lastOf(t.cumsum(last), last), t -> t.sum(last, false), x, 1e-14);
            assertSameFunction(t -> t.sum(all, false), Tensor::sum, x, 1e-14);
            assertSameFunction(t -> t.max(all, false), Tensor::max, x, 0);
            assertSameFunction(t -> t.min(all, true), t -> t.min().reshape(keepShape(t.shape(), reduced(all, t.rank()))), x, 0);
            assertSameFunction(t -> t.mean(new int[] {last}, false), t -> t.mean(last, false), x, 1e-15);
            assertSameFunction(t -> t.abs().add(0.5).prod(last, false), t -> t.abs().add(0.5).log().sum(last, false).exp(), x, 1e-12);
            assertSameFunction(t -> t.prod(), t -> t.prod(last, false).prod(), x, 1e-12);
        });
    }

    /** The first k entries along axis {@code ax} (via sort of a 0/1 index pattern: only Tensor ops of this branch). */
    private static Tensor firstK(Tensor t, int ax, int k) {
        int[] s = t.shape();
        int n = s[ax];
        Tensor positions = Tensor.arange(n).reshape(shapeAlong(s.length, ax, n));
        Tensor kept = Tensor.where(positions.lt(k), t, Tensor.scalar(Double.NEGATIVE_INFINITY));
        return kept.topk(k, ax).values();
    }

    private static Tensor lastOf(Tensor t, int ax) {
        int n = t.shape()[ax];
        Tensor positions = Tensor.arange(n).reshape(shapeAlong(t.rank(), ax, n));
        return t.mul(positions.eq(n - 1)).sum(ax, false);
    }

    private static int[] shapeAlong(int rank, int ax, int n) {
        int[] s = new int[rank];
        Arrays.fill(s, 1);
        s[ax] = n;
        return s;
    }
}

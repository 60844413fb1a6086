package dev.chainrule.autograd;

import static dev.chainrule.autograd.LayoutGens.anyForm;
import static dev.chainrule.autograd.LayoutGens.assertThrowsWith;
import static dev.chainrule.autograd.LayoutGens.at;
import static dev.chainrule.autograd.LayoutGens.fill;
import static dev.chainrule.autograd.LayoutGens.permutation;
import static dev.chainrule.autograd.LayoutGens.shape;
import static dev.chainrule.autograd.LayoutGens.str;
import static dev.chainrule.autograd.LayoutGens.tensor;
import static dev.chainrule.autograd.TestGens.Case;
import static dev.chainrule.autograd.TestGens.assertGradient;
import static dev.chainrule.autograd.TestGens.assertTensor;
import static dev.chainrule.autograd.TestGens.between;
import static dev.chainrule.autograd.TestGens.bool;
import static dev.chainrule.autograd.TestGens.cases;
import static dev.chainrule.autograd.TestGens.theory;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.RandomnessSource;

/**
 * Layout ops (permute, transpose, squeeze/unsqueeze/flatten, expand, repeat, flip, slice, select,
 * cat, stack, split/chunk, pad, tril/triu): on generated shapes up to rank 4, the forward values
 * equal a naive multi-index reference and the gradient equals central differences; a
 * representative subset is checked to second order; identities between the ops; every error path.
 */
class LayoutOpsPropertiesTest {

    private static final int N = 40;

    /** Forward equals {@code expected} (exactly: layout ops only move values) and the gradient checks out. */
    private static void check(Case c, double[] expected, int[] shape) {
        assertTensor(expected, shape, c.f().apply(c.inputs()), 0);
        assertGradient(c);
    }

    // ================================================================ axis order

    @Test
    void permute() {
        theory(N).forAll(cases(rs -> {
            int[] s = shape(rs, 0, 4);
            int[] p = permutation(rs, s.length);
            int[] axes = p.clone();
            for (int i = 0; i < axes.length; i++) axes[i] = anyForm(rs, p[i], s.length);
            return new Case("permute " + str(axes) + " of " + str(s), x -> x[0].permute(axes), tensor(rs, s));
        })).checkAssert(c -> {
            Tensor x = c.inputs()[0];
            int[] s = x.shape(), p = parse(c.label());
            int[] os = new int[s.length];
            for (int i = 0; i < s.length; i++) os[i] = s[Math.floorMod(p[i], s.length)];
            check(c, fill(os, idx -> {
                int[] src = new int[s.length];
                for (int i = 0; i < s.length; i++) src[Math.floorMod(p[i], s.length)] = idx[i];
                return at(x, src);
            }), os);
        });
    }

    /** The first bracketed int list in a label. */
    private static int[] parse(String label) {
        String inner = label.substring(label.indexOf('[') + 1, label.indexOf(']'));
        return inner.isBlank() ? new int[0] : Arrays.stream(inner.split(",\\s*")).mapToInt(Integer::parseInt).toArray();
    }

    @Test
    void transposeOfTwoAxes() {
        theory(N).forAll(cases(rs -> {
            int[] s = shape(rs, 1, 4);
            int a = anyForm(rs, between(rs, 0, s.length - 1), s.length), b = anyForm(rs, between(rs, 0, s.length - 1), s.length);
            return new Case("transpose [" + a + ", " + b + "] of " + str(s), x -> x[0].transpose(a, b), tensor(rs, s));
        })).checkAssert(c -> {
            Tensor x = c.inputs()[0];
            int[] s = x.shape(), ab = parse(c.label());
            int a = Math.floorMod(ab[0], s.length), b = Math.floorMod(ab[1], s.length);
            int[] os = s.clone();
            os[a] = s[b];
            os[b] = s[a];
            check(c, fill(os, idx -> {
                int[] src = idx.clone();
                src[a] = idx[b];
                src[b] = idx[a];
                return at(x, src);
            }), os);
        });
    }

    @Test
    void flip() {
        theory(N).forAll(cases(rs -> {
            int[] s = shape(rs, 0, 4);
            List<Integer> axes = new ArrayList<>();
            for (int a : permutation(rs, s.length)) if (bool(rs)) axes.add(anyForm(rs, a, s.length));
            int[] ax = axes.stream().mapToInt(Integer::intValue).toArray();
            return new Case("flip " + str(ax) + " of " + str(s), x -> x[0].flip(ax), tensor(rs, s));
        })).checkAssert(c -> {
            Tensor x = c.inputs()[0];
            int[] s = x.shape(), ax = parse(c.label());
            check(c, fill(s, idx -> {
                int[] src = idx.clone();
                for (int a : ax) src[Math.floorMod(a, s.length)] = s[Math.floorMod(a, s.length)] - 1 - idx[Math.floorMod(a, s.length)];
                return at(x, src);
            }), s);
        });
    }

    // ================================================================ reshapes: squeeze, unsqueeze, flatten

    @Test
    void squeezeUnsqueezeAndFlattenKeepTheValuesInOrder() {
        theory(N).forAll(cases(rs -> {
            int[] s = shape(rs, 0, 4);
            for (int i = 0; i < s.length; i++) if (between(rs, 0, 2) == 0) s[i] = 1;
            int r = s.length;
            int which = between(rs, 0, 4);
            int u = between(rs, -r - 1, r), q = r == 0 ? 0 : between(rs, -r, r - 1);
            int a = r == 0 ? 0 : between(rs, 0, r - 1), b = r == 0 ? 0 : between(rs, a, r - 1);
            return switch (which) {
                case 0 -> new Case("squeeze() " + str(s), x -> x[0].squeeze(), tensor(rs, s));
                case 1 -> new Case("unsqueeze(" + u + ") " + str(s), x -> x[0].unsqueeze(u), tensor(rs, s));
                case 2 -> r == 0 ? new Case("flatten() " + str(s), x -> x[0].flatten(), tensor(rs, s))
                    : new Case("squeeze(" + q + ") " + str(s), x -> x[0].squeeze(q), tensor(rs, s));
                case 3 -> new Case("flatten(" + a + ", " + b + ") " + str(s), x -> x[0].flatten(a, b), tensor(rs, s));
                default -> new Case("flatten() " + str(s), x -> x[0].flatten(), tensor(rs, s));
            };
        })).checkAssert(c -> {
            Tensor x = c.inputs()[0];
            int[] s = x.shape();
            String l = c.label();
            List<Integer> os = new ArrayList<>();
            for (int d : s) os.add(d);
            if (l.startsWith("squeeze()")) {
                os.removeIf(d -> d == 1);
            } else if (l.startsWith("squeeze(")) {
                int q = Math.floorMod(Integer.parseInt(l.substring(8, l.indexOf(')'))), s.length);
                if (s[q] == 1) os.remove(q);
            } else if (l.startsWith("unsqueeze")) {
                int u = Integer.parseInt(l.substring(10, l.indexOf(')')));
                os.add(u < 0 ? u + s.length + 1 : u, 1);
            } else if (l.startsWith("flatten()")) {
                os = List.of(x.size());
            } else {
                int a = Integer.parseInt(l.substring(8, l.indexOf(','))), b = Integer.parseInt(l.substring(l.indexOf(',') + 2, l.indexOf(')')));
                if (s.length == 0) {
                    os = List.of(1);
                } else {
                    int m = 1;
                    for (int d = a; d <= b; d++) m *= s[d];
                    List<Integer> t = new ArrayList<>(os.subList(0, a));
                    t.add(m);
                    t.addAll(os.subList(b + 1, s.length));
                    os = t;
                }
            }
            check(c, x.toArray(), os.stream().mapToInt(Integer::intValue).toArray());
        });
    }

    // ================================================================ broadcasting forms: expand, repeat

    @Test
    void expand() {
        theory(N).forAll(cases(rs -> {
            int[] s = shape(rs, 0, 3);
            for (int i = 0; i < s.length; i++) if (bool(rs)) s[i] = 1;
            int lead = between(rs, 0, 4 - s.length);
            int[] sizes = new int[lead + s.length];
            for (int i = 0; i < sizes.length; i++) {
                int have = i < lead ? 1 : s[i - lead];
                sizes[i] = i >= lead && bool(rs) ? -1 : have == 1 ? between(rs, 1, 3) : have;
            }
            return new Case("expand " + str(sizes) + " of " + str(s), x -> x[0].expand(sizes), tensor(rs, s));
        })).checkAssert(c -> {
            Tensor x = c.inputs()[0];
            int[] s = x.shape(), sizes = parse(c.label());
            int lead = sizes.length - s.length;
            int[] os = new int[sizes.length];
            for (int i = 0; i < os.length; i++) os[i] = sizes[i] == -1 ? s[i - lead] : sizes[i];
            check(c, fill(os, idx -> {
                int[] src = new int[s.length];
                for (int d = 0; d < s.length; d++) src[d] = s[d] == 1 ? 0 : idx[d + lead];
                return at(x, src);
            }), os);
        });
    }

    @Test
    void repeat() {
        theory(N).forAll(cases(rs -> {
            int[] s = shape(rs, 0, 3);
            int lead = between(rs, 0, 1);
            int[] reps = new int[lead + s.length];
            for (int i = 0; i < reps.length; i++) reps[i] = between(rs, 1, 3);
            return new Case("repeat " + str(reps) + " of " + str(s), x -> x[0].repeat(reps), tensor(rs, s));
        })).checkAssert(c -> {
            Tensor x = c.inputs()[0];
            int[] s = x.shape(), reps = parse(c.label());
            int lead = reps.length - s.length;
            int[] os = new int[reps.length];
            for (int i = 0; i < os.length; i++) os[i] = reps[i] * (i < lead ? 1 : s[i - lead]);
            check(c, fill(os, idx -> {
                int[] src = new int[s.length];
                for (int d = 0; d < s.length; d++) src[d] = idx[d + lead] % s[d];
                return at(x, src);
            }), os);
        });
    }

    // ================================================================ slices

    /** Python's range(n)[start:end:step], computed the long way round. */
    private static List<Integer> pythonSlice(int n, int start, int end, int step) {
        List<Integer> out = new ArrayList<>();
        int s = start < 0 ? Math.max(0, start + n) : Math.min(start, n);
        int e = end < 0 ? Math.max(0, end + n) : Math.min(end, n);
        for (int i = s; i < e; i += step) out.add(i);
        return out;
    }

    @Test
    void sliceWithNegativeAndOutOfRangeBounds() {
        theory(N * 2).forAll(cases(rs -> {
            int[] s = shape(rs, 1, 4);
            int ax = between(rs, 0, s.length - 1), n = s[ax];
            int step = between(rs, 1, 3);
            int start, end;
            do {
                start = between(rs, -n - 2, n + 1);
                end = bool(rs) ? Integer.MAX_VALUE : between(rs, -n - 1, n + 2);
            } while (pythonSlice(n, start, end, step).isEmpty());
            int a = anyForm(rs, ax, s.length), st = start, en = end;
            return new Case("slice [" + a + ", " + st + ", " + en + ", " + step + "] of " + str(s), x -> x[0].slice(a, st, en, step),
                tensor(rs, s));
        })).checkAssert(c -> {
            Tensor x = c.inputs()[0];
            int[] s = x.shape(), p = parse(c.label());
            int ax = Math.floorMod(p[0], s.length);
            List<Integer> picked = pythonSlice(s[ax], p[1], p[2], p[3]);
            int[] os = s.clone();
            os[ax] = picked.size();
            check(c, fill(os, idx -> {
                int[] src = idx.clone();
                src[ax] = picked.get(idx[ax]);
                return at(x, src);
            }), os);
        });
    }

    @Test
    void selectDropsTheAxis() {
        theory(N).forAll(cases(rs -> {
            int[] s = shape(rs, 1, 4);
            int ax = between(rs, 0, s.length - 1);
            int i = between(rs, -s[ax], s[ax] - 1), a = anyForm(rs, ax, s.length);
            return new Case("select [" + a + ", " + i + "] of " + str(s), x -> x[0].select(a, i), tensor(rs, s));
        })).checkAssert(c -> {
            Tensor x = c.inputs()[0];
            int[] s = x.shape(), p = parse(c.label());
            int ax = Math.floorMod(p[0], s.length), i = Math.floorMod(p[1], s[ax]);
            int[] os = Shape.drop(s, ax);
            check(c, fill(os, idx -> {
                int[] src = new int[s.length];
                for (int d = 0, j = 0; d < s.length; d++) src[d] = d == ax ? i : idx[j++];
                return at(x, src);
            }), os);
        });
    }

    // ================================================================ cat, stack, split, chunk

    @Test
    void catOfOneToThreeTensors() {
        theory(N).forAll(cases(rs -> {
            int[] s = shape(rs, 1, 4);
            int ax = between(rs, 0, s.length - 1), k = between(rs, 1, 3);
            Tensor[] ts = new Tensor[k];
            StringBuilder sizes = new StringBuilder();
            for (int i = 0; i < k; i++) {
                int[] si = s.clone();
                si[ax] = between(rs, 1, 3);
                ts[i] = tensor(rs, si);
                sizes.append(i == 0 ? "" : ", ").append(si[ax]);
            }
            int a = anyForm(rs, ax, s.length);
            return new Case("cat axis [" + a + "] sizes " + sizes + " of " + str(s), x -> Tensor.cat(a, x), ts);
        })).checkAssert(c -> {
            Tensor[] ts = c.inputs();
            int rank = ts[0].rank(), ax = Math.floorMod(parse(c.label())[0], rank);
            int[] os = ts[0].shape();
            os[ax] = 0;
            for (Tensor t : ts) os[ax] += t.shape()[ax];
            check(c, fill(os, idx -> {
                int[] src = idx.clone();
                int p = 0;
                while (src[ax] >= ts[p].shape()[ax]) src[ax] -= ts[p++].shape()[ax];
                return at(ts[p], src);
            }), os);
        });
    }

    @Test
    void stackOfEqualShapes() {
        theory(N).forAll(cases(rs -> {
            int[] s = shape(rs, 0, 3);
            int k = between(rs, 1, 3), ax = between(rs, -s.length - 1, s.length);
            Tensor[] ts = new Tensor[k];
            for (int i = 0; i < k; i++) ts[i] = tensor(rs, s);
            return new Case("stack [" + ax + "] of " + k + " x " + str(s), x -> Tensor.stack(ax, x), ts);
        })).checkAssert(c -> {
            Tensor[] ts = c.inputs();
            int[] s = ts[0].shape();
            int ax = Math.floorMod(parse(c.label())[0], s.length + 1);
            int[] os = new int[s.length + 1];
            for (int d = 0, j = 0; d < os.length; d++) os[d] = d == ax ? ts.length : s[j++];
            check(c, fill(os, idx -> {
                int[] src = new int[s.length];
                for (int d = 0, j = 0; d < os.length; d++) if (d != ax) src[j++] = idx[d];
                return at(ts[idx[ax]], src);
            }), os);
        });
    }

    @Test
    void splitChunkAndSplitEveryCoverTheAxisInOrder() {
        theory(N).forAll(cases(rs -> {
            int[] s = shape(rs, 1, 4);
            int ax = between(rs, 0, s.length - 1), n = s[ax];
            int which = between(rs, 0, 2), k = between(rs, 1, n + 1);
            List<Integer> cuts = new ArrayList<>();
            for (int left = n; left > 0; ) {
                int piece = between(rs, 1, left);
                cuts.add(piece);
                left -= piece;
            }
            int[] sizes = cuts.stream().mapToInt(Integer::intValue).toArray();
            String label = (which == 0 ? "split " + str(sizes) : which == 1 ? "chunk [" + k + "]" : "splitEvery [" + k + "]")
                + " axis " + ax + " of " + str(s);
            // weight each piece differently so that a piece's gradient landing in the wrong place shows
            return new Case(label, x -> {
                List<Tensor> parts = which == 0 ? x[0].split(ax, sizes) : which == 1 ? x[0].chunk(k, ax) : x[0].splitEvery(k, ax);
                List<Tensor> scaled = new ArrayList<>();
                for (int i = 0; i < parts.size(); i++) scaled.add(parts.get(i).mul(i + 1));
                return Tensor.cat(ax, scaled);
            }, tensor(rs, s));
        })).checkAssert(c -> {
            Tensor x = c.inputs()[0];
            String l = c.label();
            int ax = Integer.parseInt(l.substring(l.indexOf("axis ") + 5, l.indexOf(" of")));
            int n = x.shape()[ax], k = parse(l)[0];
            int[] sizes;
            if (l.startsWith("split ")) {
                sizes = parse(l);
            } else {
                int size = l.startsWith("chunk") ? (n + k - 1) / k : k;    // chunk: pieces of ⌈n/k⌉
                sizes = new int[(n + size - 1) / size];
                for (int i = 0; i < sizes.length; i++) sizes[i] = Math.min(size, n - i * size);
            }
            List<Tensor> parts = l.startsWith("split ") ? x.split(ax, sizes) : l.startsWith("chunk") ? x.chunk(k, ax)
                : x.splitEvery(k, ax);
            assertEquals(sizes.length, parts.size(), l);
            int[] starts = new int[sizes.length];
            for (int i = 1; i < sizes.length; i++) starts[i] = starts[i - 1] + sizes[i - 1];
            for (int i = 0; i < sizes.length; i++) {
                int[] ps = x.shape();
                ps[ax] = sizes[i];
                int off = starts[i];
                assertTensor(fill(ps, idx -> {
                    int[] src = idx.clone();
                    src[ax] += off;
                    return at(x, src);
                }), ps, parts.get(i), 0);
            }
            assertGradient(c);
        });
    }

    // ================================================================ pad

    @Test
    void padWithConstantAndCropping() {
        theory(N * 2).forAll(cases(rs -> {
            int[] s = shape(rs, 1, 4);
            int pairs = between(rs, 1, s.length);
            int[] padding = new int[2 * pairs];
            for (int j = 0; j < pairs; j++) {
                int n = s[s.length - 1 - j];
                int lo, hi;
                do {
                    lo = between(rs, -2, 2);
                    hi = between(rs, -2, 2);
                } while (n + lo + hi < 1);
                padding[2 * j] = lo;
                padding[2 * j + 1] = hi;
            }
            double value = new double[] {0, 1.5, -3}[between(rs, 0, 2)];
            return new Case("pad " + str(padding) + " value " + value + " of " + str(s), x -> x[0].pad(value, padding), tensor(rs, s));
        })).checkAssert(c -> {
            Tensor x = c.inputs()[0];
            int[] s = x.shape(), padding = parse(c.label());
            double value = Double.parseDouble(c.label().substring(c.label().indexOf("value ") + 6, c.label().indexOf(" of")));
            int[] before = new int[s.length], os = s.clone();
            for (int j = 0; j < padding.length / 2; j++) {
                int ax = s.length - 1 - j;
                before[ax] = padding[2 * j];
                os[ax] += padding[2 * j] + padding[2 * j + 1];
            }
            check(c, fill(os, idx -> {
                int[] src = new int[s.length];
                for (int d = 0; d < s.length; d++) {
                    src[d] = idx[d] - before[d];
                    if (src[d] < 0 || src[d] >= s[d]) return value;
                }
                return at(x, src);
            }), os);
        });
    }

    @Test
    void padWithMinusInfinityIsAcceptedByAnomalyMode() {
        Tensor x = Tensor.of(new double[] {1, -2, 3, 4, 5, -6}, 2, 3).requiresGrad();
        try (var anomaly = Autograd.detectAnomaly(true)) {
            Tensor padded = x.pad(Double.NEGATIVE_INFINITY, 1, 1);            // max pooling's padding
            assertEquals(Double.NEGATIVE_INFINITY, padded.get(0, 0));
            Tensor pooled = padded.unsqueeze(0).max(2, false);
            pooled.sum().backward();
            assertTensor(new double[] {0, 0, 1, 0, 1, 0}, new int[] {2, 3}, x.grad(), 0);   // at the row maxima 3 and 5
            assertThrowsWith(ArithmeticException.class, () -> x.pad(Double.NaN, 1, 1), "anomaly", "pad", "NaN");
        }
    }

    // ================================================================ tril, triu

    @Test
    void trilAndTriuOverTheLastTwoAxes() {
        theory(N).forAll(cases(rs -> {
            int[] s = shape(rs, 2, 4);
            int k = between(rs, -4, 4);
            boolean lower = bool(rs);
            return new Case((lower ? "tril" : "triu") + " [" + k + "] of " + str(s), x -> lower ? x[0].tril(k) : x[0].triu(k),
                tensor(rs, s));
        })).checkAssert(c -> {
            Tensor x = c.inputs()[0];
            int[] s = x.shape();
            int k = parse(c.label())[0];
            boolean lower = c.label().startsWith("tril");
            int r = s.length;
            check(c, fill(s, idx -> {
                int diff = idx[r - 1] - idx[r - 2];
                return (lower ? diff <= k : diff >= k) ? at(x, idx) : 0;
            }), s);
        });
    }

    @Test
    void causalMaskFilledWithMinusInfinityGivesAFiniteSoftmax() {
        Tensor scores = Tensor.of(new double[] {1, 2, 3, 4, 5, 6, 7, 8, 9}, 3, 3).requiresGrad();
        Tensor future = Tensor.full(Double.NEGATIVE_INFINITY, 3, 3).triu(1);
        // triu of a −∞ matrix keeps −∞ above the diagonal and 0 elsewhere: exactly the causal mask
        assertTensor(new double[] {0, Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY, 0, 0, Double.NEGATIVE_INFINITY, 0, 0, 0},
            new int[] {3, 3}, future, 0);
        try (var anomaly = Autograd.detectAnomaly(true)) {
            Tensor p = scores.add(future).softmax(-1);
            assertEquals(1.0, p.get(0, 0), 0);
            p.mul(Tensor.of(new double[] {1, 2, 3}, 1, 3)).sum().backward();
            assertTrue(Arrays.stream(scores.grad().toArray()).allMatch(Double::isFinite));
        }
    }

    // ================================================================ large tensors

    /** Above 2 · Parallel.GRAIN elements the strided copy splits its outer dimension across threads. */
    @Test
    void largeTensorsTakeTheParallelPathWithTheSameResult() {
        int a = 30, b = 50, c = 70;                                    // 105,000 elements
        double[] d = new double[a * b * c];
        for (int i = 0; i < d.length; i++) d[i] = i;
        Tensor x = Tensor.of(d, a, b, c).requiresGrad();
        double[] p = x.permute(2, 0, 1).toArray(), f = x.flip(1).toArray(), pad = x.pad(-1, 1, 1, 0, 0, 2, 0).toArray();
        for (int i = 0; i < a; i++) {
            for (int j = 0; j < b; j++) {
                for (int k = 0; k < c; k++) {
                    double v = (i * b + j) * c + k;
                    assertEquals(v, p[(k * a + i) * b + j]);
                    assertEquals(v, f[(i * b + (b - 1 - j)) * c + k]);
                    assertEquals(v, pad[((i + 2) * b + j) * (c + 2) + k + 1]);
                }
            }
        }
        assertEquals(-1, pad[0]);
        x.slice(1, 1, Integer.MAX_VALUE, 2).sum().backward();          // the adjoint embed, also split
        double[] g = x.grad().toArray();
        for (int i = 0; i < g.length; i++) assertEquals((i / c) % b % 2 == 1 ? 1.0 : 0.0, g[i], "element " + i);
    }

    // ================================================================ second order

    /** op(x)² and op(x)·op(x³): the Hessian-vector product goes through each op's backward rule twice. */
    @Test
    void secondOrderThroughEveryLayoutRule() {
        List<UnaryOperator<Tensor>> ops = List.of(
            t -> t.permute(2, 0, 1), t -> t.transpose(0, 2), t -> t.flip(0, 2), t -> t.slice(1, 0, 3, 2), t -> t.select(2, -1),
            t -> Tensor.cat(1, t, t.mul(2)), t -> Tensor.stack(0, t, t), t -> t.chunk(2, 1).get(1), t -> t.pad(0.5, 1, 0, -1, 1),
            t -> t.tril(0), t -> t.triu(1), t -> t.expand(2, -1, -1, -1), t -> t.repeat(1, 2, 1), t -> t.flatten(1, 2).unsqueeze(0),
            t -> t.squeeze());
        theory(15).forAll(cases(rs -> {
            int[] s = {2, between(rs, 2, 3), between(rs, 1, 2)};
            int i = between(rs, 0, ops.size() - 1);
            UnaryOperator<Tensor> op = ops.get(i);
            return new Case("op " + i + " of " + str(s), x -> op.apply(x[0]).square().add(op.apply(x[0].pow(3)).mul(op.apply(x[0]))),
                tensor(rs, s));
        })).checkAssert(TestGens::assertSecondOrder);
    }

    // ================================================================ identities

    @Test
    void catOfSplitStackAndInversePermutationAreIdentities() {
        theory(N).forAll(cases(rs -> {
            int[] s = shape(rs, 1, 4);
            return new Case(str(s), x -> x[0], tensor(rs, s));
        })).checkAssert(c -> {
            Tensor x = c.inputs()[0];
            int[] s = x.shape();
            int r = s.length;
            for (int ax = 0; ax < r; ax++) {
                assertTensor(x.toArray(), s, Tensor.cat(ax, x.chunk(2, ax)), 0);
                assertTensor(x.toArray(), s, Tensor.cat(ax, x.splitEvery(1, ax)), 0);
                assertTensor(x.toArray(), s, x.flip(ax).flip(ax), 0);
                List<Tensor> rows = x.splitEvery(1, ax);
                List<Tensor> selected = new ArrayList<>();
                for (int i = 0; i < s[ax]; i++) selected.add(x.select(ax, i));
                assertTensor(x.toArray(), s, Tensor.stack(ax, selected), 0);            // stack(select) == x
                List<Tensor> unsq = new ArrayList<>();
                for (Tensor t : selected) unsq.add(t.unsqueeze(ax));
                Tensor viaCat = Tensor.cat(ax, unsq);
                assertTensor(viaCat.toArray(), s, Tensor.stack(ax, selected), 0);       // stack == unsqueeze + cat
                assertEquals(s[ax], rows.size());
            }
            int[] perm = new int[r];
            for (int i = 0; i < r; i++) perm[i] = (i + 1) % r;          // a cyclic shift, and its inverse
            int[] inv = new int[r];
            for (int i = 0; i < r; i++) inv[perm[i]] = i;
            assertTensor(x.toArray(), s, x.permute(perm).permute(inv), 0);
            assertTensor(x.toArray(), s, x.transpose(0, r - 1).transpose(0, r - 1), 0);
            if (r >= 2) assertTensor(x.transpose().toArray(), x.transpose().shape(), x.transpose(-1, -2), 0);
            assertTensor(x.toArray(), s, x.pad(7, 1, 2).pad(0, -1, -2), 0);
            assertTensor(x.expand(s).toArray(), s, x.broadcastTo(s), 0);
            assertTensor(Tensor.cat(r - 1, x, x).toArray(), x.repeat(ones(r, 2)).shape(), x.repeat(ones(r, 2)), 0);
            if (r >= 2) assertTensor(x.toArray(), s, x.tril(0).add(x.triu(1)), 0);
            if (r >= 2) assertTensor(x.toArray(), s, x.tril(-1).add(x.triu(0)), 0);
        });
    }

    /** {@code [1, ..., 1, last]} of length r. */
    private static int[] ones(int r, int last) {
        int[] o = new int[r];
        Arrays.fill(o, 1);
        o[r - 1] = last;
        return o;
    }

    @Test
    void noOpsReturnTheirInputAndPiecesAreUnmodifiable() {
        Tensor x = Tensor.of(new double[] {1, 2, 3, 4, 5, 6}, 2, 3);
        assertSame(x, x.permute(0, 1));
        assertSame(x, x.squeeze(0));                               // not size 1: unchanged, as PyTorch
        assertSame(x, x.slice(1, 0, Integer.MAX_VALUE));
        assertSame(x, x.pad(1.0));
        assertSame(x, x.flip());
        assertSame(x, Tensor.cat(0, x));
        List<Tensor> parts = x.split(1, 1, 2);
        assertThrowsWith(UnsupportedOperationException.class, () -> parts.add(x));
        assertArrayEquals(new int[] {1}, Tensor.scalar(3).flatten().shape());
        assertArrayEquals(new int[] {1}, Tensor.scalar(3).flatten(0, -1).shape());
        assertArrayEquals(new int[] {}, Tensor.scalar(3).permute().shape());
    }

    // ================================================================ errors

    @Test
    void axisAndPermutationErrors() {
        Tensor x = Tensor.zeros(2, 3, 4);
        assertThrowsWith(IllegalArgumentException.class, () -> x.permute(0, 0, 1),
            "permute: axes [0, 0, 1] for shape [2, 3, 4] repeat axis 0; pass each axis exactly once");
        assertThrowsWith(IllegalArgumentException.class, () -> x.permute(1, 0), "permute", "[1, 0]", "[2, 3, 4]", "3 axes");
        assertThrowsWith(IllegalArgumentException.class, () -> x.permute(0, 1, 3), "permute", "axis 3", "[2, 3, 4]", "-3 to 2");
        assertThrowsWith(IllegalArgumentException.class, () -> x.transpose(0, 3), "transpose", "axis 3");
        assertThrowsWith(IllegalArgumentException.class, () -> x.flip(1, -2), "flip", "repeat axis 1");
        assertThrowsWith(IllegalArgumentException.class, () -> x.flip(-4), "flip", "axis -4");
        assertThrowsWith(IllegalArgumentException.class, () -> x.squeeze(3), "squeeze", "axis 3");
        assertThrowsWith(IllegalArgumentException.class, () -> x.unsqueeze(4), "unsqueeze", "axis 4", "-4 to 3");
        assertThrowsWith(IllegalArgumentException.class, () -> x.unsqueeze(-5), "unsqueeze", "axis -5");
        assertThrowsWith(IllegalArgumentException.class, () -> x.flatten(2, 1), "flatten", "start axis 2", "end axis 1");
        assertThrowsWith(IllegalArgumentException.class, () -> x.flatten(0, 3), "flatten", "axis 3");
        assertThrowsWith(IllegalArgumentException.class, () -> Tensor.scalar(1).flatten(1, 1), "flatten", "scalar");
        assertThrowsWith(NullPointerException.class, () -> x.permute((int[]) null), "permute: axes is null");
    }

    @Test
    void expandAndRepeatErrors() {
        Tensor x = Tensor.zeros(2, 1);
        assertThrowsWith(IllegalArgumentException.class, () -> x.expand(3, 4), "expand", "[2, 1]", "dimension 0", "size 2",
            "cannot become 3", "repeat");
        assertThrowsWith(IllegalArgumentException.class, () -> x.expand(4), "expand", "1 sizes", "rank 2");
        assertThrowsWith(IllegalArgumentException.class, () -> x.expand(-1, -1, 3), "expand", "new leading dimension");
        assertThrowsWith(IllegalArgumentException.class, () -> x.expand(2, 0), "expand", "size 0", "at least 1");
        assertThrowsWith(IllegalArgumentException.class, () -> x.repeat(2), "repeat", "1 repeats", "rank 2");
        assertThrowsWith(IllegalArgumentException.class, () -> x.repeat(2, 0), "repeat", "count 0", "at least 1");
    }

    @Test
    void sliceAndSelectErrors() {
        Tensor x = Tensor.zeros(2, 3);
        assertThrowsWith(IllegalArgumentException.class, () -> x.slice(1, 2, 0, -1), "slice", "step -1",
            "negative steps are not supported", "flip(1)");
        assertThrowsWith(IllegalArgumentException.class, () -> x.slice(1, 0, 3, 0), "slice", "step 0", "at least 1");
        assertThrowsWith(IllegalArgumentException.class, () -> x.slice(1, 2, 1), "slice", "start 2, end 1", "[2, 3]", "no elements");
        assertThrowsWith(IllegalArgumentException.class, () -> x.slice(1, 5, 9), "slice", "clamped to [3, 3)");
        assertThrowsWith(IllegalArgumentException.class, () -> x.slice(2, 0, 1), "slice", "axis 2", "[2, 3]");
        assertThrowsWith(IllegalArgumentException.class, () -> x.select(1, 3), "select: index 3 is out of range for axis 1 of shape [2, 3]",
            "-3 to 2");
        assertThrowsWith(IllegalArgumentException.class, () -> x.select(1, -4), "select", "index -4");
        assertThrowsWith(IllegalArgumentException.class, () -> Tensor.scalar(1).select(0, 0), "select", "scalar");
    }

    @Test
    void catStackSplitAndChunkErrors() {
        Tensor a = Tensor.zeros(2, 3), b = Tensor.zeros(2, 4), c = Tensor.zeros(2);
        assertThrowsWith(IllegalArgumentException.class, () -> Tensor.cat(0, a, b), "cat: tensor 1 has shape [2, 4] but tensor 0 has [2, 3]",
            "except axis 0");
        assertThrowsWith(IllegalArgumentException.class, () -> Tensor.cat(0, a, c), "cat", "[2]", "[2, 3]");
        assertThrowsWith(IllegalArgumentException.class, () -> Tensor.cat(2, a, a), "cat", "axis 2");
        assertThrowsWith(IllegalArgumentException.class, () -> Tensor.cat(0), "cat", "no tensors");
        assertThrowsWith(IllegalArgumentException.class, () -> Tensor.cat(0, Tensor.scalar(1)), "cat", "scalar");
        assertThrowsWith(NullPointerException.class, () -> Tensor.cat(0, a, null), "cat: tensor 1 is null");
        assertThrowsWith(IllegalArgumentException.class, () -> Tensor.stack(0, a, b), "stack", "[2, 4]", "[2, 3]", "equal shapes");
        assertThrowsWith(IllegalArgumentException.class, () -> Tensor.stack(3, a), "stack", "axis 3", "-3 to 2");
        assertThrowsWith(IllegalArgumentException.class, () -> Tensor.stack(0, List.of()), "stack", "no tensors");
        assertThrowsWith(NullPointerException.class, () -> Tensor.cat(0, (List<Tensor>) null), "cat: tensors is null");
        assertThrowsWith(IllegalArgumentException.class, () -> a.split(1, 1, 1), "split: sizes [1, 1] sum to 2 but axis 1 of shape [2, 3] has 3");
        assertThrowsWith(IllegalArgumentException.class, () -> a.split(1, 3, 0), "split", "size 0");
        assertThrowsWith(IllegalArgumentException.class, () -> a.split(2, 3), "split", "axis 2");
        assertThrowsWith(IllegalArgumentException.class, () -> a.chunk(0, 1), "chunk", "0 chunks");
        assertThrowsWith(IllegalArgumentException.class, () -> a.splitEvery(0, 1), "splitEvery", "size 0");
    }

    @Test
    void padAndTriangleErrors() {
        Tensor x = Tensor.zeros(2, 3);
        assertThrowsWith(IllegalArgumentException.class, () -> x.pad(0, 1), "pad", "[1]", "[2, 3]", "1 entries", "pairs");
        assertThrowsWith(IllegalArgumentException.class, () -> x.pad(0, 1, 1, 1, 1, 1, 1), "pad", "at most 2 pairs");
        assertThrowsWith(IllegalArgumentException.class, () -> x.pad(0, -2, -1), "pad", "(-2, -1)", "axis 1", "0 elements",
            "empty tensors");
        assertThrowsWith(IllegalArgumentException.class, () -> Tensor.zeros(3).tril(0), "tril", "[3]", "rank >= 2");
        assertThrowsWith(IllegalArgumentException.class, () -> Tensor.scalar(1).triu(0), "triu", "rank >= 2");
    }
}

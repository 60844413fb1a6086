package dev.chainrule.autograd;

import static dev.chainrule.autograd.LayoutGens.assertThrowsWith;
import static dev.chainrule.autograd.LayoutGens.at;
import static dev.chainrule.autograd.LayoutGens.fill;
import static dev.chainrule.autograd.LayoutGens.flat;
import static dev.chainrule.autograd.LayoutGens.shape;
import static dev.chainrule.autograd.LayoutGens.str;
import static dev.chainrule.autograd.LayoutGens.tensor;
import static dev.chainrule.autograd.LayoutGens.unflatten;
import static dev.chainrule.autograd.TestGens.Case;
import static dev.chainrule.autograd.TestGens.assertGradient;
import static dev.chainrule.autograd.TestGens.assertTensor;
import static dev.chainrule.autograd.TestGens.assertValues;
import static dev.chainrule.autograd.TestGens.between;
import static dev.chainrule.autograd.TestGens.bool;
import static dev.chainrule.autograd.TestGens.cases;
import static dev.chainrule.autograd.TestGens.size;
import static dev.chainrule.autograd.TestGens.theory;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.RandomnessSource;

/**
 * Indexing ops (indexSelect, gather, scatterAdd) along any axis of shapes up to rank 4: forward
 * values against naive references, gradients against central differences (repeated indices must
 * accumulate), second order through each adjoint pair, the adjoint identity
 * {@code ⟨gather(x), y⟩ = ⟨x, scatterAdd(0, y)⟩}, and every error path.
 */
class IndexingOpsPropertiesTest {

    private static final int N = 40;

    private static int[] indices(RandomnessSource rs, int count, int n) {
        int[] idx = new int[count];
        for (int j = 0; j < count; j++) idx[j] = between(rs, 0, n - 1);
        return idx;
    }

    /** An index tensor of {@code shape} with integer values in [0, n). */
    private static Tensor indexTensor(RandomnessSource rs, int[] shape, int n) {
        double[] d = new double[size(shape)];
        for (int i = 0; i < d.length; i++) d[i] = between(rs, 0, n - 1);
        return Tensor.of(d, shape);
    }

    /** A shape no larger than {@code s} off {@code axis}, and 1–4 along it. */
    private static int[] indexShape(RandomnessSource rs, int[] s, int axis) {
        int[] is = new int[s.length];
        for (int d = 0; d < s.length; d++) is[d] = d == axis ? between(rs, 1, 4) : between(rs, 1, s[d]);
        return is;
    }

    /** An index tensor's values as {@code [0, 2, ...]}. */
    private static String ints(Tensor index) {
        return Arrays.toString(Arrays.stream(index.toArray()).mapToInt(v -> (int) v).toArray());
    }

    private static int[] parse(String label) {
        String inner = label.substring(label.indexOf('[') + 1, label.indexOf(']'));
        return Arrays.stream(inner.split(",\\s*")).mapToInt(Integer::parseInt).toArray();
    }

    // ================================================================ indexSelect

    @Test
    void indexSelectWithRepeatedIndices() {
        theory(N).forAll(cases(rs -> {
            int[] s = shape(rs, 1, 4);
            int ax = between(rs, 0, s.length - 1);
            int[] idx = indices(rs, between(rs, 1, 5), s[ax]);
            int a = bool(rs) ? ax : ax - s.length;
            return new Case("indexSelect " + str(idx) + " axis " + a + " of " + str(s), x -> x[0].indexSelect(a, idx), tensor(rs, s));
        })).checkAssert(c -> {
            Tensor x = c.inputs()[0];
            int[] s = x.shape(), idx = parse(c.label());
            int ax = Math.floorMod(Integer.parseInt(c.label().substring(c.label().indexOf("axis ") + 5, c.label().indexOf(" of"))), s.length);
            int[] os = s.clone();
            os[ax] = idx.length;
            assertTensor(fill(os, p -> {
                int[] src = p.clone();
                src[ax] = idx[p[ax]];
                return at(x, src);
            }), os, c.f().apply(c.inputs()), 0);
            assertGradient(c);
        });
    }

    @Test
    void embeddingLookupAccumulatesRepeatedRows() {
        Tensor table = Tensor.of(new double[] {1, 2, 3, 4, 5, 6}, 3, 2).requiresGrad();
        Tensor rows = table.indexSelect(0, 2, 0, 2, 2);
        assertTensor(new double[] {5, 6, 1, 2, 5, 6, 5, 6}, new int[] {4, 2}, rows, 0);
        rows.sum().backward();
        assertTensor(new double[] {1, 1, 0, 0, 3, 3}, new int[] {3, 2}, table.grad(), 0);
    }

    // ================================================================ gather, scatterAdd

    @Test
    void gatherAlongAnyAxis() {
        theory(N).forAll(cases(rs -> {
            int[] s = shape(rs, 1, 4);
            int ax = between(rs, 0, s.length - 1);
            Tensor index = indexTensor(rs, indexShape(rs, s, ax), s[ax]);
            return new Case("gather axis [" + ax + "] of " + str(s) + " index " + str(index.shape()) + " " + ints(index),
                x -> x[0].gather(ax, index), tensor(rs, s));
        })).checkAssert(c -> {
            Tensor x = c.inputs()[0];
            int ax = parse(c.label())[0];
            String l = c.label();
            int[] is = parse(l.substring(l.indexOf("index ")));
            double[] iv = Arrays.stream(parse(l.substring(l.indexOf("] ", l.indexOf("index ")) + 1))).asDoubleStream().toArray();
            assertTensor(fill(is, p -> {
                int[] src = p.clone();
                src[ax] = (int) iv[flat(p, is)];
                return at(x, src);
            }), is, c.f().apply(c.inputs()), 0);
            assertGradient(c);
        });
    }

    @Test
    void scatterAddAlongAnyAxisWithALargerSrc() {
        theory(N).forAll(cases(rs -> {
            int[] s = shape(rs, 1, 4);
            int ax = between(rs, 0, s.length - 1);
            int[] is = indexShape(rs, s, ax);
            int[] ss = is.clone();
            for (int d = 0; d < ss.length; d++) if (bool(rs)) ss[d] += between(rs, 0, 1);
            Tensor index = indexTensor(rs, is, s[ax]);
            return new Case("scatterAdd axis [" + ax + "] index " + str(is) + " " + ints(index),
                x -> x[0].scatterAdd(ax, index, x[1]), tensor(rs, s), tensor(rs, ss));
        })).checkAssert(c -> {
            Tensor self = c.inputs()[0], src = c.inputs()[1];
            String l = c.label();
            int ax = parse(l)[0];
            int[] is = parse(l.substring(l.indexOf("index ")));
            int[] iv = parse(l.substring(l.indexOf("] ", l.indexOf("index ")) + 1));
            double[] expected = self.toArray();
            for (int p = 0; p < size(is); p++) {
                int[] pi = unflatten(p, is);
                int[] dst = pi.clone();
                dst[ax] = iv[p];
                expected[flat(dst, self.shape())] += at(src, pi);
            }
            assertTensor(expected, self.shape(), c.f().apply(c.inputs()), 1e-15);
            assertGradient(c);
        });
    }

    @Test
    void gatherAndScatterAddAreAdjoint() {
        theory(N).forAll(cases(rs -> {
            int[] s = shape(rs, 1, 4);
            int ax = between(rs, 0, s.length - 1);
            Tensor index = indexTensor(rs, indexShape(rs, s, ax), s[ax]);
            return new Case("axis " + ax, x -> x[0], tensor(rs, s), index, tensor(rs, index.shape()));
        })).checkAssert(c -> {
            Tensor x = c.inputs()[0], index = c.inputs()[1], y = c.inputs()[2];
            int ax = Integer.parseInt(c.label().substring(5));
            double lhs = x.gather(ax, index).mul(y).sum().item();
            double rhs = x.mul(Tensor.zeros(x.shape()).scatterAdd(ax, index, y)).sum().item();
            assertEquals(lhs, rhs, 1e-12);
            // an index broadcast along every other axis makes gather an indexSelect
            int[] rowIdx = new int[index.shape()[ax]];
            for (int j = 0; j < rowIdx.length; j++) rowIdx[j] = (int) index.toArray()[j * Shape.inner(index.shape(), ax)];
            int[] full = x.shape();
            full[ax] = rowIdx.length;
            double[] bi = fill(full, p -> rowIdx[p[ax]]);
            assertValues(x.indexSelect(ax, rowIdx).toArray(), x.gather(ax, Tensor.of(bi, full)), 0);
        });
    }

    @Test
    void secondOrderThroughTheAdjointPairs() {
        theory(15).forAll(cases(rs -> {
            int[] s = {between(rs, 1, 3), between(rs, 2, 3)};
            int ax = between(rs, 0, 1), which = between(rs, 0, 2);
            Tensor index = indexTensor(rs, indexShape(rs, s, ax), s[ax]);
            int[] idx = indices(rs, between(rs, 1, 4), s[ax]);
            return switch (which) {
                case 0 -> new Case("indexSelect " + str(idx), x -> x[0].indexSelect(ax, idx).square().sum(ax, false), tensor(rs, s));
                case 1 -> new Case("gather", x -> x[0].gather(ax, index).pow(3), tensor(rs, s));
                default -> new Case("scatterAdd", x -> x[0].scatterAdd(ax, index, x[1].square()).mul(x[0]), tensor(rs, s),
                    tensor(rs, index.shape()));
            };
        })).checkAssert(TestGens::assertSecondOrder);
    }

    // ================================================================ errors

    @Test
    void indexSelectErrors() {
        Tensor x = Tensor.zeros(2, 3);
        assertThrowsWith(IllegalArgumentException.class, () -> x.indexSelect(1, 0, 3),
            "indexSelect: index 3 at position 1 is out of range [0, 3) for axis 1 of shape [2, 3]");
        assertThrowsWith(IllegalArgumentException.class, () -> x.indexSelect(0, -1), "indexSelect", "index -1", "[0, 2)");
        assertThrowsWith(IllegalArgumentException.class, () -> x.indexSelect(0), "indexSelect", "no indices", "empty");
        assertThrowsWith(IllegalArgumentException.class, () -> x.indexSelect(2, 0), "indexSelect", "axis 2", "[2, 3]");
        assertThrowsWith(NullPointerException.class, () -> x.indexSelect(0, (int[]) null), "indexSelect: index is null");
    }

    @Test
    void gatherErrorsNameTheElement() {
        Tensor x = Tensor.zeros(2, 3);
        assertThrowsWith(IllegalArgumentException.class, () -> x.gather(1, Tensor.of(new double[] {0, 1, 2.5, 0}, 2, 2)),
            "gather: index element [1, 0] is 2.5, not an integer");
        assertThrowsWith(IllegalArgumentException.class, () -> x.gather(1, Tensor.of(new double[] {0, 3}, 1, 2)),
            "gather: index element [0, 1] is 3, out of range [0, 3) for axis 1 of shape [2, 3]");
        assertThrowsWith(IllegalArgumentException.class, () -> x.gather(1, Tensor.of(new double[] {-1}, 1, 1)), "gather", "is -1",
            "out of range");
        assertThrowsWith(IllegalArgumentException.class, () -> x.gather(1, Tensor.of(new double[] {Double.NaN}, 1, 1)), "gather",
            "NaN", "not an integer");
        assertThrowsWith(IllegalArgumentException.class, () -> x.gather(1, Tensor.of(0, 1)), "gather", "index shape [2]", "rank 1",
            "input shape [2, 3]", "same rank");
        assertThrowsWith(IllegalArgumentException.class, () -> x.gather(1, Tensor.zeros(3, 1)), "gather", "[3, 1]", "dimension 0 is 3 > 2");
        assertThrowsWith(IllegalArgumentException.class, () -> x.gather(2, Tensor.zeros(2, 3)), "gather", "axis 2");
        assertThrowsWith(NullPointerException.class, () -> x.gather(0, null), "gather: index is null");
    }

    @Test
    void scatterAddErrors() {
        Tensor self = Tensor.zeros(2, 3), src = Tensor.ones(2, 2);
        assertThrowsWith(IllegalArgumentException.class, () -> self.scatterAdd(0, Tensor.of(new double[] {0, 2, 0, 0}, 2, 2), src),
            "scatterAdd: index element [0, 1] is 2, out of range [0, 2) for axis 0 of shape [2, 3]");
        assertThrowsWith(IllegalArgumentException.class, () -> self.scatterAdd(0, Tensor.of(new double[] {0, 0.5}, 1, 2), src),
            "scatterAdd", "[0, 1] is 0.5", "not an integer");
        assertThrowsWith(IllegalArgumentException.class, () -> self.scatterAdd(1, Tensor.zeros(2, 3), src), "scatterAdd",
            "index shape [2, 3]", "src shape [2, 2]", "dimension 1 is 3 > 2");
        assertThrowsWith(IllegalArgumentException.class, () -> self.scatterAdd(1, Tensor.zeros(3, 1), Tensor.zeros(3, 1)),
            "scatterAdd", "self shape [2, 3]", "dimension 0 is 3 > 2");
        assertThrowsWith(IllegalArgumentException.class, () -> self.scatterAdd(1, Tensor.zeros(2, 1), Tensor.zeros(2)),
            "scatterAdd", "src shape [2]", "same rank");
        assertThrowsWith(NullPointerException.class, () -> self.scatterAdd(1, Tensor.zeros(2, 1), null), "scatterAdd: src is null");
    }
}

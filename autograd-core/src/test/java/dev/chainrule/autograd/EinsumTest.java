package dev.chainrule.autograd;

import static dev.chainrule.autograd.LayoutGens.assertThrowsWith;
import static dev.chainrule.autograd.LayoutGens.flat;
import static dev.chainrule.autograd.LayoutGens.tensor;
import static dev.chainrule.autograd.LayoutGens.unflatten;
import static dev.chainrule.autograd.TestGens.Case;
import static dev.chainrule.autograd.TestGens.assertGradient;
import static dev.chainrule.autograd.TestGens.assertTensor;
import static dev.chainrule.autograd.TestGens.between;
import static dev.chainrule.autograd.TestGens.bool;
import static dev.chainrule.autograd.TestGens.cases;
import static dev.chainrule.autograd.TestGens.size;
import static dev.chainrule.autograd.TestGens.theory;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.RandomnessSource;

/**
 * einsum: values and gradients against PyTorch float64 (fixtures from
 * {@code src/test/python/gen_einsum_fixtures.py}), generated specs (1–3 operands, repeated labels,
 * size-1 broadcasting, explicit and implicit output) against a naive summation over every label
 * assignment and against central differences, second order, identities with the ops it replaces,
 * contractions routed through matmul, and every error path.
 */
class EinsumTest {

    // ================================================================ PyTorch fixtures

    private static Tensor fixture(JsonNode n) {
        int[] shape = new int[n.get("shape").size()];
        for (int i = 0; i < shape.length; i++) shape[i] = n.get("shape").get(i).asInt();
        double[] data = new double[n.get("data").size()];
        for (int i = 0; i < data.length; i++) data[i] = n.get("data").get(i).asDouble();
        return Tensor.of(data, shape);
    }

    @Test
    void valuesAndGradientsMatchPyTorch() throws IOException {
        JsonNode root;
        try (InputStream in = EinsumTest.class.getResourceAsStream("/fixtures/einsum.json")) {
            root = new ObjectMapper().readTree(in);
        }
        assertTrue(root.get("cases").size() >= 8);
        for (JsonNode c : root.get("cases")) {
            String spec = c.get("spec").asText();
            List<Tensor> xs = new ArrayList<>();
            for (JsonNode in : c.get("inputs")) xs.add(fixture(in).requiresGrad());
            Tensor y = Tensor.einsum(spec, xs.toArray(new Tensor[0]));
            Tensor expected = fixture(c.get("output"));
            assertTensor(expected.toArray(), expected.shape(), y, 1e-12);
            List<Tensor> gs = Autograd.grad(y.mul(fixture(c.get("seed"))).sum(), xs, false);
            for (int i = 0; i < xs.size(); i++) {
                Tensor g = fixture(c.get("grads").get(i));
                assertTensor(g.toArray(), g.shape(), gs.get(i), 1e-12);
            }
        }
    }

    // ================================================================ generated specs

    /** A spec over labels {a, b, c, B, d} with its operands; sizes 1–3 per label, some broadcast as 1. */
    private static Case spec(RandomnessSource rs) {
        String pool = "abcBd";
        int[] size = new int[128];
        for (char l : pool.toCharArray()) size[l] = between(rs, 1, 3);
        int k = between(rs, 1, 3);
        String[] terms = new String[k];
        int[] count = new int[128];
        for (int i = 0; i < k; i++) {
            StringBuilder t = new StringBuilder();
            int rank = between(rs, 0, 3);
            for (int d = 0; d < rank; d++) t.append(pool.charAt(between(rs, 0, pool.length() - 1)));
            terms[i] = t.toString();
            for (char l : terms[i].toCharArray()) count[l]++;
        }
        Tensor[] xs = new Tensor[k];
        for (int i = 0; i < k; i++) {
            int[] s = new int[terms[i].length()];
            for (int d = 0; d < s.length; d++) {
                char l = terms[i].charAt(d);
                boolean repeatedHere = terms[i].indexOf(l) != terms[i].lastIndexOf(l);
                boolean elsewhere = count[l] > terms[i].chars().filter(ch -> ch == l).count();
                s[d] = elsewhere && !repeatedHere && between(rs, 0, 3) == 0 ? 1 : size[l];    // 1 broadcasts
            }
            xs[i] = tensor(rs, s);
        }
        String spec = String.join(",", terms);
        if (bool(rs)) {                               // explicit output: some of the used labels, in any order
            List<Character> used = new ArrayList<>();
            for (char l : pool.toCharArray()) if (count[l] > 0 && bool(rs)) used.add(l);
            java.util.Collections.shuffle(used, new java.util.Random(between(rs, 0, 1000)));
            StringBuilder out = new StringBuilder();
            for (char l : used) out.append(l);
            spec += "->" + out;
        }
        String sp = spec;
        return new Case(spec, x -> Tensor.einsum(sp, x), xs);
    }

    /** Σ over every assignment of the labels of Π_operands x_i[its labels], into the output's labels; size-1 dims broadcast. */
    private static Tensor naive(String spec, Tensor[] xs) {
        String[] sides = spec.split("->", -1);
        String[] terms = sides[0].split(",", -1);
        Map<Character, Integer> size = new LinkedHashMap<>();
        int[] count = new int[128];
        for (int i = 0; i < terms.length; i++) {
            for (int d = 0; d < terms[i].length(); d++) {
                char l = terms[i].charAt(d);
                size.merge(l, xs[i].shape()[d], Math::max);
                count[l]++;
            }
        }
        String out;
        if (sides.length == 2) {
            out = sides[1];
        } else {
            StringBuilder sb = new StringBuilder();
            for (char l = 'A'; l <= 'z'; l++) if (count[l] == 1) sb.append(l);
            out = sb.toString();
        }
        List<Character> labels = new ArrayList<>(size.keySet());
        int[] all = labels.stream().mapToInt(size::get).toArray();
        int[] os = new int[out.length()];
        for (int q = 0; q < os.length; q++) os[q] = size.get(out.charAt(q));
        double[] result = new double[size(os)];
        for (int a = 0; a < size(all); a++) {
            int[] v = unflatten(a, all);
            double prod = 1;
            for (int i = 0; i < terms.length; i++) {
                int[] s = xs[i].shape(), idx = new int[s.length];
                for (int d = 0; d < s.length; d++) idx[d] = s[d] == 1 ? 0 : v[labels.indexOf(terms[i].charAt(d))];
                prod *= xs[i].toArray()[flat(idx, s)];
            }
            int[] o = new int[os.length];
            for (int q = 0; q < os.length; q++) o[q] = v[labels.indexOf(out.charAt(q))];
            result[flat(o, os)] += prod;
        }
        return Tensor.of(result, os);
    }

    @Test
    void generatedSpecsAgreeWithNaiveSummationAndFiniteDifferences() {
        theory(60).forAll(cases(EinsumTest::spec)).checkAssert(c -> {
            Tensor expected = naive(c.label(), c.inputs());
            assertTensor(expected.toArray(), expected.shape(), c.f().apply(c.inputs()), 1e-12);
            assertGradient(c);
        });
    }

    @Test
    void secondOrder() {
        theory(20).forAll(cases(rs -> {
            String[] specs = {"bi,ij,bj->b", "ij,jk->ik", "ii,i->", "bij,bkj->bik", "i,i,i->", "ij,j->i"};
            Case c = new Case(specs[between(rs, 0, specs.length - 1)], null);
            String spec = c.label();
            int[] size = {2, 3, 2, 3};
            String[] terms = spec.split("->")[0].split(",");
            Tensor[] xs = new Tensor[terms.length];
            for (int i = 0; i < terms.length; i++) {
                int[] s = new int[terms[i].length()];
                for (int d = 0; d < s.length; d++) s[d] = size["bijk".indexOf(terms[i].charAt(d))];
                xs[i] = tensor(rs, s);
            }
            return new Case(spec, x -> Tensor.einsum(spec, x), xs);
        })).checkAssert(TestGens::assertSecondOrder);
    }

    // ================================================================ identities

    private static Tensor eye(int n) {
        double[] d = new double[n * n];
        for (int i = 0; i < n; i++) d[i * n + i] = 1;
        return Tensor.of(d, n, n);
    }

    private static void assertSame(Tensor expected, Tensor actual) {
        assertTensor(expected.toArray(), expected.shape(), actual, 1e-12);
    }

    @Test
    void identitiesWithTheOpsEinsumReplaces() {
        theory(30).forAll(cases(rs -> {
            int b = between(rs, 1, 3), m = between(rs, 1, 4), k = between(rs, 1, 4), n = between(rs, 1, 4);
            return new Case(b + " " + m + " " + k + " " + n, x -> x[0], tensor(rs, new int[] {b, m, k}),
                tensor(rs, new int[] {b, k, n}), tensor(rs, new int[] {m, m}), tensor(rs, new int[] {k}));
        })).checkAssert(c -> {
            Tensor a = c.inputs()[0], bm = c.inputs()[1], sq = c.inputs()[2], v = c.inputs()[3];
            Tensor a0 = a.select(0, 0), b0 = bm.select(0, 0);
            assertSame(a0.matmul(b0), Tensor.einsum("ij,jk->ik", a0, b0));
            assertSame(a0.matmul(b0), Tensor.einsum("ij,jk", a0, b0));                      // implicit output
            assertSame(a.matmul(bm), Tensor.einsum("bij,bjk->bik", a, bm));
            assertSame(a.matmul(bm), Tensor.einsum("...ij,...jk->...ik", a, bm));
            assertSame(a.matmul(b0), Tensor.einsum("...ij,jk->...ik", a, b0));               // ellipsis broadcasts
            assertSame(a0.transpose(), Tensor.einsum("ij->ji", a0));
            assertSame(a.transpose(0, 2), Tensor.einsum("bij->jib", a));
            assertSame(a.sum(), Tensor.einsum("bij->", a));
            assertSame(a.sum(1, false), Tensor.einsum("bij->bj", a));
            Tensor diag = sq.mul(eye(sq.shape()[0]));
            assertSame(diag.sum(), Tensor.einsum("ii->", sq));                               // trace
            assertSame(diag.sum(), Tensor.einsum("ii", sq));                                 // implicit: i occurs twice
            assertSame(diag.sum(1, false), Tensor.einsum("ii->i", sq));                      // diagonal
            assertSame(v.reshape(-1, 1).mul(v.reshape(1, -1)), Tensor.einsum("i,j->ij", v, v));   // outer product
            assertSame(v.mul(v).sum(), Tensor.einsum("i,i->", v, v));
            assertSame(a0.matmul(v), Tensor.einsum("ij,j->i", a0, v));
            assertSame(a.mul(a).sum(2, false).sum(1, false), Tensor.einsum("bij,bij->b", a, a));
        });
    }

    @Test
    void transposedOperandsGoToTheFlaggedGemmWithRightValuesAndGradients() {
        theory(20).forAll(cases(rs -> {
            int m = between(rs, 1, 4), k = between(rs, 2, 4), n = between(rs, 1, 4), b = between(rs, 1, 2);
            String[] specs = {"bij,bjk->bik", "bji,bjk->bik", "bij,bkj->bik", "bji,bkj->bik"};
            int which = between(rs, 0, 3);
            boolean ta = which % 2 == 1, tb = which >= 2;
            return new Case(specs[which], x -> Tensor.einsum(specs[which], x),
                tensor(rs, ta ? new int[] {b, k, m} : new int[] {b, m, k}), tensor(rs, tb ? new int[] {b, n, k} : new int[] {b, k, n}));
        })).checkAssert(c -> {
            Tensor x = c.inputs()[0], y = c.inputs()[1];
            Tensor a = c.label().startsWith("bji") ? x.transpose() : x, bb = c.label().endsWith("bkj->bik") ? y.transpose() : y;
            assertSame(a.matmul(bb), c.f().apply(c.inputs()));
            assertGradient(c);
        });
    }

    @Test
    void contractionsRunThroughMatmul() {
        Tensor a = Tensor.ones(8, 16).requiresGrad(), b = Tensor.ones(16, 4).requiresGrad();
        assertEquals("matmul", Tensor.einsum("ij,jk->ik", a, b).op());                       // one GEMM, nothing copied
        assertEquals("matmul(TN)", Tensor.einsum("ji,jk->ik", a.transpose(), b).op());
        Tensor q = Tensor.ones(2, 3, 5, 8).requiresGrad(), k = Tensor.ones(2, 3, 7, 8).requiresGrad();
        Tensor scores = Tensor.einsum("bhqd,bhkd->bhqk", q, k);
        assertEquals("matmul(NT)", scores.op(), Dot.of(scores));                              // kᵀ read in place by BLAS
        assertTrue(Dot.of(Tensor.einsum("bqhd,bkhd->bhqk", q, Tensor.ones(2, 7, 5, 8).requiresGrad())).contains("matmul"));        // permuted first, then a GEMM
        assertEquals(8.0, scores.get(1, 2, 4, 6), 0);
    }

    // ================================================================ errors

    @Test
    void malformedSpecsOperandCountsAndSizeMismatches() {
        Tensor m = Tensor.zeros(2, 3), n = Tensor.zeros(4, 5), sq = Tensor.zeros(3, 3);
        assertThrowsWith(IllegalArgumentException.class, () -> Tensor.einsum("ij,jk->ik", m),
            "einsum: spec 'ij,jk->ik' has 2 operands but 1 tensor was given");
        assertThrowsWith(IllegalArgumentException.class, () -> Tensor.einsum("ij", m, m), "has 1 operand but 2 tensors were given");
        assertThrowsWith(IllegalArgumentException.class, () -> Tensor.einsum("ij,jk->ik", m, n),
            "einsum: label 'j' has size 3 in operand 0 (shape [2, 3]) but 4 in operand 1 (shape [4, 5])");
        assertThrowsWith(IllegalArgumentException.class, () -> Tensor.einsum("ijk->i", m), "operand 0 'ijk'", "names 3 dimensions",
            "[2, 3]", "rank 2", "'...'");
        assertThrowsWith(IllegalArgumentException.class, () -> Tensor.einsum("ii->i", m), "label 'i' is repeated in operand 0",
            "sizes 2 and 3", "diagonal");
        assertThrowsWith(IllegalArgumentException.class, () -> Tensor.einsum("ij->k", m), "malformed spec 'ij->k'",
            "output label 'k' appears in no operand");
        assertThrowsWith(IllegalArgumentException.class, () -> Tensor.einsum("ij->ii", m), "output label 'i' appears more than once");
        assertThrowsWith(IllegalArgumentException.class, () -> Tensor.einsum("ij->j->i", m), "more than one '->'");
        assertThrowsWith(IllegalArgumentException.class, () -> Tensor.einsum("i1->i", m), "the character '1'", "letters");
        assertThrowsWith(IllegalArgumentException.class, () -> Tensor.einsum("ij-i", m), "the character '-'", "'->'");
        assertThrowsWith(IllegalArgumentException.class, () -> Tensor.einsum("i..j", sq), "'.' that is not part of '...'");
        assertThrowsWith(IllegalArgumentException.class, () -> Tensor.einsum("...i...", sq), "more than one '...'");
        assertThrowsWith(IllegalArgumentException.class, () -> Tensor.einsum("ij->...i.", sq), "the output", "'.'");
        assertThrowsWith(NullPointerException.class, () -> Tensor.einsum(null, m), "einsum: spec is null");
        assertThrowsWith(NullPointerException.class, () -> Tensor.einsum("ij,jk", m, null), "einsum: operand 1 is null");
    }

    @Test
    void whitespaceScalarsAndSizeOneBroadcasting() {
        Tensor m = Tensor.of(new double[] {1, 2, 3, 4, 5, 6}, 2, 3);
        assertSame(m.transpose(), Tensor.einsum(" i j -> j i ", m));
        assertSame(m.mul(2), Tensor.einsum(",ij->ij", Tensor.scalar(2), m));
        assertSame(Tensor.scalar(6), Tensor.einsum(",->", Tensor.scalar(2), Tensor.scalar(3)));
        Tensor row = Tensor.of(new double[] {10, 20, 30}, 1, 3);                          // i of size 1 broadcasts to 2
        assertSame(m.mul(row), Tensor.einsum("ij,ij->ij", m, row));
        Tensor dots = Tensor.einsum("...i,...i->...", Tensor.ones(2, 1, 3), Tensor.ones(4, 3));   // ellipses broadcast: [2, 1] with [4]
        assertTensor(new double[] {3, 3, 3, 3, 3, 3, 3, 3}, new int[] {2, 4}, dots, 0);
        Function<Tensor[], Tensor> f = x -> Tensor.einsum("...ii->...i", x);
        Tensor batch = Tensor.of(new double[] {1, 2, 3, 4, 5, 6, 7, 8}, 2, 2, 2);
        assertSame(Tensor.of(new double[] {1, 4, 5, 8}, 2, 2), f.apply(new Tensor[] {batch}));
        assertGradient(new Case("...ii->...i", f, batch));
    }
}

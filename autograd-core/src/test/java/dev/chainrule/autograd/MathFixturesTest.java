package dev.chainrule.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Reference values from PyTorch float64 ({@code src/test/resources/fixtures/math.json}, written by
 * {@code src/test/python/gen_math_fixtures.py}): for every case the forward value, the gradient of
 * sum(out · w) — by the one-pass first-order rule and by the differentiable one — and, where PyTorch
 * has one, the second-order product with v.
 */
class MathFixturesTest {

    private static JsonNode fixtures() throws IOException {
        try (InputStream in = MathFixturesTest.class.getResourceAsStream("/fixtures/math.json")) {
            return new ObjectMapper().readTree(in);
        }
    }

    private static double[] doubles(JsonNode n) {
        double[] d = new double[n.size()];
        for (int i = 0; i < d.length; i++) d[i] = n.get(i).asDouble();
        return d;
    }

    private static int[] ints(JsonNode n) {
        int[] d = new int[n.size()];
        for (int i = 0; i < d.length; i++) d[i] = n.get(i).asInt();
        return d;
    }

    /** |actual − expected| ≤ rel·|expected| + abs, elementwise (NaN only where expected is NaN). */
    private static void assertClose(String what, double[] expected, double[] actual, double rel, double abs) {
        assertEquals(expected.length, actual.length, what + ": size");
        for (int i = 0; i < expected.length; i++) {
            double e = expected[i], a = actual[i];
            boolean ok = Double.isNaN(e) ? Double.isNaN(a) : Math.abs(a - e) <= rel * Math.abs(e) + abs || a == e;
            int at = i;
            assertTrue(ok, () -> what + ": element " + at + " expected " + e + " but was " + a);
        }
    }

    private static double p(JsonNode args) {
        JsonNode p = args.get("p");
        return p.isTextual() ? (p.asText().equals("inf") ? Double.POSITIVE_INFINITY : 2) : p.asDouble();
    }

    /** The op of a fixture case as a function of its input. */
    private static UnaryOperator<Tensor> op(String name, JsonNode a) {
        boolean all = a.has("axis") && a.get("axis").isNull();
        int axis = a.has("axis") && !a.get("axis").isNull() ? a.get("axis").asInt() : 0;
        boolean keep = a.has("keepDims") && a.get("keepDims").asBoolean();
        int[] axes = a.has("axes") ? ints(a.get("axes")) : null;
        return switch (name) {
            case "erf" -> Tensor::erf;
            case "gelu" -> Tensor::gelu;
            case "silu" -> Tensor::silu;
            case "sin" -> Tensor::sin;
            case "tan" -> Tensor::tan;
            case "atan" -> Tensor::atan;
            case "log1p" -> Tensor::log1p;
            case "expm1" -> Tensor::expm1;
            case "elu" -> x -> x.elu(a.get("alpha").asDouble());
            case "leakyRelu" -> x -> x.leakyRelu(a.get("slope").asDouble());
            case "prod" -> all ? Tensor::prod : x -> x.prod(axis, keep);
            case "var" -> all ? Tensor::var : x -> x.var(axis, a.get("correction").asDouble(), keep);
            case "std" -> all ? Tensor::std : x -> x.std(axis, a.get("correction").asDouble(), keep);
            case "norm" -> axes != null ? x -> x.norm(p(a), axes, keep) : all ? x -> x.norm(p(a)) : x -> x.norm(p(a), axis, keep);
            case "cumsum" -> x -> x.cumsum(axis);
            case "logsumexp" -> x -> x.logSumExp(axis, false);
            case "amax" -> x -> x.max(axes, keep);
            case "amin" -> x -> x.min(axes, keep);
            case "sum" -> x -> x.sum(axes, keep);
            case "mean" -> x -> x.mean(axes, keep);
            default -> throw new AssertionError("no op for fixture " + name);
        };
    }

    /** Tolerances: erf to 1e-14 relative (the brief's bar); the rest to what float64 summation order allows. */
    private static double rel(String op) {
        return switch (op) {
            case "erf", "sin", "atan", "log1p", "expm1", "leakyRelu" -> 1e-14;
            default -> 1e-13;
        };
    }

    @TestFactory
    Stream<DynamicTest> everyCaseMatchesPyTorch() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        int i = 0;
        for (JsonNode c : fixtures().get("cases")) {
            String name = c.get("op").asText();
            String label = (i++) + " " + name + " " + c.get("args") + " " + c.get("shape");
            tests.add(DynamicTest.dynamicTest(label, () -> check(name, c, label)));
        }
        return tests.stream();
    }

    private static void check(String name, JsonNode c, String label) {
        Tensor x = Tensor.of(doubles(c.get("x")), ints(c.get("shape"))).requiresGrad();
        int[] outShape = ints(c.get("out_shape"));
        double[] out = doubles(c.get("out"));
        switch (name) {
            case "maximum", "minimum" -> {
                Tensor y = Tensor.of(doubles(c.get("y")), ints(c.get("y_shape"))).requiresGrad();
                Tensor r = name.equals("maximum") ? x.maximum(y) : x.minimum(y);
                assertArrayEquals(outShape, r.shape());
                assertClose(label, out, r.toArray(), 0, 0);
                List<Tensor> g = Autograd.grad(r, List.of(x, y), Tensor.of(doubles(c.get("w")), outShape), false, false);
                assertClose(label + " grad", doubles(c.get("grad")), g.get(0).toArray(), 1e-15, 0);
                assertClose(label + " grad y", doubles(c.get("grad_y")), g.get(1).toArray(), 1e-15, 0);
            }
            case "sort", "topk" -> {
                JsonNode a = c.get("args");
                ValuesAndIndices r = name.equals("sort") ? x.sort(a.get("axis").asInt(), a.get("descending").asBoolean())
                    : x.topk(a.get("k").asInt(), a.get("axis").asInt());
                assertArrayEquals(outShape, r.values().shape());
                assertClose(label, out, r.values().toArray(), 0, 0);
                assertArrayEquals(doubles(c.get("indices")), r.indices().toArray(), label + " indices");
                if (c.has("grad")) {
                    Tensor g = Autograd.grad(r.values(), List.of(x), Tensor.of(doubles(c.get("w")), outShape), false, false).get(0);
                    assertClose(label + " grad", doubles(c.get("grad")), g.toArray(), 0, 0);
                }
            }
            default -> {
                UnaryOperator<Tensor> f = op(name, c.get("args"));
                Tensor r = f.apply(x);
                assertArrayEquals(outShape, r.shape(), label + " shape");
                double rel = rel(name);
                double abs = name.equals("gelu") ? 1e-15 : 1e-300;   // PyTorch's gelu cancels in the far left tail; ours does not
                assertClose(label, out, r.toArray(), rel, abs);
                if (!c.has("grad")) return;
                Tensor w = Tensor.of(doubles(c.get("w")), outShape);
                double[] grad = doubles(c.get("grad"));
                Tensor fast = Autograd.grad(f.apply(x), List.of(x), w, false, false).get(0);
                assertClose(label + " grad (first order)", grad, fast.toArray(), rel, 1e-14);
                Tensor g = Autograd.grad(f.apply(x), List.of(x), w, true, true).get(0);
                assertClose(label + " grad (createGraph)", grad, g.toArray(), rel, 1e-14);
                if (c.has("hvp")) {
                    Tensor v = Tensor.of(doubles(c.get("v")), x.shape());
                    // a gradient that does not depend on x (piecewise-linear ops) has a zero second derivative
                    double[] h = g.isGradRequired() ? Autograd.grad(g.mul(v).sum(), List.of(x), false).get(0).toArray() : new double[x.size()];
                    assertClose(label + " second order", doubles(c.get("hvp")), h, 1e-12, 1e-13);
                }
            }
        }
    }

    @TestFactory
    Stream<DynamicTest> rangesMatchPyTorch() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        JsonNode f = fixtures().get("factories");
        for (JsonNode c : f.get("arange")) {
            double[] a = doubles(c.get("args"));
            tests.add(DynamicTest.dynamicTest("arange " + c.get("args"), () -> {
                Tensor t = a.length == 1 ? Tensor.arange(a[0]) : a.length == 2 ? Tensor.arange(a[0], a[1]) : Tensor.arange(a[0], a[1], a[2]);
                // start + i·step; PyTorch's vectorized kernel adds the step to a per-vector base instead,
                // so the last bit may differ
                assertClose("arange", doubles(c.get("out")), t.toArray(), 1e-15, 1e-16);
            }));
        }
        for (JsonNode c : f.get("linspace")) {
            double[] a = doubles(c.get("args"));
            tests.add(DynamicTest.dynamicTest("linspace " + c.get("args"),
                () -> assertArrayEquals(doubles(c.get("out")), Tensor.linspace(a[0], a[1], (int) a[2]).toArray())));
        }
        return tests.stream();
    }
}

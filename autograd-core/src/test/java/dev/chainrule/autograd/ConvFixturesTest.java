package dev.chainrule.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Forward values and gradients of the convolution, pooling and normalization primitives against
 * PyTorch's functional API in float64 ({@code src/test/python/gen_conv_fixtures.py} wrote
 * {@code fixtures/conv.json}): for each case the output, the gradients of {@code sum(output · W)}
 * for the stored W, and for training-mode batch norm the running statistics after the call.
 */
class ConvFixturesTest {

    private static final double TOL = 1e-10;

    record Fixture(String op, String name, JsonNode params, Map<String, Tensor> inputs, Tensor output, Tensor weight,
                   Map<String, Tensor> grads, Map<String, Tensor> extra) {
        @Override
        public String toString() {
            return name;
        }
    }

    static List<Fixture> fixtures() throws IOException {
        try (InputStream in = ConvFixturesTest.class.getResourceAsStream("/fixtures/conv.json")) {
            assertNotNull(in, "fixtures/conv.json is missing");
            JsonNode root = new ObjectMapper().readTree(in);
            List<Fixture> out = new ArrayList<>();
            for (JsonNode c : root.get("cases")) {
                out.add(new Fixture(c.get("op").asText(), c.get("name").asText(), c.get("params"), tensors(c.get("inputs")),
                    tensor(c.get("output")), tensor(c.get("weight")), tensors(c.get("grads")),
                    c.has("extra") ? tensors(c.get("extra")) : Map.of()));
            }
            return out;
        }
    }

    static Tensor tensor(JsonNode t) {
        JsonNode shapeNode = t.get("shape"), dataNode = t.get("data");
        int[] shape = new int[shapeNode.size()];
        for (int i = 0; i < shape.length; i++) shape[i] = shapeNode.get(i).asInt();
        double[] data = new double[dataNode.size()];
        for (int i = 0; i < data.length; i++) data[i] = dataNode.get(i).asDouble();
        return Tensor.of(data, shape);
    }

    private static Map<String, Tensor> tensors(JsonNode obj) {
        Map<String, Tensor> m = new LinkedHashMap<>();
        obj.properties().forEach(e -> m.put(e.getKey(), tensor(e.getValue())));
        return m;
    }

    static int[] ints(JsonNode params, String key) {
        JsonNode a = params.get(key);
        int[] v = new int[a.size()];
        for (int i = 0; i < v.length; i++) v[i] = a.get(i).asInt();
        return v;
    }

    static Stream<Fixture> cases() throws IOException {
        return fixtures().stream();
    }

    @Test
    void everyPrimitiveHasFixtures() throws IOException {
        List<String> ops = fixtures().stream().map(Fixture::op).distinct().sorted().toList();
        assertEquals(List.of("adaptiveAvgPool", "avgPool", "batchNorm", "conv", "convTranspose", "fold", "layerNorm", "maxPool",
            "unfold"), ops);
    }

    /** Runs the fixture's op on {@code xs}; batch norm's running statistics (copies) are returned in {@code stats}. */
    static Tensor run(Fixture f, Map<String, Tensor> xs, Map<String, Tensor> stats) {
        JsonNode p = f.params();
        Tensor x = xs.get("x");
        return switch (f.op()) {
            case "conv" -> x.conv(xs.get("w"), xs.get("b"), ints(p, "stride"), ints(p, "padding"), ints(p, "dilation"),
                p.get("groups").asInt());
            case "convTranspose" -> x.convTranspose(xs.get("w"), xs.get("b"), ints(p, "stride"), ints(p, "padding"),
                ints(p, "outputPadding"), ints(p, "dilation"), p.get("groups").asInt());
            case "unfold" -> x.unfold(ints(p, "kernel"), ints(p, "dilation"), ints(p, "padding"), ints(p, "stride"));
            case "fold" -> x.fold(ints(p, "outputSize"), ints(p, "kernel"), ints(p, "dilation"), ints(p, "padding"), ints(p, "stride"));
            case "maxPool" -> x.maxPool(ints(p, "kernel"), ints(p, "stride"), ints(p, "padding"), ints(p, "dilation"));
            case "avgPool" -> x.avgPool(ints(p, "kernel"), ints(p, "stride"), ints(p, "padding"), p.get("countIncludePad").asBoolean());
            case "adaptiveAvgPool" -> x.adaptiveAvgPool(ints(p, "outputSize"));
            case "batchNorm" -> {
                Tensor rm = f.extra().containsKey("runningMean") ? f.extra().get("runningMean").detach() : null;
                Tensor rv = f.extra().containsKey("runningVar") ? f.extra().get("runningVar").detach() : null;
                if (rm != null) {
                    stats.put("runningMean", rm);
                    stats.put("runningVar", rv);
                }
                yield x.batchNorm(rm, rv, xs.get("weight"), xs.get("bias"), p.get("training").asBoolean(),
                    p.get("momentum").asDouble(), p.get("eps").asDouble());
            }
            case "layerNorm" -> x.layerNorm(ints(p, "normalizedShape"), xs.get("weight"), xs.get("bias"), p.get("eps").asDouble());
            default -> throw new IllegalArgumentException("unknown op " + f.op());
        };
    }

    static void assertClose(Tensor expected, Tensor actual, double tol, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
        double[] e = expected.toArray(), a = actual.toArray();
        for (int i = 0; i < e.length; i++) {
            int at = i;
            assertTrue(Math.abs(e[i] - a[i]) <= tol * Math.max(1, Math.abs(e[i])),
                () -> what + ": element " + at + " expected " + e[at] + " but was " + a[at] + "\n expected " + Arrays.toString(e)
                    + "\n actual   " + Arrays.toString(a));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void forwardAndGradientsMatchPyTorch(Fixture f) {
        Map<String, Tensor> xs = new LinkedHashMap<>();
        f.inputs().forEach((k, v) -> xs.put(k, v.detach().requiresGrad()));
        Map<String, Tensor> stats = new LinkedHashMap<>();
        Tensor out = run(f, xs, stats);
        assertClose(f.output(), out, TOL, f.name() + " output");
        out.mul(f.weight()).sum().backward();
        for (Map.Entry<String, Tensor> e : f.grads().entrySet()) {
            assertNotNull(xs.get(e.getKey()).grad(), f.name() + ": no gradient for " + e.getKey());
            assertClose(e.getValue(), xs.get(e.getKey()).grad(), TOL, f.name() + " d/d" + e.getKey());
        }
        if (f.extra().containsKey("runningMeanAfter")) {
            assertClose(f.extra().get("runningMeanAfter"), stats.get("runningMean"), TOL, f.name() + " running mean");
            assertClose(f.extra().get("runningVarAfter"), stats.get("runningVar"), TOL, f.name() + " running variance");
        }
    }

    /** The createGraph branch of each rule (Tensor ops) gives the same gradients as the first-order fast path. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void differentiableBackwardMatchesPyTorchToo(Fixture f) {
        Map<String, Tensor> xs = new LinkedHashMap<>();
        f.inputs().forEach((k, v) -> xs.put(k, v.detach().requiresGrad()));
        Tensor loss = run(f, xs, new LinkedHashMap<>()).mul(f.weight()).sum();
        List<String> names = new ArrayList<>(f.grads().keySet());
        List<Tensor> wrt = names.stream().map(xs::get).toList();
        List<Tensor> gs = Autograd.grad(loss, wrt, true);
        for (int i = 0; i < names.size(); i++) {
            assertClose(f.grads().get(names.get(i)), gs.get(i), TOL, f.name() + " d/d" + names.get(i) + " (createGraph)");
        }
    }
}

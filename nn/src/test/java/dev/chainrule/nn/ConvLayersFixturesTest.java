package dev.chainrule.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.chainrule.autograd.Autograd;
import dev.chainrule.autograd.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The convolution, pooling and normalization layers against PyTorch's nn modules in float64
 * ({@code src/test/python/gen_conv_fixtures.py} wrote {@code fixtures/conv_layers.json}): with PyTorch's
 * initial parameters copied in, every call of a case (batch-norm cases: several training steps, then
 * eval) gives PyTorch's output, the gradients of {@code sum(output · W)} for the input and every
 * parameter, and the running statistics after the call.
 */
@SuppressWarnings("try") // no-grad scopes used for their effect only
class ConvLayersFixturesTest {

    private static final double TOL = 1e-10;

    record Fixture(String layer, String name, JsonNode json) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Fixture> cases() throws IOException {
        try (InputStream in = ConvLayersFixturesTest.class.getResourceAsStream("/fixtures/conv_layers.json")) {
            assertNotNull(in, "fixtures/conv_layers.json is missing");
            List<Fixture> out = new ArrayList<>();
            for (JsonNode c : new ObjectMapper().readTree(in).get("cases")) out.add(new Fixture(c.get("layer").asText(), c.get("name").asText(), c));
            return out.stream();
        }
    }

    static Tensor tensor(JsonNode t) {
        int[] shape = ints(t.get("shape"));
        double[] data = new double[t.get("data").size()];
        for (int i = 0; i < data.length; i++) data[i] = t.get("data").get(i).asDouble();
        return Tensor.of(data, shape);
    }

    static int[] ints(JsonNode a) {
        if (a == null || a.isNull()) return null;
        int[] v = new int[a.size()];
        for (int i = 0; i < v.length; i++) v[i] = a.get(i).asInt();
        return v;
    }

    /** The Chainrule layer a fixture describes. */
    static Module build(Fixture f) {
        JsonNode c = f.json().get("config");
        SplittableRandom rng = new SplittableRandom(1);
        return switch (f.layer()) {
            case "Conv2d" -> Conv2d.builder(c.get("in").asInt(), c.get("out").asInt(), ints(c.get("kernel"))).stride(ints(c.get("stride")))
                .padding(ints(c.get("padding"))).dilation(ints(c.get("dilation"))).groups(c.get("groups").asInt())
                .bias(c.get("bias").asBoolean()).build(rng);
            case "Conv1d" -> Conv1d.builder(c.get("in").asInt(), c.get("out").asInt(), ints(c.get("kernel"))).stride(ints(c.get("stride")))
                .padding(ints(c.get("padding"))).dilation(ints(c.get("dilation"))).groups(c.get("groups").asInt())
                .bias(c.get("bias").asBoolean()).build(rng);
            case "MaxPool2d" -> new MaxPool2d(ints(c.get("kernel")), stride(c), ints(c.get("padding")), ints(c.get("dilation")));
            case "MaxPool1d" -> new MaxPool1d(ints(c.get("kernel")), stride(c), ints(c.get("padding")), ints(c.get("dilation")));
            case "AvgPool2d" -> new AvgPool2d(ints(c.get("kernel")), stride(c), ints(c.get("padding")), c.get("countIncludePad").asBoolean());
            case "AvgPool1d" -> new AvgPool1d(ints(c.get("kernel")), stride(c), ints(c.get("padding")), c.get("countIncludePad").asBoolean());
            case "AdaptiveAvgPool2d" -> new AdaptiveAvgPool2d(ints(c.get("output"))[0], ints(c.get("output"))[1]);
            case "Flatten" -> new Flatten(c.get("start").asInt(), c.get("end").asInt());
            case "BatchNorm2d" -> batchNorm(BatchNorm2d.builder(c.get("features").asInt()), c).build();
            case "BatchNorm1d" -> batchNorm(BatchNorm1d.builder(c.get("features").asInt()), c).build();
            case "LayerNorm" -> new LayerNorm(ints(c.get("shape")), c.get("eps").asDouble(), c.get("affine").asBoolean());
            default -> throw new IllegalArgumentException("unknown layer " + f.layer());
        };
    }

    /** PyTorch's stride=None is the kernel size. */
    static int[] stride(JsonNode c) {
        return c.get("stride").isNull() ? ints(c.get("kernel")) : ints(c.get("stride"));
    }

    static <B extends BatchNormNd.Options<B>> B batchNorm(B b, JsonNode c) {
        b.eps(c.get("eps").asDouble()).affine(c.get("affine").asBoolean()).trackRunningStats(c.get("track").asBoolean());
        return c.get("momentum").isNull() ? b.cumulativeAverage() : b.momentum(c.get("momentum").asDouble());
    }

    static void assertClose(Tensor expected, Tensor actual, String what) {
        assertNotNull(actual, what + " is missing");
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
        double[] e = expected.toArray(), a = actual.toArray();
        for (int i = 0; i < e.length; i++) {
            int at = i;
            assertTrue(Math.abs(e[i] - a[i]) <= TOL * Math.max(1, Math.abs(e[i])),
                () -> what + ": element " + at + " expected " + e[at] + " but was " + a[at] + "\n expected " + Arrays.toString(e)
                    + "\n actual   " + Arrays.toString(a));
        }
    }

    /** The floating-point buffers (PyTorch's fixture leaves out the integer num_batches_tracked, checked separately). */
    static Map<String, Tensor> buffers(Module m) {
        Map<String, Tensor> b = new LinkedHashMap<>(m.namedBuffers());
        b.remove("num_batches_tracked");
        return b;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void layerMatchesPyTorchCallByCall(Fixture f) {
        Module m = build(f);
        JsonNode json = f.json();
        Map<String, Tensor> params = m.namedParameters();
        assertEquals(json.get("parameters").size(), params.size(), f.name() + ": parameter count");
        try (var s = Autograd.noGrad()) {
            json.get("parameters").properties().forEach(e -> {
                assertNotNull(params.get(e.getKey()), f.name() + ": no parameter named " + e.getKey() + " in " + params.keySet());
                params.get(e.getKey()).copyFrom(tensor(e.getValue()));
            });
        }
        json.get("initialBuffers").properties().forEach(e -> assertClose(tensor(e.getValue()), buffers(m).get(e.getKey()),
            f.name() + " initial " + e.getKey()));
        int k = 0;
        for (JsonNode call : json.get("calls")) {
            String what = f.name() + " call " + k++ + " (" + call.get("mode").asText() + ")";
            if (call.get("mode").asText().equals("train")) m.train();
            else m.eval();
            m.zeroGrad();
            Tensor x = tensor(call.get("input")).requiresGrad();
            Tensor y = m.forward(x);
            assertClose(tensor(call.get("output")), y, what + " output");
            y.mul(tensor(call.get("weight"))).sum().backward();
            JsonNode grads = call.get("grads");
            assertClose(tensor(grads.get("input")), x.grad(), what + " input gradient");
            for (Map.Entry<String, Tensor> p : params.entrySet()) {
                assertClose(tensor(grads.get(p.getKey())), p.getValue().grad(), what + " gradient of " + p.getKey());
            }
            Map<String, Tensor> bufs = buffers(m);
            assertEquals(call.get("buffers").size(), bufs.size(), what + ": buffers");
            call.get("buffers").properties().forEach(e -> assertClose(tensor(e.getValue()), bufs.get(e.getKey()), what + " " + e.getKey()));
            if (m instanceof BatchNormNd bn) assertEquals(call.get("numBatchesTracked").asLong(), bn.numBatchesTracked(), what + " batches");
        }
    }
}

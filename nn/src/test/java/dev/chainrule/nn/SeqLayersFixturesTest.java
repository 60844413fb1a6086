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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Embedding, RNN/LSTM/GRU (layers with 1 and 2 layers, bidirectional, with and without initial state;
 * cells) and MultiheadAttention (self and cross, causal, key padding, attention masks, averaged and
 * per-head weights) against PyTorch float64 ({@code src/test/python/gen_seq_fixtures.py}): each case
 * loads PyTorch's state dict by name (the names and their order must be PyTorch's), then compares the
 * outputs and the gradients of {@code Σ_k sum(out_k ⊙ W_k)} for every float input and parameter.
 */
@SuppressWarnings("try")
class SeqLayersFixturesTest {

    private static final double TOL = 1e-10;
    private static final JsonNode ROOT = load();

    private static JsonNode load() {
        try (InputStream in = SeqLayersFixturesTest.class.getResourceAsStream("/fixtures/seq_layers.json")) {
            return new ObjectMapper().readTree(in);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static Tensor tensor(JsonNode n) {
        int[] shape = new int[n.get("shape").size()];
        for (int i = 0; i < shape.length; i++) shape[i] = n.get("shape").get(i).asInt();
        double[] d = new double[n.get("data").size()];
        for (int i = 0; i < d.length; i++) d[i] = n.get("data").get(i).asDouble();
        return Tensor.of(d, shape);
    }

    static void assertClose(String what, JsonNode expected, Tensor actual) {
        Tensor e = tensor(expected);
        assertNotNull(actual, what + " is null");
        assertArrayEquals(e.shape(), actual.shape(), what + " shape");
        double[] ev = e.toArray(), av = actual.toArray();
        for (int i = 0; i < ev.length; i++) {
            int at = i;
            assertEquals(ev[i], av[i], TOL * Math.max(1, Math.abs(ev[i])), () -> what + " element " + at);
        }
    }

    @Test
    void fixturesCoverEveryLayerKind() {
        List<String> kinds = new ArrayList<>();
        ROOT.get("cases").forEach(c -> kinds.add(c.get("kind").asText()));
        for (String k : List.of("Embedding", "RNN", "LSTM", "GRU", "RNNCell", "LSTMCell", "GRUCell", "MultiheadAttention")) {
            assertTrue(kinds.contains(k), k + " has no fixture");
        }
        assertTrue(kinds.size() >= 25, "cases: " + kinds.size());
    }

    @TestFactory
    Stream<DynamicTest> matchesPyTorch() {
        List<DynamicTest> tests = new ArrayList<>();
        ROOT.get("cases").forEach(c -> tests.add(DynamicTest.dynamicTest(c.get("name").asText(), () -> check(c))));
        return tests.stream();
    }

    private static void check(JsonNode c) {
        String kind = c.get("kind").asText();
        JsonNode cfg = c.get("config");
        Module m = build(kind, cfg);

        // state-dict names, in PyTorch's order, then PyTorch's values
        List<String> names = new ArrayList<>();
        c.get("state").forEach(s -> names.add(s.get("name").asText()));
        assertEquals(names, List.copyOf(m.namedParameters().keySet()), "parameter names and order");
        try (var s = Autograd.noGrad()) {
            c.get("state").forEach(p -> m.namedParameters().get(p.get("name").asText()).copyFrom(tensor(p)));
        }

        Map<String, Tensor> in = new LinkedHashMap<>();
        c.get("inputs").properties().forEach(e -> in.put(e.getKey(), tensor(e.getValue())));
        for (String k : List.of("x", "h0", "c0", "query", "key", "value")) {
            if (in.containsKey(k)) in.get(k).requiresGrad();
        }
        m.eval();
        Map<String, Tensor> out = run(kind, cfg, m, in);

        Tensor loss = null;
        for (Map.Entry<String, JsonNode> e : iterable(c.get("outputs"))) {
            Tensor o = out.get(e.getKey());
            assertClose(e.getKey(), e.getValue(), o);
            Tensor term = o.mul(tensor(c.get("weights").get(e.getKey()))).sum();
            loss = loss == null ? term : loss.add(term);
        }
        loss.backward();
        for (Map.Entry<String, JsonNode> e : iterable(c.get("grads"))) {
            Tensor leaf = in.containsKey(e.getKey()) ? in.get(e.getKey()) : m.namedParameters().get(e.getKey());
            assertNotNull(leaf, "no input or parameter " + e.getKey());
            Tensor g = leaf.grad() == null ? Tensor.zeros(leaf.shape()) : leaf.grad();
            assertClose("d loss / d " + e.getKey(), e.getValue(), g);
        }
    }

    private static Iterable<Map.Entry<String, JsonNode>> iterable(JsonNode n) {
        List<Map.Entry<String, JsonNode>> l = new ArrayList<>();
        n.properties().forEach(l::add);
        return l;
    }

    private static Module build(String kind, JsonNode cfg) {
        var rng = new SplittableRandom(1);
        switch (kind) {
            case "Embedding":
                return cfg.has("paddingIdx") ? new Embedding(cfg.get("num").asInt(), cfg.get("dim").asInt(), cfg.get("paddingIdx").asInt(), rng)
                    : new Embedding(cfg.get("num").asInt(), cfg.get("dim").asInt(), rng);
            case "RNN":
                return RNN.builder(cfg.get("input").asInt(), cfg.get("hidden").asInt()).numLayers(cfg.get("layers").asInt())
                    .bidirectional(cfg.get("bidirectional").asBoolean()).bias(cfg.get("bias").asBoolean())
                    .nonlinearity(cfg.get("nonlinearity").asText().equals("relu") ? RNN.Nonlinearity.RELU : RNN.Nonlinearity.TANH)
                    .build(rng);
            case "LSTM":
                return LSTM.builder(cfg.get("input").asInt(), cfg.get("hidden").asInt()).numLayers(cfg.get("layers").asInt())
                    .bidirectional(cfg.get("bidirectional").asBoolean()).bias(cfg.get("bias").asBoolean()).build(rng);
            case "GRU":
                return GRU.builder(cfg.get("input").asInt(), cfg.get("hidden").asInt()).numLayers(cfg.get("layers").asInt())
                    .bidirectional(cfg.get("bidirectional").asBoolean()).bias(cfg.get("bias").asBoolean()).build(rng);
            case "RNNCell":
                return new RNNCell(cfg.get("input").asInt(), cfg.get("hidden").asInt(), rng);
            case "LSTMCell":
                return new LSTMCell(cfg.get("input").asInt(), cfg.get("hidden").asInt(), rng);
            case "GRUCell":
                return new GRUCell(cfg.get("input").asInt(), cfg.get("hidden").asInt(), rng);
            case "MultiheadAttention":
                return MultiheadAttention.builder(cfg.get("embedDim").asInt(), cfg.get("numHeads").asInt())
                    .bias(cfg.get("bias").asBoolean()).build(rng);
            default:
                throw new IllegalArgumentException(kind);
        }
    }

    private static Map<String, Tensor> run(String kind, JsonNode cfg, Module m, Map<String, Tensor> in) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        switch (kind) {
            case "Embedding" -> out.put("output", m.forward(in.get("indices")));
            case "LSTM" -> {
                LSTM.State s0 = in.containsKey("h0") ? new LSTM.State(in.get("h0"), in.get("c0")) : null;
                LSTM.Output o = ((LSTM) m).forward(in.get("x"), s0);
                out.put("output", o.output());
                out.put("h", o.state().h());
                out.put("c", o.state().c());
            }
            case "RNN" -> {
                RNN.Output o = ((RNN) m).forward(in.get("x"), in.get("h0"));
                out.put("output", o.output());
                out.put("h", o.hidden());
            }
            case "GRU" -> {
                GRU.Output o = ((GRU) m).forward(in.get("x"), in.get("h0"));
                out.put("output", o.output());
                out.put("h", o.hidden());
            }
            case "LSTMCell" -> {
                LSTM.State s0 = in.containsKey("h0") ? new LSTM.State(in.get("h0"), in.get("c0")) : null;
                LSTM.State s = ((LSTMCell) m).forward(in.get("x"), s0);
                out.put("h", s.h());
                out.put("c", s.c());
            }
            case "RNNCell" -> out.put("h", ((RNNCell) m).forward(in.get("x"), in.get("h0")));
            case "GRUCell" -> out.put("h", ((GRUCell) m).forward(in.get("x"), in.get("h0")));
            case "MultiheadAttention" -> {
                Tensor q = in.get("query");
                Tensor k = in.getOrDefault("key", q), v = in.getOrDefault("value", q);
                var opts = MultiheadAttention.Options.defaults().withCausal(cfg.get("causal").asBoolean())
                    .withAverageWeights(cfg.get("average").asBoolean())
                    .withAttnMask(in.get("attnMask")).withKeyPaddingMask(in.get("keyPaddingMask"));
                MultiheadAttention.Output o = ((MultiheadAttention) m).forward(q, k, v, opts);
                out.put("output", o.output());
                out.put("weights", o.weights());
            }
            default -> throw new IllegalArgumentException(kind);
        }
        return out;
    }
}

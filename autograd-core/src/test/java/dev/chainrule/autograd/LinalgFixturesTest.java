package dev.chainrule.autograd;

import static dev.chainrule.autograd.TestGens.assertTensor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Forward values and gradients of every {@link Linalg} function against PyTorch float64
 * ({@code src/test/python/gen_linalg_fixtures.py} wrote {@code fixtures/linalg.json}): for each
 * case the outputs, and the gradients of sum(output · W) for the stored W (for eigh,
 * sum(w · W_w) + sum(V ∘ V · W_V), which does not depend on the eigenvectors' signs).
 */
class LinalgFixturesTest {

    private static final double TOL = 1e-9;

    record Fixture(String op, String name, JsonNode params, Map<String, Tensor> inputs, Map<String, Tensor> outputs,
                   Map<String, Tensor> weights, Map<String, Tensor> grads) {
        @Override
        public String toString() {
            return name;
        }
    }

    static List<Fixture> fixtures() throws IOException {
        try (InputStream in = LinalgFixturesTest.class.getResourceAsStream("/fixtures/linalg.json")) {
            JsonNode root = new ObjectMapper().readTree(in);
            List<Fixture> out = new ArrayList<>();
            for (JsonNode c : root.get("cases")) {
                out.add(new Fixture(c.get("op").asText(), c.get("name").asText(), c.get("params"), tensors(c.get("inputs")),
                    tensors(c.get("outputs")), tensors(c.get("weights")), tensors(c.get("grads"))));
            }
            return out;
        }
    }

    private static Map<String, Tensor> tensors(JsonNode obj) {
        Map<String, Tensor> m = new LinkedHashMap<>();
        obj.properties().forEach(e -> {
            JsonNode shapeNode = e.getValue().get("shape"), dataNode = e.getValue().get("data");
            int[] shape = new int[shapeNode.size()];
            for (int i = 0; i < shape.length; i++) shape[i] = shapeNode.get(i).asInt();
            double[] data = new double[dataNode.size()];
            for (int i = 0; i < data.length; i++) data[i] = dataNode.get(i).asDouble();
            m.put(e.getKey(), Tensor.of(data, shape));
        });
        return m;
    }

    static Stream<Fixture> cases() throws IOException {
        return fixtures().stream();
    }

    @Test
    void everyOpHasFixtures() throws IOException {
        List<String> ops = fixtures().stream().map(Fixture::op).distinct().sorted().toList();
        assertEquals(List.of("cholesky", "det", "eigh", "inverse", "logdet", "slogdet", "solve", "solveTriangular"), ops);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void forwardAndGradientMatchPyTorch(Fixture f) {
        Map<String, Tensor> xs = new LinkedHashMap<>();
        f.inputs().forEach((k, v) -> xs.put(k, v.detach().requiresGrad()));
        Map<String, Tensor> outs = run(f, xs);
        Tensor loss = Tensor.scalar(0);
        for (Map.Entry<String, Tensor> e : f.outputs().entrySet()) {
            Tensor actual = outs.get(e.getKey());
            Tensor expected = e.getValue();
            if (f.op().equals("eigh") && e.getKey().equals("eigenvectors")) {
                assertTensor(expected.square().toArray(), expected.shape(), actual.square(), TOL);   // columns up to sign
                assertTensor(expected.toArray(), expected.shape(), alignSigns(actual, expected), TOL);
                loss = loss.add(actual.square().mul(f.weights().get(e.getKey())).sum());
                continue;
            }
            assertTensor(expected.toArray(), expected.shape(), actual, TOL);
            if (actual.isGradRequired()) loss = loss.add(actual.mul(f.weights().get(e.getKey())).sum());
        }
        List<Tensor> gs = Autograd.grad(loss, new ArrayList<>(xs.values()), false);
        int i = 0;
        for (Map.Entry<String, Tensor> e : f.grads().entrySet()) {
            Tensor g = gs.get(i++);
            assertArrayEquals(e.getValue().shape(), g.shape(), "gradient shape for " + e.getKey());
            assertTensor(e.getValue().toArray(), e.getValue().shape(), g, 1e-8);
        }
    }

    private static Map<String, Tensor> run(Fixture f, Map<String, Tensor> x) {
        Tensor a = x.get("A");
        return switch (f.op()) {
            case "cholesky" -> Map.of("L", Linalg.cholesky(a));
            case "solveTriangular" -> Map.of("X", Linalg.solveTriangular(a, x.get("B"), f.params().get("upper").asBoolean(),
                f.params().get("left").asBoolean(), f.params().get("unitriangular").asBoolean()));
            case "solve" -> Map.of("X", Linalg.solve(a, x.get("B")));
            case "inverse" -> Map.of("Y", Linalg.inverse(a));
            case "det" -> Map.of("det", Linalg.det(a));
            case "slogdet" -> {
                Linalg.SignLogDet s = Linalg.slogdet(a);
                yield Map.of("sign", s.sign(), "logAbsDet", s.logAbsDet());
            }
            case "logdet" -> Map.of("logdet", Linalg.logdet(a));
            case "eigh" -> {
                Linalg.Eigh e = Linalg.eigh(a);
                yield Map.of("eigenvalues", e.eigenvalues(), "eigenvectors", e.eigenvectors());
            }
            default -> throw new AssertionError(f.op());
        };
    }

    /** {@code v} with each eigenvector column's sign flipped to agree with {@code ref}'s. */
    private static Tensor alignSigns(Tensor v, Tensor ref) {
        int[] s = v.shape();
        int n = s[s.length - 1];
        double[] d = v.toArray(), r = ref.toArray();
        for (int b = 0; b < d.length / (n * n); b++) {
            for (int c = 0; c < n; c++) {
                double dot = 0;
                for (int i = 0; i < n; i++) dot += d[b * n * n + i * n + c] * r[b * n * n + i * n + c];
                assertTrue(Math.abs(Math.abs(dot) - 1) < 1e-8, "eigenvector columns are unit and parallel");
                if (dot < 0) {
                    for (int i = 0; i < n; i++) d[b * n * n + i * n + c] = -d[b * n * n + i * n + c];
                }
            }
        }
        return Tensor.of(d, s);
    }
}

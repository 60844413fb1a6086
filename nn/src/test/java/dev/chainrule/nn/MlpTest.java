package dev.chainrule.nn;

import static dev.chainrule.nn.TestData.assertShape;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.chainrule.autograd.Autograd;
import dev.chainrule.autograd.Tensor;
import dev.chainrule.nn.init.Constant;
import dev.chainrule.nn.init.GlorotUniform;
import dev.chainrule.nn.init.Zeros;
import dev.chainrule.nn.loss.BinaryCrossEntropy;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class MlpTest {

    @Test
    void buildsTheLayersWithActivationsBetween() {
        Mlp mlp = Mlp.builder().sizes(2, 8, 4, 1).hiddenActivation(Tanh::new).outputActivation(Sigmoid::new).seed(1).build();
        List<Module> layers = mlp.layers().layers();
        assertEquals(6, layers.size());
        assertInstanceOf(Linear.class, layers.get(0));
        assertInstanceOf(Tanh.class, layers.get(1));
        assertInstanceOf(Linear.class, layers.get(2));
        assertInstanceOf(Tanh.class, layers.get(3));
        assertInstanceOf(Linear.class, layers.get(4));
        assertInstanceOf(Sigmoid.class, layers.get(5));
        assertEquals(List.of("layers.0.weight", "layers.0.bias", "layers.2.weight", "layers.2.bias", "layers.4.weight", "layers.4.bias"),
            List.copyOf(mlp.namedParameters().keySet()));
        assertEquals(2 * 8 + 8 + 8 * 4 + 4 + 4 + 1, mlp.parameterCount());
        assertArrayEquals(new int[] {2, 8, 4, 1}, mlp.sizes());
        assertEquals(3, mlp.linearLayers().size());
    }

    @Test
    void forwardShapesAndValuesOnRandomSizes() {
        TestData.props(30).forAll(integers().between(1, 5), integers().between(1, 5), integers().between(1, 5), longs().all())
            .checkAssert((in, hidden, out, seed) -> {
                Mlp mlp = Mlp.builder().sizes(in, hidden, out).hiddenActivation(ReLU::new).seed(seed).build();
                Tensor x = TestData.uniform(new SplittableRandom(seed), -1, 1, 3, in);
                Tensor y = mlp.forward(x);
                assertShape(y, 3, out);
                List<Linear> l = mlp.linearLayers();
                Tensor expected = l.get(1).forward(l.get(0).forward(x).relu());
                TestData.assertValues(expected.toArray(), y, 0);
                assertEquals((long) in * hidden + hidden + (long) hidden * out + out, mlp.parameterCount());
            });
    }

    @Test
    void initializersAndOptionsAreApplied() {
        Mlp mlp = Mlp.builder().sizes(3, 5, 2).weightInit(new GlorotUniform()).biasInit(new Constant(0.1)).seed(4).build();
        double bound = Math.sqrt(6.0 / 8);
        for (double v : mlp.linearLayers().get(0).weight().toArray()) assertTrue(Math.abs(v) <= bound);
        for (double v : mlp.linearLayers().get(1).bias().toArray()) assertEquals(0.1, v);
        Mlp noBias = Mlp.builder().sizes(3, 5, 2).bias(false).seed(4).build();
        assertEquals(List.of("layers.0.weight", "layers.2.weight"), List.copyOf(noBias.namedParameters().keySet()));
        Mlp linearOnly = Mlp.builder().sizes(3, 2).hiddenActivation(null).seed(4).build();
        assertEquals(1, linearOnly.layers().size());
        Mlp withDropout = Mlp.builder().sizes(3, 5, 5, 2).dropout(0.2).seed(4).build();
        assertEquals(List.of("layers.0.weight", "layers.0.bias", "layers.3.weight", "layers.3.bias", "layers.6.weight", "layers.6.bias"),
            List.copyOf(withDropout.namedParameters().keySet()));
        withDropout.eval();
        assertTrue(withDropout.layers().layers().stream().noneMatch(Module::isTraining));
    }

    @Test
    void sameSeedSameNetwork() {
        var a = Mlp.builder().sizes(2, 3, 1).seed(9).build();
        var b = Mlp.builder().sizes(2, 3, 1).rng(new SplittableRandom(9)).build();
        for (int i = 0; i < a.parameters().size(); i++) {
            assertArrayEquals(a.parameters().get(i).toArray(), b.parameters().get(i).toArray());
        }
    }

    @Test
    void buildValidates() {
        var e = assertThrows(IllegalArgumentException.class, () -> Mlp.builder().sizes(4).seed(1).build());
        assertTrue(e.getMessage().startsWith("Mlp: needs at least an input and an output size"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Mlp.builder().seed(1).build());
        assertTrue(e.getMessage().startsWith("Mlp: needs at least an input and an output size"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Mlp.builder().sizes(2, 0, 1).seed(1).build());
        assertThrows(IllegalArgumentException.class, () -> Mlp.builder().sizes(2, 1).build());
        assertThrows(IllegalArgumentException.class, () -> Mlp.builder().sizes(2, 3, 1).dropout(1).seed(1).build());
        assertThrows(NullPointerException.class, () -> Mlp.builder().sizes(2, 1).weightInit(null).seed(1).build());
        assertThrows(IllegalArgumentException.class, () -> Mlp.builder().sizes(2, 3, 1).hiddenActivation(() -> null).seed(1).build());
    }

    @Test
    void learnsXorWithPlainGradientDescent() {
        // The notes' classic: not linearly separable, learnable with one hidden layer.
        Tensor x = Tensor.of(new double[][] {{0, 0}, {0, 1}, {1, 0}, {1, 1}});
        Tensor y = Tensor.of(new double[] {0, 1, 1, 0}, 4, 1);
        Mlp mlp = Mlp.builder().sizes(2, 8, 1).hiddenActivation(Tanh::new).outputActivation(Sigmoid::new)
            .weightInit(new GlorotUniform()).biasInit(new Zeros()).seed(42).build();
        BinaryCrossEntropy bce = new BinaryCrossEntropy();
        double loss = Double.NaN;
        for (int step = 0; step < 2000; step++) {
            Tensor l = bce.apply(mlp.forward(x), y);
            loss = l.item();
            l.backward();
            try (var s = Autograd.noGrad()) {
                for (Tensor p : mlp.parameters()) p.addInPlace(p.grad(), -0.5);
            }
            mlp.zeroGrad();
        }
        double[] p = mlp.forward(x).toArray();
        assertTrue(p[0] < 0.5 && p[1] > 0.5 && p[2] > 0.5 && p[3] < 0.5, "XOR not learned: " + java.util.Arrays.toString(p));
        assertTrue(loss < 0.1, "final loss " + loss);
    }

    @Test
    void toStringShowsTheTree() {
        String s = Mlp.builder().sizes(2, 3, 1).hiddenActivation(Tanh::new).seed(0).build().toString();
        assertEquals(String.join("\n",
            "Mlp(",
            "  (layers): Sequential(",
            "    (0): Linear(in=2, out=3; weight[3, 2], bias[3])  # 9 params",
            "    (1): Tanh()",
            "    (2): Linear(in=3, out=1; weight[1, 3], bias[1])  # 4 params",
            "  )",
            ")",
            "Total parameters: 13"), s);
    }
}

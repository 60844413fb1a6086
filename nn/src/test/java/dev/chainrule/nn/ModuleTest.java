package dev.chainrule.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chainrule.autograd.Tensor;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ModuleTest {

    /** A model the way users write one: fields registered in the constructor. */
    static final class TwoLayer extends Module {
        final Linear encoder;
        final Sequential layers;
        final Tensor scale;

        TwoLayer(SplittableRandom rng) {
            scale = registerParameter("scale", Tensor.ones(1));
            encoder = registerModule("encoder", new Linear(4, 3, rng));
            layers = registerModule("layers", new Sequential(new Linear(3, 3, rng), new Dropout(0.5, rng), new Linear(3, 2, rng)));
        }

        @Override
        public Tensor forward(Tensor x) {
            return layers.forward(encoder.forward(x)).mul(scale);
        }
    }

    @Test
    void namedParametersFollowRegistrationOrderWithDottedNames() {
        TwoLayer m = new TwoLayer(new SplittableRandom(0));
        assertEquals(List.of("scale", "encoder.weight", "encoder.bias", "layers.0.weight", "layers.0.bias",
            "layers.2.weight", "layers.2.bias"), List.copyOf(m.namedParameters().keySet()));
        assertEquals(List.copyOf(m.namedParameters().values()), m.parameters());
        assertEquals(1 + 12 + 3 + 9 + 3 + 6 + 2, m.parameterCount());
    }

    @Test
    void aSharedModuleIsListedOnce() {
        Linear shared = new Linear(2, 2, new SplittableRandom(0));
        Sequential net = new Sequential(shared, new Tanh(), shared);
        assertEquals(List.of("0.weight", "0.bias"), List.copyOf(net.namedParameters().keySet()));
        assertEquals(6, net.parameterCount());
    }

    @Test
    void toStringSummarizesTheTree() {
        TwoLayer m = new TwoLayer(new SplittableRandom(0));
        String expected = String.join("\n",
            "TwoLayer(",
            "  scale[1]  # 1 params",
            "  (encoder): Linear(in=4, out=3; weight[3, 4], bias[3])  # 15 params",
            "  (layers): Sequential(",
            "    (0): Linear(in=3, out=3; weight[3, 3], bias[3])  # 12 params",
            "    (1): Dropout(p=0.5)",
            "    (2): Linear(in=3, out=2; weight[2, 3], bias[2])  # 8 params",
            "  )",
            ")",
            "Total parameters: 36");
        assertEquals(expected, m.toString());
    }

    @Test
    void trainAndEvalReachEveryDescendant() {
        TwoLayer m = new TwoLayer(new SplittableRandom(0));
        assertTrue(m.layers.get(1).isTraining());
        m.eval();
        assertFalse(m.isTraining());
        assertFalse(m.layers.get(1).isTraining());
        assertFalse(m.encoder.isTraining());
        m.train();
        assertTrue(m.layers.get(1).isTraining());
    }

    @Test
    void zeroGradClearsEveryParameter() {
        TwoLayer m = new TwoLayer(new SplittableRandom(0));
        m.forward(Tensor.ones(2, 4)).sum().backward();
        for (Tensor p : m.parameters()) assertTrue(p.grad() != null);
        m.zeroGrad();
        for (Tensor p : m.parameters()) {
            Tensor g = p.grad();
            assertTrue(g == null || java.util.Arrays.stream(g.toArray()).allMatch(v -> v == 0));
        }
    }

    @Test
    void badRegistrationsAreRejected() {
        class Bad extends Module {
            @Override
            public Tensor forward(Tensor x) {
                return x;
            }
        }
        Bad b = new Bad();
        assertThrows(IllegalArgumentException.class, () -> b.registerParameter("a.b", Tensor.ones(1)));
        b.registerParameter("w", Tensor.ones(1));
        assertThrows(IllegalArgumentException.class, () -> b.registerParameter("w", Tensor.ones(1)));
        assertThrows(IllegalArgumentException.class, () -> b.registerParameter("v", Tensor.ones(1).requiresGrad().mul(2)));
        assertThrows(NullPointerException.class, () -> b.registerModule("m", null));    // the null convention: NPE naming it
        assertNull(b.children().get("m"));
    }
}

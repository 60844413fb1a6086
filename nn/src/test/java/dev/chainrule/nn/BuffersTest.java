package dev.chainrule.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chainrule.autograd.Autograd;
import dev.chainrule.autograd.Tensor;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Buffers: non-trained module state, listed with dotted names and kept apart from the parameters. */
@SuppressWarnings("try") // no-grad scopes are used only for their effect
class BuffersTest {

    /** A layer with a trained scale and a running mean of its inputs (a buffer), like batch norm's statistics. */
    static final class RunningMean extends Module {
        final Tensor scale;
        final Tensor mean;
        final Tensor count;

        RunningMean(int features) {
            scale = registerParameter("scale", Tensor.ones(features));
            mean = registerBuffer("running_mean", Tensor.zeros(features));
            count = registerBuffer("count", Tensor.scalar(0));
        }

        @Override
        public Tensor forward(Tensor x) {
            if (isTraining()) {
                try (var s = Autograd.noGrad()) {
                    mean.lerpInPlace(x.mean(0, false), 0.1);
                    count.addInPlace(Tensor.scalar(1), 1);
                }
            }
            return x.sub(mean).mul(scale);
        }
    }

    static final class Net extends Module {
        final RunningMean norm;
        final Sequential layers;

        Net() {
            SplittableRandom rng = new SplittableRandom(3);
            norm = registerModule("norm", new RunningMean(2));
            layers = registerModule("layers", new Sequential(new Linear(2, 2, rng), new RunningMean(2)));
        }

        @Override
        public Tensor forward(Tensor x) {
            return layers.forward(norm.forward(x));
        }
    }

    @Test
    void buffersHaveDottedNamesInRegistrationOrderAndAreNotParameters() {
        Net net = new Net();
        assertEquals(List.of("norm.running_mean", "norm.count", "layers.1.running_mean", "layers.1.count"),
            List.copyOf(net.namedBuffers().keySet()));
        assertEquals(List.copyOf(net.namedBuffers().values()), net.buffers());
        assertEquals(List.of("norm.scale", "layers.0.weight", "layers.0.bias", "layers.1.scale"),
            List.copyOf(net.namedParameters().keySet()));
        for (Tensor b : net.buffers()) {
            assertTrue(b.isLeaf());
            assertFalse(b.isGradRequired(), "a buffer does not require grad");
        }
        assertEquals(2 + 6 + 2, net.parameterCount(), "buffers are not counted as parameters");
        assertTrue(new Linear(2, 2, new SplittableRandom(1)).namedBuffers().isEmpty());
    }

    @Test
    void aBufferUpdatedInPlaceKeepsItsIdentityAndGetsNoGradient() {
        Net net = new Net();
        Tensor mean = net.namedBuffers().get("norm.running_mean");
        net.forward(Tensor.of(new double[] {1, 2, 3, 4}, 2, 2)).sum().backward();
        assertSame(mean, net.namedBuffers().get("norm.running_mean"));
        assertArrayEquals(new double[] {0.2, 0.3}, mean.toArray(), 1e-15);
        assertEquals(1.0, net.norm.count.item());
        assertEquals(null, mean.grad());
        net.eval();
        net.forward(Tensor.ones(1, 2));
        assertEquals(1.0, net.norm.count.item(), "eval mode leaves the statistics alone");
    }

    @Test
    void namedModulesListsTheTreeDepthFirstOnce() {
        Net net = new Net();
        assertEquals(List.of("", "norm", "layers", "layers.0", "layers.1"), List.copyOf(net.namedModules().keySet()));
        assertSame(net, net.namedModules().get(""));
        Linear shared = new Linear(2, 2, new SplittableRandom(0));
        Sequential twice = new Sequential(shared, new Tanh(), shared);
        assertEquals(List.of("", "0", "1"), List.copyOf(twice.namedModules().keySet()), "a shared module appears once");
    }

    @Test
    void badBufferRegistrationsAreRejected() {
        class Bad extends Module {
            @Override
            public Tensor forward(Tensor x) {
                return x;
            }
        }
        Bad b = new Bad();
        b.registerParameter("w", Tensor.ones(1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.registerBuffer("w", Tensor.ones(1)));
        assertEquals("Bad: name 'w' is already registered", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> b.registerBuffer("g", Tensor.ones(1).requiresGrad()));
        assertTrue(e.getMessage().startsWith("Bad: buffer 'g' must be a leaf that does not require grad"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> b.registerBuffer("r", Tensor.ones(1).requiresGrad().mul(2)));
        assertTrue(e.getMessage().contains("detach()"), e.getMessage());
        NullPointerException n = assertThrows(NullPointerException.class, () -> b.registerBuffer("n", null));
        assertEquals("Bad: buffer 'n' is null", n.getMessage());
        b.registerBuffer("stat", Tensor.zeros(2));
        assertThrows(IllegalArgumentException.class, () -> b.registerParameter("stat", Tensor.ones(1)));
        assertEquals(List.of("stat"), List.copyOf(b.namedBuffers().keySet()));
    }
}

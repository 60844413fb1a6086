package dev.chainrule.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chainrule.autograd.Autograd;
import dev.chainrule.autograd.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Errors that point at the user's code: a layer's bad argument inside a container names the layer's
 * path; anomaly mode blames an input that already held NaN (saying when it is a leaf: the data) and
 * names the user's frame, then the library frame, as the creation site.
 */
@SuppressWarnings("try") // anomaly scopes are used only for their effect
class ErrorMessagesTest {

    private final SplittableRandom rng = new SplittableRandom(5);

    @Test
    void aLayerErrorInsideAnMlpNamesTheLayersPath() {
        Mlp mlp = Mlp.builder().sizes(4, 2).seed(1).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> mlp.forward(Tensor.zeros(8, 5)));
        assertEquals("layers.0 (Linear in=4, out=2): input shape [8, 5] does not end in 4; expected [batch, 4]", e.getMessage());
        assertTrue(e.getCause() instanceof IllegalArgumentException, "the layer's own exception is the cause");
        assertTrue(e.getCause().getMessage().startsWith("Linear(in=4, out=2): input shape [8, 5]"), e.getCause().getMessage());
    }

    @Test
    void pathsComposeThroughNestedContainersOfAnyKind() {
        class Block extends Module {
            final Sequential inner;

            Block() {
                registerModule("pre", new Tanh());
                inner = registerModule("inner", new Sequential(new Linear(3, 3, rng), new Linear(2, 1, rng)));
            }

            @Override
            public Tensor forward(Tensor x) {
                return forwardChild(inner, x);
            }
        }
        Sequential net = new Sequential(new Linear(5, 3, rng), new ReLU(), new Block());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> net.forward(Tensor.zeros(2, 5)));
        assertEquals("2.inner.1 (Linear in=2, out=1): input shape [2, 3] does not end in 2; expected [batch, 2]", e.getMessage());

        Module failing = new Module() {
            @Override
            public Tensor forward(Tensor x) {
                throw new IllegalArgumentException("custom: cannot handle " + x.rank() + "-d input");
            }
        };
        Sequential withCustom = new Sequential(new Identity(), failing);
        e = assertThrows(IllegalArgumentException.class, () -> withCustom.forward(Tensor.zeros(2)));
        assertTrue(e.getMessage().matches("1 \\(ErrorMessagesTest\\$\\d*\\): custom: cannot handle 1-d input"), e.getMessage());
        // Other exception types pass through unchanged.
        NullPointerException n = assertThrows(NullPointerException.class, () -> net.forward(null));
        assertEquals("Sequential.forward: x is null", n.getMessage());
    }

    @Test
    void nanInTheDataIsBlamedOnTheDataWithTheUsersFrameAndTheLayer() {
        Linear layer = new Linear(4, 2, rng);
        Tensor x = Tensor.of(new double[] {1, 2, Double.NaN, 4, 5, 6, 7, 8}, 2, 4);
        try (var a = Autograd.detectAnomaly(true)) {
            ArithmeticException e = assertThrows(ArithmeticException.class, () -> new Sequential(layer).forward(x));
            String m = e.getMessage();
            assertTrue(m.startsWith("anomaly: input 0 of 'linear' already held NaN (shape [2, 4]); it is a leaf (data or a parameter,"
                + " not the result of an op): check the data; 'linear' was called at " + ErrorMessagesTest.class.getName() + "."), m);
            assertTrue(m.matches(".*\\(ErrorMessagesTest\\.java:\\d+\\), via dev\\.chainrule\\.nn\\.Linear\\.forward\\(Linear\\.java:\\d+\\)"),
                "the user's frame, then the library frame: " + m);
        }
    }

    @Test
    void aNanFromAnEarlierResultNamesTheOpThatMadeIt() {
        Tensor w = Tensor.of(-1.0, 1.0).requiresGrad();
        Tensor logW = w.log();                                          // NaN, computed while anomaly mode was off
        try (var a = Autograd.detectAnomaly(true)) {
            ArithmeticException e = assertThrows(ArithmeticException.class, () -> logW.add(1));
            assertTrue(e.getMessage().startsWith("anomaly: input 0 of 'add' already held NaN (shape [2]); it is the result of 'log' ("),
                e.getMessage());
            assertTrue(e.getMessage().contains("computed before anomaly mode was on"), e.getMessage());
            // An op that creates the NaN itself is blamed, at the user's frame (no library frame in between).
            ArithmeticException own = assertThrows(ArithmeticException.class, () -> w.log());
            assertTrue(own.getMessage().startsWith("anomaly: 'log' produced NaN in forward (output shape [2]) at "
                + ErrorMessagesTest.class.getName()), own.getMessage());
            assertFalse(own.getMessage().contains("via"), own.getMessage());
        }
    }

    @Test
    void forwardChildOfAnUnregisteredModuleStillNamesIt() {
        Linear stray = new Linear(3, 1, rng);
        Module holder = new Module() {
            @Override
            public Tensor forward(Tensor x) {
                return forwardChild(stray, x);
            }
        };
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> holder.forward(Tensor.zeros(1, 2)));
        assertTrue(e.getMessage().startsWith("(unregistered Linear) (Linear in=3, out=1): input shape [1, 2]"), e.getMessage());
        assertSame(IllegalArgumentException.class, e.getCause().getClass());
    }
}

package dev.chainrule.nn;

import static dev.chainrule.nn.TestData.assertValues;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.chainrule.autograd.Tensor;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SequentialTest {

    @Test
    void appliesModulesInOrder() {
        var rng = new SplittableRandom(1);
        Linear a = new Linear(2, 3, rng), b = new Linear(3, 1, rng);
        Sequential net = new Sequential(a, new Tanh(), b, new Sigmoid());
        Tensor x = Tensor.of(new double[][] {{0.5, -1}, {2, 0}});
        Tensor expected = b.forward(a.forward(x).tanh()).sigmoid();
        assertValues(expected.toArray(), net.forward(x), 0);
        assertEquals(4, net.size());
        assertSame(b, net.get(2));
    }

    @Test
    void childrenAreNumbered() {
        var rng = new SplittableRandom(1);
        Sequential net = new Sequential(new Linear(2, 3, rng), new ReLU(), new Linear(3, 1, rng));
        assertEquals(List.of("0.weight", "0.bias", "2.weight", "2.bias"), List.copyOf(net.namedParameters().keySet()));
        assertEquals(List.of("0", "1", "2"), List.copyOf(net.children().keySet()));
        assertEquals(2 * 3 + 3 + 3 + 1, net.parameterCount());
    }

    @Test
    void emptyOrNullIsRejected() {
        assertThrows(IllegalArgumentException.class, Sequential::new);
        assertThrows(NullPointerException.class, () -> new Sequential(new Tanh(), null));
        assertThrows(IllegalArgumentException.class, () -> new Sequential(List.of()));
    }
}

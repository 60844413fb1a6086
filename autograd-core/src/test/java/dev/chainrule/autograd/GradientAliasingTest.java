package dev.chainrule.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;

import org.junit.jupiter.api.Test;

/** Backward hands each leaf a gradient no other leaf, and not the caller's seed, shares. */
class GradientAliasingTest {

    @Test
    void addGivesBothLeavesTheirOwnGradient() {
        Tensor a = Tensor.of(1.0, 2.0).requiresGrad();
        Tensor b = Tensor.of(3.0, 4.0).requiresGrad();
        a.add(b).sum().backward();
        assertNotSame(a.grad(), b.grad());
        try (var s = Autograd.noGrad()) {
            a.grad().mulInPlace(5);
        }
        assertArrayEquals(new double[] {1, 1}, b.grad().toArray());
    }

    @Test
    void aSeedThatFlowsThroughUnchangedIsCopied() {
        Tensor a = Tensor.of(1.0, 2.0).requiresGrad();
        Tensor seed = Tensor.of(0.5, 0.25);
        a.add(1.0).backward(seed);
        assertNotSame(seed, a.grad());
        try (var s = Autograd.noGrad()) {
            a.grad().mulInPlace(2);
        }
        assertArrayEquals(new double[] {0.5, 0.25}, seed.toArray());
    }

    @Test
    void aLeafUsedAsTheRootGetsACopyOfTheSeed() {
        Tensor a = Tensor.of(1.0, 2.0).requiresGrad();
        Tensor seed = Tensor.of(3.0, 4.0);
        a.backward(seed);
        assertNotSame(seed, a.grad());
        assertArrayEquals(new double[] {3, 4}, a.grad().toArray());
    }
}

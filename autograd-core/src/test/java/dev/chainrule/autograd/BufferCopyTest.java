package dev.chainrule.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** toArray(double[]) and copyFrom(double[]): the allocation-free copies optimizers use. */
class BufferCopyTest {

    @Test
    void toArrayIntoABufferCopiesAndReturnsIt() {
        Tensor t = Tensor.of(new double[] {1, 2, 3, 4}, 2, 2);
        double[] buf = new double[5];
        buf[4] = 9;
        assertSame(buf, t.toArray(buf));
        assertArrayEquals(new double[] {1, 2, 3, 4, 9}, buf);
        buf[0] = 7;
        assertEquals(1.0, t.get(0, 0), "the buffer is a copy");
        assertThrows(IllegalArgumentException.class, () -> t.toArray(new double[3]));
    }

    @Test
    void copyFromAnArrayWritesInPlaceOnlyUnderNoGrad() {
        Tensor t = Tensor.zeros(2, 2);
        double[] src = {1, 2, 3, 4};
        assertThrows(IllegalStateException.class, () -> t.copyFrom(src));
        try (var s = Autograd.noGrad()) {
            t.copyFrom(src);
            assertThrows(IllegalArgumentException.class, () -> t.copyFrom(new double[3]));
        }
        src[0] = 100;
        assertArrayEquals(new double[] {1, 2, 3, 4}, t.toArray());
        assertEquals(1, t.version());
    }

    @Test
    void copyFromBumpsTheVersionSoBackwardDetectsTheChange() {
        Tensor w = Tensor.of(1.0, 2.0).requiresGrad();
        Tensor y = w.mul(w).sum();
        try (var s = Autograd.noGrad()) {
            w.copyFrom(new double[] {3, 4});
        }
        assertThrows(IllegalStateException.class, y::backward);
    }
}

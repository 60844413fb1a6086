package dev.chainrule.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Printing reads and formats only the elements it prints: a summarized tensor of 10^7 elements
 * costs as much as its 6 or 36 printed entries (no timing assertion: the reads are counted).
 */
class TensorFormatTest {

    /** Formats {@code i -> f(i)} over {@code shape}, counting the reads. */
    private static String format(int[] shape, AtomicInteger reads) {
        int size = 1;
        for (int d : shape) size *= d;
        return TensorFormat.format(i -> {
            reads.incrementAndGet();
            return i;
        }, size, shape);
    }

    @Test
    void aTenMillionElementVectorReadsSixElements() {
        AtomicInteger reads = new AtomicInteger();
        String s = format(new int[] {10_000_000}, reads);
        assertEquals("tensor([      0.,       1.,       2., ..., 9999997., 9999998., 9999999.])", s);
        assertEquals(6, reads.get());
    }

    @Test
    void aTenMillionElementMatrixReadsThirtySixElements() {
        AtomicInteger reads = new AtomicInteger();
        String s = format(new int[] {1000, 10_000}, reads);
        assertEquals(36, reads.get());
        assertEquals(String.join("\n",
            "tensor([[      0.,       1.,       2., ...,    9997.,    9998.,    9999.],",
            "        [  10000.,   10001.,   10002., ...,   19997.,   19998.,   19999.],",
            "        [  20000.,   20001.,   20002., ...,   29997.,   29998.,   29999.],",
            "        ...,",
            "        [9970000., 9970001., 9970002., ..., 9979997., 9979998., 9979999.],",
            "        [9980000., 9980001., 9980002., ..., 9989997., 9989998., 9989999.],",
            "        [9990000., 9990001., 9990002., ..., 9999997., 9999998., 9999999.]])"), s);
    }

    @Test
    void printedIndicesAreTheEdgesOfEveryLongAxisInOrder() {
        assertArrayEquals(new int[] {0, 1, 2, 7, 8, 9}, TensorFormat.printed(new int[] {10}, true));
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 6, 7}, TensorFormat.printed(new int[] {2, 4}, true), "short axes are printed whole");
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 6}, TensorFormat.printed(new int[] {7}, false), "no summary at or below 1000 elements");
        int[] p = TensorFormat.printed(new int[] {2, 7, 3}, true);
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 12, 13, 14, 15, 16, 17, 18, 19, 20,
            21, 22, 23, 24, 25, 26, 27, 28, 29, 33, 34, 35, 36, 37, 38, 39, 40, 41}, p);
    }

    @Test
    void aRealTenMillionElementTensorPrintsItsEdges() {
        Tensor t = Tensor.zeros(10_000_000);
        assertEquals("tensor([0., 0., 0., ..., 0., 0., 0.])", t.toString());
        double[] v = new double[4_000_000];
        for (int i = 0; i < v.length; i++) v[i] = i % 7 == 0 ? 0.125 : 1;
        // Element i is 0.125 where i % 7 == 0: row 1 starts at 2000 (2002 and 3997 are multiples of 7), and so on.
        assertEquals("tensor([[0.125, 1.000, 1.000, ..., 1.000, 1.000, 1.000],\n"
            + "        [1.000, 1.000, 0.125, ..., 0.125, 1.000, 1.000],\n"
            + "        [1.000, 1.000, 1.000, ..., 1.000, 1.000, 0.125],\n"
            + "        ...,\n"
            + "        [1.000, 1.000, 1.000, ..., 1.000, 1.000, 0.125],\n"
            + "        [1.000, 1.000, 1.000, ..., 1.000, 1.000, 1.000],\n"
            + "        [1.000, 0.125, 1.000, ..., 1.000, 1.000, 1.000]])", Tensor.of(v, 2000, 2000).toString());
    }
}

package dev.chainrule.autograd.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Kernels on arrays large enough to be split across threads agree with plain loops. */
class ParallelKernelsTest {

    private static double[] random(int n, long seed) {
        Random rng = new Random(seed);
        double[] x = new double[n];
        for (int i = 0; i < n; i++) x[i] = rng.nextGaussian();
        return x;
    }

    @Test
    void sumOfALargeArrayMatchesAPlainLoop() {
        for (int n : new int[] {2 * Parallel.GRAIN - 1, 2 * Parallel.GRAIN, 5 * Parallel.GRAIN + 17}) {
            double[] x = random(n, n);
            double want = 0;
            for (double v : x) want += v;
            assertEquals(want, Kernels.sum(x), 1e-9 * n, "n = " + n);
        }
    }

    @Test
    void sumAxisSplitByRowsOrByColumnsMatchesAPlainLoop() {
        int[][] shapes = {{1, 300, 1024}, {3, 200, 200}, {8, 5000, 3}, {2, 70000, 1}};
        for (int[] s : shapes) {
            int outer = s[0], n = s[1], inner = s[2];
            double[] x = random(outer * n * inner, outer + n + inner);
            double[] want = new double[outer * inner];
            for (int o = 0; o < outer; o++) {
                for (int k = 0; k < n; k++) {
                    for (int i = 0; i < inner; i++) want[o * inner + i] += x[(o * n + k) * inner + i];
                }
            }
            assertArrayEquals(want, Kernels.sumAxis(x, outer, n, inner), 1e-9 * n, () -> java.util.Arrays.toString(s));
        }
    }

    @Test
    void largeElementwiseAndBroadcastOpsMatchPlainLoops() {
        int rows = 600, cols = 256;
        double[] a = random(rows * cols, 1), b = random(rows * cols, 2), bias = random(cols, 3);
        double[] same = Kernels.binary(Kernels.MUL, a, new int[] {rows, cols}, b, new int[] {rows, cols}, new int[] {rows, cols});
        double[] row = Kernels.binary(Kernels.ADD, a, new int[] {rows, cols}, bias, new int[] {cols}, new int[] {rows, cols});
        double[] scalar = Kernels.scalar(Kernels.DIV, a, 4.0);
        double[] relu = Kernels.unary(Kernels.RELU, a, 0, 0);
        for (int i = 0; i < a.length; i++) {
            assertEquals(a[i] * b[i], same[i], 0.0);
            assertEquals(a[i] + bias[i % cols], row[i], 0.0);
            assertEquals(a[i] / 4.0, scalar[i], 0.0);
            assertEquals(Math.max(a[i], 0.0), relu[i], 0.0);
        }
    }
}

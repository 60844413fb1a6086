package dev.chainrule.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Behaviour of the convolution, pooling and normalization ops beyond the gradient properties:
 * batching across the column-buffer blocks, unbatched inputs, identities with matmul and mean,
 * PyTorch's edge cases, and every error path by type and message.
 */
@SuppressWarnings("try") // scopes used only for their effect
class ConvOpsTest {

    private static final SplittableRandom RNG = new SplittableRandom(7);

    private static Tensor randn(int... shape) {
        return Tensor.randn(RNG, shape);
    }

    private static int[] i(int... v) {
        return v;
    }

    private static void assertClose(Tensor expected, Tensor actual, double tol) {
        assertArrayEquals(expected.shape(), actual.shape());
        double[] e = expected.toArray(), a = actual.toArray();
        for (int k = 0; k < e.length; k++) {
            int at = k;
            assertTrue(Math.abs(e[k] - a[k]) <= tol * Math.max(1, Math.abs(e[k])), () -> "element " + at + ": " + e[at] + " vs " + a[at]);
        }
    }

    // ---------------------------------------------------------------- batching

    /**
     * 150 samples of [8, 10, 10] with a 3×3 kernel need several column-buffer blocks (72 samples each by
     * default): the batch result and its gradients equal the sums of per-sample convolutions.
     */
    @Test
    void aBatchLargerThanOneColumnBlockEqualsPerSampleConvolutions() {
        int n = 150;
        Tensor x = randn(n, 8, 10, 10).requiresGrad(), w = randn(6, 4, 3, 3).requiresGrad(), b = randn(6).requiresGrad();
        Tensor g = randn(n, 6, 5, 5);
        Tensor y = x.conv(w, b, i(2), i(1), i(1), 2);
        y.backward(g);
        double[] ys = y.toArray(), gs = g.toArray(), xs = x.toArray(), dx = x.grad().toArray();
        Tensor dwSum = Tensor.zeros(6, 4, 3, 3), dbSum = Tensor.zeros(6);
        int xPer = 8 * 100, yPer = 6 * 25;
        for (int s = 0; s < n; s += 37) {       // a sample from each block, and the per-sample gradient sums over all
            Tensor xi = Tensor.of(java.util.Arrays.copyOfRange(xs, s * xPer, (s + 1) * xPer), 1, 8, 10, 10).requiresGrad();
            Tensor yi = xi.conv(w.detach(), b.detach(), i(2), i(1), i(1), 2);
            assertClose(Tensor.of(java.util.Arrays.copyOfRange(ys, s * yPer, (s + 1) * yPer), 1, 6, 5, 5), yi, 1e-12);
            yi.backward(Tensor.of(java.util.Arrays.copyOfRange(gs, s * yPer, (s + 1) * yPer), 1, 6, 5, 5));
            assertClose(xi.grad(), Tensor.of(java.util.Arrays.copyOfRange(dx, s * xPer, (s + 1) * xPer), 1, 8, 10, 10), 1e-12);
        }
        for (int s = 0; s < n; s++) {
            Tensor xi = Tensor.of(java.util.Arrays.copyOfRange(xs, s * xPer, (s + 1) * xPer), 1, 8, 10, 10);
            Tensor wi = w.detach().requiresGrad(), bi = b.detach().requiresGrad();
            xi.conv(wi, bi, i(2), i(1), i(1), 2).backward(Tensor.of(java.util.Arrays.copyOfRange(gs, s * yPer, (s + 1) * yPer), 1, 6, 5, 5));
            dwSum = dwSum.add(wi.grad());
            dbSum = dbSum.add(bi.grad());
        }
        assertClose(dwSum, w.grad(), 1e-10);
        assertClose(dbSum, b.grad(), 1e-10);
    }

    /** <conv(x, w), G> = <x, convTranspose(G, w)> = <w, convWeight(x, G)>: the three primitives are adjoint, here on a larger geometry. */
    @Test
    void theThreeConvolutionProductsAreAdjoint() {
        Tensor x = randn(3, 16, 9, 11).requiresGrad(), w = randn(8, 8, 3, 3).requiresGrad();
        Tensor y = x.conv(w, null, i(2, 1), i(1, 2), i(2, 1), 2);
        Tensor g = randn(y.shape());
        y.backward(g);
        double inner = y.mul(g).sum().item();
        assertEquals(inner, x.mul(x.grad()).sum().item(), 1e-9 * Math.abs(inner));
        assertEquals(inner, w.mul(w.grad()).sum().item(), 1e-9 * Math.abs(inner));
        assertClose(x.grad(), g.convTranspose(w, null, i(2, 1), i(1, 2), i(0, 0), i(2, 1), 2), 1e-12);
    }

    @Test
    void concurrentConvolutionsOnSeveralThreadsGiveTheSingleThreadResult() throws Exception {
        Tensor x = randn(20, 4, 9, 9), w = randn(5, 4, 3, 3);
        Tensor expected = x.conv2d(w, null, 1, 1, 1, 1);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Tensor>> results = pool.invokeAll(java.util.Collections.nCopies(8, () -> x.conv2d(w, null, 1, 1, 1, 1)));
            for (Future<Tensor> r : results) assertArrayEquals(expected.toArray(), r.get().toArray());
        } finally {
            pool.shutdown();
        }
    }

    // ---------------------------------------------------------------- identities and layouts

    @Test
    void aOneByOneConvolutionIsAMatmulOverChannels() {
        Tensor x = randn(3, 4, 5, 6), w = randn(7, 4, 1, 1), b = randn(7);
        Tensor y = x.conv2d(w, b, 1, 0, 1, 1);
        // [N, C, HW] → W [7, 4] · x_n, + b
        Tensor expected = w.reshape(7, 4).matmul(x.reshape(3, 4, 30)).add(b.reshape(7, 1)).reshape(3, 7, 5, 6);
        assertClose(expected, y, 1e-12);
    }

    @Test
    void unbatchedInputsAreABatchOfOne() {
        Tensor x = randn(3, 7, 6), w = randn(2, 3, 3, 3), b = randn(2);
        assertClose(x.reshape(1, 3, 7, 6).conv2d(w, b, 1, 1, 1, 1).reshape(2, 7, 6), x.conv2d(w, b, 1, 1, 1, 1), 0);
        assertArrayEquals(i(3, 3, 3), x.maxPool2d(2, 2, 0).shape());
        assertArrayEquals(i(3, 1), x.reshape(3, 42).adaptiveAvgPool(1).shape());
        Tensor v = randn(3, 9), w1 = randn(4, 3, 2);
        assertArrayEquals(i(4, 8), v.conv1d(w1, null, 1, 0, 1, 1).shape());
    }

    @Test
    void adaptiveAvgPoolToOneIsTheSpatialMean() {
        Tensor x = randn(2, 3, 5, 7);
        assertClose(x.reshape(2, 3, 35).mean(2, true).reshape(2, 3, 1, 1), x.adaptiveAvgPool(1, 1), 1e-12);
    }

    @Test
    void maxPoolWithAKernelOfOneIsTheIdentityAndTheStrideDefaultsToTheKernel() {
        Tensor x = randn(2, 3, 4, 4);
        assertClose(x, x.maxPool(i(1, 1), null, i(0), i(1)), 0);
        assertClose(x.maxPool2d(2, 2, 0), x.maxPool(i(2, 2), null, i(0), i(1)), 0);
        assertClose(x.avgPool2d(2, 2, 0), x.avgPool(i(2, 2), null, i(0), true), 0);
    }

    /** PyTorch: a max-pool window that covers padding only (dilation 2, kernel 2, padding 1, input 1) is −∞ and gets no gradient. */
    @Test
    void aWindowOfPaddingOnlyIsMinusInfinityWithoutGradientAndNotAnAnomaly() {
        Tensor x = Tensor.of(new double[] {0.5}, 1, 1, 1).requiresGrad();
        try (var a = Autograd.detectAnomaly(true)) {
            Tensor y = x.maxPool(i(2), i(1), i(1), i(2));
            assertEquals(Double.NEGATIVE_INFINITY, y.item());
            y.backward(Tensor.ones(1, 1, 1));
        }
        assertEquals(0.0, x.grad().item());
    }

    @Test
    void maxPoolSendsTheGradientToTheFirstOfTiedMaxima() {
        Tensor x = Tensor.of(new double[] {1, 3, 3, 0}, 1, 1, 2, 2).requiresGrad();
        x.maxPool2d(2, 2, 0).sum().backward();
        assertArrayEquals(new double[] {0, 1, 0, 0}, x.grad().toArray());
    }

    /** PyTorch propagates NaN through max pooling (and routes the gradient to the NaN). */
    @Test
    void maxPoolPropagatesNaN() {
        Tensor x = Tensor.of(new double[] {1, 5, Double.NaN, 0, 2, 3, 4, 1}, 1, 1, 2, 4).requiresGrad();
        Tensor y = x.maxPool2d(2, 2, 0);
        assertEquals(5.0, y.toArray()[0]);
        assertTrue(Double.isNaN(y.toArray()[1]));
        y.backward(Tensor.of(new double[] {1, 1}, 1, 1, 1, 2));
        assertArrayEquals(new double[] {0, 1, 1, 0, 0, 0, 0, 0}, x.grad().toArray());
        Tensor padded = Tensor.of(new double[] {1, Double.NaN, 3, 4}, 1, 1, 2, 2).maxPool2d(3, 1, 1);
        for (double v : padded.toArray()) assertTrue(Double.isNaN(v), "padded windows that hold the NaN");
    }

    @Test
    void batchNormWithoutRunningStatisticsLeavesNothingBehindAndEvalBumpsNoVersion() {
        Tensor x = randn(4, 3, 2), rm = Tensor.zeros(3), rv = Tensor.ones(3);
        x.batchNorm(rm, rv, null, null, true, 0.1, 1e-5);
        assertEquals(1, rm.version());
        assertEquals(1, rv.version());
        x.batchNorm(rm, rv, null, null, false, 0.1, 1e-5);
        assertEquals(1, rm.version(), "eval mode reads the running statistics and does not change them");
        Tensor y = x.batchNorm(null, null, null, null, true, 0.1, 1e-5);
        // normalized: per channel mean 0 and biased variance 1/(1 + eps/var) ≈ 1
        Tensor mean = y.sum(2, true).sum(0, true).div(8);
        for (double m : mean.toArray()) assertEquals(0, m, 1e-12);
    }

    @Test
    void noGraphIsRecordedUnderNoGrad() {
        Tensor x = randn(2, 3, 5, 5).requiresGrad(), w = randn(4, 3, 3, 3).requiresGrad();
        try (var s = Autograd.noGrad()) {
            Tensor y = x.conv2d(w, null, 1, 1, 1, 1).batchNorm(null, null, null, null, true, 0.1, 1e-5).maxPool2d(2, 2, 0);
            assertTrue(y.isLeaf());
            assertNull(y.op());
        }
        assertEquals("conv2d", x.conv2d(w, null, 1, 1, 1, 1).op());
        assertEquals("maxPool2d", x.maxPool2d(2, 2, 0).op());
    }

    // ---------------------------------------------------------------- errors

    private static void assertError(Class<? extends Throwable> type, String fragment, Executable e) {
        Throwable t = assertThrows(type, e);
        assertTrue(t.getMessage().contains(fragment), () -> "message '" + t.getMessage() + "' does not contain '" + fragment + "'");
    }

    @Test
    void convolutionErrorsNameTheOpTheShapesAndTheFix() {
        Tensor x = randn(2, 4, 6, 6);
        assertError(IllegalArgumentException.class, "conv: weight [4, 4] must be [out, in/groups, kW] (1-D) or [out, in/groups, kH, kW]",
            () -> x.conv(randn(4, 4), null, i(1), i(0), i(1), 1));
        assertError(IllegalArgumentException.class, "conv2d: input [4, 6] must be [N, C, H, W] (rank 4) or unbatched [C, H, W] (rank 3)",
            () -> randn(4, 6).conv2d(randn(3, 4, 3, 3), null, 1, 0, 1, 1));
        assertError(IllegalArgumentException.class, "conv1d: input [2, 4, 6, 6] must be [N, C, L] (rank 3) or unbatched [C, L]",
            () -> x.conv1d(randn(3, 4, 3), null, 1, 0, 1, 1));
        assertError(IllegalArgumentException.class, "conv2d: input [2, 4, 6, 6] and weight [3, 2, 3, 3] with groups=1: need in channels (4)",
            () -> x.conv2d(randn(3, 2, 3, 3), null, 1, 0, 1, 1));
        assertError(IllegalArgumentException.class, "with groups=3", () -> x.conv2d(randn(3, 2, 3, 3), null, 1, 0, 1, 3));
        assertError(IllegalArgumentException.class, "conv2d: bias [4] must be [out] = [3] for weight [3, 4, 3, 3]",
            () -> x.conv2d(randn(3, 4, 3, 3), randn(4), 1, 0, 1, 1));
        assertError(IllegalArgumentException.class, "conv2d: input [2, 4, 6, 6] is too small for kernel size 7 (dilation 1) with padding 0",
            () -> x.conv2d(randn(3, 4, 7, 7), null, 1, 0, 1, 1));
        assertError(IllegalArgumentException.class, "the dilated kernel spans 9 positions but the padded input has only 8",
            () -> x.conv2d(randn(3, 4, 3, 3), null, 1, 1, 4, 1));
        assertError(IllegalArgumentException.class, "conv2d: stride [0] must be at least 1", () -> x.conv2d(randn(3, 4, 3, 3), null, 0, 0, 1, 1));
        assertError(IllegalArgumentException.class, "conv2d: padding [-1] must be at least 0",
            () -> x.conv2d(randn(3, 4, 3, 3), null, 1, -1, 1, 1));
        assertError(IllegalArgumentException.class, "conv2d: stride [1, 2, 3] must have 1 or 2 entries (one per spatial axis)",
            () -> x.conv(randn(3, 4, 3, 3), null, i(1, 2, 3), i(0), i(1), 1));
        assertError(NullPointerException.class, "conv: weight is null", () -> x.conv2d(null, null, 1, 0, 1, 1));
        assertError(IllegalArgumentException.class, "convTranspose2d: outputPadding [2] must be smaller than the stride or the dilation",
            () -> x.convTranspose(randn(4, 3, 3, 3), null, i(2), i(0), i(2), i(1), 1));
        assertError(IllegalArgumentException.class, "convTranspose2d: input [2, 4, 6, 6] and weight [3, 3, 3, 3] with groups=1",
            () -> x.convTranspose(randn(3, 3, 3, 3), null, i(1), i(0), i(0), i(1), 1));
    }

    @Test
    void poolingAndUnfoldErrors() {
        Tensor x = randn(2, 3, 6, 6);
        assertError(IllegalArgumentException.class, "maxPool2d: padding [2, 2] must be at most half the kernel size [3, 3] (as in PyTorch)",
            () -> x.maxPool2d(3, 1, 2));
        assertError(IllegalArgumentException.class, "avgPool2d: padding [2, 2] must be at most half the kernel size [2, 2]",
            () -> x.avgPool2d(2, 2, 2));
        assertError(IllegalArgumentException.class, "maxPool: kernel size [2, 2, 2] must have 1 or 2 entries",
            () -> x.maxPool(i(2, 2, 2), null, i(0), i(1)));
        assertError(IllegalArgumentException.class, "maxPool2d: input [2, 3, 6, 6] is too small for kernel size 7",
            () -> x.maxPool(i(7, 7), null, i(0), i(1)));
        assertError(IllegalArgumentException.class, "adaptiveAvgPool2d: output size [0, 0] must be at least 1", () -> x.adaptiveAvgPool(0, 0));
        assertError(IllegalArgumentException.class, "adaptiveAvgPool1d: input [2, 3, 6, 6] must be [N, C, L] (rank 3)", () -> x.adaptiveAvgPool(2));
        assertError(IllegalArgumentException.class, "unfold: input [3, 6] must be [N, C, H, W] (or [N, C, L])",
            () -> randn(3, 6).unfold(i(2), i(1), i(0), i(1)));
        assertError(IllegalArgumentException.class, "fold: input [2, 12, 5] does not fit output size [4, 4] with kernel [2, 2]: need dimension 1 "
            + "divisible by 4 and dimension 2 = 9 blocks", () -> randn(2, 12, 5).fold(i(4, 4), i(2), i(1), i(0), i(1)));
    }

    @Test
    void normalizationErrors() {
        Tensor x = randn(4, 3, 5);
        assertError(IllegalArgumentException.class, "batchNorm: input [1, 3] has 1 value per channel; training needs more than 1",
            () -> randn(1, 3).batchNorm(null, null, null, null, true, 0.1, 1e-5));
        assertError(IllegalArgumentException.class, "batchNorm: evaluation mode (training = false) needs the running mean and variance",
            () -> x.batchNorm(null, null, null, null, false, 0.1, 1e-5));
        assertError(IllegalArgumentException.class, "batchNorm: weight [4] must be [C] = [3] for input [4, 3, 5] (channels on axis 1)",
            () -> x.batchNorm(null, null, randn(4), null, true, 0.1, 1e-5));
        assertError(IllegalArgumentException.class, "batchNorm: pass both running statistics (mean and variance) or neither",
            () -> x.batchNorm(Tensor.zeros(3), null, null, null, true, 0.1, 1e-5));
        assertError(IllegalArgumentException.class, "batchNorm: the running statistics are updated in place and must not require grad",
            () -> x.batchNorm(Tensor.zeros(3).requiresGrad(), Tensor.ones(3), null, null, true, 0.1, 1e-5));
        assertError(IllegalArgumentException.class, "batchNorm: eps 0.0 must be > 0 and momentum 1.5 in [0, 1]",
            () -> x.batchNorm(null, null, null, null, true, 1.5, 0));
        assertError(IllegalArgumentException.class, "batchNorm: input [3] must be [N, C] or [N, C, ...] (rank at least 2)",
            () -> randn(3).batchNorm(null, null, null, null, true, 0.1, 1e-5));
        assertError(IllegalArgumentException.class, "layerNorm: normalized shape [3] must be non-empty and equal the last dimensions of the input [4, 3, 5]",
            () -> x.layerNorm(i(3), null, null, 1e-5));
        assertError(IllegalArgumentException.class, "layerNorm: weight [3, 5] must have the normalized shape [5]",
            () -> x.layerNorm(i(5), randn(3, 5), null, 1e-5));
    }

    @Test
    void backwardThroughABatchNormWhoseWeightWasModifiedInPlaceFails() {
        Tensor x = randn(4, 3).requiresGrad(), w = randn(3).requiresGrad();
        Tensor y = x.batchNorm(null, null, w, null, true, 0.1, 1e-5).sum();
        try (var s = Autograd.noGrad()) {
            w.mulInPlace(2);
        }
        assertError(IllegalStateException.class, "of 'batchNorm' (shape [3]) was modified in place after the op saved it", y::backward);
    }
}

package dev.chainrule.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chainrule.autograd.Autograd;
import dev.chainrule.autograd.GradCheck;
import dev.chainrule.autograd.Tensor;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * The convolution, pooling and normalization layers: gradients with respect to the input and every
 * parameter against central differences on small shapes (strides, padding, dilation, groups, 1-D and
 * 2-D), second derivatives, PyTorch's default initialization, train/eval behaviour of batch norm,
 * the Fashion-MNIST network's shapes and parameter count, and errors that name the layer and shapes.
 */
@SuppressWarnings("try") // no-grad scopes used for their effect only
class ConvLayersTest {

    private static final SplittableRandom RNG = new SplittableRandom(11);

    static Tensor randn(int... shape) {
        return Tensor.randn(RNG, shape);
    }

    /**
     * d/dθ of sum(m(x) ⊙ R) for the input and every parameter θ, backward against central differences
     * (each parameter element perturbed in place under no-grad).
     */
    static void checkLayer(Module m, Tensor x0) {
        Tensor r = Tensor.rand(new SplittableRandom(3), m.forward(x0).shape());
        Supplier<Double> loss = () -> {
            try (var s = Autograd.noGrad()) {
                return m.forward(x0).mul(r).sum().item();
            }
        };
        GradCheck.check(t -> m.forward(t[0]).mul(r).sum(), x0).assertPassed();
        if (m.namedParameters().isEmpty()) return;
        m.zeroGrad();
        m.forward(x0).mul(r).sum().backward();
        double eps = 1e-6;
        for (Map.Entry<String, Tensor> e : m.namedParameters().entrySet()) {
            Tensor p = e.getValue();
            double[] analytic = p.grad().toArray(), v = p.toArray();
            for (int i = 0; i < v.length; i++) {
                double[] plus = v.clone(), minus = v.clone();
                plus[i] += eps;
                minus[i] -= eps;
                try (var s = Autograd.noGrad()) {
                    p.copyFrom(plus);
                }
                double lp = loss.get();
                try (var s = Autograd.noGrad()) {
                    p.copyFrom(minus);
                }
                double lm = loss.get();
                try (var s = Autograd.noGrad()) {
                    p.copyFrom(v);
                }
                double numeric = (lp - lm) / (2 * eps);
                int at = i;
                assertTrue(Math.abs(numeric - analytic[i]) <= 1e-5 + 1e-3 * Math.abs(numeric),
                    () -> m + ": d/d" + e.getKey() + "[" + at + "] analytic " + analytic[at] + " vs numeric " + numeric);
            }
        }
    }

    @Test
    void convolutionLayerGradients() {
        checkLayer(new Conv2d(2, 3, 3, RNG), randn(2, 2, 5, 4));
        checkLayer(Conv2d.builder(4, 2, 3, 2).stride(2, 1).padding(1, 0).dilation(1, 2).groups(2).build(RNG), randn(1, 4, 6, 6));
        checkLayer(Conv2d.builder(2, 2, 2).padding(1).bias(false).build(RNG), randn(2, 2, 3, 3));
        checkLayer(new Conv1d(3, 2, 3, 2, 1, RNG), randn(2, 3, 7));
        checkLayer(Conv1d.builder(2, 4, 2).dilation(2).groups(2).build(RNG), randn(2, 2, 6));
        checkLayer(new Conv2d(2, 3, 3, 1, 1, RNG), randn(2, 4, 4));      // unbatched
    }

    @Test
    void poolingAndFlattenGradients() {
        Tensor distinct = Tensor.of(java.util.stream.IntStream.range(0, 2 * 2 * 5 * 5).mapToDouble(i -> ((i * 37) % 100) * 0.1).toArray(),
            2, 2, 5, 5);
        checkLayer(new MaxPool2d(2), distinct);
        checkLayer(new MaxPool2d(new int[] {3, 2}, new int[] {2, 1}, new int[] {1, 0}, new int[] {1}), distinct);
        checkLayer(new MaxPool1d(new int[] {2}, new int[] {2}, new int[] {1}, new int[] {2}), distinct.reshape(2, 2, 25));
        checkLayer(new AvgPool2d(3, 2, 1), randn(2, 2, 5, 5));
        checkLayer(new AvgPool2d(new int[] {2}, new int[] {1}, new int[] {1}, false), randn(1, 2, 3, 4));
        checkLayer(new AvgPool1d(3), randn(2, 2, 7));
        checkLayer(new AdaptiveAvgPool2d(2, 3), randn(2, 2, 5, 4));
        checkLayer(new Flatten(), randn(2, 3, 2));
    }

    @Test
    void normalizationLayerGradientsInTrainingAndEval() {
        BatchNorm2d bn2 = new BatchNorm2d(3);
        checkLayer(bn2, randn(2, 3, 2, 2));
        bn2.eval();
        checkLayer(bn2, randn(2, 3, 2, 2));
        BatchNorm1d bn1 = BatchNorm1d.builder(2).momentum(0.5).build();
        checkLayer(bn1, randn(4, 2));
        checkLayer(bn1, randn(3, 2, 3));
        checkLayer(BatchNorm1d.builder(2).affine(false).build(), randn(4, 2));
        checkLayer(new LayerNorm(4), randn(3, 4));
        checkLayer(new LayerNorm(new int[] {2, 3}, 1e-3, false), randn(2, 2, 3));
    }

    @Test
    void secondDerivativesThroughTheLayers() {
        Conv2d conv = Conv2d.builder(2, 2, 3).padding(1).groups(2).build(RNG);
        GradCheck.checkSecondOrder(t -> conv.forward(t[0]).square(), randn(1, 2, 3, 3)).assertPassed();
        Conv1d conv1 = new Conv1d(2, 3, 2, RNG);
        GradCheck.checkSecondOrder(t -> conv1.forward(t[0]).square(), randn(2, 2, 4)).assertPassed();
        BatchNorm2d bn = new BatchNorm2d(2);
        GradCheck.checkSecondOrder(t -> bn.forward(t[0]).square().mul(t[0]), randn(2, 2, 2, 2)).assertPassed();
        LayerNorm ln = new LayerNorm(3);
        GradCheck.checkSecondOrder(t -> ln.forward(t[0]).square().mul(t[0]), randn(2, 3)).assertPassed();
    }

    /** PyTorch: kaiming_uniform_(a=√5) for the weight, i.e. U(±1/√fan_in), and U(±1/√fan_in) for the bias, fan_in = in/groups·Πk. */
    @Test
    void convolutionsStartWithPyTorchsDefaultInitialization() {
        for (ConvNd conv : List.of((ConvNd) new Conv2d(16, 32, 3, RNG), Conv2d.builder(8, 64, 3).groups(4).build(RNG),
                Conv1d.builder(32, 64, 5).build(RNG))) {
            int fanIn = conv.weight().size() / conv.weight().shape()[0];      // in/groups · Πk
            double bound = 1 / Math.sqrt(fanIn);
            for (Tensor t : List.of(conv.weight(), conv.bias())) {
                double[] v = t.toArray();
                double mean = java.util.Arrays.stream(v).average().orElseThrow();
                double sd = Math.sqrt(java.util.Arrays.stream(v).map(a -> (a - mean) * (a - mean)).sum() / v.length);
                assertTrue(java.util.Arrays.stream(v).allMatch(a -> Math.abs(a) <= bound), conv + ": values within ±" + bound);
                if (v.length >= 1000) {
                    assertEquals(0, mean, 0.05 * bound, conv + ": mean");
                    assertEquals(bound / Math.sqrt(3), sd, 0.05 * bound, conv + ": standard deviation of U(±bound)");
                }
            }
        }
        assertNull(Conv2d.builder(1, 2, 3).bias(false).build(RNG).bias());
    }

    @Test
    void batchNormUsesRunningStatisticsInEvalAndBatchStatisticsInTraining() {
        BatchNorm2d bn = BatchNorm2d.builder(2).momentum(0.5).build();
        Tensor x = randn(3, 2, 2, 2).mul(2).add(1);
        Tensor train = bn.forward(x);
        assertEquals(1, bn.numBatchesTracked());
        double[] rm = bn.runningMean().toArray(), rv = bn.runningVar().toArray();
        bn.eval();
        Tensor eval = bn.forward(x);
        assertArrayEquals(rm, bn.runningMean().toArray(), "eval leaves the running statistics alone");
        assertEquals(1, bn.numBatchesTracked());
        double[] xv = x.toArray(), ev = eval.toArray();
        for (int i = 0; i < xv.length; i++) {
            int c = (i / 4) % 2;
            assertEquals((xv[i] - rm[c]) / Math.sqrt(rv[c] + 1e-5), ev[i], 1e-12);
        }
        assertTrue(Math.abs(train.toArray()[0] - ev[0]) > 1e-3, "training and eval differ after one step");
        BatchNorm2d untracked = BatchNorm2d.builder(2).trackRunningStats(false).build();
        untracked.eval();
        assertArrayEquals(new BatchNorm2d(2).forward(x).toArray(), untracked.forward(x).toArray(), 1e-12,
            "without running statistics eval normalizes with the batch's");
        assertNull(untracked.runningMean());
    }

    @Test
    void aCheckpointKeepsTheRunningStatistics(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        Sequential a = new Sequential(new Conv2d(1, 2, 3, RNG), new BatchNorm2d(2));
        for (int i = 0; i < 3; i++) a.forward(randn(4, 1, 5, 5).mul(i + 1).add(i));
        assertEquals(List.of("1.running_mean", "1.running_var", "1.num_batches_tracked"), List.copyOf(a.namedBuffers().keySet()));
        java.nio.file.Path file = dir.resolve("bn.safetensors");
        dev.chainrule.nn.io.Checkpoint.save(a, file);
        Sequential b = new Sequential(new Conv2d(1, 2, 3, RNG), new BatchNorm2d(2));
        dev.chainrule.nn.io.Checkpoint.load(b, file);
        BatchNorm2d bnA = (BatchNorm2d) a.get(1), bnB = (BatchNorm2d) b.get(1);
        assertArrayEquals(bnA.runningMean().toArray(), bnB.runningMean().toArray());
        assertArrayEquals(bnA.runningVar().toArray(), bnB.runningVar().toArray());
        assertEquals(3, bnB.numBatchesTracked());
        a.eval();
        b.eval();
        Tensor x = randn(2, 1, 5, 5);
        assertArrayEquals(a.forward(x).toArray(), b.forward(x).toArray(), "the restored model predicts the same in eval mode");
    }

    /** The network of shared/bench/torch_cnn.py: PyTorch reports 421,834 parameters and [N, 10] logits. */
    @Test
    void theFashionMnistNetworkHasPyTorchsShapesAndParameterCount() {
        Sequential net = new Sequential(
            new Conv2d(1, 32, 3, 1, 1, RNG), new BatchNorm2d(32), new ReLU(), new MaxPool2d(2),
            new Conv2d(32, 64, 3, 1, 1, RNG), new BatchNorm2d(64), new ReLU(), new MaxPool2d(2),
            new Flatten(), new Linear(64 * 7 * 7, 128, RNG), new ReLU(), new Dropout(0.25, RNG), new Linear(128, 10, RNG));
        assertEquals(421_834, net.parameterCount());
        assertArrayEquals(new int[] {2, 10}, net.forward(randn(2, 1, 28, 28)).shape());
        assertEquals(List.of("0.weight", "0.bias", "1.weight", "1.bias", "4.weight", "4.bias", "5.weight", "5.bias", "9.weight", "9.bias",
            "10.weight", "10.bias").subList(0, 8), List.copyOf(net.namedParameters().keySet()).subList(0, 8));
        assertTrue(net.toString().contains("Conv2d(in=1, out=32, kernel=[3, 3], padding=[1, 1]; weight[32, 1, 3, 3], bias[32])"), net::toString);
    }

    // ---------------------------------------------------------------- errors

    private static void assertError(String fragment, Executable e) {
        Throwable t = assertThrows(IllegalArgumentException.class, e);
        assertTrue(t.getMessage().contains(fragment), () -> "message '" + t.getMessage() + "' does not contain '" + fragment + "'");
    }

    @Test
    void layerErrorsNameTheLayerAndTheShapes() {
        Conv2d conv = new Conv2d(3, 4, 3, RNG);
        assertError("Conv2d(in=3, out=4, kernel=[3, 3]): input [2, 5, 8, 8] does not match; expected [N, 3, H, W] or [3, H, W]",
            () -> conv.forward(randn(2, 5, 8, 8)));
        assertError("Conv2d(in=3, out=4, kernel=[3, 3]): conv2d: input [1, 3, 2, 2] is too small for kernel size 3",
            () -> conv.forward(randn(1, 3, 2, 2)));
        assertError("Conv1d(in=2, out=2, kernel=[3]): input [2, 2, 5, 5] does not match; expected [N, 2, L] or [2, L]",
            () -> new Conv1d(2, 2, 3, RNG).forward(randn(2, 2, 5, 5)));
        assertError("Conv2d: in=3 and out=4 channels must both be divisible by groups=2", () -> Conv2d.builder(3, 4, 3).groups(2).build(RNG));
        assertError("Conv2d: kernel size [0] must be at least 1", () -> new Conv2d(3, 4, 0, RNG));
        assertError("Conv2d: kernel size [3, 3, 3] must have 1 or 2 entries", () -> Conv2d.builder(3, 4, 3, 3, 3).build(RNG));
        assertError("Conv2d: in=0 and out=4 channels must both be at least 1", () -> new Conv2d(0, 4, 3, RNG));
        NullPointerException npe = assertThrows(NullPointerException.class, () -> new Conv2d(1, 4, 3, null));
        assertTrue(npe.getMessage().contains("Conv2d: random generator is null"), npe.getMessage());
        assertError("BatchNorm2d(3, eps=1.0E-5, momentum=0.1): input [4, 3] does not match; expected [N, 3, H, W]",
            () -> new BatchNorm2d(3).forward(randn(4, 3)));
        assertError("BatchNorm1d(3, eps=1.0E-5, momentum=0.1): input [4, 2] does not match; expected [N, 3] or [N, 3, L]",
            () -> new BatchNorm1d(3).forward(randn(4, 2)));
        BatchNorm1d bn = new BatchNorm1d(3);
        assertError("BatchNorm1d(3, eps=1.0E-5, momentum=0.1): batchNorm: input [1, 3] has 1 value per channel; training needs more than 1",
            () -> bn.forward(randn(1, 3)));
        assertEquals(0, bn.numBatchesTracked(), "a rejected batch is not counted");
        assertError("BatchNorm2d: momentum=1.5 must be in [0, 1]", () -> BatchNorm2d.builder(3).momentum(1.5).build());
        assertError("BatchNorm2d: eps=0.0 must be positive", () -> BatchNorm2d.builder(3).eps(0).build());
        assertError("LayerNorm([5], eps=1.0E-5): input [2, 4] does not end in [5]", () -> new LayerNorm(5).forward(randn(2, 4)));
        assertError("LayerNorm: normalized shape [] must be non-empty", LayerNorm::new);
        assertError("MaxPool2d: padding [2, 2] must be at most half the kernel size [3, 3]", () -> new MaxPool2d(3, 1, 2));
        assertError("MaxPool2d(kernel=[2, 2], stride=[2, 2], padding=[0, 0]): input [2, 4] must be [N, C, H, W] or [C, H, W]",
            () -> new MaxPool2d(2).forward(randn(2, 4)));
        assertError("AvgPool1d(kernel=[4], stride=[4], padding=[0]): avgPool1d: input [1, 1, 3] is too small for kernel size 4",
            () -> new AvgPool1d(4).forward(randn(1, 1, 3)));
        assertError("AdaptiveAvgPool2d: output size 0×1 must be at least 1×1", () -> new AdaptiveAvgPool2d(0, 1));
        assertError("Flatten(startDim=2, endDim=1): dimensions 2 to 1 are not a range of input [2, 3, 4] (rank 3)",
            () -> new Flatten(2, 1).forward(randn(2, 3, 4)));
    }
}

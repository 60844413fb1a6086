package dev.chainrule.reliability;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chainrule.autograd.Autograd;
import dev.chainrule.autograd.Tensor;
import dev.chainrule.nn.Linear;
import dev.chainrule.nn.Mlp;
import dev.chainrule.nn.Sequential;
import dev.chainrule.nn.data.DataLoader;
import dev.chainrule.nn.data.Dataset;
import dev.chainrule.nn.loss.BinaryCrossEntropy;
import dev.chainrule.nn.loss.BinaryCrossEntropyWithLogits;
import dev.chainrule.nn.loss.CrossEntropy;
import dev.chainrule.nn.loss.Loss;
import dev.chainrule.nn.loss.MeanSquaredError;
import dev.chainrule.optim.Adam;
import dev.chainrule.optim.Optimizer;
import dev.chainrule.optim.Sgd;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * API misuse: each mistake is a clear exception of the documented type whose message says what
 * went wrong and what to do, and the failed call changes nothing.
 */
@SuppressWarnings("try") // no-grad and anomaly scopes are used only for their effect
class MisuseTest {

    static <T extends Throwable> String assertMessage(Class<T> type, Executable call, String... fragments) {
        T e = assertThrows(type, call);
        String m = e.getMessage();
        assertTrue(m != null && !m.isBlank(), "exception without a message: " + e);
        for (String f : fragments) assertTrue(m.contains(f), () -> "message lacks '" + f + "': " + m);
        return m;
    }

    @Test
    void backwardTwiceWithoutRetainGraph() {
        Tensor w = Tensor.of(1.0, 2.0).requiresGrad();
        Tensor loss = w.mul(w).sum();
        loss.backward();
        double[] once = w.grad().toArray();
        assertMessage(IllegalStateException.class, loss::backward, "already released", "retainGraph");
        assertArrayEquals(once, w.grad().toArray(), 0.0, "the failed backward changed the gradient");
        assertTrue(Autograd.isGradEnabled(), "the failed backward left grad mode off on this thread");

        Tensor v = Tensor.of(1.0, 2.0).requiresGrad();
        Tensor l2 = v.mul(v).sum();
        l2.backward(Tensor.scalar(1.0), true);                           // retained: a second pass is fine
        l2.backward();
        assertArrayEquals(new double[] {4, 8}, v.grad().toArray(), 0.0, "two passes accumulate 2 * 2v");
    }

    @Test
    void backwardOnATensorThatDoesNotRequireGrad() {
        assertMessage(IllegalStateException.class, () -> Tensor.of(1.0, 2.0).sum().backward(), "does not require grad", "requiresGrad()");
        Tensor w = Tensor.of(1.0).requiresGrad();
        Tensor underNoGrad;
        try (var s = Autograd.noGrad()) {
            underNoGrad = w.mul(2).sum();
        }
        assertMessage(IllegalStateException.class, underNoGrad::backward, "does not require grad", "noGrad");
        assertNull(w.grad());
    }

    @Test
    void backwardOnANonScalarWithoutASeed() {
        Tensor w = Tensor.of(1.0, 2.0).requiresGrad();
        assertMessage(IllegalArgumentException.class, () -> w.mul(2).backward(), "not a scalar", "seed");
        assertMessage(IllegalArgumentException.class, () -> w.mul(2).backward(Tensor.ones(3)), "seed shape [3]", "[2]");
    }

    @Test
    void inPlaceUpdateOfASavedTensorThenBackward() {
        Tensor w = Tensor.of(1.0, 2.0).requiresGrad();
        Tensor x = Tensor.of(3.0, 4.0);
        Tensor loss = w.mul(x).sum();                                    // mul saves both inputs
        try (var s = Autograd.noGrad()) {
            w.addInPlace(Tensor.of(1.0, 1.0), -0.1);                     // e.g. an optimizer step before backward
        }
        assertMessage(IllegalStateException.class, loss::backward, "'mul'", "modified in place", "after backward()");
        assertTrue(Autograd.isGradEnabled(), "the failed backward left grad mode off on this thread");
        assertNull(w.grad(), "the failed backward left a partial gradient");
        // In-place updates outside no-grad are refused outright.
        assertMessage(IllegalStateException.class, () -> w.addInPlace(Tensor.of(1.0, 1.0), 1), "Autograd.noGrad()");
        assertArrayEquals(new double[] {0.9, 1.9}, w.toArray(), 1e-15);
    }

    @Test
    void optimizerStepWithNoGradients() {
        Linear layer = new Linear(3, 2, new SplittableRandom(1));
        for (Optimizer opt : new Optimizer[] {Sgd.builder(layer).lr(0.1).build(), Adam.builder(layer).build()}) {
            double[] before = layer.weight().toArray();
            assertMessage(IllegalStateException.class, opt::step, "no parameter has a gradient", "backward()");
            assertArrayEquals(before, layer.weight().toArray(), 0.0);
            assertEquals(0, opt.stepCount());
        }
    }

    @Test
    void mismatchedLossShapes() {
        Tensor p = Tensor.full(0.5, 4, 1).requiresGrad();
        Tensor t = Tensor.full(1.0, 4);
        for (Loss loss : new Loss[] {new MeanSquaredError(), new BinaryCrossEntropy(), new BinaryCrossEntropyWithLogits()}) {
            String name = loss.getClass().getSimpleName();
            assertMessage(IllegalArgumentException.class, () -> loss.apply(p, t), name, "[4, 1]", "[4]");
        }
        assertMessage(IllegalArgumentException.class, () -> new CrossEntropy().apply(Tensor.zeros(4, 3), Tensor.zeros(5)),
            "CrossEntropy", "[4, 3]", "[5]");
        assertMessage(IllegalArgumentException.class, () -> new CrossEntropy().apply(Tensor.zeros(2, 3), Tensor.of(0.0, 3.0)),
            "CrossEntropy", "target 3.0", "[0, 3)");
        assertNull(p.grad());
    }

    @Test
    void dataLoaderWithBatchSizeZero() {
        Dataset data = new Dataset(Tensor.zeros(4, 2), Tensor.zeros(4, 1));
        assertMessage(IllegalArgumentException.class, () -> DataLoader.builder(data).batchSize(0).build(), "batch size 0", "at least 1");
        assertMessage(IllegalArgumentException.class, () -> DataLoader.builder(data).batchSize(-3), "batch size -3");
    }

    @Test
    void shapesWhoseSizeOverflowsAreRejectedNotWrappedAround() {
        // 65536^4 = 2^64 wraps to 0 in a long: it must not become an empty tensor with a huge shape.
        assertMessage(IllegalArgumentException.class, () -> Tensor.zeros(65536, 65536, 65536, 65536), "more than", "one tensor");
        assertMessage(IllegalArgumentException.class, () -> Tensor.full(1.0, 1 << 16, 1 << 16), "more than");
        Tensor t = Tensor.zeros(4, 4);
        assertMessage(IllegalArgumentException.class, () -> t.reshape(-1, 65536, 65536, 65536, 65536), "reshape", "not divisible");
        assertMessage(IllegalArgumentException.class, () -> t.reshape(65536, 65536, 65536, 65536), "reshape", "sizes differ");
        assertEquals(16, t.reshape(-1).size());
    }

    @Test
    void mlpWithZeroLayers() {
        assertMessage(IllegalArgumentException.class, () -> Mlp.builder().sizes(784).seed(1).build(), "Mlp", "[784]");
        assertMessage(IllegalArgumentException.class, () -> Mlp.builder().seed(1).build(), "Mlp", "sizes(");
        assertMessage(IllegalArgumentException.class, () -> Mlp.builder().sizes(2, 0, 1).seed(1).build(), "Mlp", "size 0");
        assertMessage(IllegalArgumentException.class, () -> new Sequential(), "Sequential", "at least one module");
        assertMessage(IllegalArgumentException.class, () -> new Sequential(List.of()), "Sequential", "at least one module");
    }
}

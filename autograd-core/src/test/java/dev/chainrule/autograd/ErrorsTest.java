package dev.chainrule.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Bad input gets the documented exception type and a message that names the op, the shapes and the fix. */
@SuppressWarnings("try") // try (var s = Autograd.noGrad()) { ... } scopes are used for their effect only
class ErrorsTest {

    private static <T extends Throwable> T assertThrowsWith(Class<T> type, Executable call, String... fragments) {
        T e = assertThrows(type, call);
        for (String f : fragments) {
            assertTrue(e.getMessage() != null && e.getMessage().contains(f),
                "message should contain \"" + f + "\" but was: " + e.getMessage());
        }
        return e;
    }

    // ================================================================ shapes in binary ops

    @Test
    void binaryOpsNameTheOpAndBothShapes() {
        Tensor a = Tensor.zeros(2, 3), b = Tensor.zeros(4);
        List<String> ops = List.of("add", "sub", "mul", "div");
        List<BiFunction<Tensor, Tensor, Tensor>> fs = List.of(Tensor::add, Tensor::sub, Tensor::mul, Tensor::div);
        for (int i = 0; i < ops.size(); i++) {
            BiFunction<Tensor, Tensor, Tensor> f = fs.get(i);
            assertThrowsWith(IllegalArgumentException.class, () -> f.apply(a, b), ops.get(i), "[2, 3]", "[4]");
            assertThrowsWith(IllegalArgumentException.class, () -> f.apply(b, a), ops.get(i), "[4]", "[2, 3]");
        }
        assertThrowsWith(IllegalArgumentException.class, () -> Tensor.zeros(3, 2).add(Tensor.zeros(2, 3)), "[3, 2]", "[2, 3]");
    }

    @Test
    void matmulInnerDimensionMismatchHasTheDocumentedMessage() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> Tensor.zeros(2, 3).matmul(Tensor.zeros(4, 5)));
        assertEquals("matmul: [2, 3] x [4, 5]: inner dimensions 3 and 4 differ", e.getMessage());
        assertThrowsWith(IllegalArgumentException.class, () -> Tensor.zeros(3).matmul(Tensor.zeros(4)), "matmul", "[3]", "[4]");
        assertThrowsWith(IllegalArgumentException.class, () -> Tensor.zeros(2, 3).matmul(Tensor.zeros(2)), "inner dimensions 3 and 2");
        assertThrowsWith(IllegalArgumentException.class, () -> Tensor.zeros(2, 2, 3).matmul(Tensor.zeros(3, 3, 4)),
            "matmul", "[2, 2, 3]", "[3, 3, 4]", "batch");
        assertThrowsWith(IllegalArgumentException.class, () -> Tensor.scalar(2).matmul(Tensor.zeros(2)), "matmul", "rank");
    }

    @Test
    void linearShapeErrors() {
        assertThrowsWith(IllegalArgumentException.class, () -> Tensor.zeros(2, 3).linear(Tensor.zeros(4, 5), null),
            "linear", "[2, 3]", "[4, 5]");
        assertThrowsWith(IllegalArgumentException.class, () -> Tensor.zeros(2, 3).linear(Tensor.zeros(4, 3), Tensor.zeros(5)),
            "linear", "bias", "[5]", "[4, 3]");
        assertThrowsWith(IllegalArgumentException.class, () -> Tensor.zeros(2, 3).linear(Tensor.zeros(3), null), "linear");
    }

    // ================================================================ reshape, broadcast, axes

    @Test
    void reshapeSizeMismatch() {
        Tensor x = Tensor.zeros(2, 3);
        assertThrowsWith(IllegalArgumentException.class, () -> x.reshape(4, 2), "reshape", "[2, 3]", "[4, 2]", "6", "8");
        assertThrowsWith(IllegalArgumentException.class, () -> x.reshape(4, -1), "reshape", "[4, -1]", "divisible");
        assertThrowsWith(IllegalArgumentException.class, () -> x.reshape(-1, -1), "reshape", "-1");
        assertThrowsWith(IllegalArgumentException.class, () -> x.reshape(0, 6), "reshape", "0");
        assertThrowsWith(IllegalArgumentException.class, () -> x.reshape(), "reshape", "[2, 3]", "[]");
        assertArrayEquals(new int[] {2, 3}, x.shape(), "a failed reshape leaves its input alone");
    }

    @Test
    void broadcastToAndSumToRejectIncompatibleShapes() {
        assertThrowsWith(IllegalArgumentException.class, () -> Tensor.zeros(2, 3).broadcastTo(3, 3), "broadcastTo", "[2, 3]", "[3, 3]");
        assertThrowsWith(IllegalArgumentException.class, () -> Tensor.zeros(2, 3).broadcastTo(3), "broadcastTo");
        assertThrowsWith(IllegalArgumentException.class, () -> Tensor.zeros(2, 3).sumTo(2), "sumTo", "[2, 3]", "[2]");
        assertThrowsWith(IllegalArgumentException.class, () -> Tensor.zeros(3).sumTo(2, 3), "sumTo");
        assertThrowsWith(IllegalArgumentException.class, () -> Shape.broadcast(new int[] {2}, new int[] {3}), "[2]", "[3]");
    }

    @Test
    void axisOutOfRangeNamesTheOpTheAxisAndTheShape() {
        Tensor x = Tensor.zeros(2, 3);
        List<String> ops = List.of("sum", "mean", "max", "softmax", "logSoftmax", "logSumExp", "argMax");
        List<Function<Integer, Tensor>> fs = List.of(a -> x.sum(a, false), a -> x.mean(a, true), a -> x.max(a, false),
            x::softmax, x::logSoftmax, a -> x.logSumExp(a, false), x::argMax);
        for (int i = 0; i < ops.size(); i++) {
            Function<Integer, Tensor> f = fs.get(i);
            assertThrowsWith(IllegalArgumentException.class, () -> f.apply(2), ops.get(i), "axis 2", "[2, 3]", "-2 to 1");
            assertThrowsWith(IllegalArgumentException.class, () -> f.apply(-3), ops.get(i), "axis -3", "[2, 3]");
        }
        assertThrowsWith(IllegalArgumentException.class, () -> x.min(5, false), "min", "axis 5", "[2, 3]");
        assertThrowsWith(IllegalArgumentException.class, () -> Tensor.scalar(1).sum(0, false), "sum", "axis 0", "[]", "scalar");
    }

    @Test
    void emptyShapesAreRejected() {
        assertThrowsWith(IllegalArgumentException.class, () -> Tensor.zeros(0), "zeros", "[0]", "at least 1");
        assertThrowsWith(IllegalArgumentException.class, () -> Tensor.ones(2, 0), "[2, 0]");
        assertThrowsWith(IllegalArgumentException.class, () -> Tensor.full(1.0, 3, 0, 2), "[3, 0, 2]");
        assertThrowsWith(IllegalArgumentException.class, () -> Tensor.zeros(-1), "[-1]");
        assertThrowsWith(IllegalArgumentException.class, () -> Tensor.randn(new SplittableRandom(1), 0), "randn");
        assertThrowsWith(IllegalArgumentException.class, () -> Tensor.rand(new SplittableRandom(1), 2, 0), "rand");
        assertThrowsWith(IllegalArgumentException.class, () -> Tensor.of(new double[0]), "no values");
        assertThrowsWith(IllegalArgumentException.class, () -> Tensor.of(new double[0][0]), "no values");
        assertThrowsWith(IllegalArgumentException.class, () -> Tensor.of(new double[0], 0), "[0]");
        assertThrowsWith(IllegalArgumentException.class, () -> Tensor.of(new double[] {1, 2}, 2, 0), "[2, 0]");
    }

    @Test
    void tooManyElementsForOneTensor() {
        assertThrowsWith(IllegalArgumentException.class, () -> Tensor.zeros(100_000, 100_000), "100000", "elements");
    }

    @Test
    void factoryDataMismatches() {
        assertThrowsWith(IllegalArgumentException.class, () -> Tensor.of(new double[] {1, 2, 3}, 2, 2), "3 values", "[2, 2]", "4");
        assertThrowsWith(IllegalArgumentException.class, () -> Tensor.of(new double[][] {{1, 2}, {3}}), "row 1", "1 values", "2");
    }

    @Test
    void accessorErrors() {
        Tensor x = Tensor.zeros(2, 3);
        assertThrowsWith(IllegalArgumentException.class, () -> x.get(2, 0), "get", "[2, 0]", "[2, 3]");
        assertThrowsWith(IllegalArgumentException.class, () -> x.get(0, -1), "get", "[2, 3]");
        assertThrowsWith(IllegalArgumentException.class, () -> x.get(0), "get", "rank 2");
        assertThrowsWith(IllegalStateException.class, x::item, "item", "[2, 3]", "6");
    }

    @Test
    void clampBoundsMustBeOrdered() {
        assertThrowsWith(IllegalArgumentException.class, () -> Tensor.zeros(2).clamp(1, -1), "clamp", "1.0", "-1.0");
        assertThrowsWith(IllegalArgumentException.class, () -> Tensor.zeros(2).clamp(Double.NaN, 1), "clamp");
    }

    // ================================================================ backward

    @Test
    void nanOrInfiniteSeedIsRejected() {
        Tensor x = Tensor.of(1, 2).requiresGrad();
        Tensor y = x.mul(2);
        assertThrowsWith(IllegalArgumentException.class, () -> y.backward(Tensor.of(1, Double.NaN)), "seed", "NaN");
        assertThrowsWith(IllegalArgumentException.class, () -> y.backward(Tensor.of(Double.POSITIVE_INFINITY, 1)), "seed", "Inf");
        assertNull(x.grad());
        y.backward(Tensor.of(1, 1));                          // nothing was lost: the graph is still intact
        assertArrayEquals(new double[] {2, 2}, x.grad().toArray());
    }

    @Test
    void seedShapeMismatchIsRejected() {
        Tensor x = Tensor.of(1, 2, 3).requiresGrad();
        Tensor y = x.mul(2);
        assertThrowsWith(IllegalArgumentException.class, () -> y.backward(Tensor.ones(2)), "seed", "[2]", "[3]");
        assertThrowsWith(IllegalArgumentException.class, () -> y.backward(Tensor.ones(3, 1)), "[3, 1]", "[3]");
        assertThrowsWith(IllegalArgumentException.class, () -> y.sum().backward(Tensor.ones(1)), "[1]", "[]");
        y.backward(Tensor.ones(3));
        assertArrayEquals(new double[] {2, 2, 2}, x.grad().toArray());
    }

    @Test
    void backwardOnATensorThatDoesNotRequireGrad() {
        assertThrowsWith(IllegalStateException.class, () -> Tensor.scalar(2).mul(3).backward(), "does not require grad");
        assertThrowsWith(IllegalStateException.class, () -> Tensor.scalar(2).backward(), "does not require grad");
        Tensor w = Tensor.scalar(1).requiresGrad();
        Tensor y;
        try (var s = Autograd.noGrad()) {
            y = w.mul(2);
        }
        assertThrowsWith(IllegalStateException.class, y::backward, "does not require grad", "noGrad");
        assertThrowsWith(IllegalStateException.class, () -> w.detach().square().backward(), "does not require grad");
    }

    @Test
    void autogradGradArgumentErrors() {
        Tensor x = Tensor.of(1, 2).requiresGrad();
        assertThrowsWith(IllegalArgumentException.class, () -> Autograd.grad(x.mul(2), List.of(x), false), "grad", "[2]", "scalar");
        Tensor c = Tensor.of(1, 2);
        assertThrowsWith(IllegalArgumentException.class, () -> Autograd.grad(x.mul(c).sum(), List.of(c), false),
            "grad", "does not require grad", "requiresGrad()");
        // the vector-Jacobian form needs a seed for an output with more than one element
        assertThrowsWith(IllegalArgumentException.class, () -> Autograd.grad(x.mul(2), List.of(x), null, false, false),
            "[2]", "seed");
        assertThrowsWith(IllegalArgumentException.class, () -> Autograd.grad(x.mul(2), List.of(x), Tensor.ones(3), false, false),
            "seed", "[3]", "[2]");
        assertArrayEquals(new double[] {2, 2}, Autograd.grad(x.mul(2), List.of(x), Tensor.ones(2), false, false).get(0).toArray());
    }

    // ================================================================ indexing

    @Test
    void pickIndexOutOfRange() {
        Tensor x = Tensor.zeros(2, 3);
        assertThrowsWith(IllegalArgumentException.class, () -> x.pick(0, 3), "pick", "class index 3", "row 1", "[0, 3)", "[2, 3]");
        assertThrowsWith(IllegalArgumentException.class, () -> x.pick(-1, 0), "pick", "class index -1", "row 0");
        assertThrowsWith(IllegalArgumentException.class, () -> x.pick(0), "pick", "2 rows", "1 class indices");
        assertThrowsWith(IllegalArgumentException.class, () -> Tensor.scalar(1).pick(0), "pick", "scalar");
    }

    @Test
    void crossEntropyTargetOutOfRange() {
        Tensor x = Tensor.zeros(2, 3).requiresGrad();
        assertThrowsWith(IllegalArgumentException.class, () -> x.crossEntropy(1, 3), "crossEntropy", "class index 3", "row 1", "[0, 3)");
        assertThrowsWith(IllegalArgumentException.class, () -> x.crossEntropy(-2, 0), "crossEntropy", "class index -2", "row 0");
        assertThrowsWith(IllegalArgumentException.class, () -> x.crossEntropy(0, 1, 2), "crossEntropy", "2 rows", "3 class indices");
        assertThrowsWith(IllegalArgumentException.class, () -> Tensor.scalar(1).crossEntropy(0), "crossEntropy", "scalar");
    }

    // ================================================================ in-place and GradCheck arguments

    @Test
    void inPlaceShapeErrorsChangeNothing() {
        Tensor w = Tensor.of(1, 2);
        try (var s = Autograd.noGrad()) {
            assertThrowsWith(IllegalArgumentException.class, () -> w.addInPlace(Tensor.zeros(3), 1), "addInPlace", "[3]", "[2]");
            assertThrowsWith(IllegalArgumentException.class, () -> w.addInPlace(Tensor.zeros(2, 2), 1), "addInPlace", "[2, 2]");
            assertThrowsWith(IllegalArgumentException.class, () -> w.copyFrom(Tensor.zeros(1)), "copyFrom", "[1]", "[2]");
            w.addInPlace(Tensor.scalar(1), 2);                // a scalar broadcasts
        }
        assertArrayEquals(new double[] {3, 4}, w.toArray());
        assertEquals(1, w.version(), "failed updates do not bump the version");
    }

    @Test
    void gradCheckArgumentErrors() {
        assertThrowsWith(IllegalArgumentException.class, () -> GradCheck.check(x -> Tensor.scalar(0)), "no inputs");
        assertThrowsWith(IllegalArgumentException.class,
            () -> GradCheck.check(x -> x[0], 0, 1e-5, 1e-3, Tensor.scalar(1)), "eps");
        assertThrowsWith(IllegalArgumentException.class,
            () -> GradCheck.check(x -> x[0], 1e-6, -1, 1e-3, Tensor.scalar(1)), "tolerances");
    }
}

package dev.chainrule.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chainrule.autograd.internal.Kernels;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * The bad-input convention (package documentation, "Bad input") on the cases the hostile-input sweep
 * of issue 12 found: each is the documented exception type with a message that names the op, and none
 * allocates before it fails. The reflection fuzz over the whole API is {@code HostileInputTest} (optim).
 */
class BadInputTest {

    private static final double NAN = Double.NaN;

    private static <T extends Throwable> T assertThrowsWith(Class<T> type, Executable call, String... fragments) {
        T e = assertThrows(type, call);
        for (String f : fragments) {
            assertTrue(e.getMessage() != null && e.getMessage().contains(f), "message should contain \"" + f + "\" but was: " + e.getMessage());
        }
        return e;
    }

    private static void iae(Executable call, String... fragments) {
        assertThrowsWith(IllegalArgumentException.class, call, fragments);
    }

    private static void npe(String message, Executable call) {
        assertEquals(message, assertThrows(NullPointerException.class, call).getMessage());
    }

    // ================================================================ nulls: "op: name is null", at the boundary

    @Test
    void nullsAreNamedNullPointerExceptions() {
        Tensor x = Tensor.of(1.0, 2.0).requiresGrad();
        npe("add: other is null", () -> x.add(null));
        npe("mul: other is null", () -> x.mul(null));
        npe("gt: other is null", () -> x.gt(null));
        npe("maximum: other is null", () -> x.maximum(null));
        npe("matmul: other is null", () -> x.matmul(null));
        npe("linear: weight is null", () -> x.linear(null, null));
        npe("Tensor.of: values is null", () -> Tensor.of((double[]) null));
        npe("Tensor.of: rows is null", () -> Tensor.of((double[][]) null));
        npe("Tensor.of: row 1 is null", () -> Tensor.of(new double[][] {{1}, null}));
        npe("Tensor.of: data is null", () -> Tensor.of((double[]) null, 2));
        npe("Tensor.of: data is null", () -> Tensor.of((float[]) null, 2));
        npe("zeros: shape is null", () -> Tensor.zeros((int[]) null));
        npe("ones: shape is null", () -> Tensor.ones((int[]) null));
        npe("randn: rng is null", () -> Tensor.randn(null, 2));
        npe("zerosLike: t is null", () -> Tensor.zerosLike(null));
        npe("reshape: shape is null", () -> x.reshape((int[]) null));
        npe("sumTo: target is null", () -> x.sumTo((int[]) null));
        npe("broadcastTo: target is null", () -> x.broadcastTo((int[]) null));
        npe("get: index is null", () -> x.get((int[]) null));
        npe("toArray: dst is null", () -> x.toArray(null));
        npe("pick: index is null", () -> x.pick((int[]) null));
        npe("crossEntropy: targets is null", () -> x.crossEntropy((int[]) null));
        npe("backward: seed is null", () -> x.mul(2).backward(null));
        npe("grad: output is null", () -> Autograd.grad(null, List.of(x), false));
        npe("grad: input 1 is null", () -> Autograd.grad(x.sum(), Arrays.asList(x, null), false));
        npe("grad: inputs is null", () -> Autograd.grad(x.sum(), null, false));
        npe("jacobian: f is null", () -> Autograd.jacobian((Function<Tensor, Tensor>) null, x));
        npe("hessian: input 0 is null", () -> Autograd.hessian(t -> t.sum(), (Tensor) null));
        npe("jvp: v 0 is null", () -> Autograd.jvp(t -> t, x, null));
        npe("GradCheck.check: f is null", () -> GradCheck.check(null, x));
        npe("GradCheck.check: input 1 is null", () -> GradCheck.check(t -> t[0].sum(), x, null));
        npe("GradCheck.checkSecondOrder: inputs is null", () -> GradCheck.checkSecondOrder(t -> t[0].sum(), (Tensor[]) null));
        npe("Dot.of: root is null", () -> Dot.of(null));
        npe("Shape.size: shape is null", () -> Shape.size((int[]) null));
        npe("Shape.broadcast: b is null", () -> Shape.broadcast(new int[] {2}, null));
        npe("Shape.toString: shape is null", () -> Shape.toString((int[]) null));
        CustomOp id = CustomOp.define("id", t -> t[0], (s, g) -> List.of(g));
        npe("custom op 'id': input 0 is null", () -> id.apply((Tensor) null));
        npe("custom op 'id': inputs is null", () -> id.apply((Tensor[]) null));
        npe("ValuesAndIndices: indices is null", () -> new ValuesAndIndices(x, null));
        npe("CustomOp.Saved: input 0 is null", () -> new CustomOp.Saved(Arrays.asList((Tensor) null), x));
        npe("SignLogDet: sign is null", () -> new Linalg.SignLogDet(null, x));
        npe("Eigh: eigenvectors is null", () -> new Linalg.Eigh(x, null));
    }

    // ================================================================ shapes, axes and sizes

    @Test
    void sumToChecksItsTarget() {
        iae(() -> Tensor.of(5.0).sumTo(0), "sumTo", "target [0]", "dimension 0", "at least 1");
        iae(() -> Tensor.of(5.0).sumTo(-1), "sumTo", "target [-1]");
        iae(() -> Tensor.ones(1, 1).sumTo(-1, -1), "sumTo", "target [-1, -1]");
        iae(() -> Tensor.ones(2, 3).sumTo(4), "sumTo", "[2, 3]", "[4]");
        assertArrayEquals(new int[] {3}, Tensor.ones(2, 3).sumTo(3).shape());
    }

    @Test
    void shapeHelpersRejectDimensionsBelowOne() {
        iae(() -> Shape.size(-1), "Shape.size", "[-1]", "at least 1");
        iae(() -> Shape.size(2, 0), "Shape.size", "[2, 0]");
        iae(() -> Shape.size(65536, 65536), "Shape.size", "more than 2147483639");
        iae(() -> Shape.broadcast(new int[] {-5}, new int[] {-5}), "Shape.broadcast", "[-5]");
        iae(() -> Shape.broadcast(new int[] {1}, new int[] {0}), "Shape.broadcast", "[0]");
        assertEquals(6, Shape.size(2, 3));
        assertEquals(1, Shape.size());
        assertArrayEquals(new int[] {2, 3}, Shape.broadcast(new int[] {2, 1}, new int[] {3}));
    }

    @Test
    void ranksAreCappedAtSixtyFour() {
        int[] ones = new int[Shape.MAX_RANK + 1];
        Arrays.fill(ones, 1);
        iae(() -> Tensor.zeros(ones), "zeros", "65 dimensions", "at most 64");
        iae(() -> Tensor.scalar(1).reshape(ones), "reshape", "65 dimensions");
        iae(() -> Tensor.scalar(1).reshape(Arrays.copyOf(ones, 64)).unsqueeze(0), "unsqueeze", "64 dimensions");
        iae(() -> Tensor.scalar(1).repeat(ones), "repeat", "65 repeat counts");
        iae(() -> Tensor.scalar(1).broadcastTo(new int[100_000]), "broadcastTo", "100000 dimensions");
        // the widest repeat the cap allows still works: its middle shapes leave the 1s out
        int[] two = new int[64];
        Arrays.fill(two, 1);
        two[0] = 2;
        two[63] = 2;
        assertEquals(4, Tensor.scalar(3).repeat(two).size());
    }

    @Test
    void countsThatOverflowAnIntAreRejectedBeforeAllocating() {
        iae(() -> Tensor.ones(65536).repeat(65536, 1), "repeat", "more than 2147483639");
        iae(() -> Tensor.ones(2).repeat(Integer.MAX_VALUE), "repeat", "more than");
        iae(() -> Tensor.ones(2).repeat(-1), "repeat", "count -1");
        iae(() -> Tensor.ones(1, 1).expand(Integer.MAX_VALUE, 4), "expand", "more than");
        iae(() -> Tensor.ones(1).expand(-2), "expand", "size -2");
        iae(() -> Tensor.zeros(65536, 1).matmul(Tensor.zeros(1, 65536)), "matmul", "[65536, 65536]", "more than");
        iae(() -> Tensor.zeros(46341, 1).add(Tensor.zeros(1, 46341)), "add", "[46341, 46341]", "more than");
        iae(() -> Tensor.zeros(46341, 1).maskedFill(Tensor.zeros(1, 46341), 1), "maskedFill", "more than");
        iae(() -> Tensor.ones(2).pad(0, Integer.MAX_VALUE, Integer.MAX_VALUE), "pad", "more than");
        iae(() -> Tensor.ones(2).pad(0, Integer.MIN_VALUE, 0), "pad", "empty");
        iae(() -> Tensor.ones(2, 65536).indexSelect(0, new int[65536]), "indexSelect", "more than");
        Tensor big = Tensor.zeros(1 << 16);
        iae(() -> Tensor.cat(0, Tensor.stack(0, big, big).expand(32768, 2, 1 << 16)), "expand", "more than");
        iae(() -> Tensor.fromFunction(new int[] {Integer.MAX_VALUE, Integer.MAX_VALUE}, i -> 0), "fromFunction", "more than");
        iae(() -> Tensor.randint(new SplittableRandom(1), 0, 10, 65536, 65536), "randint", "more than");
        iae(() -> Tensor.eye(Integer.MAX_VALUE), "eye", "more than");
        iae(() -> Tensor.eye(46341), "eye", "[46341, 46341]");
        iae(() -> Tensor.eye(0), "eye", "dimension 0");
    }

    @Test
    void convolutionAndPoolingSizesThatOverflowAreRejectedBeforeAllocating() {
        Tensor x = Tensor.ones(2, 3, 6, 2);
        // padding 46341: output [2, 3, 92687, 92683] (an int overflow in the kernel's buffers before)
        iae(() -> x.conv2d(Tensor.ones(3, 3, 2, 2), null, 1, 46341, 1, 1), "conv2d: shape [2, 3, 92687, 92683]", "more than 2147483639 elements");
        iae(() -> x.conv2d(Tensor.ones(3, 3, 2, 2), null, 1, Integer.MAX_VALUE, 1, 1), "conv2d: input [2, 3, 6, 2] with padding 2147483647",
            "output length of 4294967299");
        // stride 2^31-1: the output length overflowed to a negative array size
        iae(() -> Tensor.ones(1, 3, 4).convTranspose(Tensor.ones(3, 2, 2), null, new int[] {Integer.MAX_VALUE}, new int[] {1},
            new int[] {0}, new int[] {1}, 1), "convTranspose1d: input [1, 3, 4]", "gives output size 6442450941, more than a tensor holds");
        // the windows of a 2^31-1 output were allocated before the output shape was checked (OutOfMemoryError)
        iae(() -> Tensor.ones(3, 3).adaptiveAvgPool(Integer.MAX_VALUE), "adaptiveAvgPool1d: shape [1, 3, 2147483647]", "elements");
        // conv1d/conv2d take the spatial rank from their name
        iae(() -> x.conv2d(Tensor.ones(3, 3, 2), null, 1, 0, 1, 1), "conv2d: weight [3, 3, 2] must be [out, in/groups, kH, kW] (rank 4)");
    }

    @Test
    void rangesCheckTheirCountAndTheirNumbers() {
        iae(() -> Tensor.arange(0, 3e9), "arange", "3000000000 elements", "more than fit");
        iae(() -> Tensor.arange(0, 1, 1e-10), "arange", "more than fit");
        iae(() -> Tensor.arange(0, 1, 0), "arange", "step must not be 0");
        iae(() -> Tensor.arange(0, 1, NAN), "arange", "step NaN", "finite");
        iae(() -> Tensor.arange(NAN), "arange", "end NaN");
        iae(() -> Tensor.arange(0, Double.POSITIVE_INFINITY), "arange", "end Infinity");
        iae(() -> Tensor.linspace(NAN, 1, 3), "linspace", "start NaN");
        iae(() -> Tensor.linspace(0, 1, 0), "linspace", "steps 0");
        iae(() -> Tensor.linspace(0, 1, Integer.MAX_VALUE), "linspace", "more than");
    }

    @Test
    void aTensorLargerThanTheWholeHeapIsAnIllegalArgumentNotAnOutOfMemoryError() {
        long elements = Runtime.getRuntime().maxMemory() / 8 / 2 + 1;   // more than half the heap: no room for an op's result
        if (elements > Kernels.MAX_ELEMENTS) return;            // a heap of 32 GiB or more holds the largest tensor
        int n = (int) elements;
        iae(() -> Tensor.zeros(n), "zeros", "more than half of this JVM's heap", "-Xmx");
        iae(() -> Tensor.linspace(0, 1, n), "linspace", "half of this JVM's heap");
        iae(() -> Tensor.arange(n), "arange", "half of this JVM's heap");
        iae(() -> Tensor.ones(1).expand(n), "expand", "half of this JVM's heap");
        iae(() -> Tensor.ones(1).repeat(n), "repeat", "half of this JVM's heap");
        iae(() -> Tensor.ones(1).pad(7, 0, n), "pad", "half of this JVM's heap");
    }

    @Test
    void denseJacobiansThatCannotFitFailBeforeTheFirstBackwardPass() {
        Tensor x = Tensor.zeros(1 << 16);
        long t0 = System.nanoTime();
        iae(() -> Autograd.jacobian(t -> t.mul(2), x), "jacobian", "65536 x 65536", "vjp/jvp/hvp");
        iae(() -> Autograd.hessian(t -> t.square().sum(), x), "hessian", "65536 x 65536");
        iae(() -> Autograd.hessian(t -> t[0].sum(), new Tensor[] {x, x}), "hessian", "131072 x 65536");
        iae(() -> GradCheck.check(t -> t[0].mul(1), x), "GradCheck.check", "more than");
        assertTrue(System.nanoTime() - t0 < 30_000_000_000L, "the checks come before the passes");
        assertEquals(1 << 16, Autograd.jacobian(t -> t.sum(), x).size());    // one row: fine
    }

    @Test
    void functionsThatMisbehaveAreNamed() {
        Tensor x = Tensor.of(1.0, 2.0);
        assertThrowsWith(IllegalStateException.class, () -> GradCheck.check(t -> null, x), "GradCheck.check: f returned null");
        int[] calls = {0};
        assertThrowsWith(IllegalStateException.class, () -> GradCheck.check(t -> ++calls[0] == 1 ? t[0].sum() : t[0], x),
            "GradCheck.check", "shape [2] for a perturbed input but []", "deterministic");
        assertThrowsWith(IllegalStateException.class, () -> GradCheck.checkSecondOrder(t -> null, x), "GradCheck.checkSecondOrder: f returned null");
        RuntimeException mine = new RuntimeException("mine");
        assertEquals(mine, assertThrows(RuntimeException.class, () -> Tensor.fromFunction(new int[] {2}, i -> {
            throw mine;
        })), "the function's own exception passes through unchanged");
    }

    @Test
    void recordsCheckTheirComponents() {
        Tensor a = Tensor.zeros(2), b = Tensor.zeros(3);
        iae(() -> new ValuesAndIndices(a, b), "ValuesAndIndices", "[2]", "[3]");
        iae(() -> new Linalg.SignLogDet(a, b), "SignLogDet", "[2]", "[3]");
        iae(() -> new Linalg.Eigh(Tensor.zeros(2), Tensor.zeros(3, 3)), "Eigh", "[..., n]");
        new Linalg.Eigh(Tensor.zeros(4, 2), Tensor.zeros(4, 2, 2));
        CustomOp.Saved s = new CustomOp.Saved(List.of(a, b), a);
        iae(() -> s.input(2), "CustomOp.Saved.input", "index 2", "2 inputs");
        iae(() -> s.input(-1), "CustomOp.Saved.input", "index -1");
        assertThrows(UnsupportedOperationException.class, () -> s.inputs().add(a), "the inputs are an unmodifiable copy");
    }

    // ================================================================ NaN, in every op that compares

    private static Tensor v(double... xs) {
        return Tensor.of(xs);
    }

    private static void same(double[] want, Tensor got) {
        assertArrayEquals(want, got.toArray(), 0, Arrays.toString(got.toArray()));
    }

    @Test
    void nanGoesThroughEveryComparingOpAsPyTorchSaysOrIsRejected() {
        Tensor x = v(1, NAN, 3, -2);
        same(new double[] {1, NAN, 3, 0}, x.relu());
        same(new double[] {1, NAN, 1, 0}, x.step());                   // NumPy's heaviside; PyTorch's gives 0 (documented)
        same(new double[] {1, NAN, 1, -1}, x.sign());                  // NumPy's sign; PyTorch's gives 0 (documented)
        same(new double[] {1, NAN, 2, -1}, x.clamp(-1, 2));
        same(new double[] {1, NAN, 1, -1}, x.hardtanh(-1, 1));
        same(new double[] {1, NAN, 3, -0.02}, x.leakyRelu(0.01));
        same(new double[] {1, NAN, 3, 0}, x.maximum(Tensor.scalar(0)));
        same(new double[] {0, NAN, 0, -2}, x.minimum(Tensor.scalar(0)));
        assertTrue(Double.isNaN(x.max().item()) && Double.isNaN(x.min().item()));
        assertTrue(Double.isNaN(x.norm(Double.POSITIVE_INFINITY).item()));
        assertEquals(1, x.argMax(0).item());                            // NaN wins, as PyTorch
        assertEquals(1, x.argMin(0).item());
        ValuesAndIndices up = x.sort(0, false), down = x.sort(0, true);
        same(new double[] {-2, 1, 3, NAN}, up.values());               // NaN above every number, both ways (PyTorch)
        same(new double[] {3, 0, 2, 1}, up.indices());
        same(new double[] {NAN, 3, 1, -2}, down.values());
        same(new double[] {NAN, 3}, x.topk(2, 0).values());            // NaN is the largest
        same(new double[] {1, 2}, x.topk(2, 0).indices());
        // comparisons with NaN are false (≠ true), as IEEE and PyTorch
        same(new double[] {0, 0, 1, 0}, x.gt(2));
        same(new double[] {1, 1, 1, 1}, x.ne(v(1, NAN, 3, -2)).add(v(1, 0, 1, 1)).gt(0));
        same(new double[] {0, 0, 0, 0}, x.eq(NAN));
        // a NaN mask element counts as set (PyTorch's bool(NaN) is true)
        same(new double[] {1, 0, 1, 0}, Tensor.where(v(NAN, 0, 1, 0), Tensor.ones(4), Tensor.zeros(4)));
        same(new double[] {7, NAN, 7, -2}, x.maskedFill(v(1, 0, NAN, 0), 7));
        // NaN where it has no meaning is rejected, naming the argument
        iae(() -> x.clamp(NAN, 1), "clamp", "lower bound is NaN");
        iae(() -> x.clamp(0, NAN), "clamp", "upper bound is NaN");
        iae(() -> x.clamp(2, 1), "clamp", "above");
        iae(() -> x.hardtanh(NAN, 1), "hardtanh", "NaN");
        iae(() -> x.leakyRelu(NAN), "leakyRelu", "NaN");
        iae(() -> x.elu(NAN), "elu", "NaN");
        iae(() -> x.norm(NAN), "norm", "NaN");
        iae(() -> x.var(0, NAN, false), "var", "correction NaN");
        iae(() -> x.std(0, Double.NEGATIVE_INFINITY, false), "std", "correction -Infinity");
        // and NaN as a plain operand is IEEE arithmetic, not an error
        assertTrue(Double.isNaN(x.pow(NAN).toArray()[0]));
        same(new double[] {1, 1, 1, 1}, x.pow(0));
    }

    @Test
    void reluStaysDifferentiableAtNaNTheSameWayInBothBackwardPaths() {
        Tensor x = v(NAN, 2, -1).requiresGrad();
        double[] first = Autograd.grad(x.relu().sum(), List.of(x), false).get(0).toArray();
        double[] second = Autograd.grad(x.relu().sum(), List.of(x), true).get(0).toArray();
        assertArrayEquals(new double[] {0, 1, 0}, first, 0);
        assertArrayEquals(first, second, 0);
    }
}

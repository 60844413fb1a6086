package dev.chainrule.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.chainrule.autograd.DType;
import dev.chainrule.autograd.Tensor;
import dev.chainrule.nn.io.SafeTensors;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every optimizer on FLOAT32 parameters: the state tensors are FLOAT32 (made with
 * {@code Tensor.zerosLike}/{@code fullLike}), three steps from the same float-rounded values and
 * gradients agree with the FLOAT64 steps within {@code 1e-5·(1 + max|p|)} (the in-place float kernels
 * round each update once, about 1e-7 relative per step), a saved {@link OptimizerState} is written as
 * F32, reads back bit for bit in FLOAT32, and the next step after a load is bit-identical to the step
 * of the uninterrupted optimizer; an F64 state (from a FLOAT64 run) loads into a FLOAT32 optimizer as
 * FLOAT32.
 */
class Float32OptimizersTest {

    @TempDir
    Path dir;

    record Case(String name, Function<List<Tensor>, Optimizer> build) {}

    static final List<Case> CASES = List.of(
        new Case("Sgd", p -> Sgd.builder(p).lr(0.1).build()),
        new Case("Sgd momentum, dampening, weight decay", p -> Sgd.builder(p).lr(0.1).momentum(0.9).dampening(0.1).weightDecay(0.01).build()),
        new Case("Sgd nesterov", p -> Sgd.builder(p).lr(0.1).momentum(0.9).nesterov(true).build()),
        new Case("Adam", p -> Adam.builder(p).lr(0.01).build()),
        new Case("Adam weight decay", p -> Adam.builder(p).lr(0.01).weightDecay(0.1).build()),
        new Case("AdamW", p -> AdamW.builder(p).lr(0.01).weightDecay(0.1).build()),
        new Case("RmsProp centered, momentum", p -> RmsProp.builder(p).lr(0.01).centered(true).momentum(0.5).weightDecay(0.01).build()),
        new Case("Adagrad", p -> Adagrad.builder(p).lr(0.1).initialAccumulatorValue(0.1).lrDecay(0.01).weightDecay(0.01).build()));

    /** Two parameters of shapes [3, 4] and [4] with float-representable values, in {@code dtype}. */
    static List<Tensor> parameters(DType dtype) {
        SplittableRandom rng = new SplittableRandom(11);
        List<Tensor> out = new ArrayList<>();
        for (int[] shape : new int[][] {{3, 4}, {4}}) {
            Tensor t = Tensor.randn(rng, DType.FLOAT32, shape).to(dtype).detach();
            out.add(t.requiresGrad());
        }
        return out;
    }

    /** Sets the gradient of every parameter to the (float-valued) gradient of step {@code k}: sum(p² · w_k). */
    static void gradients(List<Tensor> ps, int k) {
        for (int i = 0; i < ps.size(); i++) {
            Tensor p = ps.get(i);
            p.zeroGrad();
            Tensor w = Tensor.randn(new SplittableRandom(100 * k + i), DType.FLOAT32, p.shape()).to(p.dtype());
            p.square().mul(w).sum().backward();
        }
    }

    static void close(String what, Tensor f32, Tensor f64, double tol) {
        assertEquals(DType.FLOAT32, f32.dtype(), what + ": dtype");
        double[] a = f32.toArray(), b = f64.toArray();
        double scale = 0;
        for (double v : b) scale = Math.max(scale, Math.abs(v));
        for (int i = 0; i < a.length; i++) {
            if (!(Math.abs(a[i] - b[i]) <= tol * (1 + scale))) {
                fail(what + ": element " + i + " is " + a[i] + " in float32 but " + b[i] + " in float64");
            }
        }
    }

    @TestFactory
    Stream<DynamicTest> stepsInFloat32AgreeWithFloat64AndKeepFloat32State() {
        return CASES.stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            List<Tensor> p32 = parameters(DType.FLOAT32), p64 = parameters(DType.FLOAT64);
            Optimizer o32 = c.build().apply(p32), o64 = c.build().apply(p64);
            for (int k = 0; k < 3; k++) {
                gradients(p32, k);
                gradients(p64, k);
                o32.step();
                o64.step();
            }
            for (int i = 0; i < p32.size(); i++) close(c.name() + ": parameter " + i, p32.get(i), p64.get(i), 1e-5);
            OptimizerState s32 = o32.stateDict(), s64 = o64.stateDict();
            assertEquals(s64.tensors().keySet(), s32.tensors().keySet());
            for (Map.Entry<String, Tensor> e : s32.tensors().entrySet()) {
                close(c.name() + ": state " + e.getKey(), e.getValue(), s64.tensors().get(e.getKey()), 1e-5);
            }
        }));
    }

    @TestFactory
    Stream<DynamicTest> float32StateRoundTripsBitExactlyAndResumesIdentically() {
        return CASES.stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            List<Tensor> p = parameters(DType.FLOAT32);
            Optimizer o = c.build().apply(p);
            for (int k = 0; k < 2; k++) {
                gradients(p, k);
                o.step();
            }
            OptimizerState saved = o.stateDict();
            Path f = dir.resolve(c.name().replace(' ', '_').replace(",", "") + ".safetensors");
            saved.write(f);
            for (Tensor t : SafeTensors.read(f).values()) assertEquals(DType.FLOAT32, t.dtype(), "written as F32, read as FLOAT32");
            OptimizerState back = OptimizerState.read(f);
            assertEquals(saved, back);
            for (Map.Entry<String, Tensor> e : back.tensors().entrySet()) {
                assertEquals(DType.FLOAT32, e.getValue().dtype());
                assertArrayEquals(saved.tensors().get(e.getKey()).toFloatArray(), e.getValue().toFloatArray(), e.getKey());
            }
            // A fresh optimizer over a copy of the parameters, loaded from the file, takes the same next step bit for bit.
            List<Tensor> q = new ArrayList<>();
            for (Tensor t : p) q.add(t.detach().requiresGrad());
            Optimizer r = c.build().apply(q);
            r.loadStateDict(back);
            gradients(p, 2);
            gradients(q, 2);
            o.step();
            r.step();
            for (int i = 0; i < p.size(); i++) {
                assertEquals(DType.FLOAT32, q.get(i).dtype());
                assertArrayEquals(p.get(i).toFloatArray(), q.get(i).toFloatArray(), c.name() + ": parameter " + i + " after resuming");
            }
            for (Tensor t : r.stateDict().tensors().values()) assertEquals(DType.FLOAT32, t.dtype());
        }));
    }

    /** A FLOAT64 optimizer's state loads into a FLOAT32 optimizer (the model converted after saving): its state becomes FLOAT32. */
    @Test
    void aFloat64StateLoadsIntoAFloat32OptimizerAsFloat32() throws IOException {
        List<Tensor> p64 = parameters(DType.FLOAT64);
        Optimizer o64 = Adam.builder(p64).lr(0.01).build();
        gradients(p64, 0);
        o64.step();
        Path f = dir.resolve("f64.safetensors");
        o64.stateDict().write(f);
        for (Tensor t : SafeTensors.read(f).values()) assertEquals(DType.FLOAT64, t.dtype(), "a FLOAT64 state is written as F64");
        List<Tensor> p32 = new ArrayList<>();
        for (Tensor t : p64) p32.add(t.to(DType.FLOAT32).detach().requiresGrad());
        Optimizer o32 = Adam.builder(p32).lr(0.01).build();
        o32.loadStateDict(OptimizerState.read(f));
        for (Map.Entry<String, Tensor> e : o32.stateDict().tensors().entrySet()) {
            assertEquals(DType.FLOAT32, e.getValue().dtype(), e.getKey());
            double[] want = o64.stateDict().tensors().get(e.getKey()).toArray(), got = e.getValue().toArray();
            for (int i = 0; i < want.length; i++) assertEquals((float) want[i], got[i], 0.0, e.getKey() + " rounded once");
        }
        gradients(p32, 1);
        o32.step();
        for (Tensor t : o32.stateDict().tensors().values()) assertEquals(DType.FLOAT32, t.dtype());
    }

    /** Gradient clipping on FLOAT32 gradients keeps them FLOAT32. */
    @Test
    void clippingKeepsFloat32Gradients() {
        List<Tensor> p = parameters(DType.FLOAT32);
        gradients(p, 0);
        double norm = GradientClipping.clipNorm(p, 0.01);
        assertTrue(norm > 0.01);
        GradientClipping.clipValue(p, 0.001);
        for (Tensor t : p) {
            assertEquals(DType.FLOAT32, t.grad().dtype());
            for (double v : t.grad().toArray()) assertTrue(Math.abs(v) <= (float) 0.001, v + " is clamped to the float nearest 0.001");
        }
    }
}

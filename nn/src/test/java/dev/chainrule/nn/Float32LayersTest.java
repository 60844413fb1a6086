package dev.chainrule.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.chainrule.autograd.DType;
import dev.chainrule.autograd.Tensor;
import dev.chainrule.nn.init.Normal;
import dev.chainrule.nn.loss.BinaryCrossEntropy;
import dev.chainrule.nn.loss.BinaryCrossEntropyWithLogits;
import dev.chainrule.nn.loss.CrossEntropy;
import dev.chainrule.nn.loss.GaussianNll;
import dev.chainrule.nn.loss.Hinge;
import dev.chainrule.nn.loss.KlDivergence;
import dev.chainrule.nn.loss.Loss;
import dev.chainrule.nn.loss.MeanSquaredError;
import dev.chainrule.nn.loss.NllLoss;
import dev.chainrule.nn.loss.PerceptronLoss;
import dev.chainrule.nn.loss.Reduction;
import dev.chainrule.nn.loss.Regularizers;
import java.io.IOException;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every layer and loss in FLOAT32: each is built twice from one seed, one copy converted with
 * {@code Module.to(FLOAT32)}, the other given the same (float-rounded) parameter values in FLOAT64;
 * forward and backward run on the same (float-rounded) inputs in both dtypes. Checked: the outputs,
 * every parameter gradient, the input gradient and updated buffers are FLOAT32 (nothing created at run
 * time promotes to FLOAT64 or trips a mixed-dtype error), and they agree with the FLOAT64 run within
 * {@code |f32 − f64| ≤ TOL·(1 + max|f64|)} per tensor, TOL = 2e-5 (about 160 float32 ulps of the
 * largest value: float32 has a relative spacing of 1.2e-7, and these small layers accumulate at most
 * some tens of rounding errors).
 */
class Float32LayersTest {

    static final double TOL = 2e-5;

    /** One layer on one input: builds it from a seed, makes the input, runs it to one or more outputs. */
    record Case(String name, Function<SplittableRandom, Module> build, int[] inputShape, boolean indices,
                BiFunction<Module, Tensor, Tensor[]> run) {}

    static Case of(String name, Function<SplittableRandom, Module> build, int... inputShape) {
        return new Case(name, build, inputShape, false, (m, x) -> new Tensor[] {m.forward(x)});
    }

    static Case run(String name, Function<SplittableRandom, Module> build, BiFunction<Module, Tensor, Tensor[]> run, int... inputShape) {
        return new Case(name, build, inputShape, false, run);
    }

    static final List<Case> CASES = List.of(
        of("Linear", r -> new Linear(5, 4, r), 3, 5),
        of("Linear no bias, [B, T, in]", r -> new Linear(5, 4, false, r), 2, 3, 5),
        of("Mlp with dropout (training)", r -> Mlp.builder().sizes(6, 8, 8, 3).dropout(0.3).rng(r).build(), 4, 6),
        of("Perceptron", r -> new Perceptron(4, new Normal(0, 1), r), 5, 4),
        of("Conv1d", r -> Conv1d.builder(3, 4, 3).padding(1).stride(2).build(r), 2, 3, 9),
        of("Conv2d (groups, dilation)", r -> Conv2d.builder(4, 6, 3).padding(2).dilation(2).groups(2).build(r), 2, 4, 6, 5),
        of("BatchNorm1d (training)", r -> new BatchNorm1d(4), 6, 4),
        run("BatchNorm1d (eval after a training step)", r -> new BatchNorm1d(4), (m, x) -> {
            m.forward(x);
            m.eval();
            return new Tensor[] {m.forward(x)};
        }, 6, 4),
        of("BatchNorm2d (training)", r -> new BatchNorm2d(3), 2, 3, 4, 4),
        of("LayerNorm", r -> new LayerNorm(new int[] {4, 3}), 2, 4, 3),
        of("MaxPool1d", r -> new MaxPool1d(2), 2, 3, 8),
        of("MaxPool2d", r -> new MaxPool2d(2, 2, 1), 2, 3, 5, 5),
        of("AvgPool1d", r -> new AvgPool1d(3, 2, 1), 2, 3, 8),
        of("AvgPool2d", r -> new AvgPool2d(2), 2, 3, 4, 6),
        of("AdaptiveAvgPool2d", r -> new AdaptiveAvgPool2d(2, 3), 2, 3, 5, 7),
        of("Flatten", r -> new Flatten(), 2, 3, 4),
        of("Dropout (training)", r -> new Dropout(0.4, r), 5, 6),
        new Case("Embedding with padding", r -> new Embedding(7, 4, 2, r), new int[] {3, 4}, true, (m, x) -> new Tensor[] {m.forward(x)}),
        run("RNN 2 layers, bidirectional, dropout", r -> RNN.builder(3, 4).numLayers(2).bidirectional(true).dropout(0.3).build(r), (m, x) -> {
            RNN.Output o = ((RNN) m).forward(x, null);
            return new Tensor[] {o.output(), o.hidden()};
        }, 2, 5, 3),
        run("LSTM 2 layers", r -> LSTM.builder(3, 4).numLayers(2).build(r), (m, x) -> {
            LSTM.Output o = ((LSTM) m).forward(x, null);
            return new Tensor[] {o.output(), o.state().h(), o.state().c()};
        }, 2, 4, 3),
        run("GRU bidirectional, unbatched", r -> GRU.builder(3, 4).bidirectional(true).build(r), (m, x) -> {
            GRU.Output o = ((GRU) m).forward(x, null);
            return new Tensor[] {o.output(), o.hidden()};
        }, 5, 3),
        of("RNNCell", r -> new RNNCell(3, 4, r), 2, 3),
        run("LSTMCell", r -> new LSTMCell(3, 4, r), (m, x) -> {
            LSTM.State s = ((LSTMCell) m).forward(x, null);
            LSTM.State s2 = ((LSTMCell) m).forward(x, s);
            return new Tensor[] {s2.h(), s2.c()};
        }, 2, 3),
        run("GRUCell two steps", r -> new GRUCell(3, 4, r), (m, x) -> {
            Tensor h = ((GRUCell) m).forward(x, null);
            return new Tensor[] {((GRUCell) m).forward(x, h)};
        }, 3),
        run("MultiheadAttention causal, padding mask, dropout, weights", r -> MultiheadAttention.builder(6, 2).dropout(0.2).build(r), (m, x) -> {
            Tensor kpm = Tensor.of(new double[] {0, 0, 0, 1, 0, 0, 0, 0}, x.dtype(), 2, 4);
            MultiheadAttention.Output o = ((MultiheadAttention) m).forward(x, x, x,
                MultiheadAttention.Options.defaults().withCausal(true).withKeyPaddingMask(kpm));
            return new Tensor[] {o.output(), o.weights()};
        }, 2, 4, 6),
        run("MultiheadAttention cross-attention", r -> MultiheadAttention.builder(4, 2).bias(false).build(r), (m, x) -> {
            Tensor kv = x.slice(1, 0, 2).mul(2);
            return new Tensor[] {((MultiheadAttention) m).forward(x, kv, kv, null).output()};
        }, 2, 3, 4),
        of("Residual with projection", r -> new Residual(new Sequential(new Linear(3, 5, r), new Tanh()), new Linear(3, 5, false, r)), 4, 3),
        of("Sequential", r -> new Sequential(new Linear(3, 4, r), new ReLU(), new Linear(4, 2, r)), 4, 3),
        of("Identity", r -> new Identity(), 3, 4),
        of("ReLU", r -> new ReLU(), 3, 4),
        of("LeakyReLU", r -> new LeakyReLU(0.1), 3, 4),
        of("ELU", r -> new ELU(0.7), 3, 4),
        of("GELU", r -> new GELU(), 3, 4),
        of("SiLU", r -> new SiLU(), 3, 4),
        of("Softplus", r -> new Softplus(), 3, 4),
        of("Sigmoid", r -> new Sigmoid(), 3, 4),
        of("Tanh", r -> new Tanh(), 3, 4),
        of("Hardtanh", r -> new Hardtanh(-0.5, 0.5), 3, 4),
        of("Sign", r -> new Sign(), 3, 4),
        of("Step", r -> new Step(), 3, 4),
        of("Softmax", r -> new Softmax(-1), 3, 4),
        of("LogSoftmax", r -> new LogSoftmax(1), 3, 4));

    /** Every public concrete module class of dev.chainrule.nn that has a forward, and its case names. */
    @Test
    void everyLayerClassHasACase() throws IOException, URISyntaxException {
        Path dir = Path.of(Module.class.getProtectionDomain().getCodeSource().getLocation().toURI()).resolve("dev/chainrule/nn");
        TreeSet<String> missing = new TreeSet<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                String file = f.getFileName().toString();
                if (!file.endsWith(".class") || file.contains("$")) continue;
                Class<?> c;
                try {
                    c = Class.forName("dev.chainrule.nn." + file.substring(0, file.length() - 6));
                } catch (ClassNotFoundException e) {
                    throw new AssertionError(e);
                }
                if (!Module.class.isAssignableFrom(c) || !Modifier.isPublic(c.getModifiers()) || Modifier.isAbstract(c.getModifiers())
                    || c == ModuleList.class) {
                    continue;                       // ModuleList has no forward; its members are tested here one by one
                }
                String name = c.getSimpleName();
                if (CASES.stream().noneMatch(k -> k.name().equals(name) || k.name().startsWith(name + " "))) missing.add(name);
            }
        }
        assertTrue(missing.isEmpty(), "layers without a float32 case: " + missing);
    }

    @TestFactory
    Stream<DynamicTest> layersRunInFloat32AndAgreeWithFloat64() {
        return CASES.stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> check(c)));
    }

    private static void check(Case c) {
        Module m32 = c.build().apply(new SplittableRandom(42)).to(DType.FLOAT32);
        Module m64 = c.build().apply(new SplittableRandom(42)).to(DType.FLOAT32).to(DType.FLOAT64);   // the same rounded values
        if (!m32.parameters().isEmpty()) assertEquals(DType.FLOAT32, m32.dtype(), c.name());   // (FLOAT64 for a module without any)
        for (Tensor p : m32.parameters()) assertEquals(DType.FLOAT32, p.dtype(), c.name() + ": a parameter after to(FLOAT32)");

        SplittableRandom data = new SplittableRandom(7);
        double[] xv = new double[dev.chainrule.autograd.Shape.size(c.inputShape())];
        for (int i = 0; i < xv.length; i++) xv[i] = c.indices() ? data.nextInt(7) : (float) data.nextGaussian();
        Tensor x32 = Tensor.of(xv, DType.FLOAT32, c.inputShape()), x64 = Tensor.of(xv, c.inputShape());
        if (!c.indices()) {
            x32.requiresGrad();
            x64.requiresGrad();
        }
        Tensor[] o32 = c.run().apply(m32, x32), o64 = c.run().apply(m64, x64);
        Tensor l32 = null, l64 = null;
        for (int k = 0; k < o32.length; k++) {
            close(c.name() + ": output " + k, o32[k], o64[k]);
            Tensor w = Tensor.randn(new SplittableRandom(100 + k), o64[k].shape());
            Tensor t32 = o32[k].mul(w.to(DType.FLOAT32)).sum(), t64 = o64[k].mul(w.to(DType.FLOAT32).to(DType.FLOAT64)).sum();
            l32 = l32 == null ? t32 : l32.add(t32);
            l64 = l64 == null ? t64 : l64.add(t64);
        }
        assertEquals(DType.FLOAT32, l32.dtype(), c.name() + ": loss");
        l32.backward();
        l64.backward();
        Map<String, Tensor> p32 = m32.namedParameters(), p64 = m64.namedParameters();
        for (Map.Entry<String, Tensor> e : p32.entrySet()) {
            Tensor g32 = e.getValue().grad(), g64 = p64.get(e.getKey()).grad();
            if (g64 == null) continue;                     // e.g. a layer whose output does not depend on it
            assertNotNull(g32, c.name() + ": no gradient for " + e.getKey() + " in float32");
            close(c.name() + ": d/d" + e.getKey(), g32, g64);
        }
        if (!c.indices()) close(c.name() + ": d/dx", x32.grad(), x64.grad());
        Map<String, Tensor> b32 = m32.namedBuffers(), b64 = m64.namedBuffers();
        for (Map.Entry<String, Tensor> e : b32.entrySet()) close(c.name() + ": buffer " + e.getKey(), e.getValue(), b64.get(e.getKey()));
    }

    /** Asserts FLOAT32 and elementwise agreement within TOL·(1 + max|expected|). */
    static void close(String what, Tensor f32, Tensor f64) {
        assertNotNull(f32, what + ": null in float32");
        assertEquals(DType.FLOAT32, f32.dtype(), what + ": dtype");
        assertEquals(DType.FLOAT64, f64.dtype(), what + ": reference dtype");
        double[] a = f32.toArray(), b = f64.toArray();
        assertEquals(b.length, a.length, what + ": size");
        double scale = 0;
        for (double v : b) scale = Math.max(scale, Math.abs(v));
        for (int i = 0; i < a.length; i++) {
            if (Double.isInfinite(b[i]) && a[i] == b[i]) continue;
            if (!(Math.abs(a[i] - b[i]) <= TOL * (1 + scale))) {
                fail(what + ": element " + i + " is " + a[i] + " in float32 but " + b[i] + " in float64 (tolerance "
                    + TOL * (1 + scale) + ")");
            }
        }
    }

    // ---- losses ------------------------------------------------------------------------------------

    /** A loss with a prediction maker (from standard normals) and a target maker, both as doubles. */
    record LossCase(String name, Loss loss, int[] shape, Function<double[], double[]> prediction, Supplier<Tensor> target) {}

    static double[] sigmoid(double[] v) {
        double[] o = v.clone();
        for (int i = 0; i < o.length; i++) o[i] = (float) (1 / (1 + Math.exp(-o[i])));
        return o;
    }

    static double[] logSoftmaxRows(double[] v, int cols) {
        double[] o = v.clone();
        for (int r = 0; r < o.length / cols; r++) {
            double max = Double.NEGATIVE_INFINITY, s = 0;
            for (int j = 0; j < cols; j++) max = Math.max(max, o[r * cols + j]);
            for (int j = 0; j < cols; j++) s += Math.exp(o[r * cols + j] - max);
            for (int j = 0; j < cols; j++) o[r * cols + j] = (float) (o[r * cols + j] - max - Math.log(s));
        }
        return o;
    }

    static Tensor classes() {
        return Tensor.of(2, 0, 3, 1, 3);
    }

    static Tensor probs(int... shape) {
        double[] v = Tensor.rand(new SplittableRandom(5), shape).toArray();
        for (int i = 0; i < v.length; i++) v[i] = (float) v[i];
        return Tensor.of(v, shape);
    }

    static Tensor softTargets() {
        return Tensor.of(logSoftmaxRows(Tensor.randn(new SplittableRandom(6), 5, 4).toArray(), 4), 5, 4).exp().to(DType.FLOAT32).to(DType.FLOAT64);
    }

    static final List<LossCase> LOSSES = List.of(
        new LossCase("MeanSquaredError", new MeanSquaredError(), new int[] {5, 3}, v -> v, () -> probs(5, 3)),
        new LossCase("MeanSquaredError SUM", new MeanSquaredError(Reduction.SUM), new int[] {5, 3}, v -> v, () -> probs(5, 3)),
        new LossCase("GaussianNll full", new GaussianNll(0.7, Reduction.MEAN, true), new int[] {5, 3}, v -> v, () -> probs(5, 3)),
        new LossCase("BinaryCrossEntropy", new BinaryCrossEntropy(), new int[] {5, 3}, Float32LayersTest::sigmoid, () -> probs(5, 3)),
        new LossCase("BinaryCrossEntropyWithLogits", new BinaryCrossEntropyWithLogits(), new int[] {5, 3}, v -> v, () -> probs(5, 3)),
        new LossCase("CrossEntropy class indices", new CrossEntropy(), new int[] {5, 4}, v -> v, Float32LayersTest::classes),
        new LossCase("CrossEntropy SUM", new CrossEntropy(Reduction.SUM), new int[] {5, 4}, v -> v, Float32LayersTest::classes),
        new LossCase("CrossEntropy soft targets", new CrossEntropy(), new int[] {5, 4}, v -> v, Float32LayersTest::softTargets),
        new LossCase("NllLoss", new NllLoss(), new int[] {5, 4}, v -> logSoftmaxRows(v, 4), Float32LayersTest::classes),
        new LossCase("KlDivergence", new KlDivergence(Reduction.SUM), new int[] {5, 4}, v -> logSoftmaxRows(v, 4), Float32LayersTest::softTargets),
        new LossCase("Hinge", new Hinge(), new int[] {5, 4}, v -> v, Float32LayersTest::classes),
        new LossCase("PerceptronLoss", new PerceptronLoss(Reduction.SUM), new int[] {5, 1}, v -> v,
            () -> Tensor.of(new double[] {1, -1, -1, 1, 1}, 5, 1)));

    /** Every loss class of dev.chainrule.nn.loss has a case. */
    @Test
    void everyLossClassHasACase() throws IOException, URISyntaxException {
        Path dir = Path.of(Loss.class.getProtectionDomain().getCodeSource().getLocation().toURI()).resolve("dev/chainrule/nn/loss");
        TreeSet<String> missing = new TreeSet<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                String file = f.getFileName().toString();
                if (!file.endsWith(".class") || file.contains("$")) continue;
                String name = file.substring(0, file.length() - 6);
                Class<?> c;
                try {
                    c = Class.forName("dev.chainrule.nn.loss." + name);
                } catch (ClassNotFoundException e) {
                    throw new AssertionError(e);
                }
                if (!Loss.class.isAssignableFrom(c) || c == Loss.class) continue;
                if (LOSSES.stream().noneMatch(k -> k.name().equals(name) || k.name().startsWith(name + " "))) missing.add(name);
            }
        }
        assertTrue(missing.isEmpty(), "losses without a float32 case: " + missing);
    }

    @TestFactory
    Stream<DynamicTest> lossesRunInFloat32AndAgreeWithFloat64() {
        List<DynamicTest> tests = new ArrayList<>();
        for (LossCase c : LOSSES) {
            for (boolean target64 : new boolean[] {false, true}) {
                tests.add(DynamicTest.dynamicTest(c.name() + (target64 ? ", FLOAT64 target" : ", FLOAT32 target"), () -> {
                    double[] v = Tensor.randn(new SplittableRandom(3), c.shape()).toArray();
                    for (int i = 0; i < v.length; i++) v[i] = (float) v[i];
                    v = c.prediction().apply(v);
                    Tensor p32 = Tensor.of(v, DType.FLOAT32, c.shape()).requiresGrad(), p64 = Tensor.of(v, c.shape()).requiresGrad();
                    Tensor t64 = c.target().get();
                    Tensor l32 = c.loss().apply(p32, target64 ? t64 : t64.to(DType.FLOAT32)), l64 = c.loss().apply(p64, t64);
                    close(c.name() + ": loss", l32, l64);
                    l32.backward();
                    l64.backward();
                    close(c.name() + ": d/dprediction", p32.grad(), p64.grad());
                }));
            }
        }
        return tests.stream();
    }

    @Test
    void gaussianNllWithSigmaTensorAndRegularizersStayFloat32() {
        Tensor p = Tensor.randn(new SplittableRandom(1), DType.FLOAT32, 4, 2).requiresGrad();
        Tensor y = Tensor.randn(new SplittableRandom(2), 4, 2);                     // FLOAT64 target and sigma
        Tensor sigma = Tensor.of(0.5, 1, 2, 0.25);
        Tensor l = new GaussianNll(1, Reduction.MEAN, true).apply(p, y, sigma);
        assertEquals(DType.FLOAT32, l.dtype());
        l.backward();
        assertEquals(DType.FLOAT32, p.grad().dtype());
        Linear lin = (Linear) new Linear(3, 2, new SplittableRandom(3)).to(DType.FLOAT32);
        assertEquals(DType.FLOAT32, Regularizers.l2(1e-3, Regularizers.weights(lin)).dtype());
        assertEquals(DType.FLOAT32, Regularizers.l1(1e-3, lin.parameters()).dtype());
    }

    /** Module.to returns the module and keeps the parameter objects, so an optimizer made before still sees them. */
    @Test
    void moduleToKeepsIdentityAndRoundTrips() {
        Linear lin = new Linear(3, 2, new SplittableRandom(4));
        Map<String, Tensor> before = new LinkedHashMap<>(lin.namedParameters());
        double[] w = lin.weight().toArray();
        assertSame(lin, lin.to(DType.FLOAT32));
        for (Map.Entry<String, Tensor> e : lin.namedParameters().entrySet()) assertSame(before.get(e.getKey()), e.getValue());
        lin.to(DType.FLOAT64);
        double[] back = lin.weight().toArray();
        for (int i = 0; i < w.length; i++) assertEquals((float) w[i], back[i], 0.0, "weight " + i + " rounded to float once");
    }
}

package dev.chainrule.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chainrule.autograd.Tensor;
import dev.chainrule.nn.Mlp;
import dev.chainrule.nn.Module;
import dev.chainrule.nn.ReLU;
import dev.chainrule.nn.Sigmoid;
import dev.chainrule.nn.Tanh;
import dev.chainrule.nn.data.Batch;
import dev.chainrule.nn.data.DataLoader;
import dev.chainrule.nn.data.Dataset;
import dev.chainrule.nn.init.GlorotUniform;
import dev.chainrule.nn.loss.BinaryCrossEntropy;
import dev.chainrule.nn.loss.CrossEntropy;
import dev.chainrule.nn.loss.Loss;
import dev.chainrule.optim.Adam;
import dev.chainrule.optim.Optimizer;
import dev.chainrule.optim.Sgd;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Long training in a small heap: no graph, activation or gradient survives its training step.
 * Tagged {@value #TAG}: optim's pom runs these in their own surefire execution with
 * {@code -Xmx64m} (and excludes them from the default execution); each test checks that it really
 * runs in that heap, so a leak of a few hundred bytes per step shows up as an OutOfMemoryError.
 * After training: every parameter and every gradient is a leaf, and weak references to the losses
 * and outputs of the first and last steps are cleared by the garbage collector.
 */
@Tag(SmallHeapTrainingTest.TAG)
class SmallHeapTrainingTest {

    static final String TAG = "small-heap";
    /** The heap the small-heap execution gives (see optim/pom.xml); the tests refuse to run in a bigger one. */
    static final long MAX_HEAP_MIB = 64;

    static void assertSmallHeap() {
        long max = Runtime.getRuntime().maxMemory();
        assertTrue(max <= (MAX_HEAP_MIB + 8) << 20, () -> String.format(
            "this test must run in the '%s' surefire execution (-Xmx%dm) but the heap is %.0f MiB", TAG, MAX_HEAP_MIB, Figures.mib(max)));
    }

    /** Used heap after a full collection. */
    static long usedAfterGc() {
        for (int i = 0; i < 3; i++) System.gc();
        Runtime rt = Runtime.getRuntime();
        return rt.totalMemory() - rt.freeMemory();
    }

    /** Collects until every reference is cleared (a few rounds: weak references clear on the next full GC). */
    static boolean allCleared(List<WeakReference<Tensor>> refs) throws InterruptedException {
        for (int round = 0; round < 20; round++) {
            System.gc();
            if (refs.stream().allMatch(r -> r.get() == null)) return true;
            Thread.sleep(20);
        }
        return false;
    }

    static void assertNoGraphReachableFromParameters(Module model, String which) {
        for (var e : model.namedParameters().entrySet()) {
            Tensor p = e.getValue();
            assertTrue(p.isLeaf() && p.op() == null, which + ": parameter " + e.getKey() + " is not a leaf");
            Tensor g = p.grad();
            if (g != null) {
                assertTrue(g.isLeaf() && g.op() == null, which + ": gradient of " + e.getKey() + " was built by '" + g.op() + "'");
                assertTrue(!g.isGradRequired(), which + ": gradient of " + e.getKey() + " requires grad (it would record graphs)");
            }
        }
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void hundredThousandXorStepsInA64MiBHeap() throws Exception {
        assertSmallHeap();
        int steps = 100_000;
        Tensor x = Tensor.of(new double[][] {{0, 0}, {0, 1}, {1, 0}, {1, 1}});
        Tensor y = Tensor.of(new double[] {0, 1, 1, 0}, 4, 1);
        Mlp model = Mlp.builder().sizes(2, 8, 1).hiddenActivation(Tanh::new).outputActivation(Sigmoid::new)
            .weightInit(new GlorotUniform()).rng(new SplittableRandom(42)).build();
        Optimizer sgd = Sgd.builder(model).lr(0.5).momentum(0.9).build();
        Loss bce = new BinaryCrossEntropy();
        List<WeakReference<Tensor>> refs = new ArrayList<>();

        long before = usedAfterGc(), atTenPercent = 0;
        long t0 = System.nanoTime();
        double last = Double.NaN;
        for (int step = 0; step < steps; step++) {
            Tensor out = model.forward(x);
            Tensor loss = bce.apply(out, y);
            sgd.zeroGrad();
            loss.backward();
            sgd.step();
            last = loss.item();
            if (step == 0 || step == steps - 1) {
                refs.add(new WeakReference<>(loss));
                refs.add(new WeakReference<>(out));
            }
            if (step == steps / 10) atTenPercent = usedAfterGc();
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        long after = usedAfterGc();

        assertNoGraphReachableFromParameters(model, "XOR");
        assertTrue(allCleared(refs), "a loss or output tensor of the first or last step is still reachable: the graph leaks");
        double[] p = model.forward(x).toArray();
        for (int i = 0; i < 4; i++) assertEquals(y.toArray()[i], p[i] > 0.5 ? 1.0 : 0.0, "XOR sample " + i + " misclassified: " + p[i]);
        assertTrue(last < 0.01, "XOR loss after training: " + last);
        // Everything a step allocates is garbage by the next step: the live heap does not grow with the step count.
        long growth = after - atTenPercent;
        assertTrue(growth < 4L << 20, String.format("live heap grew by %.1f MiB between step %d and step %d", Figures.mib(growth), steps / 10, steps));
        Figures.report("leaks", "%,d XOR steps (2-8-1 tanh/sigmoid, BCE, SGD momentum) in a %d MiB heap (-Xmx%dm): no OOM, "
                + "%.2f s (%.1f us/step), final loss %.2e, live heap %.1f MiB before / %.1f MiB at 10%% / %.1f MiB after, "
                + "parameters and gradients are leaves, first/last-step loss and output collected",
            steps, Runtime.getRuntime().maxMemory() >> 20, MAX_HEAP_MIB, seconds, seconds * 1e6 / steps, last,
            Figures.mib(before), Figures.mib(atTenPercent), Figures.mib(after));
    }

    /** The same through the library's fit loop: {@code Trainer} keeps one summary per epoch and nothing else per step. */
    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void fiftyThousandTrainerEpochsOfXorInA64MiBHeap() throws Exception {
        assertSmallHeap();
        int epochs = 50_000;
        Dataset xor = new Dataset(Tensor.of(new double[][] {{0, 0}, {0, 1}, {1, 0}, {1, 1}}), Tensor.of(new double[] {0, 1, 1, 0}, 4, 1));
        Mlp model = Mlp.builder().sizes(2, 8, 1).hiddenActivation(Tanh::new).weightInit(new GlorotUniform()).seed(5).build();
        dev.chainrule.optim.Trainer trainer = dev.chainrule.optim.Trainer.builder(model,
                new dev.chainrule.nn.loss.BinaryCrossEntropyWithLogits(), Adam.builder(model).lr(0.01).build())
            .epochs(epochs).clipNorm(5.0).build();
        long t0 = System.nanoTime();
        var history = trainer.fit(DataLoader.builder(xor).batchSize(2).shuffle(new SplittableRandom(6)).build());
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertEquals(epochs, history.size());
        assertNoGraphReachableFromParameters(model, "Trainer XOR");
        assertTrue(history.last().trainLoss() < 0.01, "final loss " + history.last().trainLoss());
        Figures.report("leaks", "Trainer.fit: %,d epochs x 2 batches of XOR (Adam, clipNorm) = %,d steps in a %d MiB heap: no OOM, %.2f s, "
            + "final loss %.2e, live heap after %.1f MiB", epochs, 2 * epochs, Runtime.getRuntime().maxMemory() >> 20, seconds,
            history.last().trainLoss(), Figures.mib(usedAfterGc()));
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void twoThousandMnistShapedStepsInA64MiBHeap() throws Exception {
        assertSmallHeap();
        int steps = 2_000, batch = 128, samples = 1_024;
        SplittableRandom rng = new SplittableRandom(7);
        double[] pixels = new double[samples * 784], labels = new double[samples];
        for (int i = 0; i < pixels.length; i++) pixels[i] = rng.nextDouble();
        for (int i = 0; i < samples; i++) labels[i] = rng.nextInt(10);
        Dataset data = new Dataset(Tensor.of(pixels, samples, 784), Tensor.of(labels, samples));
        pixels = null;
        DataLoader loader = DataLoader.builder(data).batchSize(batch).shuffle(new SplittableRandom(8)).dropLast(true).build();
        Mlp model = Mlp.builder().sizes(784, 256, 128, 10).hiddenActivation(ReLU::new).dropout(0.1).seed(9).build();
        Optimizer adam = Adam.builder(model).lr(1e-3).build();
        Loss ce = new CrossEntropy();
        List<WeakReference<Tensor>> refs = new ArrayList<>();

        long before = usedAfterGc(), atTenPercent = 0;
        long t0 = System.nanoTime();
        int step = 0;
        double first = Double.NaN, last = Double.NaN;
        while (step < steps) {
            for (Batch b : loader) {
                if (step == steps) break;
                Tensor out = model.forward(b.x());
                Tensor loss = ce.apply(out, b.y());
                adam.zeroGrad();
                loss.backward();
                adam.step();
                if (step == 0) first = loss.item();
                last = loss.item();
                if (step == 0 || step == steps - 1) {
                    refs.add(new WeakReference<>(loss));
                    refs.add(new WeakReference<>(out));
                    refs.add(new WeakReference<>(b.x()));
                }
                if (step == steps / 10) atTenPercent = usedAfterGc();
                step++;
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        long after = usedAfterGc();

        assertNoGraphReachableFromParameters(model, "MNIST-shaped");
        assertTrue(allCleared(refs), "a loss, output or batch tensor of the first or last step is still reachable: something leaks");
        assertTrue(last < first, "random labels can still be memorized a little: loss " + first + " -> " + last);
        long growth = after - atTenPercent;
        assertTrue(growth < 8L << 20, String.format("live heap grew by %.1f MiB between step %d and step %d", Figures.mib(growth), steps / 10, steps));
        Figures.report("leaks", "%,d MNIST-shaped steps (784-256-128-10 ReLU + dropout 0.1, batch %d, %d random samples, Adam) "
                + "in a %d MiB heap (-Xmx%dm): no OOM, %.1f s (%.1f ms/step), loss %.3f -> %.3f, live heap %.1f MiB before / "
                + "%.1f MiB at 10%% / %.1f MiB after, parameters and gradients are leaves, first/last-step tensors collected",
            steps, batch, samples, Runtime.getRuntime().maxMemory() >> 20, MAX_HEAP_MIB, seconds, seconds * 1e3 / steps, first, last,
            Figures.mib(before), Figures.mib(atTenPercent), Figures.mib(after));
    }
}

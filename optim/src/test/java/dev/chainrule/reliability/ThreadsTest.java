package dev.chainrule.reliability;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chainrule.autograd.Autograd;
import dev.chainrule.autograd.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Threads, core only (hand-written models on {@link Tensor#linear} with in-place SGD): grad mode
 * and anomaly mode are per thread, independent graphs on different threads do not interfere and
 * give bit-identical results, a tensor shared read-only is safe as an input, and gradient
 * accumulation into a shared leaf loses no contribution.
 */
@SuppressWarnings("try") // no-grad and anomaly scopes are used only for their effect
class ThreadsTest {

    private static final int THREADS = 8;

    /** A 16-256-1 tanh network trained by plain SGD; big enough to reach BLAS and the parallel elementwise kernels. */
    static final class HandModel {
        final Tensor w1, b1, w2, b2;
        final Tensor x, y;

        HandModel(long seed) {
            SplittableRandom rng = new SplittableRandom(seed);
            w1 = gaussian(rng, 0.25, 256, 16).requiresGrad();
            b1 = Tensor.zeros(256).requiresGrad();
            w2 = gaussian(rng, 0.06, 1, 256).requiresGrad();
            b2 = Tensor.zeros(1).requiresGrad();
            x = gaussian(rng, 1.0, 256, 16);                  // batch 256: the hidden layer has 65,536 elements
            y = gaussian(rng, 1.0, 256, 1);
        }

        List<Tensor> parameters() {
            return List.of(w1, b1, w2, b2);
        }

        double step(double lr) {
            Tensor loss = x.linear(w1, b1).tanh().linear(w2, b2).sub(y).square().mean();
            loss.backward();
            try (var s = Autograd.noGrad()) {
                for (Tensor p : parameters()) {
                    p.addInPlace(p.grad(), -lr);
                    p.zeroGrad();
                }
            }
            return loss.item();
        }

        double[][] train(int steps) {
            for (int i = 0; i < steps; i++) step(0.05);
            double[][] out = new double[4][];
            for (int i = 0; i < 4; i++) out[i] = parameters().get(i).toArray();
            return out;
        }
    }

    static Tensor gaussian(SplittableRandom rng, double std, int... shape) {
        int n = 1;
        for (int d : shape) n *= d;
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = rng.nextGaussian() * std;
        return Tensor.of(v, shape);
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void eightModelsTrainedConcurrentlyMatchTheSameModelsTrainedOneAfterAnother() throws Exception {
        int steps = 30;
        double[][][] sequential = new double[THREADS][][];
        for (int m = 0; m < THREADS; m++) sequential[m] = new HandModel(1000 + m).train(steps);

        double[][][] concurrent = new double[THREADS][][];
        CyclicBarrier start = new CyclicBarrier(THREADS);
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            List<Future<double[][]>> futures = new ArrayList<>();
            for (int m = 0; m < THREADS; m++) {
                long seed = 1000 + m;
                futures.add(pool.submit(() -> {
                    HandModel model = new HandModel(seed);
                    start.await();                                 // all eight train at the same time
                    return model.train(steps);
                }));
            }
            for (int m = 0; m < THREADS; m++) concurrent[m] = futures.get(m).get(4, TimeUnit.MINUTES);
        } finally {
            pool.shutdownNow();
        }
        int values = 0;
        for (int m = 0; m < THREADS; m++) {
            for (int p = 0; p < 4; p++) {
                assertArrayEquals(sequential[m][p], concurrent[m][p], 0.0, "model " + m + ", parameter " + p);
                values += sequential[m][p].length;
            }
        }
        // Different seeds give different models: the comparison is not trivially between equal arrays.
        assertFalse(java.util.Arrays.equals(sequential[0][0], sequential[1][0]));
        Figures.report("threads", "%d hand-written models (16-256-1, batch 256, %d SGD steps) trained on %d threads: "
            + "all %,d parameter values bit-identical to sequential training", THREADS, steps, THREADS, values);
    }

    /**
     * The same with the library as a user writes it: an {@code Mlp} with dropout, a shuffling
     * {@code DataLoader}, {@code Adam} and {@code CrossEntropy}, one of each per thread, all seeded.
     */
    static double[] trainLibraryModel(long seed, int epochs) {
        SplittableRandom rng = new SplittableRandom(seed);
        int n = 256;
        double[] xs = new double[n * 10], ys = new double[n];
        for (int i = 0; i < xs.length; i++) xs[i] = rng.nextGaussian();
        for (int i = 0; i < n; i++) ys[i] = (xs[i * 10] > 0 ? 1 : 0) + (xs[i * 10 + 1] > 0 ? 1 : 0);
        dev.chainrule.nn.data.Dataset data = new dev.chainrule.nn.data.Dataset(Tensor.of(xs, n, 10), Tensor.of(ys, n));
        dev.chainrule.nn.data.DataLoader loader = dev.chainrule.nn.data.DataLoader.builder(data).batchSize(32)
            .shuffle(new SplittableRandom(seed + 1)).build();
        dev.chainrule.nn.Mlp model = dev.chainrule.nn.Mlp.builder().sizes(10, 64, 64, 3).hiddenActivation(dev.chainrule.nn.Tanh::new)
            .dropout(0.2).seed(seed + 2).build();
        dev.chainrule.optim.Optimizer adam = dev.chainrule.optim.Adam.builder(model).lr(1e-2).build();
        dev.chainrule.nn.loss.Loss ce = new dev.chainrule.nn.loss.CrossEntropy();
        for (int e = 0; e < epochs; e++) {
            for (dev.chainrule.nn.data.Batch b : loader) {
                Tensor loss = ce.apply(model.forward(b.x()), b.y());
                adam.zeroGrad();
                loss.backward();
                adam.step();
            }
        }
        List<Tensor> ps = model.parameters();
        int total = 0;
        for (Tensor p : ps) total += p.size();
        double[] all = new double[total];
        int at = 0;
        for (Tensor p : ps) {
            System.arraycopy(p.toArray(), 0, all, at, p.size());
            at += p.size();
        }
        return all;
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void eightLibraryModelsTrainedConcurrentlyMatchSequentialTraining() throws Exception {
        int epochs = 5;
        double[][] sequential = new double[THREADS][];
        for (int m = 0; m < THREADS; m++) sequential[m] = trainLibraryModel(50 + 10L * m, epochs);
        CyclicBarrier start = new CyclicBarrier(THREADS);
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            List<Future<double[]>> futures = new ArrayList<>();
            for (int m = 0; m < THREADS; m++) {
                long seed = 50 + 10L * m;
                futures.add(pool.submit(() -> {
                    start.await();
                    return trainLibraryModel(seed, epochs);
                }));
            }
            for (int m = 0; m < THREADS; m++) {
                assertArrayEquals(sequential[m], futures.get(m).get(4, TimeUnit.MINUTES), 0.0, "library model " + m);
            }
        } finally {
            pool.shutdownNow();
        }
        assertFalse(java.util.Arrays.equals(sequential[0], sequential[1]));
        Figures.report("threads", "%d library models (Mlp 10-64-64-3 + dropout, shuffling DataLoader, Adam, CrossEntropy, %d epochs) "
            + "trained on %d threads: all %,d parameter values bit-identical to sequential training",
            THREADS, epochs, THREADS, THREADS * sequential[0].length);
    }

    @Test
    @Timeout(value = 1, unit = TimeUnit.MINUTES)
    void noGradOnOneThreadDoesNotAffectAnother() throws Exception {
        CountDownLatch scopeOpen = new CountDownLatch(1), otherDone = new CountDownLatch(1);
        Tensor[] seenByOther = new Tensor[1];
        boolean[] otherEnabled = new boolean[1];
        Thread other = new Thread(() -> {
            try {
                scopeOpen.await();
                otherEnabled[0] = Autograd.isGradEnabled();
                Tensor w = Tensor.of(1.0, 2.0).requiresGrad();
                seenByOther[0] = w.mul(3).sum();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                otherDone.countDown();
            }
        });
        other.start();
        Tensor inScope;
        try (var s = Autograd.noGrad()) {
            scopeOpen.countDown();
            assertTrue(otherDone.await(30, TimeUnit.SECONDS));
            assertFalse(Autograd.isGradEnabled());
            inScope = Tensor.of(1.0, 2.0).requiresGrad().mul(3).sum();
        }
        other.join();
        assertTrue(Autograd.isGradEnabled(), "closing the scope restores grad mode");
        assertTrue(otherEnabled[0], "another thread's no-grad scope leaked into this thread");
        assertNotNull(seenByOther[0].op(), "the other thread's op was not recorded");
        assertTrue(seenByOther[0].isGradRequired());
        assertNull(inScope.op(), "an op inside noGrad was recorded");
        assertFalse(inScope.isGradRequired());
    }

    @Test
    @Timeout(value = 1, unit = TimeUnit.MINUTES)
    void anomalyModeOnOneThreadDoesNotAffectAnother() throws Exception {
        CountDownLatch on = new CountDownLatch(1), done = new CountDownLatch(1);
        Throwable[] otherFailure = new Throwable[1];
        double[] otherValue = new double[1];
        Thread other = new Thread(() -> {
            try {
                on.await();
                // log(0) = -Inf is IEEE behaviour here: anomaly mode is off on this thread.
                otherValue[0] = Tensor.of(0.0).requiresGrad().log().sum().item();
            } catch (Throwable e) {
                otherFailure[0] = e;
            } finally {
                done.countDown();
            }
        });
        other.start();
        try (var s = Autograd.detectAnomaly(true)) {
            on.countDown();
            assertTrue(done.await(30, TimeUnit.SECONDS));
            assertTrue(Autograd.isAnomalyEnabled());
            ArithmeticException e = org.junit.jupiter.api.Assertions.assertThrows(ArithmeticException.class,
                () -> Tensor.of(0.0).requiresGrad().log());
            assertTrue(e.getMessage().contains("'log'"), e.getMessage());
        }
        other.join();
        assertNull(otherFailure[0], () -> "anomaly mode leaked into another thread: " + otherFailure[0]);
        assertEquals(Double.NEGATIVE_INFINITY, otherValue[0]);
        assertFalse(Autograd.isAnomalyEnabled(), "closing the scope restores anomaly mode");
    }

    /**
     * One input tensor and one parameter tensor shared by 16 threads, each of which builds its own
     * graph on them (with its own private weights) and takes gradients with {@link Autograd#grad}
     * many times: every result equals the single-threaded one bit for bit, and the shared tensors
     * are unchanged.
     */
    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void aTensorSharedReadOnlyIsSafeAsAnInputOnManyThreads() throws Exception {
        SplittableRandom rng = new SplittableRandom(3);
        Tensor sharedInput = gaussian(rng, 1.0, 64, 32);
        Tensor sharedWeight = gaussian(rng, 0.2, 48, 32).requiresGrad();
        double[] inputBefore = sharedInput.toArray(), weightBefore = sharedWeight.toArray();
        int threads = 16, rounds = 200;

        Callable<double[][]> work = () -> {
            Tensor own = gaussian(new SplittableRandom(11), 0.2, 1, 48).requiresGrad();
            double[][] last = null;
            for (int r = 0; r < rounds; r++) {
                Tensor out = sharedInput.linear(sharedWeight, null).tanh().linear(own, null).square().mean();
                List<Tensor> g = Autograd.grad(out, List.of(sharedWeight, own), false);
                double[][] now = {out.toArray(), g.get(0).toArray(), g.get(1).toArray()};
                if (last != null) {
                    for (int k = 0; k < 3; k++) assertArrayEquals(last[k], now[k], 0.0, "round " + r + " differs from round " + (r - 1));
                }
                last = now;
            }
            return last;
        };
        double[][] reference = work.call();

        CyclicBarrier start = new CyclicBarrier(threads);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<double[][]>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                futures.add(pool.submit(() -> {
                    start.await();
                    return work.call();
                }));
            }
            for (Future<double[][]> f : futures) {
                double[][] got = f.get(90, TimeUnit.SECONDS);
                for (int k = 0; k < 3; k++) assertArrayEquals(reference[k], got[k], 0.0);
            }
        } finally {
            pool.shutdownNow();
        }
        assertArrayEquals(inputBefore, sharedInput.toArray(), 0.0, "shared input changed");
        assertArrayEquals(weightBefore, sharedWeight.toArray(), 0.0, "shared weight changed");
        assertNull(sharedWeight.grad(), "Autograd.grad must not write the shared tensor's .grad");
        assertEquals(0, sharedWeight.version());
        Figures.report("threads", "a tensor shared read-only by %d threads (%d forward+grad rounds each): all results "
            + "bit-identical to single-threaded, shared tensors unchanged", threads, rounds);
    }

    /** A trained model served read-only: many threads run inference on one {@code Mlp} in eval mode. */
    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void oneModelInEvalModeServesManyThreadsConcurrently() throws Exception {
        dev.chainrule.nn.Mlp model = dev.chainrule.nn.Mlp.builder().sizes(32, 128, 128, 10).dropout(0.5).seed(21).build();
        model.eval();
        Tensor[] inputs = new Tensor[16];
        double[][] expected = new double[inputs.length][];
        for (int i = 0; i < inputs.length; i++) {
            inputs[i] = gaussian(new SplittableRandom(100 + i), 1.0, 64, 32);
            try (var s = Autograd.noGrad()) {
                expected[i] = model.forward(inputs[i]).toArray();
            }
        }
        CyclicBarrier start = new CyclicBarrier(THREADS);
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            List<Future<Integer>> futures = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int offset = t;
                futures.add(pool.submit(() -> {
                    start.await();
                    int checked = 0;
                    for (int r = 0; r < 100; r++) {
                        int i = (offset + r) % inputs.length;
                        double[] got;
                        if (r % 2 == 0) {
                            try (var s = Autograd.noGrad()) {
                                got = model.forward(inputs[i]).toArray();
                            }
                        } else {
                            got = model.forward(inputs[i]).toArray();   // with grad on: a private graph, never backpropagated
                        }
                        assertArrayEquals(expected[i], got, 0.0, "input " + i);
                        checked++;
                    }
                    return checked;
                }));
            }
            int total = 0;
            for (Future<Integer> f : futures) total += f.get(90, TimeUnit.SECONDS);
            Figures.report("threads", "one Mlp (32-128-128-10, dropout, eval mode) served %,d inferences from %d threads: all bit-identical",
                total, THREADS);
        } finally {
            pool.shutdownNow();
        }
        for (Tensor p : model.parameters()) assertNull(p.grad());
    }

    /**
     * backward() on graphs built concurrently from one shared leaf: every thread's contribution lands
     * in the leaf's {@code grad}, none is lost to a race (accumulation into a leaf is synchronized).
     */
    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void concurrentBackwardIntoASharedLeafLosesNoContribution() throws Exception {
        Tensor shared = Tensor.of(1.0, 2.0, 3.0).requiresGrad();
        int threads = THREADS, rounds = 2_000;
        CyclicBarrier start = new CyclicBarrier(threads);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                futures.add(pool.submit(() -> {
                    start.await();
                    for (int r = 0; r < rounds; r++) shared.mul(Tensor.of(1.0, 2.0, 4.0)).sum().backward();
                    return null;
                }));
            }
            for (Future<?> f : futures) f.get(90, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
        double n = (double) threads * rounds;                          // small integers: the sums are exact
        assertArrayEquals(new double[] {n, 2 * n, 4 * n}, shared.grad().toArray(), 0.0, "a gradient contribution was lost");
        Figures.report("threads", "%d threads x %,d backward() calls into one shared leaf: all %,d contributions accumulated",
            threads, rounds, threads * rounds);
    }
}

package dev.chainrule.autograd;

import static dev.chainrule.autograd.TestGens.assertValues;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chainrule.autograd.internal.Kernels;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Semantics of backward(), Autograd.grad, grad modes, in-place guards and anomaly mode. */
@SuppressWarnings("try") // try (var s = Autograd.noGrad()) { ... } scopes are used for their effect only
class BackwardTest {

    // ================================================================ seeds

    @Test
    void backwardOnAScalarSeedsOne() {
        Tensor x = Tensor.scalar(3).requiresGrad();
        x.mul(5).backward();
        assertEquals(0, x.grad().rank());
        assertEquals(5.0, x.grad().item());

        Tensor v = Tensor.of(2).requiresGrad();          // one element, rank 1: also seeded with 1
        v.square().backward();
        assertArrayEquals(new int[] {1}, v.grad().shape());
        assertEquals(4.0, v.grad().item());
    }

    @Test
    void backwardOnALeafThatRequiresGradSetsItsGradToTheSeed() {
        Tensor x = Tensor.scalar(3).requiresGrad();
        x.backward();
        assertEquals(1.0, x.grad().item());
        Tensor y = Tensor.of(1, 2).requiresGrad();
        Tensor seed = Tensor.of(4, 5);
        y.backward(seed);
        assertArrayEquals(new double[] {4, 5}, y.grad().toArray());
        try (var s = Autograd.noGrad()) {
            seed.addInPlace(Tensor.of(1, 1), 1);      // the grad is a private copy of the seed
        }
        assertArrayEquals(new double[] {4, 5}, y.grad().toArray());
    }

    @Test
    void backwardOnANonScalarWithoutASeedAsksForOne() {
        Tensor x = Tensor.of(1, 2, 3).requiresGrad();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> x.mul(2).backward());
        assertTrue(e.getMessage().contains("seed"), e.getMessage());
        assertTrue(e.getMessage().contains("[3]"), e.getMessage());
        assertNull(x.grad());
    }

    @Test
    void aSeedIsTheUpstreamGradient() {
        Tensor x = Tensor.of(1, 2, 3).requiresGrad();
        x.mul(Tensor.of(1, 2, 3)).backward(Tensor.of(1, 10, 100));
        assertArrayEquals(new double[] {1, 20, 300}, x.grad().toArray());

        Tensor m = Tensor.of(new double[][] {{1, 2}, {3, 4}}).requiresGrad();
        m.square().backward(Tensor.of(new double[][] {{1, 0}, {0, -1}}), false);
        assertArrayEquals(new double[] {2, 0, 0, -8}, m.grad().toArray());
    }

    // ================================================================ accumulation

    @Test
    void aReusedNodeSumsItsContributions() {
        Tensor a = Tensor.scalar(3).requiresGrad();
        a.mul(a).backward();
        assertEquals(6.0, a.grad().item());

        Tensor b = Tensor.scalar(-2).requiresGrad();
        Tensor c = b.add(b).add(b);                        // 3b
        c.mul(c).backward();                               // d(9b²)/db = 18b
        assertEquals(-36.0, b.grad().item());
    }

    @Test
    void aDiamondSumsBothPaths() {
        Tensor a = Tensor.scalar(1.5).requiresGrad();
        Tensor left = a.mul(2), right = a.add(1);
        Tensor d = left.mul(right);                          // 2a(a+1): d/da = 4a + 2
        d.backward();
        assertEquals(4 * 1.5 + 2, a.grad().item(), 1e-15);

        // a node used by two children that are combined again further down (two diamonds stacked)
        Tensor x = Tensor.scalar(0.7).requiresGrad();
        Tensor h = x.tanh();
        Tensor k = h.mul(h).add(h.exp());
        Tensor out = k.mul(k.sigmoid()).add(h);
        out.backward();
        double t = Math.tanh(0.7), kv = t * t + Math.exp(t), s = 1 / (1 + Math.exp(-kv));
        double dout_dk = s + kv * s * (1 - s);
        double dk_dh = 2 * t + Math.exp(t);
        double expected = (dout_dk * dk_dh + 1) * (1 - t * t);
        assertEquals(expected, x.grad().item(), 1e-12);
    }

    @Test
    void leavesAccumulateAcrossBackwardCallsUntilZeroGrad() {
        Tensor w = Tensor.of(1, 2).requiresGrad();
        Tensor x = Tensor.of(3, 4);
        w.mul(x).sum().backward();
        assertArrayEquals(new double[] {3, 4}, w.grad().toArray());
        w.mul(x).sum().backward();
        assertArrayEquals(new double[] {6, 8}, w.grad().toArray());
        w.mul(w).sum().backward();
        assertArrayEquals(new double[] {8, 12}, w.grad().toArray());
        w.zeroGrad();
        assertNull(w.grad());
        w.mul(x).sum().backward();
        assertArrayEquals(new double[] {3, 4}, w.grad().toArray());
    }

    @Test
    void gradientsOfDifferentLeavesAreIndependentCopies() {
        Tensor a = Tensor.of(1, 2).requiresGrad(), b = Tensor.of(3, 4).requiresGrad();
        a.add(b).sum().backward();                          // add hands the same G to both inputs
        assertNotSame(a.grad(), b.grad());
        try (var s = Autograd.noGrad()) {
            a.grad().mulInPlace(10);
        }
        assertArrayEquals(new double[] {10, 10}, a.grad().toArray());
        assertArrayEquals(new double[] {1, 1}, b.grad().toArray());
    }

    @Test
    void aGradientAlwaysHasItsTensorsShape() {
        Tensor bias = Tensor.of(1, 2, 3).requiresGrad();
        Tensor s = Tensor.scalar(2).requiresGrad();
        Tensor col = Tensor.of(new double[] {1, 2}, 2, 1).requiresGrad();
        Tensor y = Tensor.ones(2, 3).mul(bias).mul(s).add(col);
        y.sum().backward();
        assertArrayEquals(new int[] {3}, bias.grad().shape());
        assertArrayEquals(new double[] {4, 4, 4}, bias.grad().toArray());
        assertArrayEquals(new int[0], s.grad().shape());
        assertEquals(2 * 6, s.grad().item());
        assertArrayEquals(new int[] {2, 1}, col.grad().shape());
        assertArrayEquals(new double[] {3, 3}, col.grad().toArray());
    }

    @Test
    void nonLeafGradIsNull() {
        Tensor x = Tensor.of(1, 2).requiresGrad();
        Tensor h = x.mul(3);
        Tensor y = h.sum();
        y.backward();
        assertNull(h.grad());
        assertNull(y.grad());
        assertNotNull(x.grad());
        assertFalse(h.isLeaf());
        assertTrue(x.isLeaf());
        assertEquals("mul", h.op());
        assertNull(x.op());
    }

    @Test
    void leavesThatDoNotRequireGradGetNoGradient() {
        Tensor w = Tensor.of(1, 2).requiresGrad(), x = Tensor.of(3, 4);
        w.mul(x).sum().backward();
        assertNull(x.grad());
        assertFalse(x.isGradRequired());
    }

    // ================================================================ graph lifetime

    @Test
    void theGraphIsReleasedAfterBackward() {
        Tensor x = Tensor.scalar(2).requiresGrad();
        Tensor y = x.square().mul(3);
        y.backward();
        assertEquals(12.0, x.grad().item());
        IllegalStateException e = assertThrows(IllegalStateException.class, y::backward);
        assertTrue(e.getMessage().contains("retainGraph"), e.getMessage());
        assertTrue(e.getMessage().contains("released"), e.getMessage());
        assertEquals(12.0, x.grad().item(), "the failed call must not change grad");
    }

    @Test
    void retainGraphAllowsASecondBackward() {
        Tensor x = Tensor.scalar(2).requiresGrad();
        Tensor y = x.square().mul(3);
        y.backward(Tensor.scalar(1), true);
        y.backward(Tensor.scalar(1), true);
        assertEquals(24.0, x.grad().item());
        y.backward(Tensor.scalar(0.5));                       // third, releasing
        assertEquals(30.0, x.grad().item());
        assertThrows(IllegalStateException.class, y::backward);
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aMillionOpChainBackpropagatesOnADefaultSizedThreadStack() throws Exception {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        double[] grad = new double[1];
        int ops = 1_000_000;
        double c = 1 + 1e-6;
        Thread t = new Thread(() -> {                         // default stack size: no -Xss, no stackSize argument
            try {
                Tensor x = Tensor.scalar(1).requiresGrad();
                Tensor y = x;
                for (int i = 0; i < ops; i++) y = y.mul(c);
                y.backward();
                grad[0] = x.grad().item();
            } catch (Throwable e) {
                failure.set(e);
            }
        }, "million-op-chain");
        t.start();
        t.join();
        if (failure.get() != null) throw new AssertionError("backward on a 1,000,000-op chain failed", failure.get());
        assertEquals(Math.pow(c, ops), grad[0], 1e-9);
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aMillionOpChainFitsInA512MiBHeap() throws Exception {
        String javaBin = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder pb = new ProcessBuilder(javaBin, "-Xmx512m", "-cp", System.getProperty("java.class.path"),
            MillionOpChain.class.getName()).redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), "child JVM with -Xmx512m failed:\n" + out);
        String last = out.strip().lines().reduce((a, b) -> b).orElse("");
        assertEquals(Math.pow(1 + 1e-6, 1_000_000), Double.parseDouble(last), 1e-9, out);
    }

    // ================================================================ grad modes

    @Test
    void noGradRecordsNothingAndRestoresOnClose() {
        Tensor x = Tensor.of(1, 2).requiresGrad();
        assertTrue(Autograd.isGradEnabled());
        Tensor y;
        try (var s = Autograd.noGrad()) {
            assertFalse(Autograd.isGradEnabled());
            y = x.mul(2);
            try (var inner = Autograd.noGrad()) {
                assertFalse(Autograd.isGradEnabled());
            }
            assertFalse(Autograd.isGradEnabled(), "closing a nested scope restores the outer one");
            try (var on = Autograd.enableGrad()) {
                assertTrue(Autograd.isGradEnabled());
                assertTrue(x.mul(2).isGradRequired());
            }
            assertFalse(Autograd.isGradEnabled());
        }
        assertTrue(Autograd.isGradEnabled());
        assertFalse(y.isGradRequired());
        assertTrue(y.isLeaf());
        assertArrayEquals(new double[] {2, 4}, y.toArray());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> y.sum().backward());
        assertTrue(e.getMessage().contains("does not require grad"), e.getMessage());
        assertTrue(x.mul(2).isGradRequired());
    }

    @Test
    void backwardAndAutogradGradWorkInsideNoGrad() {
        Tensor x = Tensor.scalar(2).requiresGrad();
        Tensor y = x.pow(3);
        Tensor z = x.exp();
        try (var s = Autograd.noGrad()) {
            y.backward();                                        // a graph built outside can be differentiated inside
            assertEquals(12.0, x.grad().item(), 1e-12);
            Tensor dz = Autograd.grad(z, List.of(x), true).get(0);  // createGraph records even here
            assertTrue(dz.isGradRequired());
            assertFalse(Autograd.isGradEnabled(), "backward restores the no-grad mode it found");
            assertEquals(Math.exp(2), Autograd.grad(dz, List.of(x), false).get(0).item(), 1e-12);
        }
        assertTrue(Autograd.isGradEnabled());
    }

    @Test
    void closingAScopeTwiceIsHarmless() {
        Autograd.Scope s = Autograd.noGrad();
        s.close();
        try (var t = Autograd.noGrad()) {
            s.close();                                       // a stale close must not re-enable grad inside t
            assertFalse(Autograd.isGradEnabled());
        }
        assertTrue(Autograd.isGradEnabled());
    }

    @Test
    @Timeout(30)
    void noGradIsThreadLocal() throws Exception {
        CountDownLatch inScope = new CountDownLatch(1), checked = new CountDownLatch(1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread other = new Thread(() -> {
            try (var s = Autograd.noGrad()) {
                inScope.countDown();
                assertTrue(checked.await(20, TimeUnit.SECONDS));
                assertFalse(Autograd.isGradEnabled());
                assertFalse(Tensor.scalar(1).requiresGrad().mul(2).isGradRequired());
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        other.start();
        assertTrue(inScope.await(20, TimeUnit.SECONDS));
        // the other thread is inside noGrad() right now; this thread is not affected
        assertTrue(Autograd.isGradEnabled());
        Tensor x = Tensor.scalar(3).requiresGrad();
        Tensor y = x.square();
        assertTrue(y.isGradRequired());
        y.backward();
        assertEquals(6.0, x.grad().item());
        checked.countDown();
        other.join();
        if (failure.get() != null) throw new AssertionError(failure.get());

        // and the other way round: a scope here does not switch off a fresh thread
        try (var s = Autograd.noGrad()) {
            AtomicReference<Boolean> enabledThere = new AtomicReference<>();
            Thread t = new Thread(() -> enabledThere.set(Autograd.isGradEnabled()));
            t.start();
            t.join();
            assertTrue(enabledThere.get());
            assertFalse(Autograd.isGradEnabled());
        }
    }

    @Test
    @Timeout(60)
    void independentGraphsOnIndependentThreadsDoNotInterfere() throws Exception {
        SplittableRandom rng = new SplittableRandom(8);
        Tensor x = Tensor.randn(rng, 6, 3), y = Tensor.randn(rng, 6, 2);
        List<Tensor> theta = List.of(Tensor.randn(rng, 4, 3), Tensor.randn(rng, 4), Tensor.randn(rng, 2, 4), Tensor.randn(rng, 2));
        List<Tensor> p0 = leaves(theta, null, 0);
        List<Tensor> expected = Autograd.grad(mlpLoss(p0, x, y), p0, false);   // single-threaded reference
        int threads = 4, rounds = 150;
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> workers = new ArrayList<>();
        CountDownLatch start = new CountDownLatch(1);
        for (int t = 0; t < threads; t++) {
            boolean noGradNoise = t % 2 == 1;
            Thread w = new Thread(() -> {
                try {
                    start.await();
                    for (int r = 0; r < rounds; r++) {
                        if (noGradNoise) {
                            try (var s = Autograd.noGrad()) {          // another thread's no-grad must not leak here
                                mlpLoss(theta, x, y);
                            }
                        }
                        List<Tensor> p = leaves(theta, null, 0);
                        mlpLoss(p, x, y).backward();
                        for (int i = 0; i < p.size(); i++) {
                            double[] got = p.get(i).grad().toArray(), want = expected.get(i).toArray();
                            for (int j = 0; j < want.length; j++) {
                                if (got[j] != want[j]) throw new AssertionError("parameter " + i + " element " + j + ": " + got[j] + " != " + want[j]);
                            }
                        }
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            });
            workers.add(w);
            w.start();
        }
        start.countDown();
        for (Thread w : workers) w.join();
        if (failure.get() != null) throw new AssertionError("a worker thread failed", failure.get());
    }

    @Test
    void detachCutsTheGraph() {
        Tensor x = Tensor.of(2, 3).requiresGrad();
        Tensor d = x.detach();
        assertTrue(d.isLeaf());
        assertFalse(d.isGradRequired());
        assertArrayEquals(x.toArray(), d.toArray());
        assertArrayEquals(x.shape(), d.shape());
        Tensor h = x.mul(2);
        Tensor hd = h.detach();
        assertTrue(hd.isLeaf());
        assertFalse(hd.isGradRequired());
        d.mul(x).sum().backward();                          // only the attached factor is differentiated
        assertArrayEquals(new double[] {2, 3}, x.grad().toArray());
        try (var s = Autograd.noGrad()) {
            d.mulInPlace(0);                                // a detached copy does not share storage
        }
        assertArrayEquals(new double[] {2, 3}, x.toArray());
    }

    // ================================================================ Autograd.grad, higher order

    @Test
    void autogradGradReturnsGradientsWithoutTouchingGrad() {
        Tensor x = Tensor.of(1, 2).requiresGrad(), unused = Tensor.of(5, 6, 7).requiresGrad();
        Tensor y = x.square().sum();
        List<Tensor> g = Autograd.grad(y, List.of(x, unused), false);
        assertArrayEquals(new double[] {2, 4}, g.get(0).toArray());
        assertArrayEquals(new double[] {0, 0, 0}, g.get(1).toArray(), "an input the output does not depend on gets zeros");
        assertArrayEquals(new int[] {3}, g.get(1).shape());
        assertNull(x.grad());
        assertNull(unused.grad());
        assertThrows(IllegalStateException.class, y::backward, "without createGraph the graph is released");
    }

    @Test
    void autogradGradOfAnIntermediate() {
        Tensor x = Tensor.scalar(2).requiresGrad();
        Tensor h = x.square();
        Tensor y = h.mul(3).add(h.exp());
        List<Tensor> g = Autograd.grad(y, List.of(h, x), false);
        assertEquals(3 + Math.exp(4), g.get(0).item(), 1e-12);
        assertEquals((3 + Math.exp(4)) * 4, g.get(1).item(), 1e-9);
    }

    @Test
    void secondDerivativeOfXCubedAtTwoIsTwelve() {
        Tensor x = Tensor.scalar(2).requiresGrad();
        Tensor y = x.pow(3);
        Tensor dy = Autograd.grad(y, List.of(x), true).get(0);
        assertEquals(12.0, dy.item(), 1e-12);               // 3x²
        assertTrue(dy.isGradRequired());
        Tensor d2y = Autograd.grad(dy, List.of(x), true).get(0);
        assertEquals(12.0, d2y.item(), 1e-12);              // 6x
        Tensor d3y = Autograd.grad(d2y, List.of(x), false).get(0);
        assertEquals(6.0, d3y.item(), 1e-12);
        assertNull(x.grad());

        Tensor z = Tensor.scalar(2).requiresGrad();
        Tensor cube = z.mul(z).mul(z);                        // the same through mul
        Tensor dz = Autograd.grad(cube, List.of(z), true).get(0);
        assertEquals(12.0, Autograd.grad(dz, List.of(z), false).get(0).item(), 1e-12);
    }

    @Test
    void secondDerivativeOfExpThreeXAtTwo() {
        Tensor x = Tensor.scalar(2).requiresGrad();
        Tensor y = x.mul(3).exp();
        Tensor dy = Autograd.grad(y, List.of(x), true).get(0);
        Tensor d2y = Autograd.grad(dy, List.of(x), false).get(0);
        double expected = 9 * Math.exp(6);
        assertEquals(expected, d2y.item(), 1e-12 * expected);
    }

    @Test
    void createGraphKeepsTheForwardGraphAlive() {
        Tensor x = Tensor.scalar(3).requiresGrad();
        Tensor y = x.square();
        Tensor dy = Autograd.grad(y, List.of(x), true).get(0);
        assertEquals(6.0, dy.item());
        assertNull(x.grad(), "Autograd.grad adds nothing into grad");
        y.backward();                                           // the forward graph was kept
        assertEquals(6.0, x.grad().item());
    }

    @Test
    void backwardThroughACreatedGraphAccumulatesSecondDerivatives() {
        Tensor x = Tensor.scalar(1.5).requiresGrad();
        Tensor dy = Autograd.grad(x.pow(4), List.of(x), true).get(0);   // 4x³
        dy.backward();                                                     // 12x² into x.grad
        assertEquals(12 * 1.5 * 1.5, x.grad().item(), 1e-12);
    }

    /** loss(θ) of a 3-4-2 MLP (linear, tanh, linear) under MSE on fixed data. */
    private static Tensor mlpLoss(List<Tensor> p, Tensor x, Tensor y) {
        Tensor h = x.linear(p.get(0), p.get(1)).tanh();
        return h.linear(p.get(2), p.get(3)).sub(y).square().mean();
    }

    private static List<Tensor> leaves(List<Tensor> values, List<Tensor> direction, double step) {
        List<Tensor> out = new ArrayList<>();
        for (int i = 0; i < values.size(); i++) {
            Tensor v = direction == null ? values.get(i) : values.get(i).add(direction.get(i).mul(step));
            out.add(v.detach().requiresGrad());
        }
        return out;
    }

    @Test
    void hessianVectorProductOfAnMlpLossMatchesFiniteDifferencesOfItsGradient() {
        SplittableRandom rng = new SplittableRandom(42);
        Tensor x = Tensor.randn(rng, 5, 3), y = Tensor.randn(rng, 5, 2);
        List<Tensor> theta = List.of(Tensor.randn(rng, 4, 3), Tensor.randn(rng, 4), Tensor.randn(rng, 2, 4), Tensor.randn(rng, 2));
        List<Tensor> v = List.of(Tensor.randn(rng, 4, 3), Tensor.randn(rng, 4), Tensor.randn(rng, 2, 4), Tensor.randn(rng, 2));

        List<Tensor> p = leaves(theta, null, 0);
        List<Tensor> g = Autograd.grad(mlpLoss(p, x, y), p, true);
        Tensor gv = Tensor.scalar(0);
        for (int i = 0; i < p.size(); i++) gv = gv.add(g.get(i).mul(v.get(i)).sum());
        List<Tensor> hv = Autograd.grad(gv, p, false);

        double eps = 1e-5;
        List<Tensor> pp = leaves(theta, v, eps), pm = leaves(theta, v, -eps);
        List<Tensor> gp = Autograd.grad(mlpLoss(pp, x, y), pp, false), gm = Autograd.grad(mlpLoss(pm, x, y), pm, false);
        for (int i = 0; i < p.size(); i++) {
            double[] fd = gp.get(i).sub(gm.get(i)).div(2 * eps).toArray();
            double[] an = hv.get(i).toArray();
            assertArrayEquals(p.get(i).shape(), hv.get(i).shape());
            for (int j = 0; j < fd.length; j++) {
                assertEquals(fd[j], an[j], 1e-6 + 1e-5 * Math.abs(fd[j]), "Hv of parameter " + i + " element " + j);
            }
        }
        // not trivially zero: a real second-order signal
        assertTrue(hv.get(0).abs().sum().item() > 1e-3);
    }

    // ================================================================ in-place guards

    @Test
    void inPlaceUpdateOfASavedTensorMakesBackwardFailNamingTheOp() {
        Tensor w = Tensor.of(1, 2).requiresGrad();
        Tensor x = Tensor.of(3, 4);
        Tensor loss = w.mul(x).sum();
        try (var s = Autograd.noGrad()) {
            w.addInPlace(Tensor.of(1, 1), -0.1);
        }
        assertEquals(1, w.version());
        IllegalStateException e = assertThrows(IllegalStateException.class, loss::backward);
        assertTrue(e.getMessage().contains("'mul'"), e.getMessage());
        assertTrue(e.getMessage().contains("in place"), e.getMessage());
        assertNull(w.grad());

        // a saved output (exp keeps its result) is guarded too
        Tensor a = Tensor.of(0.5).requiresGrad();
        Tensor ea = a.exp();
        Tensor l2 = ea.sum();
        try (var s = Autograd.noGrad()) {
            ea.mulInPlace(2);
        }
        IllegalStateException e2 = assertThrows(IllegalStateException.class, l2::backward);
        assertTrue(e2.getMessage().contains("'exp'"), e2.getMessage());
    }

    @Test
    void inPlaceUpdateOfATensorNoRuleReadsIsAllowed() {
        Tensor w = Tensor.of(1, 2).requiresGrad();
        Tensor loss = w.add(Tensor.of(3, 4)).sum();              // add saves nothing
        try (var s = Autograd.noGrad()) {
            w.copyFrom(Tensor.of(9, 9));
        }
        loss.backward();
        assertArrayEquals(new double[] {1, 1}, w.grad().toArray());
    }

    @Test
    void inPlaceUpdateAfterBackwardIsTheOptimizerPattern() {
        Tensor w = Tensor.of(1, 2).requiresGrad();
        for (int step = 0; step < 3; step++) {
            w.zeroGrad();
            w.square().sum().backward();
            try (var s = Autograd.noGrad()) {
                w.addInPlace(w.grad(), -0.25);                      // w ← w − 0.25·2w = w/2
            }
        }
        assertArrayEquals(new double[] {0.125, 0.25}, w.toArray());
        assertEquals(3, w.version());
    }

    @Test
    void inPlaceOutsideNoGradThrows() {
        Tensor w = Tensor.of(1, 2).requiresGrad();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> w.addInPlace(Tensor.of(1, 1), 1));
        assertTrue(e.getMessage().contains("addInPlace") && e.getMessage().contains("noGrad"), e.getMessage());
        IllegalStateException e2 = assertThrows(IllegalStateException.class, () -> w.mulInPlace(2));
        assertTrue(e2.getMessage().contains("mulInPlace"), e2.getMessage());
        IllegalStateException e3 = assertThrows(IllegalStateException.class, () -> w.copyFrom(Tensor.of(0, 0)));
        assertTrue(e3.getMessage().contains("copyFrom"), e3.getMessage());
        assertArrayEquals(new double[] {1, 2}, w.toArray());
        assertEquals(0, w.version());
    }

    // ================================================================ anomaly mode

    @Test
    void anomalyModeStopsAtANonFiniteForwardValueNamingTheOpAndTheCaller() {
        Tensor x = Tensor.of(0, 1).requiresGrad();
        try (var s = Autograd.detectAnomaly(true)) {
            assertTrue(Autograd.isAnomalyEnabled());
            ArithmeticException e = assertThrows(ArithmeticException.class, () -> x.log().mul(2).sum());
            assertTrue(e.getMessage().contains("'log'"), e.getMessage());
            assertTrue(e.getMessage().contains("Inf"), e.getMessage());
            assertTrue(e.getMessage().contains(BackwardTest.class.getName()), e.getMessage());
        }
        assertFalse(Autograd.isAnomalyEnabled(), "the scope restores the previous setting");
    }

    @Test
    void anomalyModeReportsInfinitiesAnOpCreatesButNotOnesItPassesOn() {
        Tensor scores = Tensor.of(new double[] {1, 2, 3, 4}, 2, 2).requiresGrad();
        Tensor mask = Tensor.of(new double[] {0, Double.NEGATIVE_INFINITY, 0, 0}, 2, 2);   // a deliberate -inf fill
        try (var s = Autograd.detectAnomaly(true)) {
            Tensor p = scores.add(mask).softmax(-1);              // -inf passed on by add, softmax finite
            assertEquals(0.0, p.get(0, 1));
            p.mul(Tensor.of(new double[] {1, 2, 3, 4}, 2, 2)).sum().backward();
            assertTrue(Kernels.allFinite(scores.grad().toArray()));
            ArithmeticException overflow = assertThrows(ArithmeticException.class, () -> scores.mul(1e308).mul(10));
            assertTrue(overflow.getMessage().contains("'mul'") && overflow.getMessage().contains("Inf"), overflow.getMessage());
            ArithmeticException nan = assertThrows(ArithmeticException.class, () -> scores.add(mask).mul(0));
            assertTrue(nan.getMessage().contains("NaN"), "NaN is an anomaly even from a non-finite input: " + nan.getMessage());
        }
    }

    @Test
    void anomalyModeStopsAtANonFiniteGradientNamingTheOp() {
        Tensor x = Tensor.of(0, 4).requiresGrad();
        try (var s = Autograd.detectAnomaly(true)) {
            Tensor y = x.sqrt().sum();                              // forward finite: sqrt(0) = 0
            ArithmeticException e = assertThrows(ArithmeticException.class, y::backward);
            assertTrue(e.getMessage().contains("'sqrt'"), e.getMessage());
            assertTrue(e.getMessage().contains("backward"), e.getMessage());
            assertTrue(e.getMessage().contains(BackwardTest.class.getName()), "creation site: " + e.getMessage());
        }
        assertNull(x.grad());
    }

    @Test
    void creationSitesAreRecordedOnlyWhileAnomalyModeIsOn() {
        Tensor x = Tensor.of(0, 4).requiresGrad();
        Tensor y = x.sqrt().sum();                                  // built with anomaly mode off: no site recorded
        try (var s = Autograd.detectAnomaly(true)) {
            ArithmeticException e = assertThrows(ArithmeticException.class, y::backward);
            assertTrue(e.getMessage().contains("'sqrt'"), e.getMessage());
            assertTrue(e.getMessage().contains("detectAnomaly(true)"), "says how to get the site: " + e.getMessage());
        }
    }

    @Test
    void anomalyModeCatchesNaNFromAZeroTimesInfinityGradient() {
        Tensor x = Tensor.of(0.0).requiresGrad();
        try (var s = Autograd.detectAnomaly(true)) {
            Tensor y = x.sqrt().mul(0).sum();                       // gradient 0 · 1/(2·0) = NaN
            ArithmeticException e = assertThrows(ArithmeticException.class, y::backward);
            assertTrue(e.getMessage().contains("'sqrt'"), e.getMessage());
            assertTrue(e.getMessage().contains("NaN"), e.getMessage());
        }
    }

    @Test
    void withoutAnomalyModeNaNAndInfPropagateByIeeeRules() {
        assertFalse(Autograd.isAnomalyEnabled());
        Tensor x = Tensor.of(0, 1).requiresGrad();
        Tensor y = x.log();
        assertEquals(Double.NEGATIVE_INFINITY, y.get(0));
        Tensor z = y.mul(0);                                         // −Inf · 0 = NaN
        assertTrue(Double.isNaN(z.get(0)));
        z.sum().backward();
        assertEquals(0.0, x.grad().get(1));
        assertTrue(Double.isNaN(x.grad().get(0)) || Double.isInfinite(x.grad().get(0)));

        Tensor r = Tensor.of(0.0, 4).requiresGrad();
        r.sqrt().sum().backward();
        assertEquals(Double.POSITIVE_INFINITY, r.grad().get(0));
        assertEquals(0.25, r.grad().get(1));
    }

    @Test
    void anomalyModeIsThreadLocalAndItsScopeRestores() throws Exception {
        try (var on = Autograd.detectAnomaly(true)) {
            try (var off = Autograd.detectAnomaly(false)) {
                assertFalse(Autograd.isAnomalyEnabled());
                assertEquals(Double.NEGATIVE_INFINITY, Tensor.of(0.0).log().item());
            }
            assertTrue(Autograd.isAnomalyEnabled());
            AtomicReference<Boolean> there = new AtomicReference<>();
            Thread t = new Thread(() -> there.set(Autograd.isAnomalyEnabled()));
            t.start();
            t.join();
            assertFalse(there.get());
        }
        assertFalse(Autograd.isAnomalyEnabled());
    }

    @Test
    void eachScopeRestoresOnlyTheModeItChanged() {
        try {
            try (var s = Autograd.noGrad()) {
                Autograd.detectAnomaly(true);                    // switched for good, scope ignored
            }
            assertTrue(Autograd.isAnomalyEnabled(), "closing noGrad() must not undo an anomaly switch made inside it");
            assertTrue(Autograd.isGradEnabled());
            try (var a = Autograd.detectAnomaly(false)) {
                try (var e = Autograd.enableGrad()) {
                    assertTrue(Autograd.isGradEnabled());
                }
            }
            assertTrue(Autograd.isAnomalyEnabled());
        } finally {
            Autograd.detectAnomaly(false);
        }
        assertFalse(Autograd.isAnomalyEnabled());
        assertTrue(Autograd.isGradEnabled());
    }

    @Test
    void anomalyModeLetsFiniteGraphsThrough() {
        try (var s = Autograd.detectAnomaly(true)) {
            Tensor x = Tensor.of(0.5, 2).requiresGrad();
            x.log().mul(x.sqrt()).sum().backward();
            double[] g = x.grad().toArray();
            for (int i = 0; i < 2; i++) {
                double v = x.get(i);
                assertEquals(Math.sqrt(v) / v + Math.log(v) / (2 * Math.sqrt(v)), g[i], 1e-12);
            }
            Tensor z = Tensor.scalar(2).requiresGrad();
            Tensor dz = Autograd.grad(z.pow(3), List.of(z), true).get(0);
            assertEquals(12.0, Autograd.grad(dz, List.of(z), false).get(0).item(), 1e-12);
            assertTrue(Autograd.isAnomalyEnabled());
        }
    }

    @Test
    void backwardRulesAreNotRecordedUnlessCreateGraph() {
        Tensor x = Tensor.of(1, 2).requiresGrad();
        List<Tensor> g = Autograd.grad(x.square().sum(), List.of(x), false);
        assertFalse(g.get(0).isGradRequired());
        Tensor x2 = Tensor.of(1, 2).requiresGrad();
        x2.square().sum().backward();
        assertFalse(x2.grad().isGradRequired());
        assertTrue(x2.grad().isLeaf());
        assertTrue(Autograd.isGradEnabled(), "backward restores grad mode");
        assertValues(new double[] {2, 4}, x2.grad(), 0);
    }
}

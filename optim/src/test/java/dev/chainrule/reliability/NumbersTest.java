package dev.chainrule.reliability;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chainrule.autograd.Autograd;
import dev.chainrule.autograd.GradCheck;
import dev.chainrule.autograd.Tensor;
import java.util.Arrays;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * Extreme numbers through the core ops: the stable primitives give finite values and gradients for
 * inputs of ±1e3 and ±1e300 wherever the mathematical result is finite; NaN and Inf propagate as
 * IEEE 754 says when anomaly mode is off; with anomaly mode on the first non-finite value stops the
 * computation with an {@link ArithmeticException} that names the op.
 */
@SuppressWarnings("try") // no-grad and anomaly scopes are used only for their effect
class NumbersTest {

    static final double[] EXTREMES = {1e3, -1e3, 1e300, -1e300};

    /** Value and gradient (seed: ones) of {@code f} at {@code x}, checked to be finite everywhere. */
    static double[][] valueAndGrad(String name, UnaryOperator<Tensor> f, double[] x, int... shape) {
        Tensor in = Tensor.of(x, shape).requiresGrad();
        Tensor out = f.apply(in);
        out.backward(Tensor.ones(out.shape()));
        double[] v = out.toArray(), g = in.grad().toArray();
        for (double d : v) assertTrue(Double.isFinite(d), () -> name + Arrays.toString(x) + " = " + Arrays.toString(v) + " is not finite");
        for (double d : g) assertTrue(Double.isFinite(d), () -> name + "'" + Arrays.toString(x) + " = " + Arrays.toString(g) + " is not finite");
        return new double[][] {v, g};
    }

    @Test
    void elementwiseSquashersAreFiniteWithExactLimitsAtExtremes() {
        int checked = 0;
        for (double x : EXTREMES) {
            double pos = x > 0 ? 1 : 0;
            double[][] s = valueAndGrad("sigmoid", Tensor::sigmoid, new double[] {x});
            assertArrayEquals(new double[] {pos}, s[0], 0.0, "sigmoid(" + x + ")");
            assertArrayEquals(new double[] {0}, s[1], 0.0, "sigmoid'(" + x + ")");
            double[][] t = valueAndGrad("tanh", Tensor::tanh, new double[] {x});
            assertArrayEquals(new double[] {Math.signum(x)}, t[0], 0.0, "tanh(" + x + ")");
            assertArrayEquals(new double[] {0}, t[1], 0.0, "tanh'(" + x + ")");
            double[][] p = valueAndGrad("softplus", Tensor::softplus, new double[] {x});
            assertArrayEquals(new double[] {Math.max(x, 0)}, p[0], 0.0, "softplus(" + x + ")");
            assertArrayEquals(new double[] {pos}, p[1], 0.0, "softplus'(" + x + ")");
            checked += 3;
        }
        Figures.report("numbers", "sigmoid/tanh/softplus at %s: %d finite values and gradients with exact limits",
            Arrays.toString(EXTREMES), checked);
    }

    @Test
    void logSoftmaxAndLogSumExpAreFiniteAndAccurateAtExtremes() {
        for (double big : new double[] {1e3, 1e300}) {
            // One dominant logit: log-probabilities x - max - log(Σ e^(x-max)), gradient (seed ones) 1 - C·softmax.
            double[][] ls = valueAndGrad("logSoftmax", t -> t.logSoftmax(-1), new double[] {big, -big, 0}, 1, 3);
            assertArrayEquals(new double[] {0, -2 * big, -big}, ls[0], 1e-12 * big);
            assertArrayEquals(new double[] {-2, 1, 1}, ls[1], 1e-12);
            double[][] lse = valueAndGrad("logSumExp", t -> t.logSumExp(-1, false), new double[] {big, -big, 0}, 1, 3);
            assertArrayEquals(new double[] {big}, lse[0], 0.0);
            assertArrayEquals(new double[] {1, 0, 0}, lse[1], 0.0);

            // Ties at the top: log 2 must not be absorbed by the huge maximum.
            double[][] tie = valueAndGrad("logSoftmax", t -> t.logSoftmax(-1), new double[] {big, big, -big}, 1, 3);
            assertArrayEquals(new double[] {-Math.log(2), -Math.log(2)}, Arrays.copyOf(tie[0], 2), 1e-15,
                "logSoftmax of a tie at " + big);
            assertArrayEquals(new double[] {-0.5, -0.5, 1}, tie[1], 1e-15, "logSoftmax' of a tie at " + big + ": 1 - 3 softmax");
            double[][] tieLse = valueAndGrad("logSumExp", t -> t.logSumExp(-1, false), new double[] {big, big, -big}, 1, 3);
            assertEquals(big + Math.log(2), tieLse[0][0], Math.ulp(big));
            assertArrayEquals(new double[] {0.5, 0.5, 0}, tieLse[1], 1e-15, "logSumExp' of a tie at " + big + " is softmax");
            double[][] sm = valueAndGrad("softmax", t -> t.softmax(-1).mul(Tensor.of(1.0, 2.0, 3.0)), new double[] {big, big, -big}, 1, 3);
            assertArrayEquals(new double[] {0.5, 1.0, 0}, sm[0], 1e-15);
        }
        Figures.report("numbers", "logSoftmax/logSumExp/softmax at ±1e3 and ±1e300 (dominant logit and ties): finite and accurate");
    }

    /** The stability fixes keep the rules exact at ordinary values, to first and second order. */
    @Test
    void stableSoftmaxFamilyRulesStillPassGradCheckToSecondOrder() {
        java.util.SplittableRandom rng = new java.util.SplittableRandom(5);
        for (int trial = 0; trial < 20; trial++) {
            double[] v = new double[12];
            for (int i = 0; i < v.length; i++) v[i] = rng.nextGaussian() * 3;
            Tensor x = Tensor.of(v, 3, 4).requiresGrad();
            Tensor w = Tensor.of(v, 3, 4).mul(0.1).add(0.3);     // a weighting so that the seed is not uniform
            GradCheck.check(t -> t[0].logSumExp(-1, true).mul(w).sum(), x).assertPassed();
            GradCheck.check(t -> t[0].logSoftmax(-1).mul(w).sum(), x).assertPassed();
            GradCheck.check(t -> t[0].logSumExp(0, false).sum(), x).assertPassed();
            GradCheck.checkSecondOrder(t -> t[0].logSumExp(-1, false).mul(t[0].sum(-1, false)).sum(), x).assertPassed();
            GradCheck.checkSecondOrder(t -> t[0].logSoftmax(1).mul(w).sum(), x).assertPassed();
        }
    }

    @Test
    void crossEntropyIsFiniteAndAccurateAtExtremes() {
        for (double big : new double[] {1e3, 1e300}) {
            Tensor logits = Tensor.of(new double[] {big, -big, 0, big, big, -big}, 2, 3).requiresGrad();
            Tensor loss = logits.crossEntropy(1, 0);          // row 0: target far below the max; row 1: a tie
            loss.backward();
            double want = (2 * big + Math.log(2)) / 2;
            assertEquals(want, loss.item(), 1e-15 * want, "crossEntropy at " + big);
            assertArrayEquals(new double[] {0.5, -0.5, 0, -0.25, 0.25, 0}, logits.grad().toArray(), 1e-15,
                "crossEntropy' at " + big + " is (softmax - onehot) / N");
            // The composed version (what a user writes without the fused op) agrees.
            Tensor l2 = Tensor.of(new double[] {big, -big, 0, big, big, -big}, 2, 3).requiresGrad();
            Tensor composed = l2.logSoftmax(-1).pick(1, 0).neg().mean();
            composed.backward();
            assertEquals(want, composed.item(), 1e-15 * want);
            assertArrayEquals(logits.grad().toArray(), l2.grad().toArray(), 1e-15);
        }
        Figures.report("numbers", "crossEntropy (fused and composed) at ±1e3 and ±1e300: finite and accurate values and gradients");
    }

    @Test
    void nanAndInfPropagateAsIeeeSaysWithoutAnomalyMode() {
        assertFalse(Autograd.isAnomalyEnabled());
        double nan = Double.NaN, inf = Double.POSITIVE_INFINITY;
        Tensor x = Tensor.of(nan, inf, -inf, 0.0, -1.0).requiresGrad();
        Tensor y = x.log();                                   // log: NaN, Inf, NaN, -Inf, NaN
        assertArrayEquals(new double[] {nan, inf, nan, -inf, nan}, y.toArray(), 0.0);
        y.backward(Tensor.ones(5));                           // d log x = 1/x: NaN, 0, -0, Inf, -1
        assertArrayEquals(new double[] {nan, 0.0, -0.0, inf, -1.0}, x.grad().toArray(), 0.0);

        Tensor z = Tensor.of(0.0, 4.0).requiresGrad();
        Tensor s = z.sqrt();                                  // finite forward, infinite backward at 0
        s.sum().backward();
        assertArrayEquals(new double[] {inf, 0.25}, z.grad().toArray(), 0.0);

        Tensor w = Tensor.of(inf, 1.0).requiresGrad();
        Tensor m = w.mul(Tensor.of(0.0, 2.0)).exp();          // Inf * 0 = NaN; exp(2)
        m.sum().backward();
        assertTrue(Double.isNaN(m.toArray()[0]));
        assertEquals(Math.exp(2), m.toArray()[1], 0.0);
        assertTrue(Double.isNaN(w.grad().toArray()[0]));
        Figures.report("numbers", "NaN/Inf propagate through forward and backward as IEEE 754 says when anomaly mode is off");
    }

    @Test
    void anomalyModeNamesTheOpThatProducedNaNOrInfInForward() {
        try (var s = Autograd.detectAnomaly(true)) {
            Tensor x = Tensor.of(1.0, -1.0).requiresGrad();
            ArithmeticException e = assertThrows(ArithmeticException.class, () -> x.log());
            assertTrue(e.getMessage().contains("'log'") && e.getMessage().contains("NaN"), e.getMessage());
            assertTrue(e.getMessage().contains("forward"), e.getMessage());
            assertTrue(e.getMessage().contains(NumbersTest.class.getName()), "names where the op was created: " + e.getMessage());

            Tensor big = Tensor.of(800.0).requiresGrad();
            ArithmeticException e2 = assertThrows(ArithmeticException.class, () -> big.exp());
            assertTrue(e2.getMessage().contains("'exp'") && e2.getMessage().contains("Inf"), e2.getMessage());
        }
        assertFalse(Autograd.isAnomalyEnabled(), "the scope restores anomaly mode");
    }

    @Test
    void anomalyModeNamesTheOpWhoseBackwardProducedNaNOrInf() {
        Tensor x = Tensor.of(0.0, 4.0).requiresGrad();
        Tensor loss;
        try (var s = Autograd.detectAnomaly(true)) {
            loss = x.sqrt().sum();                            // forward is finite: sqrt(0) = 0
            ArithmeticException e = assertThrows(ArithmeticException.class, loss::backward);
            assertTrue(e.getMessage().contains("backward of 'sqrt'"), "must name sqrt's backward: " + e.getMessage());
            assertTrue(e.getMessage().contains("Inf"), e.getMessage());
            assertTrue(e.getMessage().contains(NumbersTest.class.getName()), "names where sqrt was created: " + e.getMessage());
            assertTrue(Autograd.isAnomalyEnabled() && Autograd.isGradEnabled(), "a failed backward must restore this thread's modes");
        }
        Tensor y = Tensor.of(-1.0, 2.0).requiresGrad();
        try (var s = Autograd.detectAnomaly(true)) {
            Tensor l = y.abs().log().sum();                       // finite forward (log 1, log 2)...
            l.backward();                                         // ...and finite backward: no false alarm
            assertArrayEquals(new double[] {-1.0, 0.5}, y.grad().toArray(), 0.0);
        }
        Tensor z = Tensor.of(0.0).requiresGrad();
        try (var s = Autograd.detectAnomaly(true)) {
            Tensor l = z.pow(0.5).mul(3).sum();                   // pow's rule: x^(p-1) = 0^-0.5 = Inf
            ArithmeticException e = assertThrows(ArithmeticException.class, l::backward);
            assertTrue(e.getMessage().contains("backward of 'pow'"), "must name pow's backward: " + e.getMessage());
        }
    }

    @Test
    void anomalyModeOffRestoresIeeeBehaviourAfterTheScope() {
        try (var s = Autograd.detectAnomaly(true)) {
            assertTrue(Autograd.isAnomalyEnabled());
        }
        Tensor x = Tensor.of(-1.0).requiresGrad();
        Tensor y = x.log();
        assertTrue(Double.isNaN(y.item()));
    }
}

package dev.chainrule.optim;

import static dev.chainrule.optim.TestSupport.param;
import static dev.chainrule.optim.TestSupport.setGrad;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chainrule.autograd.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

class SgdTest {

    private static final double TOL = 1e-12;

    /** Runs {@code grads.length} steps, feeding the given gradient (same for every element) each time. */
    private static double[] trajectory(Sgd opt, Tensor p, double... grads) {
        double[] out = new double[grads.length];
        for (int k = 0; k < grads.length; k++) {
            setGrad(p, grads[k]);
            opt.step();
            opt.zeroGrad();
            out[k] = p.item();
        }
        return out;
    }

    @Test
    void plainStepIsParameterMinusLrTimesGradient() {
        Tensor p = param(1, -2);
        Sgd opt = Sgd.builder(List.of(p)).lr(0.1).build();
        setGrad(p, 0.5, 1.0);
        opt.step();
        // 1 − 0.1·0.5 = 0.95; −2 − 0.1·1 = −2.1
        assertArrayEquals(new double[] {0.95, -2.1}, p.toArray(), TOL);
        assertTrue(p.isLeaf(), "the update must not record a graph");
        assertEquals(1, p.version());
        assertEquals(1, opt.stepCount());
    }

    @Test
    void heavyBallMomentumMatchesHandComputedSteps() {
        Tensor p = Tensor.scalar(1).requiresGrad();
        Sgd opt = Sgd.builder(List.of(p)).lr(0.1).momentum(0.9).build();
        // g = 1 each step: b1 = 1, p = 0.9; b2 = 0.9 + 1 = 1.9, p = 0.71; b3 = 1.71 + 1 = 2.71, p = 0.439
        assertArrayEquals(new double[] {0.9, 0.71, 0.439}, trajectory(opt, p, 1, 1, 1), TOL);
    }

    @Test
    void nesterovMomentumMatchesHandComputedSteps() {
        Tensor p = Tensor.scalar(1).requiresGrad();
        Sgd opt = Sgd.builder(List.of(p)).lr(0.1).momentum(0.9).nesterov(true).build();
        // b1 = 1, d = 1 + 0.9·1 = 1.9, p = 0.81; b2 = 1.9, d = 2.71, p = 0.539; b3 = 2.71, d = 3.439, p = 0.1951
        assertArrayEquals(new double[] {0.81, 0.539, 0.1951}, trajectory(opt, p, 1, 1, 1), TOL);
    }

    @Test
    void dampeningAppliesFromTheSecondStepOnly() {
        Tensor p = Tensor.scalar(1).requiresGrad();
        Sgd opt = Sgd.builder(List.of(p)).lr(0.1).momentum(0.9).dampening(0.5).build();
        // b1 = g = 1 (PyTorch initializes the buffer undamped), p = 0.9; b2 = 0.9 + 0.5 = 1.4, p = 0.76
        assertArrayEquals(new double[] {0.9, 0.76}, trajectory(opt, p, 1, 1), TOL);
    }

    @Test
    void weightDecayAddsLambdaTimesParameterToTheGradient() {
        Tensor p = Tensor.scalar(2).requiresGrad();
        Sgd opt = Sgd.builder(List.of(p)).lr(0.1).weightDecay(0.1).build();
        // d = 1 + 0.1·2 = 1.2; p = 2 − 0.12
        assertArrayEquals(new double[] {1.88}, trajectory(opt, p, 1), TOL);
    }

    @Test
    void momentumWithVaryingGradientsMatchesAPlainJavaReference() {
        double lr = 0.05, mu = 0.8, tau = 0.1, wd = 0.01;
        double[] grads = {0.3, -1.2, 2.5, 0.7, -0.4};
        for (boolean nesterov : new boolean[] {false, true}) {
            Tensor p = Tensor.scalar(0.5).requiresGrad();
            Sgd.Builder b = Sgd.builder(List.of(p)).lr(lr).momentum(mu).weightDecay(wd);
            Sgd opt = nesterov ? b.nesterov(true).build() : b.dampening(tau).build();
            double w = 0.5, buf = 0;
            for (int k = 0; k < grads.length; k++) {
                double d = grads[k] + wd * w;
                buf = k == 0 ? d : mu * buf + (1 - (nesterov ? 0 : tau)) * d;
                d = nesterov ? d + mu * buf : buf;
                w -= lr * d;
                setGrad(p, grads[k]);
                opt.step();
                assertEquals(w, p.item(), TOL, "nesterov=" + nesterov + ", step " + (k + 1));
            }
        }
    }

    @Test
    void buildRejectsBadHyperparametersWithClearMessages() {
        List<Tensor> ps = List.of(param(1));
        assertMessage("Sgd: lr must be positive and finite, got 0.0", () -> Sgd.builder(ps).lr(0).build());
        assertMessage("Sgd: lr must be positive and finite, got -0.1", () -> Sgd.builder(ps).lr(-0.1).build());
        assertMessage("Sgd: lr must be positive and finite, got NaN", () -> Sgd.builder(ps).lr(Double.NaN).build());
        assertMessage("Sgd: lr must be positive and finite, got Infinity",
            () -> Sgd.builder(ps).lr(Double.POSITIVE_INFINITY).build());
        assertMessage("Sgd: momentum must be in [0, 1), got -0.5", () -> Sgd.builder(ps).momentum(-0.5).build());
        assertMessage("Sgd: dampening must be in [0, 1], got 2.0", () -> Sgd.builder(ps).dampening(2).build());
        assertMessage("Sgd: weightDecay must be >= 0 and finite, got -1.0E-4", () -> Sgd.builder(ps).weightDecay(-1e-4).build());
        assertMessage("Sgd: nesterov requires momentum > 0 and dampening = 0, got momentum 0.0 and dampening 0.0; "
            + "set momentum(0.9) or turn nesterov off", () -> Sgd.builder(ps).nesterov(true).build());
        assertThrows(IllegalArgumentException.class,
            () -> Sgd.builder(ps).momentum(0.9).dampening(0.1).nesterov(true).build());
    }

    static void assertMessage(String expected, org.junit.jupiter.api.function.Executable build) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, build);
        assertEquals(expected, e.getMessage());
    }
}

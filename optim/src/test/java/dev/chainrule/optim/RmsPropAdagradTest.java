package dev.chainrule.optim;

import static dev.chainrule.optim.SgdTest.assertMessage;
import static dev.chainrule.optim.TestSupport.param;
import static dev.chainrule.optim.TestSupport.setGrad;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chainrule.autograd.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

class RmsPropAdagradTest {

    private static final double TOL = 1e-12;

    private static void steps(Optimizer opt, Tensor p, double[] grads, double[] expected) {
        for (int k = 0; k < grads.length; k++) {
            setGrad(p, grads[k]);
            opt.step();
            assertEquals(expected[k], p.item(), TOL, "step " + (k + 1));
        }
    }

    @Test
    void rmsPropPlain() {
        Tensor p = Tensor.scalar(1).requiresGrad();
        // s1 = 0.01, p = 1 − 0.01 · 1 / (0.1 + 1e-8); s2 = 0.0199, p −= 0.01 / (√0.0199 + 1e-8)
        double p1 = 1 - 0.01 / (0.1 + 1e-8);
        double p2 = p1 - 0.01 / (Math.sqrt(0.0199) + 1e-8);
        steps(RmsProp.builder(List.of(p)).build(), p, new double[] {1, 1}, new double[] {p1, p2});
        assertEquals(0.8291118945242908, p2, 1e-15);
    }

    @Test
    void rmsPropCentered() {
        Tensor p = Tensor.scalar(1).requiresGrad();
        // s1 = 0.01, ḡ1 = 0.01, d = √(0.01 − 0.0001) + ε = 0.0994987...; p = 1 − 0.01 / d = 0.89949622857...
        steps(RmsProp.builder(List.of(p)).centered(true).build(), p, new double[] {1, 1},
            new double[] {0.8994962285750879, 0.8278920715801895});
    }

    @Test
    void rmsPropMomentum() {
        Tensor p = Tensor.scalar(1).requiresGrad();
        // b1 = 1 / 0.1 = 10, p = 0.9; s2 = 0.0199, b2 = 9 + 1/√0.0199 = 16.0888..., p = 0.9 − 0.160888...
        steps(RmsProp.builder(List.of(p)).momentum(0.9).build(), p, new double[] {1, 1},
            new double[] {0.9000000099999991, 0.7391119035242899});
    }

    @Test
    void rmsPropCenteredMomentumWeightDecayMatchesAPlainJavaReference() {
        double lr = 0.03, alpha = 0.9, eps = 1e-6, mu = 0.5, wd = 0.1;
        double[] grads = {1, -2, 0.5, 0.5, 3};
        Tensor p = Tensor.scalar(0.2).requiresGrad();
        RmsProp opt = RmsProp.builder(List.of(p)).lr(lr).alpha(alpha).eps(eps).momentum(mu).centered(true)
            .weightDecay(wd).build();
        double x = 0.2, s = 0, ga = 0, b = 0;
        for (int k = 0; k < grads.length; k++) {
            double g = grads[k] + wd * x;
            s = alpha * s + (1 - alpha) * g * g;
            ga = alpha * ga + (1 - alpha) * g;
            b = mu * b + g / (Math.sqrt(s - ga * ga) + eps);
            x -= lr * b;
            setGrad(p, grads[k]);
            opt.step();
            assertEquals(x, p.item(), TOL, "step " + (k + 1));
        }
    }

    @Test
    void rmsPropCenteredStaysFiniteWhenTheVarianceEstimateRoundsBelowZero() {
        Tensor p = Tensor.scalar(1).requiresGrad();
        RmsProp opt = RmsProp.builder(List.of(p)).lr(1e-6).alpha(0.5).centered(true).build();
        for (int k = 0; k < 200; k++) {
            setGrad(p, 0.1);
            opt.step();
        }
        assertTrue(Double.isFinite(p.item()), "p = " + p.item());
    }

    @Test
    void adagradPlainDecayedAndWithInitialAccumulator() {
        Tensor a = Tensor.scalar(1).requiresGrad();
        // s1 = 1, p = 1 − 0.1 = 0.9; s2 = 2, p = 0.9 − 0.1/√2
        steps(Adagrad.builder(List.of(a)).lr(0.1).build(), a, new double[] {1, 1},
            new double[] {1 - 0.1 / (1 + 1e-10), 1 - 0.1 / (1 + 1e-10) - 0.1 / (Math.sqrt(2) + 1e-10)});

        Tensor b = Tensor.scalar(1).requiresGrad();
        // step 2: η = 0.1 / (1 + 1·0.5)
        steps(Adagrad.builder(List.of(b)).lr(0.1).lrDecay(0.5).build(), b, new double[] {1, 1},
            new double[] {1 - 0.1 / (1 + 1e-10), 1 - 0.1 / (1 + 1e-10) - 0.1 / 1.5 / (Math.sqrt(2) + 1e-10)});

        Tensor c = Tensor.scalar(1).requiresGrad();
        // s1 = 3 + 1 = 4, p = 1 − 0.1 · 1 / 2 = 0.95
        steps(Adagrad.builder(List.of(c)).lr(0.1).initialAccumulatorValue(3).build(), c, new double[] {1},
            new double[] {1 - 0.1 / (2 + 1e-10)});
    }

    @Test
    void adagradWithWeightDecayMatchesAPlainJavaReference() {
        double[] grads = {0.4, -1, 2, 0};
        Tensor p = Tensor.scalar(-1).requiresGrad();
        Adagrad opt = Adagrad.builder(List.of(p)).lr(0.5).weightDecay(0.2).build();
        double x = -1, s = 0;
        for (int k = 0; k < grads.length; k++) {
            double g = grads[k] + 0.2 * x;
            s += g * g;
            x -= 0.5 * g / (Math.sqrt(s) + 1e-10);
            setGrad(p, grads[k]);
            opt.step();
            assertEquals(x, p.item(), TOL);
        }
    }

    @Test
    void buildRejectsBadHyperparameters() {
        List<Tensor> ps = List.of(param(1));
        assertMessage("RmsProp: alpha must be in [0, 1), got 1.5", () -> RmsProp.builder(ps).alpha(1.5).build());
        assertMessage("RmsProp: momentum must be in [0, 1), got -0.1", () -> RmsProp.builder(ps).momentum(-0.1).build());
        assertMessage("RmsProp: eps must be positive and finite, got -1.0", () -> RmsProp.builder(ps).eps(-1).build());
        assertMessage("Adagrad: lrDecay must be >= 0 and finite, got -1.0", () -> Adagrad.builder(ps).lrDecay(-1).build());
        assertMessage("Adagrad: initialAccumulatorValue must be >= 0 and finite, got NaN",
            () -> Adagrad.builder(ps).initialAccumulatorValue(Double.NaN).build());
    }
}

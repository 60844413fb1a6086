package dev.chainrule.optim;

import static dev.chainrule.optim.SgdTest.assertMessage;
import static dev.chainrule.optim.TestSupport.param;
import static dev.chainrule.optim.TestSupport.setGrad;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.chainrule.autograd.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

class AdamTest {

    private static final double TOL = 1e-12;

    @Test
    void firstStepIsBiasCorrectedToMoveEachCoordinateByAboutLr() {
        // Step 1: m = 0.1 g, v = 0.001 g²; corrected m̂ = g, v̂ = g², so Δp = −lr · g / (|g| + ε).
        // Without correction the move for g = 2 would be 0.1 · 0.2 / √0.004 ≈ 0.316, not 0.1.
        Tensor p = param(1, 1, 1);
        Adam opt = Adam.builder(List.of(p)).lr(0.1).build();
        setGrad(p, 2, -0.5, 1);
        opt.step();
        assertArrayEquals(new double[] {1 - 0.1 * 2 / (2 + 1e-8), 1 + 0.1 * 0.5 / (0.5 + 1e-8), 0.900000001},
            p.toArray(), TOL);
    }

    @Test
    void secondStepUsesBiasCorrectionForTEqualsTwo() {
        Tensor p = Tensor.scalar(1).requiresGrad();
        Adam opt = Adam.builder(List.of(p)).lr(0.1).build();
        setGrad(p, 1);
        opt.step();
        assertEquals(0.900000001, p.item(), TOL);
        setGrad(p, 3);
        opt.step();
        // m = 0.9·0.1 + 0.1·3 = 0.39, v = 0.999·0.001 + 0.001·9 = 0.009999;
        // m̂ = 0.39 / (1 − 0.81) = 2.0526..., v̂ = 0.009999 / (1 − 0.998001) = 5.0020...;
        // p = 0.900000001 − 0.1 · 2.0526 / (2.2365 + 1e-8) = 0.80822188951...
        assertEquals(0.8082218895123323, p.item(), TOL);
        double m = 0.39, v = 0.009999;
        double expected = 0.900000001 - 0.1 * (m / 0.19) / (Math.sqrt(v / 0.001999) + 1e-8);
        assertEquals(expected, p.item(), 1e-12);
    }

    @Test
    void severalStepsMatchAPlainJavaReference() {
        double lr = 0.01, b1 = 0.8, b2 = 0.95, eps = 1e-6, wd = 0.05;
        double[] grads = {0.3, -1.2, 2.5, 0.7, -0.4, 0.0, 1.1};
        Tensor p = Tensor.scalar(0.5).requiresGrad();
        Adam opt = Adam.builder(List.of(p)).lr(lr).betas(b1, b2).eps(eps).weightDecay(wd).build();
        double w = 0.5, m = 0, v = 0;
        for (int t = 1; t <= grads.length; t++) {
            double g = grads[t - 1] + wd * w;
            m = b1 * m + (1 - b1) * g;
            v = b2 * v + (1 - b2) * g * g;
            w -= lr * (m / (1 - Math.pow(b1, t))) / (Math.sqrt(v / (1 - Math.pow(b2, t))) + eps);
            setGrad(p, grads[t - 1]);
            opt.step();
            assertEquals(w, p.item(), TOL, "step " + t);
        }
    }

    @Test
    void adamWDecaysTheParameterDirectlyWhileAdamWithL2DecaysThroughTheGradient() {
        // Adam + L2: g' = 1 + 0.1·1 = 1.1, and the step-1 normalization cancels its size: p = 1 − 0.1 = 0.9.
        // AdamW: p = 1·(1 − 0.1·0.1) = 0.99, then the Adam step of the raw gradient: 0.99 − 0.1 = 0.89.
        Tensor a = Tensor.scalar(1).requiresGrad();
        Tensor w = Tensor.scalar(1).requiresGrad();
        Adam adam = Adam.builder(List.of(a)).lr(0.1).weightDecay(0.1).build();
        AdamW adamW = AdamW.builder(List.of(w)).lr(0.1).weightDecay(0.1).build();
        setGrad(a, 1);
        setGrad(w, 1);
        adam.step();
        adamW.step();
        assertEquals(1 - 0.1 * 1.1 / (1.1 + 1e-8), a.item(), TOL);
        assertEquals(0.99 - 0.1 / (1 + 1e-8), w.item(), TOL);
        assertNotEquals(a.item(), w.item(), 1e-3);
    }

    @Test
    void adamWWithoutDecayEqualsAdam() {
        Tensor a = param(0.3, -0.7);
        Tensor w = param(0.3, -0.7);
        Adam adam = Adam.builder(List.of(a)).lr(0.05).build();
        AdamW adamW = AdamW.builder(List.of(w)).lr(0.05).weightDecay(0).build();
        double[][] grads = {{1, -2}, {0.5, 0.25}, {-3, 1}};
        for (double[] g : grads) {
            setGrad(a, g);
            setGrad(w, g);
            adam.step();
            adamW.step();
        }
        assertArrayEquals(a.toArray(), w.toArray(), 0.0);
    }

    @Test
    void adamWSeveralStepsMatchAPlainJavaReference() {
        double lr = 0.02, wd = 0.3;
        double[] grads = {0.3, -1.2, 2.5, 0.7};
        Tensor p = Tensor.scalar(-0.8).requiresGrad();
        AdamW opt = AdamW.builder(List.of(p)).lr(lr).weightDecay(wd).build();
        double x = -0.8, m = 0, v = 0;
        for (int t = 1; t <= grads.length; t++) {
            double g = grads[t - 1];
            x *= 1 - lr * wd;
            m = 0.9 * m + 0.1 * g;
            v = 0.999 * v + 0.001 * g * g;
            x -= lr * (m / (1 - Math.pow(0.9, t))) / (Math.sqrt(v / (1 - Math.pow(0.999, t))) + 1e-8);
            setGrad(p, g);
            opt.step();
            assertEquals(x, p.item(), TOL, "step " + t);
        }
        assertEquals(0.01, AdamW.builder(List.of(p)).build().weightDecay(), "PyTorch's AdamW default");
    }

    @Test
    void stepCountsArePerParameterSoALateParameterGetsItsOwnFirstStep() {
        Tensor early = Tensor.scalar(1).requiresGrad();
        Tensor late = Tensor.scalar(1).requiresGrad();
        Adam opt = Adam.builder(List.of(early, late)).lr(0.1).build();
        setGrad(early, 1);
        opt.step(); // late has no gradient: skipped, untouched
        assertEquals(1.0, late.item(), 0.0);
        assertEquals(0, late.version());
        setGrad(early, 1);
        setGrad(late, 5);
        opt.step();
        // late's first step: bias correction with t = 1 gives a move of lr · 5 / (5 + ε)
        assertEquals(1 - 0.1 * 5 / (5 + 1e-8), late.item(), TOL);
    }

    @Test
    void buildRejectsBadHyperparameters() {
        List<Tensor> ps = List.of(param(1));
        assertMessage("Adam: beta1 must be in [0, 1), got 1.0", () -> Adam.builder(ps).betas(1, 0.999).build());
        assertMessage("Adam: beta2 must be in [0, 1), got -0.1", () -> Adam.builder(ps).betas(0.9, -0.1).build());
        assertMessage("Adam: eps must be positive and finite, got 0.0", () -> Adam.builder(ps).eps(0).build());
        assertMessage("Adam: lr must be positive and finite, got NaN", () -> Adam.builder(ps).lr(Double.NaN).build());
        assertMessage("AdamW: beta1 must be in [0, 1), got NaN", () -> AdamW.builder(ps).betas(Double.NaN, 0.9).build());
        assertMessage("AdamW: weightDecay must be >= 0 and finite, got -0.01", () -> AdamW.builder(ps).weightDecay(-0.01).build());
    }
}

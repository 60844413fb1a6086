package dev.chainrule.optim;

import static dev.chainrule.optim.SgdTest.assertMessage;
import static dev.chainrule.optim.TestSupport.param;
import static dev.chainrule.optim.TestSupport.setGrad;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chainrule.autograd.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class OptimizerContractTest {

    /** Every optimizer with a small learning rate, over the given parameters. */
    private static Map<String, Function<List<Tensor>, Optimizer>> all() {
        return Map.of(
            "Sgd", ps -> Sgd.builder(ps).lr(0.1).build(),
            "Adam", ps -> Adam.builder(ps).lr(0.1).build(),
            "AdamW", ps -> AdamW.builder(ps).lr(0.1).build(),
            "RmsProp", ps -> RmsProp.builder(ps).lr(0.1).build(),
            "Adagrad", ps -> Adagrad.builder(ps).lr(0.1).build());
    }

    @Test
    void stepWithoutAnyGradientFailsAndSaysWhatToDo() {
        all().forEach((name, make) -> {
            Tensor p = param(1, 2);
            Optimizer opt = make.apply(List.of(p));
            IllegalStateException e = assertThrows(IllegalStateException.class, opt::step, name);
            assertEquals(name + ".step: no parameter has a gradient; call loss.backward() before step()", e.getMessage());
            assertEquals(0, p.version(), name);
            assertEquals(0, opt.stepCount(), name);
        });
    }

    @Test
    void parametersWithoutGradientAreSkippedAndZeroGradClearsAll() {
        all().forEach((name, make) -> {
            Tensor used = param(1, 2);
            Tensor unused = param(3);
            Optimizer opt = make.apply(List.of(used, unused));
            setGrad(used, 1, 1);
            opt.step();
            assertTrue(used.get(0) < 1 && used.get(1) < 2, name + " should move the parameter with a gradient");
            assertEquals(3.0, unused.item(), 0.0, name);
            assertEquals(0, unused.version(), name);
            opt.zeroGrad();
            assertNull(used.grad(), name);
            assertThrows(IllegalStateException.class, opt::step, name + ": gradients were cleared");
        });
    }

    @Test
    void stepIsNotRecordedAndLeavesParametersLeaves() {
        all().forEach((name, make) -> {
            Tensor p = param(1, 2);
            Optimizer opt = make.apply(List.of(p));
            setGrad(p, 1, -1);
            opt.step();
            assertTrue(p.isLeaf() && p.isGradRequired(), name);
            // the parameter keeps working in a new graph
            opt.zeroGrad();
            p.square().sum().backward();
            assertEquals(2 * p.get(0), p.grad().get(0), 1e-15, name);
        });
    }

    @Test
    void learningRateIsSettableBetweenSteps() {
        Tensor p = Tensor.scalar(1).requiresGrad();
        Sgd opt = Sgd.builder(List.of(p)).lr(0.1).build();
        setGrad(p, 1);
        opt.step();
        opt.setLearningRate(0.5);
        assertEquals(0.5, opt.learningRate());
        setGrad(p, 1);
        opt.step();
        assertEquals(1 - 0.1 - 0.5, p.item(), 1e-15);
        opt.setLearningRate(0);
        setGrad(p, 1);
        opt.step();
        assertEquals(0.4, p.item(), 1e-15, "lr 0 leaves the parameter unchanged");
        assertMessage("Sgd.setLearningRate: lr must be >= 0 and finite, got -1.0", () -> opt.setLearningRate(-1));
        assertThrows(IllegalArgumentException.class, () -> opt.setLearningRate(Double.NaN));
    }

    @Test
    void parameterListIsValidated() {
        assertMessage("Sgd: empty parameter list; pass model.parameters() of a model that has parameters",
            () -> Sgd.builder(List.of()).build());
        assertMessage("Adam: empty parameter list; pass model.parameters() of a model that has parameters",
            () -> Adam.builder(List.of()).build());
        Tensor p = param(1);
        assertMessage("Sgd: parameter 1 appears more than once; it would be updated twice per step",
            () -> Sgd.builder(List.of(p, p)).build());
        List<Tensor> withNull = new ArrayList<>();
        withNull.add(null);
        NullPointerException npe = assertThrows(NullPointerException.class, () -> RmsProp.builder(withNull).build());
        assertEquals("RmsProp: parameter 0 is null", npe.getMessage());
        Tensor nonLeaf = p.mul(2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> Adagrad.builder(List.of(nonLeaf)).build());
        assertTrue(e.getMessage().startsWith("Adagrad: parameter 0 is the result of op 'mul', not a leaf"), e.getMessage());
    }

    @Test
    void builderTakesAModuleAndToStringShowsHyperparameters() {
        var model = new TestSupport.LinearModel(3);
        Sgd opt = Sgd.builder(model).lr(0.1).momentum(0.9).nesterov(true).weightDecay(1e-4).build();
        assertEquals(List.of(model.w, model.b), opt.parameters());
        assertEquals("Sgd(lr=0.1, momentum=0.9, dampening=0.0, nesterov=true, weightDecay=1.0E-4, parameters=2)",
            opt.toString());
    }

    /**
     * f(w) = ½ Σ a_i w_i² − Σ b_i w_i, minimized at w_i = b_i / a_i. Condition number 10.
     */
    @Test
    void everyOptimizerConvergesOnAQuadratic() {
        double[] a = {1, 10};
        double[] b = {2, -3};
        Map<String, Optimizer> runs = Map.of(
            "Sgd", Sgd.builder(List.of(param(0, 0))).lr(0.09).build(),
            "Sgd+Nesterov", Sgd.builder(List.of(param(0, 0))).lr(0.05).momentum(0.9).nesterov(true).build(),
            "Adam", Adam.builder(List.of(param(0, 0))).lr(0.05).build(),
            "AdamW(0)", AdamW.builder(List.of(param(0, 0))).lr(0.05).weightDecay(0).build(),
            "RmsProp", RmsProp.builder(List.of(param(0, 0))).lr(0.01).centered(true).momentum(0.5).build(),
            "Adagrad", Adagrad.builder(List.of(param(0, 0))).lr(0.5).build());
        Tensor at = Tensor.of(a);
        Tensor bt = Tensor.of(b);
        runs.forEach((name, opt) -> {
            Tensor w = opt.parameters().get(0);
            for (int k = 0; k < 1500; k++) {
                Tensor f = w.square().mul(at).sum().mul(0.5).sub(w.mul(bt).sum());
                f.backward();
                opt.step();
                opt.zeroGrad();
            }
            assertEquals(b[0] / a[0], w.get(0), 1e-3, name);
            assertEquals(b[1] / a[1], w.get(1), 1e-3, name);
        });
    }

    @Test
    void sgdWithHyperbolicDecayConvergesOnANoisyQuadratic() {
        // f(w) = ½ (w − 3)² with gradient noise: α_k = C/k averages the noise out.
        var rng = new java.util.SplittableRandom(7);
        Tensor w = Tensor.scalar(0).requiresGrad();
        Sgd opt = Sgd.builder(List.of(w)).lr(1).build();
        Scheduler scheduler = new Scheduler(opt, new HyperbolicDecay(1.0));
        for (int k = 1; k <= 5000; k++) {
            scheduler.advance();
            double noise = rng.nextDouble(-1, 1);
            w.sub(3 + noise).square().mul(0.5).backward();
            opt.step();
            opt.zeroGrad();
        }
        assertEquals(3.0, w.item(), 0.05);
        assertEquals(1.0 / 5000, opt.learningRate(), 1e-15);
    }
}

package dev.chainrule.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chainrule.autograd.Autograd;
import dev.chainrule.autograd.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Optimizer state on its own: a run that saves its optimizer's state mid-training, loads it into a
 * fresh optimizer over a copy of the parameters and continues ends bit for bit where the
 * uninterrupted run ends, for every optimizer and option; state that does not fit is rejected with
 * every mismatch listed, and the optimizer is left unchanged.
 */
@SuppressWarnings("try") // no-grad scopes are used only for their effect
class OptimizerStateTest {

    private static final int STEPS = 12;
    private static final int SAVE_AT = 5;

    /** Every optimizer, with the options that add state or change the update. */
    static Map<String, Function<List<Tensor>, Optimizer>> configs() {
        Map<String, Function<List<Tensor>, Optimizer>> m = new LinkedHashMap<>();
        m.put("Sgd", ps -> Sgd.builder(ps).lr(0.1).build());
        m.put("Sgd+wd", ps -> Sgd.builder(ps).lr(0.1).weightDecay(0.01).build());
        m.put("Sgd+momentum+dampening", ps -> Sgd.builder(ps).lr(0.05).momentum(0.9).dampening(0.2).build());
        m.put("Sgd+nesterov+wd", ps -> Sgd.builder(ps).lr(0.05).momentum(0.8).nesterov(true).weightDecay(0.03).build());
        m.put("Adam", ps -> Adam.builder(ps).lr(0.02).build());
        m.put("Adam+wd", ps -> Adam.builder(ps).lr(0.02).betas(0.8, 0.95).eps(1e-6).weightDecay(0.05).build());
        m.put("AdamW", ps -> AdamW.builder(ps).lr(0.02).weightDecay(0.1).build());
        m.put("RmsProp", ps -> RmsProp.builder(ps).lr(0.01).build());
        m.put("RmsProp+centered+momentum+wd", ps -> RmsProp.builder(ps).lr(0.01).alpha(0.9).centered(true).momentum(0.5)
            .weightDecay(0.02).build());
        m.put("Adagrad+lrDecay+init+wd", ps -> Adagrad.builder(ps).lr(0.1).lrDecay(0.05).initialAccumulatorValue(0.1)
            .weightDecay(0.01).build());
        return m;
    }

    static List<String> names() {
        return List.copyOf(configs().keySet());
    }

    /** w [3, 2], b [2] and a third parameter that gets a gradient only on even steps (so step counts differ). */
    static List<Tensor> parameters(long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        return List.of(Tensor.randn(rng, 3, 2).requiresGrad(), Tensor.randn(rng, 2).requiresGrad(),
            Tensor.randn(rng, 2).requiresGrad());
    }

    /** Step k (from 1): its own data, forward, backward, and a learning rate that changes every step. */
    static void step(Optimizer opt, List<Tensor> ps, int k) {
        SplittableRandom rng = new SplittableRandom(1000 + k);
        Tensor x = Tensor.randn(rng, 4, 3);
        Tensor loss = x.matmul(ps.get(0)).add(ps.get(1)).tanh().square().sum();
        if (k % 2 == 0) loss = loss.add(ps.get(2).mul(Tensor.randn(rng, 2)).sum());
        opt.setLearningRate(opt.learningRate() * 0.97);
        loss.backward();
        opt.step();
        opt.zeroGrad();
    }

    static double[][] values(List<Tensor> ps) {
        double[][] out = new double[ps.size()][];
        for (int i = 0; i < ps.size(); i++) out[i] = ps.get(i).toArray();
        return out;
    }

    static List<Tensor> copyOf(double[][] values, List<Tensor> like) {
        List<Tensor> out = new ArrayList<>();
        for (int i = 0; i < values.length; i++) out.add(Tensor.of(values[i], like.get(i).shape()).requiresGrad());
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("names")
    void savingMidTrainingAndLoadingIntoAFreshOptimizerContinuesBitForBit(String name) {
        Function<List<Tensor>, Optimizer> make = configs().get(name);
        List<Tensor> ref = parameters(7);
        Optimizer uninterrupted = make.apply(ref);
        for (int k = 1; k <= STEPS; k++) step(uninterrupted, ref, k);

        List<Tensor> first = parameters(7);
        Optimizer before = make.apply(first);
        for (int k = 1; k <= SAVE_AT; k++) step(before, first, k);
        OptimizerState saved = before.stateDict();
        double[][] savedValues = values(first);
        OptimizerState copy = new OptimizerState(saved.type(), saved.hyperparameters(), saved.learningRate(), saved.stepCount(),
            saved.parameterShapes(), saved.parameterSteps(), saved.tensors());   // a deep copy
        step(before, first, SAVE_AT + 1);                      // the run goes on: the snapshot must not change
        assertEquals(copy, saved, name + ": a state dict is a snapshot");

        List<Tensor> resumed = copyOf(savedValues, first);
        Optimizer after = make.apply(resumed);
        after.loadStateDict(saved);
        assertEquals(saved, after.stateDict(), name + ": the loaded state is the saved one");
        assertEquals(SAVE_AT, after.stepCount());
        for (int k = SAVE_AT + 1; k <= STEPS; k++) step(after, resumed, k);

        double[][] a = values(ref), b = values(resumed);
        for (int i = 0; i < a.length; i++) assertArrayEquals(a[i], b[i], 0.0, name + ": parameter " + i);
        assertEquals(uninterrupted.stateDict(), after.stateDict(), name + ": final optimizer state");
        assertEquals(uninterrupted.learningRate(), after.learningRate(), 0.0);
        assertArrayEquals(new int[] {STEPS, STEPS, STEPS / 2}, after.stateDict().parameterSteps(), name);
    }

    @Test
    void stateTensorsAreNamedAsInPyTorch() {
        List<Tensor> ps = parameters(1);
        Map<String, List<String>> expected = new LinkedHashMap<>();
        expected.put("Sgd", List.of());
        expected.put("Sgd+momentum+dampening", List.of("0.momentum_buffer", "1.momentum_buffer"));
        expected.put("Adam", List.of("0.exp_avg", "0.exp_avg_sq", "1.exp_avg", "1.exp_avg_sq"));
        expected.put("AdamW", List.of("0.exp_avg", "0.exp_avg_sq", "1.exp_avg", "1.exp_avg_sq"));
        expected.put("RmsProp", List.of("0.square_avg", "1.square_avg"));
        expected.put("RmsProp+centered+momentum+wd", List.of("0.square_avg", "0.grad_avg", "0.momentum_buffer",
            "1.square_avg", "1.grad_avg", "1.momentum_buffer"));
        expected.put("Adagrad+lrDecay+init+wd", List.of("0.sum", "1.sum"));
        expected.forEach((name, keys) -> {
            Optimizer opt = configs().get(name).apply(ps);
            assertEquals(List.of(), List.copyOf(opt.stateDict().tensors().keySet()), name + ": no state before the first step");
            step(opt, ps, 1);                                   // odd step: parameter 2 gets no gradient and no state
            OptimizerState s = opt.stateDict();
            assertEquals(keys, List.copyOf(s.tensors().keySet()), name);
            assertEquals(name.replaceAll("\\+.*", ""), s.type());
            assertArrayEquals(new int[] {1, 1, 0}, s.parameterSteps());
            for (String k : keys) assertArrayEquals(ps.get(k.charAt(0) - '0').shape(), s.tensors().get(k).shape());
        });
        assertEquals(Map.of("beta1", "0.9", "beta2", "0.999", "eps", "1.0E-8", "weight_decay", "0.0"),
            Adam.builder(ps).build().stateDict().hyperparameters());
        assertEquals(List.of("momentum", "dampening", "nesterov", "weight_decay"),
            List.copyOf(Sgd.builder(ps).build().stateDict().hyperparameters().keySet()));
    }

    @Test
    void theLearningRateIsRestored() {
        List<Tensor> ps = parameters(1);
        Adam a = Adam.builder(ps).lr(0.5).build();
        a.setLearningRate(0.125);
        Adam b = Adam.builder(parameters(2)).lr(0.5).build();
        b.loadStateDict(a.stateDict());
        assertEquals(0.125, b.learningRate(), 0.0);
    }

    /** Loads {@code bad} into {@code opt}, expects the rejection, and checks that nothing changed. */
    static String assertRejected(Optimizer opt, OptimizerState bad, String... fragments) {
        OptimizerState before = opt.stateDict();
        double lr = opt.learningRate();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> opt.loadStateDict(bad));
        for (String f : fragments) assertTrue(e.getMessage().contains(f), "'" + f + "' not in: " + e.getMessage());
        assertTrue(e.getMessage().endsWith("this optimizer was not changed"), e.getMessage());
        assertEquals(before, opt.stateDict(), "a failed load changed the optimizer");
        assertEquals(lr, opt.learningRate(), 0.0);
        return e.getMessage();
    }

    @Test
    void stateOfAnotherOptimizerTypeShapeOrHyperparametersIsRejectedAndNothingChanges() {
        List<Tensor> ps = parameters(1);
        Adam adam = Adam.builder(ps).lr(0.01).build();
        step(adam, ps, 1);
        step(adam, ps, 2);
        OptimizerState adamState = adam.stateDict();

        Sgd sgd = Sgd.builder(parameters(2)).lr(0.1).momentum(0.9).build();
        List<Tensor> sgdParams = sgd.parameters();
        step(sgd, sgdParams, 1);
        assertRejected(sgd, adamState, "Sgd.loadStateDict: the state does not fit this optimizer: it is the state of Adam, not of Sgd");

        Adam fewer = Adam.builder(parameters(3).subList(0, 2)).build();
        assertRejected(fewer, adamState, "it has 3 parameters, this optimizer 2");

        List<Tensor> other = List.of(Tensor.zeros(2, 3).requiresGrad(), Tensor.zeros(2).requiresGrad(), Tensor.zeros(2).requiresGrad());
        assertRejected(Adam.builder(other).build(), adamState, "parameter 0 has shape [3, 2] in the state but [2, 3] here");

        Adam betas = Adam.builder(parameters(4)).betas(0.8, 0.999).weightDecay(0.1).build();
        assertRejected(betas, adamState, "hyperparameters differ: beta1 0.9 (here 0.8), weight_decay 0.0 (here 0.1)");

        Sgd plain = Sgd.builder(parameters(5)).build();
        OptimizerState sgdState = sgd.stateDict();
        assertRejected(plain, sgdState, "momentum 0.9 (here 0.0)");
    }

    @Test
    void missingOrUnexpectedStateTensorsAreRejected() {
        List<Tensor> ps = parameters(1);
        Adam adam = Adam.builder(ps).build();
        step(adam, ps, 1);
        OptimizerState s = adam.stateDict();
        Map<String, Tensor> fewer = new LinkedHashMap<>(s.tensors());
        fewer.remove("1.exp_avg_sq");
        OptimizerState missing = new OptimizerState("Adam", s.hyperparameters(), s.learningRate(), s.stepCount(),
            s.parameterShapes(), s.parameterSteps(), fewer);
        Adam fresh = Adam.builder(parameters(2)).build();
        assertRejected(fresh, missing, "state tensors missing: 1.exp_avg_sq");

        Map<String, Tensor> more = new LinkedHashMap<>(s.tensors());
        more.put("2.exp_avg", Tensor.zeros(2));              // parameter 2 was never updated
        more.put("0.momentum_buffer", Tensor.zeros(3, 2));   // not an Adam state
        OptimizerState extra = new OptimizerState("Adam", s.hyperparameters(), s.learningRate(), s.stepCount(),
            s.parameterShapes(), s.parameterSteps(), more);
        assertRejected(fresh, extra, "unexpected state tensors: 2.exp_avg, 0.momentum_buffer");
    }

    @Test
    void theConstructorValidatesAndCopies() {
        List<int[]> shapes = List.of(new int[] {2}, new int[] {1});
        Map<String, String> hp = Map.of("x", "1");
        Map<String, Tensor> none = Map.of();
        assertThrows(NullPointerException.class, () -> new OptimizerState(null, hp, 0.1, 1, shapes, new int[] {1, 1}, none));
        assertThrows(NullPointerException.class, () -> new OptimizerState("A", hp, 0.1, 1, shapes, new int[] {1, 1}, null));
        Map<String, Tensor> nullValue = new LinkedHashMap<>();
        nullValue.put("0.m", null);
        NullPointerException n = assertThrows(NullPointerException.class,
            () -> new OptimizerState("A", hp, 0.1, 1, shapes, new int[] {1, 1}, nullValue));
        assertEquals("OptimizerState: state tensor '0.m' is null", n.getMessage());
        assertMessage("OptimizerState: learning rate NaN must be >= 0 and finite",
            () -> new OptimizerState("A", hp, Double.NaN, 1, shapes, new int[] {1, 1}, none));
        assertMessage("OptimizerState: step count -1 is negative", () -> new OptimizerState("A", hp, 0.1, -1, shapes, new int[] {0, 0}, none));
        assertMessage("OptimizerState: parameter 1 has 2 updates, outside [0, 1] (the step count)",
            () -> new OptimizerState("A", hp, 0.1, 1, shapes, new int[] {1, 2}, none));
        assertMessage("OptimizerState: 1 step counts for 2 parameter shapes; pass one of each per parameter",
            () -> new OptimizerState("A", hp, 0.1, 1, shapes, new int[] {1}, none));
        assertMessage("OptimizerState: parameter 0 has shape [0]; every dimension must be at least 1",
            () -> new OptimizerState("A", hp, 0.1, 1, List.of(new int[] {0}), new int[] {1}, none));
        for (String bad : new String[] {"m", "x.m", "01.m", "2.m", "-1.m", "0.", "1234567890.m"}) {
            assertMessage("OptimizerState: state tensor '" + bad + "' is not named <parameter index>.<name> with an index in [0, 2)",
                () -> new OptimizerState("A", hp, 0.1, 1, shapes, new int[] {1, 1}, Map.of(bad, Tensor.zeros(2))));
        }
        assertMessage("OptimizerState: state tensor '1.m' has shape [2] but parameter 1 has [1]",
            () -> new OptimizerState("A", hp, 0.1, 1, shapes, new int[] {1, 1}, Map.of("1.m", Tensor.zeros(2))));

        Tensor t = Tensor.of(1.0, 2.0);
        int[] steps = {1, 0};
        OptimizerState s = new OptimizerState("A", hp, 0.1, 1, shapes, steps, Map.of("0.m", t));
        try (var g = Autograd.noGrad()) {
            t.mulInPlace(10);
        }
        steps[0] = 0;
        assertArrayEquals(new double[] {1, 2}, s.tensors().get("0.m").toArray(), 0.0, "the tensors are copies");
        assertArrayEquals(new int[] {1, 0}, s.parameterSteps(), "the arrays are copies");
        s.parameterSteps()[0] = 5;
        assertArrayEquals(new int[] {1, 0}, s.parameterSteps());
        assertThrows(UnsupportedOperationException.class, () -> s.tensors().put("1.m", Tensor.zeros(1)));
        assertNotEquals(s, new OptimizerState("A", hp, 0.1, 1, shapes, new int[] {1, 0}, Map.of("0.m", Tensor.of(1.0, 3.0))));
        assertEquals(s, new OptimizerState("A", hp, 0.1, 1, shapes, new int[] {1, 0}, Map.of("0.m", Tensor.of(1.0, 2.0))));
    }

    static void assertMessage(String expected, org.junit.jupiter.api.function.Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertEquals(expected, e.getMessage());
    }
}

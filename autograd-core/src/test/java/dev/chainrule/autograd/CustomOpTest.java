package dev.chainrule.autograd;

import static dev.chainrule.autograd.TestGens.assertValues;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** {@link CustomOp}: its Javadoc example, recording, saved tensors, second order, validation and anomaly mode. */
@SuppressWarnings("try")
class CustomOpTest {

    /** Exactly the example in CustomOp's Javadoc. */
    @Test
    void javadocExample() {
        CustomOp hypot = CustomOp.define("hypot",
            x -> x[0].square().add(x[1].square()).sqrt(),                     // forward: not recorded
            (saved, g) -> List.of(g.mul(saved.input(0)).div(saved.output()),   // one gradient per input
                                  g.mul(saved.input(1)).div(saved.output())));
        Tensor a = Tensor.of(3.0, 1.0).requiresGrad(), b = Tensor.of(4.0, -2.0).requiresGrad();
        Tensor h = hypot.apply(a, b);                                          // [5, √5], one node "hypot"
        GradCheck.check(x -> hypot.apply(x), a, b).assertPassed();
        GradCheck.checkSecondOrder(x -> hypot.apply(x), a, b).assertPassed();

        assertValues(new double[] {5, Math.sqrt(5)}, h, 1e-15);
        assertEquals("hypot", h.op());
        h.sum().backward();
        assertValues(new double[] {3 / 5.0, 1 / Math.sqrt(5)}, a.grad(), 1e-15);
        assertValues(new double[] {4 / 5.0, -2 / Math.sqrt(5)}, b.grad(), 1e-15);
    }

    private static final CustomOp CUBE = CustomOp.define("cube", x -> x[0].mul(x[0]).mul(x[0]),
        (s, g) -> List.of(g.mul(s.input(0).square()).mul(3)));

    @Test
    void theForwardIsNotRecordedAndTheResultIsOneNode() {
        AtomicBoolean gradModeInside = new AtomicBoolean(true);
        CustomOp op = CustomOp.define("twice", x -> {
            gradModeInside.set(Autograd.isGradEnabled());
            return x[0].exp().log().mul(2);                 // three ops inside, none of them in the graph
        }, (s, g) -> List.of(g.mul(2)));
        Tensor x = Tensor.of(1.0, 2.0).requiresGrad();
        Tensor y = op.apply(x);
        assertFalse(gradModeInside.get());
        assertTrue(Autograd.isGradEnabled(), "grad mode is restored");
        assertEquals("twice", y.op());
        String dot = Dot.of(y.sum());
        assertTrue(dot.contains("label=\"twice\\n[2]\""), dot);
        assertFalse(dot.contains("exp") || dot.contains("log"), dot);
        assertEquals("twice", op.name());
        assertEquals("CustomOp[twice]", op.toString());
    }

    @Test
    void withoutInputsThatRequireGradNothingIsRecorded() {
        Tensor y = CUBE.apply(Tensor.of(2.0));
        assertTrue(y.isLeaf());
        assertFalse(y.isGradRequired());
        assertEquals(8.0, y.get(0));
        try (var s = Autograd.noGrad()) {
            assertTrue(CUBE.apply(Tensor.of(2.0).requiresGrad()).isLeaf());
        }
    }

    @Test
    void secondDerivativesThroughTheRule() {
        Tensor x = Tensor.of(1.5, -0.5).requiresGrad();
        Tensor g = Autograd.grad(CUBE.apply(x).sum(), List.of(x), true).get(0);     // 3x²
        assertValues(new double[] {3 * 2.25, 3 * 0.25}, g, 1e-14);
        Tensor h = Autograd.grad(g.sum(), List.of(x), false).get(0);                // 6x
        assertValues(new double[] {9, -3}, h, 1e-14);
        GradCheck.checkSecondOrder(in -> CUBE.apply(in[0]).mul(in[0]), Tensor.of(0.7, -1.2, 2.0)).assertPassed();
    }

    @Test
    void theRuleMayReturnNullForAnInputThatNeedsNoGradientAndIsCalledOnlyInBackward() {
        AtomicInteger calls = new AtomicInteger();
        CustomOp scale = CustomOp.define("scaleBy", x -> x[0].mul(x[1]), (s, g) -> {
            calls.incrementAndGet();
            return Arrays.asList(g.mul(s.input(1)), null);      // treat the factor as a constant
        });
        Tensor x = Tensor.of(1.0, 2.0).requiresGrad(), c = Tensor.of(3.0, 4.0).requiresGrad();
        Tensor y = scale.apply(x, c);
        assertEquals(0, calls.get());
        y.sum().backward();
        assertEquals(1, calls.get());
        assertValues(new double[] {3, 4}, x.grad(), 0);
        assertNull(c.grad());
    }

    @Test
    void theResultIsAFreshTensorEvenWhenTheForwardReturnsAnInputOrAConstant() {
        Tensor constant = Tensor.of(5.0, 6.0);
        CustomOp identity = CustomOp.define("identity", x -> x[0], (s, g) -> List.of(g));
        CustomOp fixed = CustomOp.define("fixed", x -> constant, (s, g) -> List.of(g.mul(0)));
        Tensor x = Tensor.of(1.0, 2.0).requiresGrad();
        Tensor y = identity.apply(x);
        assertTrue(y != x && x.isLeaf() && !y.isLeaf());
        Tensor z = fixed.apply(x);
        assertTrue(constant.isLeaf() && !constant.isGradRequired(), "the captured constant stays a constant");
        assertArrayEquals(new double[] {5, 6}, z.toArray());
    }

    @Test
    void inPlaceChangesOfSavedInputsAreCaught() {
        Tensor x = Tensor.of(1.0, 2.0).requiresGrad();
        Tensor y = CUBE.apply(x).sum();
        try (var s = Autograd.noGrad()) {
            x.mulInPlace(2);
        }
        IllegalStateException e = assertThrows(IllegalStateException.class, y::backward);
        assertTrue(e.getMessage().contains("'cube'") && e.getMessage().contains("modified in place"), e.getMessage());
    }

    @Test
    void aRuleReturningTheWrongNumberOfGradientsIsNamed() {
        CustomOp bad = CustomOp.define("badCount", x -> x[0].add(x[1]), (s, g) -> List.of(g));
        Tensor y = bad.apply(Tensor.of(1.0).requiresGrad(), Tensor.of(2.0).requiresGrad()).sum();
        IllegalStateException e = assertThrows(IllegalStateException.class, y::backward);
        assertEquals("custom op 'badCount': backward returned 1 gradient for 2 inputs; return one gradient per input, in order "
            + "(null for an input that needs none)", e.getMessage());
        CustomOp none = CustomOp.define("nullList", x -> x[0], (s, g) -> null);
        Tensor z = none.apply(Tensor.of(1.0).requiresGrad()).sum();
        e = assertThrows(IllegalStateException.class, z::backward);
        assertTrue(e.getMessage().startsWith("custom op 'nullList': backward returned null for 1 input;"), e.getMessage());
    }

    @Test
    void aRuleReturningAGradientOfTheWrongShapeIsNamed() {
        CustomOp bad = CustomOp.define("badShape", x -> x[0].add(x[1]), (s, g) -> List.of(g, g));   // x[1] was broadcast
        Tensor y = bad.apply(Tensor.ones(2, 3).requiresGrad(), Tensor.ones(3).requiresGrad()).sum();
        IllegalStateException e = assertThrows(IllegalStateException.class, y::backward);
        assertEquals("custom op 'badShape': backward returned a gradient of shape [2, 3] for input 1 of shape [3]; each gradient "
            + "must have its input's shape (sum a broadcast gradient back with sumTo)", e.getMessage());
    }

    @Test
    void badDefinitionsAndArguments() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> CustomOp.define(" ", x -> x[0], (s, g) -> List.of(g)));
        assertTrue(e.getMessage().contains("blank"), e.getMessage());
        assertEquals("CustomOp.define: forward is null",
            assertThrows(NullPointerException.class, () -> CustomOp.define("f", null, (s, g) -> List.of(g))).getMessage());
        assertEquals("custom op 'cube': input 0 is null",
            assertThrows(IllegalArgumentException.class, () -> CUBE.apply((Tensor) null)).getMessage());
        CustomOp nothing = CustomOp.define("nothing", x -> null, (s, g) -> List.of(g));
        assertTrue(assertThrows(IllegalStateException.class, () -> nothing.apply(Tensor.of(1.0))).getMessage()
            .startsWith("custom op 'nothing': forward returned null"));
    }

    @Test
    void anomalyModeNamesTheOpInForwardAndBackward() {
        CustomOp logOp = CustomOp.define("myLog", x -> x[0].log(), (s, g) -> List.of(g.div(s.input(0))));
        try (var s = Autograd.detectAnomaly(true)) {
            ArithmeticException fwd = assertThrows(ArithmeticException.class, () -> logOp.apply(Tensor.of(-1.0).requiresGrad()));
            assertTrue(fwd.getMessage().contains("'myLog' produced NaN in forward"), fwd.getMessage());
            assertTrue(fwd.getMessage().contains("CustomOpTest"), "the creation site is the caller's line: " + fwd.getMessage());
            Tensor y = logOp.apply(Tensor.of(0.0 + Double.MIN_VALUE).requiresGrad());
            ArithmeticException bwd = assertThrows(ArithmeticException.class, () -> y.mul(1e300).sum().backward());
            assertTrue(bwd.getMessage().contains("backward of 'myLog' produced Inf"), bwd.getMessage());
        }
    }
}

package dev.chainrule.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The checker itself: it passes correct gradients, fails wrong ones, and reports where. */
class GradCheckTest {

    @Test
    void passesOnCorrectGradients() {
        Tensor a = Tensor.of(0.5, -1.25, 2), b = Tensor.of(1.5, 0.25, -0.75);
        GradCheck.Result r = GradCheck.check(x -> x[0].tanh().mul(x[1]).sum(), a, b);
        assertTrue(r.passed(), r.toString());
        assertEquals(6, r.entries(), "1 output × 6 input elements");
        assertTrue(r.maxAbsError() < 1e-8, r.toString());
        assertSame(r, r.assertPassed());
        assertTrue(r.toString().contains("passed"), r.toString());

        GradCheck.Result v = GradCheck.check(x -> x[0].exp().mul(x[1]), a, b);   // vector output: full Jacobian
        assertTrue(v.passed(), v.toString());
        assertEquals(3 * 6, v.entries());
    }

    @Test
    void failsOnADetachedFactorAndReportsTheWorstEntry() {
        // f(x) = x.detach() · x: true derivative 2x, the graph only sees the attached factor (x)
        Tensor x = Tensor.of(1.5, -2, 3);
        GradCheck.Result r = GradCheck.check(t -> t[0].detach().mul(t[0]), x);
        assertFalse(r.passed(), r.toString());
        assertEquals(0, r.input());
        assertEquals(2, r.element(), "the largest |x| has the largest error |x − 2x|");
        assertEquals(2, r.outputElement());
        assertEquals(3.0, r.analytic(), 1e-12);
        assertEquals(6.0, r.numeric(), 1e-6);
        assertEquals(3.0, r.maxAbsError(), 1e-6);
        assertEquals(9, r.entries());
        AssertionError e = assertThrows(AssertionError.class, r::assertPassed);
        assertTrue(e.getMessage().contains("FAILED"), e.getMessage());
        assertTrue(e.getMessage().contains("element 2"), e.getMessage());
        assertArrayEquals(new double[] {1.5, -2, 3}, x.toArray(), "inputs are never changed");
    }

    @Test
    void locatesTheWrongInput() {
        // f(a, b) = a·detach(b) + b: df/db should be a + 1, the graph gives 1
        Tensor a = Tensor.of(0.5, 4), b = Tensor.of(2, 1);
        GradCheck.Result r = GradCheck.check(t -> t[0].mul(t[1].detach()).add(t[1]).sum(), a, b);
        assertFalse(r.passed(), r.toString());
        assertEquals(1, r.input());
        assertEquals(1, r.element());
        assertEquals(0, r.outputElement());
        assertEquals(1.0, r.analytic(), 1e-12);
        assertEquals(5.0, r.numeric(), 1e-6);
    }

    @Test
    void failsWhenTheOutputIsCutFromTheGraph() {
        GradCheck.Result r = GradCheck.check(t -> t[0].detach().square(), Tensor.of(1, 2));
        assertFalse(r.passed());
        assertEquals(0.0, r.analytic());
        assertEquals(4.0, r.numeric(), 1e-6);
    }

    @Test
    void aConstantFunctionPasses() {
        GradCheck.Result r = GradCheck.check(t -> Tensor.of(1, 2, 3), Tensor.of(5, 6));
        assertTrue(r.passed(), r.toString());
        assertEquals(0.0, r.maxAbsError());
    }

    @Test
    void tolerancesAreHonoured() {
        // x·detach(x)·(1 + 1e-4): analytic off by ~1e-4 relative to numeric 2x... use a tiny wrong term instead
        Tensor x = Tensor.of(1.0);
        java.util.function.Function<Tensor[], Tensor> slightlyWrong = t -> t[0].add(t[0].detach().mul(1e-4));
        // numeric 1.0001 vs analytic 1: |error| 1e-4 > 1e-5 + 1e-3·1.0001? no: 1e-4 < 1.01e-3, so it passes by default
        assertTrue(GradCheck.check(slightlyWrong, x).passed());
        assertFalse(GradCheck.check(slightlyWrong, 1e-6, 1e-7, 1e-6, x).passed());
    }

    @Test
    void secondOrderPassesOnSmoothFunctions() {
        Tensor a = Tensor.of(0.3, -0.7), b = Tensor.of(1.1, 0.4);
        GradCheck.Result r = GradCheck.checkSecondOrder(x -> x[0].tanh().mul(x[1].exp()).sum(), a, b);
        assertTrue(r.passed(), r.toString());
    }

    @Test
    void secondOrderFailsWhenTheGradientIsCutFromTheGraph() {
        // f(x) = x · detach(x): its (wrong) gradient detach(x) is a constant, so h = ⟨∇f, w⟩ has no graph
        GradCheck.Result r = GradCheck.checkSecondOrder(t -> t[0].mul(t[0].detach()), Tensor.of(0.5, 2));
        assertFalse(r.passed(), r.toString());
        assertEquals(0.0, r.analytic());
        assertTrue(Math.abs(r.numeric()) > 1e-3, r.toString());
    }
}

package dev.chainrule.optim;

import static dev.chainrule.optim.SgdTest.assertMessage;
import static dev.chainrule.optim.TestSupport.param;
import static dev.chainrule.optim.TestSupport.setGrad;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chainrule.autograd.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

class GradientClippingTest {

    private static double globalNorm(List<Tensor> ps) {
        double s = 0;
        for (Tensor p : ps) if (p.grad() != null) for (double v : p.grad().toArray()) s += v * v;
        return Math.sqrt(s);
    }

    @Test
    void clipNormReturnsThePreClipNormAndScalesAllGradientsToMaxNorm() {
        Tensor a = param(0, 0);
        Tensor b = param(0);
        Tensor none = param(5);
        setGrad(a, 3, 4);
        setGrad(b, 12);
        List<Tensor> ps = List.of(a, b, none);
        double norm = GradientClipping.clipNorm(ps, 6.5);
        assertEquals(13.0, norm, 1e-12, "√(9 + 16 + 144)");
        assertEquals(6.5, globalNorm(ps), 1e-6);
        double c = 6.5 / (13 + 1e-6);
        assertArrayEquals(new double[] {3 * c, 4 * c}, a.grad().toArray(), 1e-15);
        assertArrayEquals(new double[] {12 * c}, b.grad().toArray(), 1e-15);
        assertNull(none.grad());
        assertEquals(5.0, none.item(), 0.0, "parameters are not touched");
        assertEquals(0, a.version());
    }

    @Test
    void clipNormLeavesSmallGradientsAlone() {
        Tensor a = param(0, 0);
        setGrad(a, 0.3, -0.4);
        assertEquals(0.5, GradientClipping.clipNorm(List.of(a), 1.0), 1e-15);
        assertArrayEquals(new double[] {0.3, -0.4}, a.grad().toArray(), 0.0);
    }

    @Test
    void clipNormLeavesNonFiniteGradientsUnchangedAndReportsThem() {
        Tensor a = param(0, 0);
        setGrad(a, 1, 1);
        a.zeroGrad();
        a.mul(Tensor.of(1, 1)).sum().backward();
        // build an infinite gradient via a huge seed
        Tensor b = param(0);
        b.mul(Double.MAX_VALUE).mul(10.0).sum().backward();
        double norm = GradientClipping.clipNorm(List.of(a, b), 1.0);
        assertTrue(Double.isInfinite(norm), "norm " + norm);
        assertArrayEquals(new double[] {1, 1}, a.grad().toArray(), 0.0);
    }

    @Test
    void clipValueClampsEachElement() {
        Tensor a = param(0, 0, 0, 0);
        setGrad(a, -3, -0.5, 0.2, 7);
        GradientClipping.clipValue(List.of(a, param(1)), 1.0);
        assertArrayEquals(new double[] {-1, -0.5, 0.2, 1}, a.grad().toArray(), 0.0);
        for (double v : a.grad().toArray()) assertTrue(Math.abs(v) <= 1.0);
    }

    @Test
    void badArgumentsAreRejected() {
        List<Tensor> ps = List.of(param(1));
        assertMessage("GradientClipping.clipNorm: maxNorm must be positive and finite, got 0.0",
            () -> GradientClipping.clipNorm(ps, 0));
        assertMessage("GradientClipping.clipValue: clipValue must be positive and finite, got NaN",
            () -> GradientClipping.clipValue(ps, Double.NaN));
    }
}

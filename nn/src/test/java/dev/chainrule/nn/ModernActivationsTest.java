package dev.chainrule.nn;

import static dev.chainrule.nn.TestData.assertValues;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.chainrule.autograd.GradCheck;
import dev.chainrule.autograd.Tensor;
import java.util.SplittableRandom;
import java.util.function.DoubleUnaryOperator;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** GELU, SiLU, LeakyReLU, ELU and Hardtanh: formulas, gradients (first and second order), configuration. */
class ModernActivationsTest {

    /** Φ(z) by its own series-free route: Φ(z) = 1/2 erfc(−z/√2) via the complementary integral, here from erf's Taylor series. */
    private static double phi(double z) {
        double x = z / Math.sqrt(2), term = x, sum = x;
        for (int n = 1; n < 200; n++) {
            term *= -x * x / n;
            sum += term / (2 * n + 1);
        }
        return 0.5 * (1 + sum * 2 / Math.sqrt(Math.PI));
    }

    private static void check(Supplier<Module> make, DoubleUnaryOperator f, double lo, double hi) {
        TestData.props(30).forAll(integers().between(1, 4), integers().between(1, 5), longs().all()).checkAssert((n, c, seed) -> {
            Tensor x = TestData.uniform(new SplittableRandom(seed), lo, hi, n, c);
            Module m = make.get();
            Tensor y = m.forward(x);
            TestData.assertShape(y, n, c);
            double[] xs = x.toArray(), expected = new double[xs.length];
            for (int i = 0; i < xs.length; i++) expected[i] = f.applyAsDouble(xs[i]);
            assertValues(expected, y, 1e-12);
            assertEquals(0, m.parameterCount());
        });
    }

    @Test
    void activationsMatchTheirFormulas() {
        check(GELU::new, z -> z * phi(z), -3, 3);
        check(SiLU::new, z -> z / (1 + Math.exp(-z)), -5, 5);
        check(LeakyReLU::new, z -> z > 0 ? z : 0.01 * z, -5, 5);
        check(() -> new LeakyReLU(0.3), z -> z > 0 ? z : 0.3 * z, -5, 5);
        check(ELU::new, z -> z > 0 ? z : Math.exp(z) - 1, -5, 5);
        check(() -> new ELU(2.5), z -> z > 0 ? z : 2.5 * (Math.exp(z) - 1), -5, 5);
        check(Hardtanh::new, z -> Math.max(-1, Math.min(1, z)), -3, 3);
        check(() -> new Hardtanh(0, 6), z -> Math.max(0, Math.min(6, z)), -3, 8);     // ReLU6
    }

    @Test
    void gradientsMatchFiniteDifferencesToSecondOrder() {
        // values kept off the kinks at 0 and ±1
        Tensor x = Tensor.of(new double[] {-2.3, -0.6, -0.2, 0.3, 0.7, 1.9}, 2, 3);
        for (Module m : new Module[] {new GELU(), new SiLU(), new LeakyReLU(0.2), new ELU(), new ELU(0.5), new Hardtanh()}) {
            GradCheck.check(t -> m.forward(t[0]).mul(Tensor.of(1, -2, 3)).sum(), x).assertPassed();
            GradCheck.checkSecondOrder(t -> m.forward(t[0]).mul(t[0]), x).assertPassed();
        }
    }

    @Test
    void gradientsAtTheKinksFollowPyTorch() {
        Tensor x = Tensor.of(-2, 0, 0.5, 1, 3).requiresGrad();
        new LeakyReLU(0.1).forward(x).sum().backward();
        assertValues(new double[] {0.1, 0.1, 1, 1, 1}, x.grad(), 0);             // slope at 0
        x.zeroGrad();
        new ELU(0.5).forward(x).sum().backward();
        assertValues(new double[] {0.5 * Math.exp(-2), 0.5, 1, 1, 1}, x.grad(), 1e-15);   // α at 0
        x.zeroGrad();
        new Hardtanh().forward(x).sum().backward();
        assertValues(new double[] {0, 1, 1, 0, 0}, x.grad(), 0);                 // 0 at the bounds
        x.zeroGrad();
        new GELU().forward(x).sum().backward();
        assertEquals(0.5, x.grad().get(1), 1e-15);                              // gelu'(0) = Φ(0)
    }

    @Test
    void nanPropagates() {
        Tensor x = Tensor.of(Double.NaN, 1);
        for (Module m : new Module[] {new GELU(), new SiLU(), new LeakyReLU(), new ELU(), new Hardtanh(), new ReLU()}) {
            assertTrue(Double.isNaN(m.forward(x).get(0)), m.getClass().getSimpleName());
        }
    }

    @Test
    void configurationAndErrors() {
        assertEquals(0.01, new LeakyReLU().slope());
        assertEquals(1.0, new ELU().alpha());
        assertEquals("LeakyReLU(slope=0.2)\nTotal parameters: 0", new LeakyReLU(0.2).toString());
        assertEquals("ELU(alpha=1.0)\nTotal parameters: 0", new ELU().toString());
        assertEquals("Hardtanh(lo=-1.0, hi=1.0)\nTotal parameters: 0", new Hardtanh().toString());
        assertEquals("GELU()\nTotal parameters: 0", new GELU().toString());
        assertThrows(IllegalArgumentException.class, () -> new LeakyReLU(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> new ELU(Double.POSITIVE_INFINITY));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Hardtanh(1, 0));
        assertTrue(e.getMessage().contains("Hardtanh") && e.getMessage().contains("above"), e.getMessage());
        Module mlp = Mlp.builder().sizes(2, 4, 1).seed(1).hiddenActivation(GELU::new).build();
        assertTrue(mlp.toString().contains("GELU"), mlp.toString());
    }
}

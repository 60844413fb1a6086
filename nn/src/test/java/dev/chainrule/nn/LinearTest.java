package dev.chainrule.nn;

import static dev.chainrule.nn.TestData.assertShape;
import static dev.chainrule.nn.TestData.assertValues;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.chainrule.autograd.GradCheck;
import dev.chainrule.autograd.Tensor;
import dev.chainrule.nn.init.Constant;
import dev.chainrule.nn.init.Zeros;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LinearTest {

    /** y[n][o] = Σ_i x[n][i] W[o][i] + b[o], in plain doubles. */
    private static double[] byHand(double[] x, double[] w, double[] b, int n, int in, int out) {
        double[] y = new double[n * out];
        for (int r = 0; r < n; r++) {
            for (int o = 0; o < out; o++) {
                double s = b == null ? 0 : b[o];
                for (int i = 0; i < in; i++) s += x[r * in + i] * w[o * in + i];
                y[r * out + o] = s;
            }
        }
        return y;
    }

    @Test
    void forwardMatchesHandComputationOnRandomShapes() {
        TestData.props(60).forAll(integers().between(1, 6), integers().between(1, 6), integers().between(1, 5), longs().all())
            .checkAssert((in, out, n, seed) -> {
                var rng = new SplittableRandom(seed);
                Linear layer = new Linear(in, out, rng);
                Tensor x = TestData.uniform(rng, -2, 2, n, in);
                Tensor y = layer.forward(x);
                assertShape(y, n, out);
                assertValues(byHand(x.toArray(), layer.weight().toArray(), layer.bias().toArray(), n, in, out), y, 1e-12);
                assertEquals((long) out * in + out, layer.parameterCount());
            });
    }

    @Test
    void gradientsAreTheChainRuleOfTheAffineMap() {
        var rng = new SplittableRandom(3);
        Linear layer = new Linear(3, 2, rng);
        Tensor x = TestData.uniform(rng, -1, 1, 4, 3);
        layer.forward(x).sum().backward();
        // d(sum y)/dW[o][i] = Σ_n x[n][i]; d/db[o] = N
        double[] xs = x.toArray();
        double[] dw = new double[6];
        for (int o = 0; o < 2; o++) for (int i = 0; i < 3; i++) for (int r = 0; r < 4; r++) dw[o * 3 + i] += xs[r * 3 + i];
        assertValues(dw, layer.weight().grad(), 1e-12);
        assertValues(new double[] {4, 4}, layer.bias().grad(), 1e-12);
        // and the input gradient through the layer agrees with finite differences
        Tensor w = layer.weight().detach(), b = layer.bias().detach();
        GradCheck.check(t -> t[0].linear(t[1], t[2]).square().sum(), x, w, b).assertPassed();
    }

    @Test
    void withoutBiasAndWithCustomInitializers() {
        var rng = new SplittableRandom(1);
        Linear noBias = new Linear(3, 2, false, rng);
        assertNull(noBias.bias());
        assertEquals(List.of("weight"), List.copyOf(noBias.namedParameters().keySet()));
        Tensor x = Tensor.of(new double[][] {{1, 2, 3}});
        assertValues(byHand(x.toArray(), noBias.weight().toArray(), null, 1, 3, 2), noBias.forward(x), 1e-12);

        Linear custom = new Linear(3, 2, new Constant(0.5), new Constant(0.1), rng);
        assertValues(new double[] {3.1, 3.1}, custom.forward(x), 1e-12);
        Linear zeroBias = new Linear(3, 2, new Constant(1), new Zeros(), rng);
        assertValues(new double[] {6, 6}, zeroBias.forward(x), 1e-12);
    }

    @Test
    void defaultInitIsPyTorchsBound() {
        Linear layer = new Linear(16, 200, new SplittableRandom(9));
        double bound = 1 / Math.sqrt(16);
        double maxW = 0, maxB = 0;
        for (double v : layer.weight().toArray()) maxW = Math.max(maxW, Math.abs(v));
        for (double v : layer.bias().toArray()) maxB = Math.max(maxB, Math.abs(v));
        assertTrue(maxW <= bound && maxW > 0.95 * bound, "weight max |w| " + maxW);
        assertTrue(maxB <= bound && maxB > 0.8 * bound, "bias max |b| " + maxB);
    }

    @Test
    void sameSeedSameLayer() {
        assertArrayEquals(new Linear(4, 3, new SplittableRandom(5)).weight().toArray(),
            new Linear(4, 3, new SplittableRandom(5)).weight().toArray());
    }

    @Test
    void parametersAreNamedAndRequireGrad() {
        Linear layer = new Linear(2, 3, new SplittableRandom(0));
        assertEquals(List.of("weight", "bias"), List.copyOf(layer.namedParameters().keySet()));
        assertSame(layer.weight(), layer.parameters().get(0));
        assertTrue(layer.weight().isGradRequired() && layer.bias().isGradRequired());
        assertShape(layer.weight(), 3, 2);
        assertShape(layer.bias(), 3);
        assertEquals("Linear(in=2, out=3; weight[3, 2], bias[3])  # 9 params\nTotal parameters: 9", layer.toString());
    }

    @Test
    void higherRankInputsKeepLeadingDimensions() {
        Linear layer = new Linear(3, 2, new SplittableRandom(0));
        assertShape(layer.forward(Tensor.zeros(2, 5, 3)), 2, 5, 2);
        assertShape(layer.forward(Tensor.zeros(3)), 2);
    }

    @Test
    void badArgumentsAndShapes() {
        var rng = new SplittableRandom(0);
        assertThrows(IllegalArgumentException.class, () -> new Linear(0, 2, rng));
        assertThrows(NullPointerException.class, () -> new Linear(2, 2, null));
        assertThrows(IllegalArgumentException.class, () -> new Linear(2, 2, (s, fi, fo, r) -> Tensor.zeros(2), null, rng));
        Linear layer = new Linear(3, 2, rng);
        var e = assertThrows(IllegalArgumentException.class, () -> layer.forward(Tensor.zeros(4, 2)));
        assertTrue(e.getMessage().contains("Linear(in=3, out=2)") && e.getMessage().contains("[4, 2]"), e.getMessage());
    }
}

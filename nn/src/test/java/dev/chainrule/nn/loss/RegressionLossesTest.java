package dev.chainrule.nn.loss;

import static dev.chainrule.nn.TestData.assertShape;
import static dev.chainrule.nn.TestData.assertValues;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.chainrule.autograd.GradCheck;
import dev.chainrule.autograd.Tensor;
import dev.chainrule.nn.TestData;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Gaussian negative log-likelihoods: {@link MeanSquaredError} and {@link GaussianNll}. */
class RegressionLossesTest {

    @Test
    void mseIsTheMeanOfSquaredErrors() {
        TestData.props(50).forAll(integers().between(1, 5), integers().between(1, 4), longs().all()).checkAssert((n, d, seed) -> {
            var rng = new SplittableRandom(seed);
            Tensor p = TestData.uniform(rng, -3, 3, n, d), y = TestData.uniform(rng, -3, 3, n, d);
            double[] ps = p.toArray(), ys = y.toArray(), sq = new double[ps.length];
            double sum = 0;
            for (int i = 0; i < ps.length; i++) {
                sq[i] = (ps[i] - ys[i]) * (ps[i] - ys[i]);
                sum += sq[i];
            }
            assertEquals(sum / ps.length, new MeanSquaredError().apply(p, y).item(), 1e-12);
            assertEquals(sum, new MeanSquaredError(Reduction.SUM).apply(p, y).item(), 1e-12);
            Tensor none = new MeanSquaredError(Reduction.NONE).apply(p, y);
            assertShape(none, n, d);
            assertValues(sq, none, 1e-12);
            GradCheck.check(t -> new MeanSquaredError().apply(t[0], t[1]), p, y).assertPassed();
        });
    }

    @Test
    void mseHasTheClosedFormGradient() {
        Tensor p = Tensor.of(1, 2, 4).requiresGrad();
        new MeanSquaredError().apply(p, Tensor.of(0, 2, 1)).backward();
        assertValues(new double[] {2.0 / 3, 0, 2.0}, p.grad(), 1e-15);   // 2(ŷ − y)/n
    }

    @Test
    void shapeMismatchNamesTheLossAndBothShapes() {
        var e = assertThrows(IllegalArgumentException.class, () -> new MeanSquaredError().apply(Tensor.zeros(4, 1), Tensor.zeros(4)));
        assertTrue(e.getMessage().startsWith("MeanSquaredError:") && e.getMessage().contains("[4, 1]") && e.getMessage().contains("[4]"),
            e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new GaussianNll(1).apply(Tensor.zeros(2), Tensor.zeros(3)));
        assertTrue(e.getMessage().startsWith("GaussianNll:") && e.getMessage().contains("[2]") && e.getMessage().contains("[3]"));
    }

    @Test
    void gaussianNllWithPerSampleSigmaMatchesTheNotesFormula() {
        TestData.props(50).forAll(integers().between(1, 5), integers().between(1, 4), longs().all()).checkAssert((n, d, seed) -> {
            var rng = new SplittableRandom(seed);
            Tensor p = TestData.uniform(rng, -2, 2, n, d), y = TestData.uniform(rng, -2, 2, n, d);
            Tensor sigma = TestData.uniform(rng, 0.3, 3, n);
            double[] ps = p.toArray(), ys = y.toArray(), s = sigma.toArray();
            // Σ_i ‖ŷ_i − y_i‖² / (2σ_i²) + D log σ_i
            double total = 0;
            for (int i = 0; i < n; i++) {
                double sq = 0;
                for (int j = 0; j < d; j++) sq += Math.pow(ps[i * d + j] - ys[i * d + j], 2);
                total += sq / (2 * s[i] * s[i]) + d * Math.log(s[i]);
            }
            GaussianNll sumLoss = new GaussianNll(1, Reduction.SUM, false);
            assertEquals(total, sumLoss.apply(p, y, sigma).item(), 1e-10);
            assertEquals(total / (n * d), new GaussianNll(1).apply(p, y, sigma).item(), 1e-10);
            double full = total + n * d * 0.5 * Math.log(2 * Math.PI);
            assertEquals(full, new GaussianNll(1, Reduction.SUM, true).apply(p, y, sigma).item(), 1e-10);
            // gradient in prediction, target and sigma (a network may predict its own sigma)
            GradCheck.check(t -> sumLoss.apply(t[0], t[1], t[2]), p, y, sigma).assertPassed();
        });
    }

    @Test
    void largeSigmaDownweightsASample() {
        Tensor p = Tensor.of(new double[] {1, 1}, 2, 1).requiresGrad();
        Tensor y = Tensor.zeros(2, 1);
        new GaussianNll(1, Reduction.SUM, false).apply(p, y, Tensor.of(1, 10)).backward();
        double[] g = p.grad().toArray();
        assertEquals(1.0, g[0], 1e-12);
        assertEquals(0.01, g[1], 1e-12);
    }

    @Test
    void fixedSigmaIsScaledMsePlusAConstant() {
        var rng = new SplittableRandom(3);
        Tensor p = TestData.uniform(rng, -1, 1, 6, 2), y = TestData.uniform(rng, -1, 1, 6, 2);
        double sigma = 0.7;
        double mse = new MeanSquaredError().apply(p, y).item();
        assertEquals(mse / (2 * sigma * sigma) + Math.log(sigma), new GaussianNll(sigma).apply(p, y).item(), 1e-12);
        assertEquals(new GaussianNll(sigma).apply(p, y).item(), new GaussianNll(5).apply(p, y, Tensor.full(sigma, 6)).item(), 1e-12);
        GradCheck.check(t -> new GaussianNll(sigma).apply(t[0], t[1]), p, y).assertPassed();
    }

    @Test
    void gaussianNllRejectsBadSigma() {
        assertThrows(IllegalArgumentException.class, () -> new GaussianNll(0));
        assertThrows(IllegalArgumentException.class, () -> new GaussianNll(Double.NaN));
        Tensor p = Tensor.zeros(3, 2);
        assertThrows(IllegalArgumentException.class, () -> new GaussianNll(1).apply(p, p, Tensor.of(1, -1, 1)));
        var e = assertThrows(IllegalArgumentException.class, () -> new GaussianNll(1).apply(p, p, Tensor.of(1, 1, 1, 1)));
        assertTrue(e.getMessage().contains("[4]") && e.getMessage().contains("[3, 2]"), e.getMessage());
        // a sigma per element also works
        assertEquals(0.0, new GaussianNll(1).apply(p, p, Tensor.ones(3, 2)).item(), 1e-15);
    }
}

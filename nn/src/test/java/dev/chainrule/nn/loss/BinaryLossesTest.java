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

/** Bernoulli negative log-likelihoods: {@link BinaryCrossEntropy} and {@link BinaryCrossEntropyWithLogits}. */
class BinaryLossesTest {

    private static double bce(double p, double y) {
        return -(y * Math.max(Math.log(p), -100) + (1 - y) * Math.max(Math.log(1 - p), -100));
    }

    @Test
    void bceMatchesTheBernoulliNll() {
        TestData.props(50).forAll(integers().between(1, 6), integers().between(1, 3), longs().all()).checkAssert((n, d, seed) -> {
            var rng = new SplittableRandom(seed);
            Tensor p = TestData.uniform(rng, 0.02, 0.98, n, d);
            double[] yv = new double[n * d];
            for (int i = 0; i < yv.length; i++) yv[i] = rng.nextBoolean() ? 1 : (rng.nextBoolean() ? 0 : rng.nextDouble());
            Tensor y = Tensor.of(yv, n, d);
            double[] ps = p.toArray(), terms = new double[yv.length];
            double sum = 0;
            for (int i = 0; i < yv.length; i++) {
                terms[i] = bce(ps[i], yv[i]);
                sum += terms[i];
            }
            assertEquals(sum / yv.length, new BinaryCrossEntropy().apply(p, y).item(), 1e-12);
            assertEquals(sum, new BinaryCrossEntropy(Reduction.SUM).apply(p, y).item(), 1e-12);
            assertValues(terms, new BinaryCrossEntropy(Reduction.NONE).apply(p, y), 1e-12);
            GradCheck.check(t -> new BinaryCrossEntropy().apply(t[0], y), p).assertPassed();
        });
    }

    @Test
    void bceOfCertainPredictionsIsClampedAndFinite() {
        Tensor p = Tensor.of(0, 1, 0, 1).requiresGrad();
        Tensor y = Tensor.of(1, 0, 0, 1);
        Tensor l = new BinaryCrossEntropy(Reduction.NONE).apply(p, y);
        assertValues(new double[] {100, 100, 0, 0}, l, 1e-12);
        l.sum().backward();
        for (double g : p.grad().toArray()) assertTrue(Double.isFinite(g), "gradient " + g);
    }

    @Test
    void bceOnLogitsIsTheSoftplusForm() {
        TestData.props(50).forAll(integers().between(1, 6), integers().between(1, 3), longs().all()).checkAssert((n, d, seed) -> {
            var rng = new SplittableRandom(seed);
            Tensor x = TestData.uniform(rng, -8, 8, n, d);
            Tensor y = TestData.uniform(rng, 0, 1, n, d);
            double[] xs = x.toArray(), ys = y.toArray();
            double sum = 0;
            for (int i = 0; i < xs.length; i++) {
                double s = 1 / (1 + Math.exp(-xs[i]));
                sum += -(ys[i] * Math.log(s) + (1 - ys[i]) * Math.log(1 - s));
            }
            assertEquals(sum / xs.length, new BinaryCrossEntropyWithLogits().apply(x, y).item(), 1e-9);
            assertEquals(sum, new BinaryCrossEntropyWithLogits(Reduction.SUM).apply(x, y).item(), 1e-9 * Math.max(1, sum));
            assertShape(new BinaryCrossEntropyWithLogits(Reduction.NONE).apply(x, y), n, d);
            GradCheck.check(t -> new BinaryCrossEntropyWithLogits().apply(t[0], t[1]), x, y).assertPassed();
        });
    }

    @Test
    void logitsOfPlusMinus1000StayFinite() {
        Tensor x = Tensor.of(1000, -1000, 1000, -1000).requiresGrad();
        Tensor y = Tensor.of(1, 0, 0, 1);
        Tensor l = new BinaryCrossEntropyWithLogits(Reduction.NONE).apply(x, y);
        assertValues(new double[] {0, 0, 1000, 1000}, l, 1e-12);
        l.sum().backward();
        assertValues(new double[] {0, 0, 1, -1}, x.grad(), 1e-12);   // σ(x) − y
    }

    @Test
    void logitsAndProbabilityFormsAgree() {
        var rng = new SplittableRandom(5);
        Tensor x = TestData.uniform(rng, -4, 4, 10);
        Tensor y = TestData.uniform(rng, 0, 1, 10);
        assertEquals(new BinaryCrossEntropy().apply(x.sigmoid(), y).item(), new BinaryCrossEntropyWithLogits().apply(x, y).item(), 1e-12);
    }

    @Test
    void badInputsAreRejectedWithTheLossName() {
        var e = assertThrows(IllegalArgumentException.class, () -> new BinaryCrossEntropy().apply(Tensor.of(0.5, 1.5), Tensor.of(0, 1)));
        assertTrue(e.getMessage().startsWith("BinaryCrossEntropy:") && e.getMessage().contains("WithLogits"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new BinaryCrossEntropy().apply(Tensor.of(0.5, 0.5), Tensor.of(0, 2)));
        e = assertThrows(IllegalArgumentException.class, () -> new BinaryCrossEntropyWithLogits().apply(Tensor.zeros(3, 1), Tensor.zeros(3)));
        assertTrue(e.getMessage().startsWith("BinaryCrossEntropyWithLogits:") && e.getMessage().contains("[3, 1]"), e.getMessage());
    }
}

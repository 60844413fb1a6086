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

/** Non-likelihood classification criteria: {@link Hinge} and {@link PerceptronLoss}. */
class MarginLossesTest {

    @Test
    void hingeMatchesTheMulticlassSvmFormula() {
        TestData.props(50).forAll(integers().between(1, 6), integers().between(2, 5), longs().all()).checkAssert((n, c, seed) -> {
            var rng = new SplittableRandom(seed);
            Tensor f = TestData.uniform(rng, -2, 2, n, c);
            Tensor y = TestData.classes(rng, n, c);
            double[] fs = f.toArray(), ys = y.toArray(), per = new double[n];
            for (int r = 0; r < n; r++) {
                int t = (int) ys[r];
                for (int j = 0; j < c; j++) if (j != t) per[r] += Math.max(0, fs[r * c + j] - fs[r * c + t] + 1);
            }
            Tensor none = new Hinge(1, Reduction.NONE).apply(f, y);
            assertShape(none, n);
            assertValues(per, none, 1e-12);
            double total = 0;
            for (double v : per) total += v;
            assertEquals(total / n, new Hinge().apply(f, y).item(), 1e-12);
            assertEquals(total, new Hinge(1, Reduction.SUM).apply(f, y).item(), 1e-12);
            GradCheck.check(t -> new Hinge().apply(t[0], y), f).assertPassed();
        });
    }

    @Test
    void hingeOfTheTextbookExample() {
        // scores [3.2, 5.1, -1.7] with class 0: max(0, 5.1 − 3.2 + 1) + max(0, −1.7 − 3.2 + 1) = 2.9
        Tensor f = Tensor.of(new double[][] {{3.2, 5.1, -1.7}}).requiresGrad();
        Tensor l = new Hinge().apply(f, Tensor.of(0));
        assertEquals(2.9, l.item(), 1e-12);
        l.backward();
        assertValues(new double[] {-1, 1, 0}, f.grad(), 1e-15);
        assertEquals(0.0, new Hinge(0.5, Reduction.MEAN).apply(Tensor.of(new double[][] {{2, 1, 0}}), Tensor.of(0)).item());
        assertThrows(IllegalArgumentException.class, () -> new Hinge(-1, Reduction.MEAN));
        var e = assertThrows(IllegalArgumentException.class, () -> new Hinge().apply(f, Tensor.of(0, 1)));
        assertTrue(e.getMessage().startsWith("Hinge:") && e.getMessage().contains("[1, 3]") && e.getMessage().contains("[2]"));
    }

    @Test
    void perceptronCriterionIsMaxOfZeroAndMinusYS() {
        TestData.props(50).forAll(integers().between(1, 8), longs().all()).checkAssert((n, seed) -> {
            var rng = new SplittableRandom(seed);
            Tensor s = TestData.uniform(rng, -3, 3, n);
            double[] yv = new double[n];
            for (int i = 0; i < n; i++) yv[i] = rng.nextBoolean() ? 1 : -1;
            Tensor y = Tensor.of(yv);
            double[] ss = s.toArray(), per = new double[n];
            double total = 0;
            for (int i = 0; i < n; i++) {
                per[i] = Math.max(0, -yv[i] * ss[i]);
                total += per[i];
            }
            assertValues(per, new PerceptronLoss(Reduction.NONE).apply(s, y), 1e-15);
            assertEquals(total / n, new PerceptronLoss().apply(s, y).item(), 1e-12);
            assertEquals(total, new PerceptronLoss(Reduction.SUM).apply(s, y).item(), 1e-12);
            GradCheck.check(t -> new PerceptronLoss(Reduction.SUM).apply(t[0], y), s).assertPassed();
        });
    }

    @Test
    void aZeroScoreCountsAsAMistake() {
        Tensor s = Tensor.of(0, 0, 2, -2).requiresGrad();
        Tensor y = Tensor.of(1, -1, 1, 1);
        Tensor l = new PerceptronLoss(Reduction.SUM).apply(s, y);
        assertEquals(2.0, l.item());
        l.backward();
        assertValues(new double[] {-1, 1, 0, -1}, s.grad(), 0);
    }
}

package dev.chainrule.nn;

import static dev.chainrule.nn.TestData.assertShape;
import static dev.chainrule.nn.TestData.assertValues;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.chainrule.autograd.Autograd;
import dev.chainrule.autograd.Tensor;
import dev.chainrule.nn.init.Normal;
import dev.chainrule.nn.loss.PerceptronLoss;
import dev.chainrule.nn.loss.Reduction;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PerceptronTest {

    /** One plain SGD step on every parameter: p ← p − lr · grad. */
    private static void sgdStep(Module m, double lr) {
        try (var s = Autograd.noGrad()) {
            for (Tensor p : m.parameters()) {
                if (p.grad() != null) p.addInPlace(p.grad(), -lr);
            }
        }
        m.zeroGrad();
    }

    @Test
    void oneSgdStepIsTheClassicPerceptronRule() {
        TestData.props(100).forAll(integers().between(1, 5), longs().all(), integers().between(0, 1)).checkAssert((in, seed, label) -> {
            var rng = new SplittableRandom(seed);
            Perceptron p = new Perceptron(in, new Normal(0, 1), rng);
            double lr = rng.nextDouble(0.01, 1);
            double y = label == 1 ? 1 : -1;
            double[] x = TestData.uniformArray(rng, in, -2, 2);
            double[] w = p.weight().toArray();
            double b = p.bias().item();
            double score = b;
            for (int i = 0; i < in; i++) score += w[i] * x[i];

            Tensor loss = new PerceptronLoss(Reduction.SUM).apply(p.forward(Tensor.of(x, 1, in)), Tensor.of(y));
            loss.backward();
            sgdStep(p, lr);

            // Rosenblatt: on a mistake (y·s ≤ 0) w ← w + lr·y·x, b ← b + lr·y; else unchanged.
            boolean mistake = y * score <= 0;
            double[] expected = w.clone();
            if (mistake) for (int i = 0; i < in; i++) expected[i] += lr * y * x[i];
            assertValues(expected, p.weight(), 1e-12);
            assertEquals(mistake ? b + lr * y : b, p.bias().item(), 1e-12);
            assertEquals(Math.max(0, -y * score), loss.item(), 1e-12);
        });
    }

    @Test
    void trainingFromZeroFollowsRosenblattsAlgorithmStepByStep() {
        // Logical AND with labels ±1: linearly separable.
        double[][] xs = {{0, 0}, {0, 1}, {1, 0}, {1, 1}};
        double[] ys = {-1, -1, -1, 1};
        Perceptron p = new Perceptron(2);
        PerceptronLoss criterion = new PerceptronLoss(Reduction.SUM);
        double[] w = {0, 0};
        double b = 0, lr = 0.5;
        for (int epoch = 0; epoch < 20; epoch++) {
            for (int i = 0; i < 4; i++) {
                criterion.apply(p.forward(Tensor.of(xs[i], 1, 2)), Tensor.of(ys[i])).backward();
                sgdStep(p, lr);
                if (ys[i] * (w[0] * xs[i][0] + w[1] * xs[i][1] + b) <= 0) {
                    w[0] += lr * ys[i] * xs[i][0];
                    w[1] += lr * ys[i] * xs[i][1];
                    b += lr * ys[i];
                }
                assertArrayEquals(w, p.weight().toArray(), 1e-12, "epoch " + epoch + ", sample " + i);
                assertEquals(b, p.bias().item(), 1e-12);
            }
        }
        assertArrayEquals(ys, p.predict(Tensor.of(xs)).toArray(), "converged on AND");
        assertArrayEquals(new double[] {0, 0, 0, 1}, p.predictStep(Tensor.of(xs)).toArray());
    }

    @Test
    void meanReductionAveragesTheRuleOverTheBatch() {
        Perceptron p = new Perceptron(2);   // w = 0: every point is a mistake
        Tensor x = Tensor.of(new double[][] {{1, 2}, {3, -1}, {0.5, 0.5}});
        Tensor y = Tensor.of(1, -1, 1);
        new PerceptronLoss().apply(p.forward(x), y).backward();
        // grad = −(1/N) Σ y_i x_i
        assertValues(new double[] {-(1 - 3 + 0.5) / 3, -(2 + 1 + 0.5) / 3}, p.weight().grad(), 1e-12);
        assertEquals(-(1 - 1 + 1) / 3.0, p.bias().grad().item(), 1e-12);
    }

    @Test
    void forwardIsTheRawScoreAndPredictItsSign() {
        Perceptron p = new Perceptron(2);
        try (var s = Autograd.noGrad()) {
            p.weight().copyFrom(Tensor.of(2, -1));
            p.bias().copyFrom(Tensor.scalar(0.5));
        }
        Tensor x = Tensor.of(new double[][] {{1, 1}, {0, 3}, {0, 0.5}});
        Tensor s = p.forward(x);
        assertShape(s, 3);
        assertValues(new double[] {1.5, -2.5, 0}, s, 1e-12);
        assertArrayEquals(new double[] {1, -1, -1}, p.predict(x).toArray());
        assertTrue(!p.predict(x).isGradRequired());
        assertShape(p.forward(Tensor.of(1, 1)), new int[0]);
        assertEquals(1.5, p.forward(Tensor.of(1, 1)).item(), 1e-12);
    }

    @Test
    void parametersAndValidation() {
        Perceptron p = new Perceptron(3);
        assertEquals(List.of("weight", "bias"), List.copyOf(p.namedParameters().keySet()));
        assertEquals(4, p.parameterCount());
        assertThrows(IllegalArgumentException.class, () -> new Perceptron(0));
        var e = assertThrows(IllegalArgumentException.class, () -> p.forward(Tensor.zeros(2, 4)));
        assertTrue(e.getMessage().contains("[2, 4]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new PerceptronLoss().apply(Tensor.of(1, 2), Tensor.of(1, 0)));
    }
}

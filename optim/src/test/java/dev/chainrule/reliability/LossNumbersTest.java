package dev.chainrule.reliability;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chainrule.autograd.Tensor;
import dev.chainrule.nn.loss.BinaryCrossEntropy;
import dev.chainrule.nn.loss.BinaryCrossEntropyWithLogits;
import dev.chainrule.nn.loss.CrossEntropy;
import dev.chainrule.nn.loss.Loss;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The nn losses at extreme inputs: finite values and gradients wherever the math is finite. */
class LossNumbersTest {

    static double[][] lossAndGrad(Loss loss, double[] prediction, double[] target, int... shape) {
        Tensor p = Tensor.of(prediction, shape).requiresGrad();
        Tensor l = loss.apply(p, Tensor.of(target, target.length == prediction.length ? shape : new int[] {target.length}));
        l.backward();
        double v = l.item();
        double[] g = p.grad().toArray();
        assertTrue(Double.isFinite(v), () -> loss + " at " + Arrays.toString(prediction) + " is " + v);
        for (double d : g) assertTrue(Double.isFinite(d), () -> loss + "' at " + Arrays.toString(prediction) + " = " + Arrays.toString(g));
        return new double[][] {{v}, g};
    }

    @Test
    void binaryCrossEntropyWithLogitsIsFiniteAndExactAtExtremes() {
        Loss bce = new BinaryCrossEntropyWithLogits();
        for (double big : new double[] {1e3, 1e300}) {
            // Right with full confidence (loss 0), wrong with full confidence (loss |x|), per element.
            double[][] r = lossAndGrad(bce, new double[] {big, -big, big, -big}, new double[] {1, 0, 0, 1}, 4);
            assertEquals(big / 2, r[0][0], 1e-15 * big, "mean of 0, 0, big, big");
            assertArrayEquals(new double[] {0, 0, 0.25, -0.25}, r[1], 0.0, "(sigmoid(x) - y) / N");
        }
        double[][] mid = lossAndGrad(bce, new double[] {0.0}, new double[] {1}, 1);
        assertEquals(Math.log(2), mid[0][0], 1e-15);
        Figures.report("numbers", "BinaryCrossEntropyWithLogits at ±1e3 and ±1e300: finite, exact values and gradients");
    }

    @Test
    void binaryCrossEntropyOnProbabilitiesZeroAndOneIsFinite() {
        Loss bce = new BinaryCrossEntropy();
        // Certain and right: loss 0; certain and wrong: log clamped at -100 (as PyTorch), not Inf.
        double[][] right = lossAndGrad(bce, new double[] {0.0, 1.0}, new double[] {0, 1}, 2);
        assertEquals(0.0, right[0][0], 0.0);
        double[][] wrong = lossAndGrad(bce, new double[] {0.0, 1.0}, new double[] {1, 0}, 2);
        assertEquals(100.0, wrong[0][0], 1e-12, "-log clamped at 100 per element");
        double[][] soft = lossAndGrad(bce, new double[] {0.0, 1.0, 0.5}, new double[] {0.5, 0.5, 0.5}, 3);
        assertTrue(soft[0][0] > 0);
        Figures.report("numbers", "BinaryCrossEntropy on probabilities exactly 0 and 1: finite loss (log clamped at -100) and gradients");
    }

    @Test
    void crossEntropyLossIsFiniteAndExactAtExtremes() {
        for (Loss ce : new Loss[] {new CrossEntropy(), new CrossEntropy(dev.chainrule.nn.loss.Reduction.SUM)}) {
            for (double big : new double[] {1e3, 1e300}) {
                double[][] r = lossAndGrad(ce, new double[] {big, -big, 0, -big, big, 0}, new double[] {0, 0}, 2, 3);
                double want = ce.toString().contains("SUM") ? 2 * big : big;
                assertEquals(want, r[0][0], 1e-15 * big, ce + " at " + big);
                double n = ce.toString().contains("SUM") ? 1 : 2;
                assertArrayEquals(new double[] {0, 0, 0, -1 / n, 1 / n, 0}, r[1], 0.0, ce + "' at " + big);
                // Distribution targets take the logSoftmax path.
                double[][] soft = lossAndGrad(ce, new double[] {big, -big, 0}, new double[] {0.5, 0, 0.5}, 1, 3);
                assertEquals(big / 2, soft[0][0], 1e-15 * big);
            }
        }
        Figures.report("numbers", "CrossEntropy (class indices and distributions, MEAN and SUM) at ±1e3 and ±1e300: finite, exact");
    }
}

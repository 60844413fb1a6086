package dev.chainrule.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chainrule.autograd.Tensor;
import org.junit.jupiter.api.Test;

class AccuracyTest {

    private static final Tensor SCORES = Tensor.of(new double[][] {{2, 1, 0}, {0, 3, 1}, {1, 1, 5}, {4, 0, 0}});

    @Test
    void multiclassComparesArgMaxWithClassIndicesOrOneHotRows() {
        Accuracy acc = Accuracy.multiclass();
        assertEquals(0.75, acc.evaluate(SCORES, Tensor.of(0, 1, 2, 1)), 0.0);
        assertEquals(1.0, acc.evaluate(SCORES, Tensor.of(new double[] {0, 1, 2, 0}, 4, 1)), 0.0);
        Tensor oneHot = Tensor.of(new double[][] {{1, 0, 0}, {0, 0, 1}, {0, 0, 1}, {1, 0, 0}});
        assertEquals(0.75, acc.evaluate(SCORES, oneHot), 0.0);
        assertEquals("accuracy", acc.name());
    }

    @Test
    void binaryThresholdsOutputsAndTreatsTargetsAboveOneHalfAsPositive() {
        Tensor logits = Tensor.of(new double[] {2.0, -1.0, 0.3, -0.2}, 4, 1);
        assertEquals(1.0, Accuracy.binaryLogits().evaluate(logits, Tensor.of(new double[] {1, 0, 1, 0}, 4, 1)), 0.0);
        assertEquals(0.75, Accuracy.binaryLogits().evaluate(logits, Tensor.of(1, 1, 1, 0)), 0.0);
        assertEquals(1.0, Accuracy.binaryLogits().evaluate(logits, Tensor.of(1, -1, 1, -1)), 0.0, "±1 labels");
        Tensor probabilities = Tensor.of(0.9, 0.4, 0.6, 0.5);
        assertEquals(0.75, Accuracy.binaryProbabilities().evaluate(probabilities, Tensor.of(1, 0, 0, 0)), 0.0);
    }

    @Test
    void shapesThatDoNotFitAreRejectedNamingBoth() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> Accuracy.multiclass().evaluate(SCORES, Tensor.of(0, 1)));
        assertTrue(e.getMessage().contains("[4, 3]") && e.getMessage().contains("[2]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Accuracy.multiclass().evaluate(SCORES, Tensor.of(0, 1, 3, 0)));
        assertThrows(IllegalArgumentException.class, () -> Accuracy.binaryLogits().evaluate(SCORES, Tensor.of(0, 1, 1, 0)));
        assertThrows(IllegalArgumentException.class, () -> Accuracy.binary(Double.NaN));
    }
}

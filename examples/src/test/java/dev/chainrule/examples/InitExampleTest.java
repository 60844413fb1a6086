package dev.chainrule.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chainrule.autograd.Tensor;
import org.junit.jupiter.api.Test;

class InitExampleTest {

    @Test
    void zeroInitKeepsHiddenUnitsIdenticalAndRandomInitBreaksSymmetry() {
        InitExample.Result r = InitExample.run(CommonOptions.DEFAULT_SEED, 20);
        for (double d : r.run(InitExample.ZEROS).maxRowDifference()) assertEquals(0.0, d, "zero init: identical units");
        for (double d : r.run(InitExample.CONSTANT).maxRowDifference()) assertTrue(d < 1e-9, "constant init: " + d);
        for (String name : new String[] {InitExample.SMALL, InitExample.XAVIER, InitExample.HE}) {
            for (double d : r.run(name).maxRowDifference()) assertTrue(d > 1e-3, name + ": " + d);
        }
        // All-zero weights never move: the loss stays at chance, log 3.
        assertEquals(Math.log(3), r.run(InitExample.ZEROS).finalLoss(), 0.01);
        assertTrue(r.run(InitExample.HE).finalLoss() < 0.5 * Math.log(3), "He trains: " + r.run(InitExample.HE).finalLoss());
        assertTrue(r.claimHolds());
    }

    @Test
    void maxRowDifferenceMeasuresTheWidestSpreadOfAColumn() {
        Tensor w = Tensor.of(new double[][] {{1, 2}, {1, 5}, {1, -1}});
        assertEquals(6.0, InitExample.maxRowDifference(w), 0.0);
        assertEquals(0.0, InitExample.maxRowDifference(Tensor.full(0.3, 4, 3)), 0.0);
    }
}

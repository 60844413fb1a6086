package dev.chainrule.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class NeuronExampleTest {

    @Test
    void backwardMatchesHandDerivedFormulasForTheDefaultPoint() {
        NeuronExample.Result r = NeuronExample.run(1.5, 1, 0.8, -0.3, 0.1);
        assertEquals(List.of("dL/dL", "dL/dr", "dL/dl", "dL/du", "dL/dz", "dL/dw", "dL/db", "dL/dx"),
            r.rows().stream().map(NeuronExample.Row::variable).toList());
        for (NeuronExample.Row row : r.rows()) {
            assertEquals(row.formula(), row.autograd(), 1e-12, row.variable());
        }
        assertEquals(0.9, r.z(), 1e-15);
        assertEquals(1 / (1 + Math.exp(-0.9)), r.u(), 1e-15);
    }

    @Test
    void backwardMatchesFormulasAtRandomPoints() {
        assertTrue(NeuronExample.maxErrorAtRandomPoints(CommonOptions.DEFAULT_SEED, 200) <= 1e-12);
    }

    @Test
    void graphExportNamesTheOps() {
        String dot = NeuronExample.graphDot(1.5, 1, 0.8, -0.3, 0.1);
        assertTrue(dot.startsWith("digraph"), dot);
        for (String op : List.of("mul", "add", "sigmoid", "sub")) assertTrue(dot.contains(op), op + " missing from " + dot);
    }

    @Test
    void backwardMatchesFormulasAcrossPoints() {
        double[][] cases = {{-2, 0, 1.3, 0.4, 0.5}, {0.1, 1, -4, 2, 0}, {3, 0, 0, 0, 1}, {-0.5, 1, 10, -7, 0.01}};
        for (double[] c : cases) {
            NeuronExample.Result r = NeuronExample.run(c[0], c[1], c[2], c[3], c[4]);
            assertTrue(r.maxError() <= 1e-12, () -> "case " + java.util.Arrays.toString(c) + ": max error " + r.maxError());
            // The ridge term is visible in dL/dw: it differs from dL/dz·x by exactly 2λw.
            double dLdz = r.rows().get(4).autograd();
            assertEquals(dLdz * c[0] + 2 * c[4] * c[2], r.rows().get(5).autograd(), 1e-12);
        }
    }
}

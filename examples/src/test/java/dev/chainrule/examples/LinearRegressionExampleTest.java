package dev.chainrule.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LinearRegressionExampleTest {

    @Test
    void gradientDescentAgreesWithNormalEquations() {
        LinearRegressionExample.Result r = LinearRegressionExample.run(CommonOptions.DEFAULT_SEED, LinearRegressionExample.DEFAULT_EPOCHS);
        assertTrue(r.maxDifference() <= 1e-6, "max difference " + r.maxDifference());
        for (int j = 0; j < r.truth().length; j++) {
            assertEquals(r.closedForm()[j], r.gradientDescent()[j], 1e-6);
            assertEquals(r.truth()[j], r.closedForm()[j], 0.05, "least squares is near the generating parameters");
        }
    }

    @Test
    void fewEpochsAreNotEnough() {
        assertFalse(LinearRegressionExample.run(CommonOptions.DEFAULT_SEED, 5).claimHolds());
    }

    @Test
    void normalEquationsSolveAKnownSystem() {
        double[][] a = {{1, 0}, {0, 1}, {1, 1}};
        double[] y = {1, 2, 3.3};
        // AᵀA = [[2, 1], [1, 2]], Aᵀy = [4.3, 5.3] -> θ = [1.1, 2.1]
        double[] theta = LinearAlgebra.leastSquares(a, y);
        assertEquals(1.1, theta[0], 1e-12);
        assertEquals(2.1, theta[1], 1e-12);
    }
}

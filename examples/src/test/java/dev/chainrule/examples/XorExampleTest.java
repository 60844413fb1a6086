package dev.chainrule.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class XorExampleTest {

    @Test
    void mlpsLearnXorAndLinearUnitsCannot() {
        XorExample.Result r = XorExample.run(CommonOptions.DEFAULT_SEED, XorExample.DEFAULT_EPOCHS);
        assertEquals(2, r.mlps().size());
        for (XorExample.MlpRun m : r.mlps()) {
            assertEquals(1.0, m.accuracy(), "MLP 2-" + m.hidden() + "-1, seed " + r.seed());
            assertArrayEquals(new int[] {0, 1, 1, 0}, m.predictions());
            assertEquals(1, m.attempts(), "the default seed needs no restart");
            for (int i = 0; i < 4; i++) {
                assertEquals(Datasets.xor().y()[i], m.probabilities()[i], 0.1, "confident prediction " + i);
            }
        }
        // No line separates XOR: never more than 3 of 4 points, at any point of training.
        assertTrue(r.logistic().bestAccuracy() <= 0.75, "logistic best " + r.logistic().bestAccuracy());
        assertTrue(r.perceptron().bestAccuracy() <= 0.75, "perceptron best " + r.perceptron().bestAccuracy());
        // The perceptron rule never stops updating: every epoch has a mistake.
        for (double mistakes : r.perceptron().losses()) assertTrue(mistakes >= 1);
        // The logistic unit's best compromise is p = 1/2 everywhere.
        for (double p : r.logistic().outputs()) assertEquals(0.5, p, 0.05);
        assertTrue(r.claimHolds());
    }

    @Test
    void twoHiddenUnitsReachFullAccuracyForOtherSeedsToo() {
        for (long seed = 1; seed <= 5; seed++) {
            XorExample.MlpRun m = XorExample.trainMlp(Datasets.xor(), 2, seed, XorExample.DEFAULT_EPOCHS);
            assertEquals(1.0, m.accuracy(), "seed " + seed + " after " + m.attempts() + " attempts");
        }
    }

    @Test
    void tooFewEpochsFailTheClaim() {
        XorExample.MlpRun m = XorExample.trainMlp(Datasets.xor(), 2, CommonOptions.DEFAULT_SEED, 1);
        assertEquals(XorExample.MAX_ATTEMPTS, m.attempts(), "one epoch never suffices, so every restart is used");
        assertTrue(m.accuracy() < 1.0);
    }
}

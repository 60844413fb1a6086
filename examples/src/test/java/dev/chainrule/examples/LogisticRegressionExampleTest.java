package dev.chainrule.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LogisticRegressionExampleTest {

    @Test
    void reachesAtLeast95PercentAndFindsTheGeneratingDirection() {
        LogisticRegressionExample.Result r = LogisticRegressionExample.run(CommonOptions.DEFAULT_SEED,
            LogisticRegressionExample.DEFAULT_EPOCHS);
        assertTrue(r.accuracy() >= 0.95, "accuracy " + r.accuracy());
        assertTrue(r.cosine() > 0.99, "cosine " + r.cosine());
        assertEquals(0.0, r.bias(), 0.5, "the blobs are symmetric about the origin");
        assertTrue(r.claimHolds());
    }

    @Test
    void normalCdfMatchesKnownValues() {
        assertEquals(0.5, LogisticRegressionExample.normalCdf(0), 1e-15);
        assertEquals(0.9772498680518208, LogisticRegressionExample.normalCdf(2), 1e-12);
        assertEquals(0.15865525393145707, LogisticRegressionExample.normalCdf(-1), 1e-12);
    }
}

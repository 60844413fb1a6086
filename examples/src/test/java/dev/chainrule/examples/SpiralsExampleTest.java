package dev.chainrule.examples;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SpiralsExampleTest {

    @Test
    void mlpFitsSpiralsWhileLinearSoftmaxCannot() {
        SpiralsExample.Result r = SpiralsExample.run(CommonOptions.DEFAULT_SEED, SpiralsExample.DEFAULT_EPOCHS);
        assertTrue(r.mlpAccuracy() >= 0.95, "MLP accuracy " + r.mlpAccuracy());
        assertTrue(r.softmaxAccuracy() < 0.7, "softmax accuracy " + r.softmaxAccuracy());
        assertTrue(r.softmaxAccuracy() > 0.4, "the linear classifier still beats chance: " + r.softmaxAccuracy());
        assertTrue(r.claimHolds());
    }
}

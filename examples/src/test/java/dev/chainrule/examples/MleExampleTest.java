package dev.chainrule.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class MleExampleTest {

    @Test
    void gradientDescentRecoversSampleMeanStdAndFrequency() {
        MleExample.Result r = MleExample.run(CommonOptions.DEFAULT_SEED, MleExample.DEFAULT_EPOCHS);
        MleExample.GaussianFit g = r.gaussian();
        assertEquals(g.sampleMean(), g.mean(), 1e-6);
        assertEquals(g.sampleStd(), g.std(), 1e-6);
        MleExample.BernoulliFit b = r.bernoulli();
        assertEquals(b.frequency(), b.p(), 1e-6);
        assertTrue(r.claimHolds());
        // The sample statistics are near, but not equal to, the generating ones.
        assertEquals(3.0, g.sampleMean(), 0.2);
        assertEquals(2.0, g.sampleStd(), 0.2);
        assertEquals(0.3, b.frequency(), 0.07);
    }

    @Test
    void lossDecreasesMonotonicallyAtTheEnd() {
        MleExample.Result r = MleExample.run(7, 200);
        double[] l = r.gaussian().losses();
        assertTrue(l[l.length - 1] <= l[l.length / 2] + 1e-12);
        assertTrue(r.claimHolds(), "seed 7");
    }

    @Test
    void tooFewEpochsDoNotClaimConvergence() {
        assertTrue(!MleExample.run(CommonOptions.DEFAULT_SEED, 3).claimHolds());
    }
}

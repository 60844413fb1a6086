package dev.chainrule.optim;

import static dev.chainrule.optim.SgdTest.assertMessage;
import static dev.chainrule.optim.TestSupport.param;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class ScheduleTest {

    private static final double TOL = 1e-15;

    @Test
    void constantRate() {
        LearningRateSchedule s = new ConstantRate(0.05);
        assertEquals(0.05, s.rate(1));
        assertEquals(0.05, s.rate(1000));
    }

    @Test
    void hyperbolicDecayIsCOverK() {
        LearningRateSchedule s = new HyperbolicDecay(2.0);
        assertEquals(2.0, s.rate(1), TOL);
        assertEquals(1.0, s.rate(2), TOL);
        assertEquals(0.5, s.rate(4), TOL);
        assertEquals(2.0 / 3, s.rate(3), TOL);
        assertEquals(0.002, s.rate(1000), TOL);
    }

    @Test
    void stepDecayMultipliesByGammaEveryStepSizePeriods() {
        LearningRateSchedule s = new StepDecay(0.1, 3, 0.5);
        double[] expected = {0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025};
        for (int k = 1; k <= expected.length; k++) assertEquals(expected[k - 1], s.rate(k), TOL, "k = " + k);
    }

    @Test
    void cosineAnnealingGoesFromMaxToMinAlongHalfACosine() {
        LearningRateSchedule s = new CosineAnnealing(1.0, 0.1, 4);
        assertEquals(1.0, s.rate(1), TOL);
        assertEquals(0.1 + 0.9 * (1 + Math.cos(Math.PI / 4)) / 2, s.rate(2), TOL);
        assertEquals(0.55, s.rate(3), 1e-12, "half way");
        assertEquals(0.1 + 0.9 * (1 + Math.cos(3 * Math.PI / 4)) / 2, s.rate(4), TOL);
        assertEquals(0.1, s.rate(5), TOL);
        assertEquals(0.1, s.rate(50), TOL, "holds the minimum after T");
        assertEquals(0.0, new CosineAnnealing(1.0, 0.0, 2).rate(3), TOL);
    }

    @Test
    void badArgumentsAreRejected() {
        assertMessage("HyperbolicDecay.rate: period k must be >= 1 (the first epoch or update is 1), got 0",
            () -> new HyperbolicDecay(1).rate(0));
        assertMessage("HyperbolicDecay: c must be positive and finite, got 0.0", () -> new HyperbolicDecay(0));
        assertMessage("ConstantRate: rate must be positive and finite, got -1.0", () -> new ConstantRate(-1));
        assertMessage("StepDecay: gamma must be in (0, 1], got 1.5", () -> new StepDecay(0.1, 2, 1.5));
        assertMessage("StepDecay: stepSize must be positive, got 0", () -> new StepDecay(0.1, 0, 0.5));
        assertMessage("CosineAnnealing: minRate must be in [0, maxRate = 0.1], got 0.2", () -> new CosineAnnealing(0.1, 0.2, 10));
        assertThrows(IllegalArgumentException.class, () -> new CosineAnnealing(0.1, 0.0, 0));
        assertThrows(IllegalArgumentException.class, () -> new StepDecay(0.1, 3, 0.5).rate(-1));
    }

    @Test
    void schedulerSetsTheOptimizersRatePeriodByPeriod() {
        Sgd opt = Sgd.builder(List.of(param(1))).lr(1).build();
        Scheduler s = new Scheduler(opt, new StepDecay(0.4, 2, 0.5));
        assertEquals(0, s.period());
        assertEquals(0.4, s.advance());
        assertEquals(0.4, opt.learningRate());
        assertEquals(0.4, s.advance());
        assertEquals(0.2, s.advance());
        assertEquals(0.2, opt.learningRate());
        assertEquals(3, s.period());
        Scheduler bad = new Scheduler(opt, k -> -1.0);
        assertThrows(IllegalArgumentException.class, bad::advance);
        assertEquals(0.2, opt.learningRate(), "a rejected rate is not applied");
    }
}

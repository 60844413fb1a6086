package dev.chainrule.reliability;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chainrule.autograd.Tensor;
import dev.chainrule.optim.GradientClipping;
import dev.chainrule.optim.Optimizer;
import dev.chainrule.optim.Sgd;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Gradient clipping recovers a run that diverges without it: SGD with lr 0.1 on the steep quartic
 * L(w) = Σ (w − 3)⁴ / 4 from w = (10, −8, 6). Unclipped, the first step overshoots to where the
 * gradient is larger still, and the loss reaches Inf/NaN within a few steps; with the gradient's
 * norm clipped to 1 each step moves at most 0.1 towards the minimum, where the quartic is flat
 * enough for plain SGD to converge.
 */
class ClippingRecoveryTest {

    static final int STEPS = 3_000;

    /** The loss after each step, or the first non-finite one. */
    static double[] run(Consumer<List<Tensor>> clip) {
        Tensor w = Tensor.of(10.0, -8.0, 6.0).requiresGrad();
        Optimizer sgd = Sgd.builder(List.of(w)).lr(0.1).build();
        double[] losses = new double[STEPS];
        for (int step = 0; step < STEPS; step++) {
            Tensor loss = w.sub(3).pow(4).sum().div(4);
            losses[step] = loss.item();
            if (!Double.isFinite(losses[step])) return java.util.Arrays.copyOf(losses, step + 1);
            sgd.zeroGrad();
            loss.backward();
            clip.accept(List.of(w));
            sgd.step();
        }
        return losses;
    }

    @Test
    void clipNormTurnsADivergingRunIntoAConvergingOne() {
        double[] unclipped = run(ps -> { });
        double lastUnclipped = unclipped[unclipped.length - 1];
        assertTrue(!Double.isFinite(lastUnclipped), "without clipping this run should diverge, but ended at " + lastUnclipped);

        double[] clipped = run(ps -> GradientClipping.clipNorm(ps, 1.0));
        assertTrue(clipped.length == STEPS, "with clipNorm the run stopped at a non-finite loss at step " + clipped.length);
        double last = clipped[STEPS - 1];
        assertTrue(last < 1e-3, "with clipNorm the loss should converge, but ended at " + last + " (from " + clipped[0] + ")");
        Figures.report("numbers", "SGD lr 0.1 on sum((w-3)^4)/4: without clipping loss = %s after %d steps; "
            + "with clipNorm(1.0) loss %.1f -> %.2e after %,d steps", lastUnclipped, unclipped.length, clipped[0], last, STEPS);
    }

    /** The quartic as a one-parameter model, so that the library's {@code Trainer} can fit it. */
    static final class Quartic extends dev.chainrule.nn.Module {
        final Tensor w = registerParameter("w", Tensor.of(10.0, -8.0, 6.0));

        @Override
        public Tensor forward(Tensor x) {
            return x.mul(w);
        }
    }

    @Test
    void trainerStopsADivergingRunWithAClearErrorAndConvergesWithClipNorm() {
        dev.chainrule.nn.data.Dataset data = new dev.chainrule.nn.data.Dataset(Tensor.ones(1, 3), Tensor.full(3.0, 1, 3));
        dev.chainrule.nn.loss.Loss quartic = (p, y) -> p.sub(y).pow(4).sum().div(4);
        Quartic diverging = new Quartic();
        dev.chainrule.optim.Trainer plain = dev.chainrule.optim.Trainer.builder(diverging, quartic,
            Sgd.builder(diverging).lr(0.1).build()).epochs(STEPS).build();
        IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
            () -> plain.fit(dev.chainrule.nn.data.DataLoader.builder(data).build()));
        assertTrue(e.getMessage().contains("clip gradients") && e.getMessage().contains("Infinity"), e.getMessage());
        for (double v : diverging.w.toArray()) assertTrue(Double.isFinite(v), "the non-finite step must not be applied");

        Quartic recovering = new Quartic();
        dev.chainrule.optim.Trainer clipped = dev.chainrule.optim.Trainer.builder(recovering, quartic,
            Sgd.builder(recovering).lr(0.1).build()).epochs(STEPS).clipNorm(1.0).build();
        var history = clipped.fit(dev.chainrule.nn.data.DataLoader.builder(data).build());
        double last = history.last().trainLoss();
        assertTrue(last < 1e-3, "Trainer with clipNorm(1.0) should converge, ended at " + last);
        for (double v : recovering.w.toArray()) assertTrue(Math.abs(v - 3) < 0.2, "w = " + java.util.Arrays.toString(recovering.w.toArray()));
    }

    @Test
    void clipValueAlsoRecoversIt() {
        double[] clipped = run(ps -> GradientClipping.clipValue(ps, 0.5));
        assertTrue(clipped.length == STEPS && clipped[STEPS - 1] < 1e-3,
            "with clipValue the loss should converge, but ended at " + clipped[clipped.length - 1]);
    }
}

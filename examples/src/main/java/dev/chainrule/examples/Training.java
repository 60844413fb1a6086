package dev.chainrule.examples;

import dev.chainrule.nn.Module;
import dev.chainrule.nn.data.DataLoader;
import dev.chainrule.nn.loss.Loss;
import dev.chainrule.optim.EpochSummary;
import dev.chainrule.optim.History;
import dev.chainrule.optim.Metric;
import dev.chainrule.optim.Optimizer;
import dev.chainrule.optim.Trainer;
import dev.chainrule.optim.TrainingListener;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The examples' use of {@link Trainer}: fit for a number of epochs, with a listener that logs a
 * handful of progress lines (the Trainer's own per-epoch lines are turned down in logback.xml) and
 * drives the terminal progress bar.
 */
final class Training {

    private static final Logger LOG = LoggerFactory.getLogger(Training.class);

    private Training() {}

    /**
     * Trains {@code model} for {@code epochs} passes over {@code loader}.
     *
     * @return the mean training loss of each epoch (weighted by batch size)
     */
    static double[] fit(String task, Module model, Optimizer optimizer, Loss loss, DataLoader loader, int epochs) {
        return fit(task, model, optimizer, loss, loader, epochs, null).trainLoss();
    }

    /**
     * Trains {@code model} for {@code epochs} passes over {@code loader}, evaluating {@code metric}
     * (may be null) on each batch's predictions before its update.
     *
     * @return the Trainer's history: loss and metric per epoch
     */
    static History fit(String task, Module model, Optimizer optimizer, Loss loss, DataLoader loader, int epochs, Metric metric) {
        try (Progress progress = Progress.start(task, epochs)) {
            TrainingListener listener = new TrainingListener() {
                @Override
                public void onEpochEnd(EpochSummary s) {
                    progress.step();
                    if (s.epoch() == 1 || s.epoch() % Math.max(1, epochs / 5) == 0) {
                        LOG.info("{}: epoch {}/{} loss {}", task, s.epoch(), epochs, String.format(Locale.ROOT, "%.6f", s.trainLoss()));
                    }
                }
            };
            Trainer.Builder trainer = Trainer.builder(model, loss, optimizer).epochs(epochs).listener(listener);
            if (metric != null) trainer.metric(metric);
            return trainer.build().fit(loader);
        }
    }
}

package dev.chainrule.examples;

import dev.chainrule.autograd.Tensor;
import dev.chainrule.nn.Module;
import dev.chainrule.nn.data.Batch;
import dev.chainrule.nn.data.DataLoader;
import dev.chainrule.nn.loss.Loss;
import dev.chainrule.optim.Optimizer;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The plain training loop the examples share: forward, loss, backward, step, zero the gradients. */
final class Training {

    private static final Logger LOG = LoggerFactory.getLogger(Training.class);

    private Training() {}

    /**
     * Trains {@code model} for {@code epochs} passes over {@code loader}.
     *
     * @return the mean training loss of each epoch (weighted by batch size)
     */
    static double[] fit(String task, Module model, Optimizer optimizer, Loss loss, DataLoader loader, int epochs) {
        double[] losses = new double[epochs];
        model.train();
        try (Progress progress = Progress.start(task, epochs)) {
            for (int epoch = 0; epoch < epochs; epoch++) {
                double sum = 0;
                int seen = 0;
                for (Batch batch : loader) {
                    Tensor l = loss.apply(model.forward(batch.x()), batch.y());
                    l.backward();
                    optimizer.step();
                    optimizer.zeroGrad();
                    sum += l.item() * batch.size();
                    seen += batch.size();
                }
                losses[epoch] = sum / seen;
                progress.step();
                if ((epoch + 1) % Math.max(1, epochs / 5) == 0 || epoch == 0) {
                    LOG.info("{}: epoch {}/{} loss {}", task, epoch + 1, epochs, String.format(Locale.ROOT, "%.6f", losses[epoch]));
                }
            }
        }
        return losses;
    }
}

package com.example;

import dev.chainrule.autograd.Tensor;
import dev.chainrule.nn.Linear;
import dev.chainrule.nn.data.DataLoader;
import dev.chainrule.nn.data.Dataset;
import dev.chainrule.nn.loss.MeanSquaredError;
import dev.chainrule.optim.History;
import dev.chainrule.optim.Sgd;
import dev.chainrule.optim.Trainer;
import java.util.Locale;
import java.util.SplittableRandom;

/** Fits a line to noisy points of y = 3x - 1 with one Linear layer, mean squared error and SGD. */
public final class Quickstart {

    public static void main(String[] args) {
        var rng = new SplittableRandom(42);             // seeded: the same run every time
        int n = 200;
        double[] x = new double[n];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = rng.nextDouble(-1, 1);
            y[i] = 3 * x[i] - 1 + 0.1 * rng.nextGaussian();
        }
        var data = new Dataset(Tensor.of(x, n, 1), Tensor.of(y, n, 1));     // n samples of 1 feature, 1 target
        var batches = DataLoader.builder(data).batchSize(20).shuffle(rng).build();

        var model = new Linear(1, 1, rng);                                  // y = w x + b
        var trainer = Trainer.builder(model, new MeanSquaredError(), Sgd.builder(model).lr(0.1).build())
            .epochs(30)
            .logEvery(10)                                                   // INFO log every 10th epoch
            .build();
        History history = trainer.fit(batches);

        System.out.printf(Locale.ROOT, "trained %d epochs: loss %.4f -> %.4f%n",
            history.size(), history.trainLoss()[0], history.last().trainLoss());
        System.out.printf(Locale.ROOT, "learned y = %.3f x %+.3f (the data: y = 3x - 1 + noise)%n",
            model.weight().item(), model.bias().item());
        Tensor prediction = model.forward(Tensor.of(new double[] {0.5}, 1, 1));    // a [1, 1] batch
        System.out.printf(Locale.ROOT, "prediction at x = 0.5: %.4f (the line: 0.5)%n", prediction.item());
    }
}

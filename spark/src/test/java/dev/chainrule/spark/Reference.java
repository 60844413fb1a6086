package dev.chainrule.spark;

import dev.chainrule.autograd.Tensor;
import dev.chainrule.nn.Dropout;
import dev.chainrule.nn.Mlp;
import dev.chainrule.nn.Module;
import dev.chainrule.nn.data.Batch;
import dev.chainrule.nn.data.DataLoader;
import dev.chainrule.nn.data.Dataset;
import dev.chainrule.nn.loss.Loss;
import dev.chainrule.nn.loss.Reduction;
import dev.chainrule.optim.Adam;
import dev.chainrule.optim.Optimizer;
import dev.chainrule.optim.Sgd;
import dev.chainrule.optim.Trainer;
import dev.chainrule.optim.TrainingListener;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * Single-machine runs the Spark trainer must reproduce, written here independently of its code:
 * {@link #sharded} sums the same shards in the same order on one thread (bit for bit the same result),
 * {@link #trainer} is plain {@link Trainer} training on the whole data set (equal up to rounding).
 */
final class Reference {
    private Reference() {}

    /** Step losses and final flat parameters of a run. */
    record Run(double[] stepLosses, double[] parameters) {}

    /** 3 Gaussian blobs in 4 dimensions, labels 0..2. */
    static Dataset blobs(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] x = new double[n * 4];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            int c = r.nextInt(3);
            y[i] = c;
            for (int j = 0; j < 4; j++) x[i * 4 + j] = r.nextGaussian() + (j == c ? 2.5 : 0) - (j == 3 ? c : 0);
        }
        return new Dataset(Tensor.of(x, n, 4), Tensor.of(y, n));
    }

    /** A 4-16-16-3 ReLU network with dropout 0.25 after each hidden layer, seeded. */
    static ModelFactory mlp() {
        return () -> Mlp.builder().sizes(4, 16, 16, 3).dropout(0.25).seed(11).build();
    }

    static Function<Module, Optimizer> adam() {
        return m -> Adam.builder(m).lr(0.01).build();
    }

    static Function<Module, Optimizer> sgdMomentum() {
        return m -> Sgd.builder(m).lr(0.05).momentum(0.9).build();
    }

    static double[] flat(Module m) {
        List<Tensor> ps = m.parameters();
        int n = 0;
        for (Tensor p : ps) n += p.size();
        double[] out = new double[n];
        int at = 0;
        for (Tensor p : ps) {
            double[] v = p.toArray();
            System.arraycopy(v, 0, out, at, v.length);
            at += v.length;
        }
        return out;
    }

    /**
     * The data-parallel algorithm on one thread: per step, for each partition in index order, the rows
     * of the batch it holds (batch order, dropout keyed by batch position), SUM loss, backward; the
     * partitions' sums added in order from zero, divided by B, written as the gradient, one optimizer step.
     * Batches are converted to the model's dtype; the sums are kept in double and the mean rounded once.
     */
    @SuppressWarnings("try")
    static Run sharded(ModelFactory factory, LossFactory lossFactory, Function<Module, Optimizer> opt, Dataset data,
                       int[] partitionSizes, int batchSize, int epochs, long seed) {
        Module model = factory.create();
        Optimizer optimizer = opt.apply(model);
        Module worker = factory.create();
        Loss loss = lossFactory.create(Reduction.SUM);
        int n = data.size();
        int[] start = new int[partitionSizes.length + 1];
        for (int p = 0; p < partitionSizes.length; p++) start[p + 1] = start[p] + partitionSizes[p];
        double[] xs = data.x().toArray(), ys = data.y().toArray();
        int xr = xs.length / n, yr = ys.length / n;
        // The global batches: a shuffling DataLoader of the same seed over the sample indices.
        double[] indices = new double[n];
        for (int i = 0; i < n; i++) indices[i] = i;
        DataLoader batches = DataLoader.builder(new Dataset(Tensor.of(indices, n, 1), Tensor.zeros(n))).batchSize(batchSize).shuffle(seed).build();
        List<Double> losses = new ArrayList<>();
        long step = 0;
        for (int e = 0; e < epochs; e++) {
            for (Batch batch : batches) {
                double[] order = batch.x().toArray();
                int size = order.length;
                List<Tensor> params = model.parameters();
                double[] theta = flat(model);
                double[] grad = new double[theta.length];
                double lossSum = 0;
                for (int p = 0; p < partitionSizes.length; p++) {
                    List<Integer> rows = new ArrayList<>();
                    List<Long> keys = new ArrayList<>();
                    for (int r = 0; r < size; r++) {
                        int g = (int) order[r];
                        if (g >= start[p] && g < start[p + 1]) {
                            rows.add(g);
                            keys.add((long) r);
                        }
                    }
                    if (rows.isEmpty()) continue;
                    load(worker, theta);
                    worker.zeroGrad();
                    double[] bx = new double[rows.size() * xr], by = new double[rows.size() * yr];
                    for (int k = 0; k < rows.size(); k++) {
                        System.arraycopy(xs, rows.get(k) * xr, bx, k * xr, xr);
                        System.arraycopy(ys, rows.get(k) * yr, by, k * yr, yr);
                    }
                    int[] xShape = data.x().shape().clone(), yShape = data.y().shape().clone();
                    xShape[0] = yShape[0] = rows.size();
                    Tensor x = Tensor.of(bx, xShape).to(worker.dtype()), y = Tensor.of(by, yShape).to(worker.dtype());
                    Tensor prediction;
                    try (var k = Dropout.keys(step, keys.stream().mapToLong(Long::longValue).toArray())) {
                        prediction = worker.forward(x);
                    }
                    Tensor l = loss.apply(prediction, y);
                    lossSum += l.item();
                    l.backward();
                    int at = 0;
                    for (Tensor w : worker.parameters()) {
                        if (w.grad() != null) {
                            double[] g = w.grad().toArray();
                            for (int i = 0; i < g.length; i++) grad[at + i] += g[i];
                        }
                        at += w.size();
                    }
                }
                losses.add(lossSum / size);
                model.zeroGrad();
                int at = 0;
                for (Tensor w : params) {
                    double[] g = new double[w.size()];
                    for (int i = 0; i < g.length; i++) g[i] = grad[at + i] / size;
                    w.backward(Tensor.of(g, w.dtype(), w.shape()));
                    at += w.size();
                }
                optimizer.step();
                optimizer.zeroGrad();
                step++;
            }
        }
        return new Run(losses.stream().mapToDouble(Double::doubleValue).toArray(), flat(model));
    }

    /** Plain Trainer training on the whole data set with a shuffling DataLoader of the same seed ({@code shuffle(seed)}). */
    static Run trainer(ModelFactory factory, LossFactory lossFactory, Function<Module, Optimizer> opt, Dataset data,
                       int batchSize, int epochs, long seed) {
        Module model = factory.create();
        List<Double> losses = new ArrayList<>();
        Trainer.builder(model, lossFactory.create(Reduction.MEAN), opt.apply(model)).epochs(epochs)
            .listener(new TrainingListener() {
                @Override
                public void onBatchEnd(int epoch, int batch, double loss) {
                    losses.add(loss);
                }
            }).build()
            .fit(DataLoader.builder(data).batchSize(batchSize).shuffle(seed).build());
        return new Run(losses.stream().mapToDouble(Double::doubleValue).toArray(), flat(model));
    }

    @SuppressWarnings("try")
    private static void load(Module m, double[] theta) {
        try (var s = dev.chainrule.autograd.Autograd.noGrad()) {
            int at = 0;
            for (Tensor w : m.parameters()) {
                w.copyFrom(java.util.Arrays.copyOfRange(theta, at, at + w.size()));
                at += w.size();
            }
        }
    }

    /** The largest |a_i − b_i| / max(|b|_∞, 1e-300) over the arrays: the normwise relative difference. */
    static double relativeDifference(double[] a, double[] b) {
        double diff = 0, scale = 0;
        for (int i = 0; i < a.length; i++) {
            diff = Math.max(diff, Math.abs(a[i] - b[i]));
            scale = Math.max(scale, Math.abs(b[i]));
        }
        return diff / Math.max(scale, 1e-300);
    }

    /** The largest elementwise |a_i − b_i| / |b_i| (0 where both are 0). */
    static double elementwiseRelativeDifference(double[] a, double[] b) {
        double worst = 0;
        for (int i = 0; i < a.length; i++) {
            if (a[i] == b[i]) continue;
            worst = Math.max(worst, Math.abs(a[i] - b[i]) / Math.max(Math.abs(b[i]), Math.abs(a[i])));
        }
        return worst;
    }
}

package dev.chainrule.spark;

import dev.chainrule.autograd.Autograd;
import dev.chainrule.autograd.DType;
import dev.chainrule.autograd.Shape;
import dev.chainrule.autograd.Tensor;
import dev.chainrule.nn.Dropout;
import dev.chainrule.nn.Module;
import dev.chainrule.nn.loss.Loss;
import dev.chainrule.nn.loss.Reduction;
import dev.chainrule.optim.Metric;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;

/** The functions Spark runs on each partition's shard: one training step's sums, and evaluation. */
final class Tasks {
    private Tasks() {}

    /** Rows evaluated per forward pass. */
    static final int EVAL_CHUNK = 1024;

    /** What every task of a run needs besides the step's data: serialized into each job's closure. */
    record Run(String id, ModelFactory model, LossFactory loss, MetricFactory metric, Layout layout, int[] offsets)
        implements java.io.Serializable {
    }

    /**
     * One training step on one partition: the rows of the global batch that live in this partition, in
     * batch order, each keyed for dropout by its position in the batch; forward, SUM loss, backward.
     */
    static final class Step implements FlatMapFunction<Iterator<Shard>, PartResult> {
        private static final long serialVersionUID = 1L;

        private final Run run;
        private final Broadcast<double[]> parameters;
        private final int[] batch;
        private final long step;

        Step(Run run, Broadcast<double[]> parameters, int[] batch, long step) {
            this.run = run;
            this.parameters = parameters;
            this.batch = batch;
            this.step = step;
        }

        @Override
        @SuppressWarnings("try")
        public Iterator<PartResult> call(Iterator<Shard> shards) {
            Shard s = shards.next();
            int p = s.partition;
            int lo = run.offsets()[p], hi = run.offsets()[p + 1];
            int count = 0;
            for (int g : batch) if (g >= lo && g < hi) count++;
            if (count == 0) return List.of(new PartResult(p, 0, 0, 0, null, null, 0)).iterator();
            int[] local = new int[count];
            long[] keys = new long[count];
            int k = 0;
            for (int r = 0; r < batch.length; r++) {
                int g = batch[r];
                if (g >= lo && g < hi) {
                    local[k] = g - lo;
                    keys[k++] = r;
                }
            }
            long t0 = System.nanoTime();
            Module m = null;
            boolean clean = false;
            try (var grad = Autograd.enableGrad()) {
                m = ModelPool.borrow(run.id(), run.model(), run.layout(), "partition " + p);
                run.layout().load(m, parameters.value());
                m.train();
                m.zeroGrad();
                DType dtype = run.layout().dtype();                    // the shards hold FLOAT64; the model may be FLOAT32
                Tensor x = s.features(local).to(dtype), y = s.targets(local).to(dtype);
                Tensor prediction;
                try (var scope = Dropout.keys(step, keys)) {
                    prediction = m.forward(x);
                }
                Loss loss = run.loss().create(Reduction.SUM);
                Tensor value = loss.apply(prediction, y);
                if (value.size() != 1) {
                    throw new IllegalArgumentException("the loss returned shape " + Shape.toString(value.shape())
                        + " for Reduction.SUM; it must return the scalar sum of the per-sample losses");
                }
                double metricSum = 0;
                if (run.metric() != null) {
                    Metric metric = run.metric().create();
                    metricSum = metric.evaluate(prediction, y) * count;
                }
                value.backward();
                double[] g = new double[run.layout().total()];
                boolean[] reached = run.layout().readGrads(m, g);
                m.zeroGrad();
                clean = true;
                return List.of(new PartResult(p, count, value.item(), metricSum, g, reached, System.nanoTime() - t0)).iterator();
            } catch (RuntimeException e) {
                throw new PartitionFailure("partition " + p + " failed in step " + step + " on its " + count
                    + " rows of the batch (global samples " + list(local, lo) + "; a 'position' below counts these rows): "
                    + e.getMessage(), e);
            } finally {
                if (clean) ModelPool.giveBack(run.id(), m);
            }
        }
    }

    /** Loss and metric sums over every row of one partition, in eval mode and without a graph. */
    static final class Evaluate implements FlatMapFunction<Iterator<Shard>, PartResult> {
        private static final long serialVersionUID = 1L;

        private final Run run;
        private final Broadcast<double[]> parameters;

        Evaluate(Run run, Broadcast<double[]> parameters) {
            this.run = run;
            this.parameters = parameters;
        }

        @Override
        @SuppressWarnings("try")
        public Iterator<PartResult> call(Iterator<Shard> shards) {
            Shard s = shards.next();
            int p = s.partition;
            if (s.rows == 0) return List.of(new PartResult(p, 0, 0, 0, null, null, 0)).iterator();
            long t0 = System.nanoTime();
            Module m = null;
            boolean clean = false;
            int from = 0;
            try (var noGrad = Autograd.noGrad()) {
                m = ModelPool.borrow(run.id(), run.model(), run.layout(), "partition " + p);
                run.layout().load(m, parameters.value());
                m.eval();
                Loss loss = run.loss().create(Reduction.SUM);
                Metric metric = run.metric() == null ? null : run.metric().create();
                double lossSum = 0, metricSum = 0;
                for (; from < s.rows; from += EVAL_CHUNK) {
                    int to = Math.min(s.rows, from + EVAL_CHUNK);
                    Tensor x = s.features(from, to).to(run.layout().dtype()), y = s.targets(from, to).to(run.layout().dtype());
                    Tensor prediction = m.forward(x);
                    lossSum += loss.apply(prediction, y).item();
                    if (metric != null) metricSum += metric.evaluate(prediction, y) * (to - from);
                }
                m.train();
                clean = true;
                return List.of(new PartResult(p, s.rows, lossSum, metricSum, null, null, System.nanoTime() - t0)).iterator();
            } catch (RuntimeException e) {
                int lo = run.offsets()[p];
                throw new PartitionFailure("partition " + p + " failed in evaluation on rows " + from + " to "
                    + Math.min(s.rows, from + EVAL_CHUNK) + " of that partition (global samples " + (lo + from) + " to "
                    + (lo + Math.min(s.rows, from + EVAL_CHUNK)) + "; a 'position' below counts from the first of them): "
                    + e.getMessage(), e);
            } finally {
                if (clean) ModelPool.giveBack(run.id(), m);
            }
        }
    }

    /** Up to 10 global indices, e.g. {@code 17, 4, 33, ... (12 more)}. */
    private static String list(int[] local, int offset) {
        StringBuilder sb = new StringBuilder();
        int shown = Math.min(10, local.length);
        for (int i = 0; i < shown; i++) {
            if (i > 0) sb.append(", ");
            sb.append(local[i] + offset);
        }
        if (local.length > shown) sb.append(", ... (").append(local.length - shown).append(" more)");
        return sb.toString();
    }
}

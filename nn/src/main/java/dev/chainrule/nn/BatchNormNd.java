package dev.chainrule.nn;

import dev.chainrule.autograd.Autograd;
import dev.chainrule.autograd.Shape;
import dev.chainrule.autograd.Tensor;
import java.util.Objects;

/**
 * What {@link BatchNorm1d} and {@link BatchNorm2d} share: the options, the affine parameters, the
 * running statistics and the forward call of {@link Tensor#batchNorm}. The running statistics are
 * buffers under PyTorch's names ({@code running_mean}, {@code running_var}, {@code num_batches_tracked}),
 * so checkpoints keep them and a PyTorch {@code state_dict} maps onto them name for name.
 */
abstract class BatchNormNd extends Module {

    private final int features;
    private final double eps;
    private final double momentum;          // NaN: cumulative moving average (PyTorch's momentum=None)
    private final Tensor weight;
    private final Tensor bias;
    private final Tensor runningMean;
    private final Tensor runningVar;
    private final Tensor batchesTracked;    // a scalar count, as a buffer

    BatchNormNd(Options<?> o) {
        String who = getClass().getSimpleName();
        if (o.features < 1) throw new IllegalArgumentException(who + ": numFeatures=" + o.features + " must be at least 1");
        if (!(o.eps > 0) || Double.isInfinite(o.eps)) throw new IllegalArgumentException(who + ": eps=" + o.eps + " must be positive");
        if (!Double.isNaN(o.momentum) && !(o.momentum >= 0 && o.momentum <= 1)) {
            throw new IllegalArgumentException(who + ": momentum=" + o.momentum + " must be in [0, 1]");
        }
        this.features = o.features;
        this.eps = o.eps;
        this.momentum = o.momentum;
        this.weight = o.affine ? registerParameter("weight", Tensor.ones(features)) : null;
        this.bias = o.affine ? registerParameter("bias", Tensor.zeros(features)) : null;
        this.runningMean = o.track ? registerBuffer("running_mean", Tensor.zeros(features)) : null;
        this.runningVar = o.track ? registerBuffer("running_var", Tensor.ones(features)) : null;
        this.batchesTracked = o.track ? registerBuffer("num_batches_tracked", Tensor.scalar(0)) : null;
    }

    /** Whether an input of rank {@code r} is accepted. */
    abstract boolean acceptsRank(int r);

    /** The accepted input shapes, for messages, e.g. {@code [N, 64, H, W]}. */
    abstract String expected(int c);

    /**
     * Normalizes each channel: in training with the batch's mean and (biased) variance, updating the
     * running statistics; in eval with the running statistics (or the batch's, without tracking).
     */
    @Override
    @SuppressWarnings("try") // the no-grad scope is used for its effect only
    public Tensor forward(Tensor x) {
        Objects.requireNonNull(x, getClass().getSimpleName() + ".forward: input is null");
        int[] s = x.shape();
        if (!acceptsRank(s.length) || s[1] != features) {
            throw new IllegalArgumentException(getClass().getSimpleName() + "(" + extraRepr() + "): input " + Shape.toString(s)
                + " does not match; expected " + expected(features));
        }
        boolean batchStats = isTraining() || runningMean == null;
        boolean update = isTraining() && runningMean != null;
        long tracked = numBatchesTracked() + (update ? 1 : 0);
        double factor = Double.isNaN(momentum) ? 1.0 / Math.max(1, tracked) : momentum;
        Tensor y;
        try {
            y = x.batchNorm(runningMean, runningVar, weight, bias, batchStats, factor, eps);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(getClass().getSimpleName() + "(" + extraRepr() + "): " + e.getMessage(), e);
        }
        if (update) {
            try (var scope = Autograd.noGrad()) {
                batchesTracked.copyFrom(new double[] {tracked});
            }
        }
        return y;
    }

    /** The number of channels C. */
    public int numFeatures() {
        return features;
    }

    /** ε added to the variance. */
    public double eps() {
        return eps;
    }

    /** The running-average factor, or NaN for a cumulative average. */
    public double momentum() {
        return momentum;
    }

    /** The scale γ {@code [C]} (a parameter, starts at 1), or null without affine parameters. */
    public Tensor weight() {
        return weight;
    }

    /** The shift β {@code [C]} (a parameter, starts at 0), or null without affine parameters. */
    public Tensor bias() {
        return bias;
    }

    /** The running mean {@code [C]} (starts at 0; updated in place in training), or null without tracking. */
    public Tensor runningMean() {
        return runningMean;
    }

    /** The running (unbiased) variance {@code [C]} (starts at 1; updated in place in training), or null without tracking. */
    public Tensor runningVar() {
        return runningVar;
    }

    /** How many training batches have updated the running statistics. */
    public long numBatchesTracked() {
        return batchesTracked == null ? 0 : (long) batchesTracked.item();
    }

    @Override
    protected String extraRepr() {
        return features + ", eps=" + eps + ", momentum=" + (Double.isNaN(momentum) ? "cumulative" : momentum)
            + (weight == null ? ", affine=false" : "") + (runningMean == null ? ", trackRunningStats=false" : "");
    }

    /**
     * The options of a batch-norm layer, PyTorch's defaults: eps 1e-5, momentum 0.1, affine parameters
     * (γ = 1, β = 0) and running statistics (mean 0, variance 1).
     *
     * @param <B> the concrete builder
     */
    abstract static class Options<B extends Options<B>> {
        final int features;
        double eps = 1e-5;
        double momentum = 0.1;
        boolean affine = true;
        boolean track = true;

        Options(int features) {
            this.features = features;
        }

        abstract B self();

        /** ε &gt; 0 added to the variance; default 1e-5. */
        public B eps(double eps) {
            this.eps = eps;
            return self();
        }

        /** The running-average factor in [0, 1]: r ← (1 − momentum)·r + momentum·batch statistic; default 0.1. */
        public B momentum(double momentum) {
            this.momentum = momentum;
            return self();
        }

        /** A cumulative moving average instead (factor 1/k at the k-th batch; PyTorch's {@code momentum=None}). */
        public B cumulativeAverage() {
            this.momentum = Double.NaN;
            return self();
        }

        /** With or without the learned scale γ and shift β; default with. */
        public B affine(boolean affine) {
            this.affine = affine;
            return self();
        }

        /** Whether to keep running statistics for eval mode (without them eval uses the batch's); default true. */
        public B trackRunningStats(boolean track) {
            this.track = track;
            return self();
        }
    }
}

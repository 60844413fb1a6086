package dev.chainrule.optim;

import dev.chainrule.autograd.Shape;
import dev.chainrule.autograd.Tensor;
import java.util.Arrays;

/**
 * The fraction of samples classified correctly: (1/N) Σ<sub>i</sub> [ŷ<sub>i</sub> = y<sub>i</sub>].
 *
 * <p>Two forms:
 * <ul>
 *   <li>{@link #multiclass()}: scores (logits or probabilities) {@code [N, C]}; the predicted class is
 *       the arg max of each row (the first on ties). Targets are class indices {@code [N]} (or
 *       {@code [N, 1]}) stored as integer-valued doubles, or one-hot rows {@code [N, C]}.</li>
 *   <li>{@link #binary(double)}: one output per sample, {@code [N]} or {@code [N, 1]}; a sample is
 *       predicted positive when its output is &gt; the threshold — 0 for logits
 *       ({@link #binaryLogits()}, e.g. with {@code BinaryCrossEntropyWithLogits} or a sign perceptron),
 *       0.5 for probabilities ({@link #binaryProbabilities()}). A target is positive when it is
 *       &gt; 0.5, so both 0/1 and −1/+1 labels work.</li>
 * </ul>
 * When to use: classification, to read progress in a unit people understand; the loss remains what
 * is optimized.
 */
public final class Accuracy implements Metric {

    private final boolean multiclass;
    private final double threshold;

    private Accuracy(boolean multiclass, double threshold) {
        this.multiclass = multiclass;
        this.threshold = threshold;
    }

    /** Arg max of {@code [N, C]} scores against class indices or one-hot targets. */
    public static Accuracy multiclass() {
        return new Accuracy(true, Double.NaN);
    }

    /** Binary outputs, positive when &gt; {@code threshold}. @throws IllegalArgumentException if the threshold is NaN or infinite */
    public static Accuracy binary(double threshold) {
        if (!Double.isFinite(threshold)) {
            throw new IllegalArgumentException("Accuracy.binary: threshold must be finite, got " + threshold);
        }
        return new Accuracy(false, threshold);
    }

    /** Binary logits (or ±1 outputs), positive when &gt; 0. */
    public static Accuracy binaryLogits() {
        return binary(0);
    }

    /** Binary probabilities (or 0/1 outputs), positive when &gt; 0.5. */
    public static Accuracy binaryProbabilities() {
        return binary(0.5);
    }

    @Override
    public String name() {
        return "accuracy";
    }

    /** @throws IllegalArgumentException if the shapes do not fit the form, naming both */
    @Override
    public double evaluate(Tensor prediction, Tensor target) {
        java.util.Objects.requireNonNull(prediction, "Accuracy: prediction is null");
        java.util.Objects.requireNonNull(target, "Accuracy: target is null");
        return multiclass ? multiclassAccuracy(prediction, target) : binaryAccuracy(prediction, target);
    }

    private double multiclassAccuracy(Tensor prediction, Tensor target) {
        int[] ps = prediction.shape();
        int[] ts = target.shape();
        if (ps.length != 2) throw shapes("multiclass needs scores [N, C]", prediction, target);
        int n = ps[0], c = ps[1];
        boolean oneHot = Arrays.equals(ps, ts);
        boolean indices = ts.length >= 1 && ts[0] == n && target.size() == n;
        if (!oneHot && !indices) throw shapes("targets must be class indices [N] or one-hot [N, C]", prediction, target);
        double[] p = prediction.toArray();
        double[] t = target.toArray();
        int correct = 0;
        for (int i = 0; i < n; i++) {
            int predicted = argMax(p, i * c, c);
            int actual;
            if (oneHot) {
                actual = argMax(t, i * c, c);
            } else {
                double v = t[i];
                if (!(v >= 0 && v < c) || v != Math.rint(v)) {
                    throw new IllegalArgumentException("Accuracy: target " + v + " at position " + i
                        + " is not a class index in [0, " + c + ") for prediction " + Shape.toString(ps));
                }
                actual = (int) v;
            }
            if (predicted == actual) correct++;
        }
        return (double) correct / n;
    }

    private double binaryAccuracy(Tensor prediction, Tensor target) {
        int[] ps = prediction.shape();
        boolean column = ps.length == 1 || (ps.length == 2 && ps[1] == 1);
        if (!column || target.rank() == 0 || target.size() != ps[0] || target.shape()[0] != ps[0]) {
            throw shapes("binary needs one output per sample, [N] or [N, 1], and N targets", prediction, target);
        }
        double[] p = prediction.toArray();
        double[] t = target.toArray();
        int correct = 0;
        for (int i = 0; i < p.length; i++) {
            if ((p[i] > threshold) == (t[i] > 0.5)) correct++;
        }
        return (double) correct / p.length;
    }

    private static int argMax(double[] v, int from, int len) {
        int best = 0;
        for (int j = 1; j < len; j++) if (v[from + j] > v[from + best]) best = j;
        return best;
    }

    private static IllegalArgumentException shapes(String what, Tensor prediction, Tensor target) {
        return new IllegalArgumentException("Accuracy: prediction " + Shape.toString(prediction.shape()) + " and target "
            + Shape.toString(target.shape()) + " do not fit: " + what);
    }

    @Override
    public String toString() {
        return multiclass ? "Accuracy(multiclass)" : "Accuracy(binary, threshold=" + threshold + ")";
    }
}

package dev.chainrule.nn.loss;

import dev.chainrule.autograd.DType;
import dev.chainrule.autograd.Shape;
import dev.chainrule.autograd.Tensor;
import java.util.Arrays;

/** Argument checks shared by the losses; every message names the loss and both shapes. */
final class LossSupport {
    private LossSupport() {}

    static void notNull(String loss, Tensor prediction, Tensor target) {
        java.util.Objects.requireNonNull(prediction, loss + ": prediction is null");
        java.util.Objects.requireNonNull(target, loss + ": target is null");
    }

    /** @throws IllegalArgumentException unless prediction and target have identical shapes */
    static void sameShape(String loss, Tensor prediction, Tensor target) {
        notNull(loss, prediction, target);
        if (!Arrays.equals(prediction.shape(), target.shape())) {
            throw new IllegalArgumentException(loss + ": prediction " + Shape.toString(prediction.shape()) + " and target "
                + Shape.toString(target.shape()) + " have different shapes; they must match exactly (no broadcasting), "
                + "e.g. reshape a [N] target to [N, 1]");
        }
    }

    /**
     * Class indices from a target of shape {@code scores.shape()} without its last axis, holding
     * integer-valued doubles in [0, C).
     *
     * @throws IllegalArgumentException if the shapes do not fit or a value is not a valid class
     */
    static int[] classIndices(String loss, Tensor scores, Tensor target) {
        notNull(loss, scores, target);
        int[] s = scores.shape();
        int[] t = target.shape();
        if (s.length < 1 || !Arrays.equals(Arrays.copyOf(s, s.length - 1), t)) {
            throw new IllegalArgumentException(loss + ": prediction " + Shape.toString(s) + " and target " + Shape.toString(t)
                + " do not fit; expected scores [N, C] and class indices [N]");
        }
        int classes = s[s.length - 1];
        double[] v = target.toArray();
        int[] idx = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            double c = v[i];
            if (!(c >= 0 && c < classes) || c != Math.rint(c)) {
                throw new IllegalArgumentException(loss + ": target " + c + " at position " + i + " is not a class index in [0, "
                    + classes + ") for prediction " + Shape.toString(s) + " and target " + Shape.toString(t));
            }
            idx[i] = (int) c;
        }
        return idx;
    }

    /** @throws IllegalArgumentException naming the loss if an element of {@code t} is outside [lo, hi] */
    static void valuesIn(String loss, String what, Tensor t, double lo, double hi, String hint) {
        double[] v = t.toArray();
        for (int i = 0; i < v.length; i++) {
            if (!(v[i] >= lo && v[i] <= hi)) {
                throw new IllegalArgumentException(loss + ": " + what + " " + v[i] + " at position " + i + " (shape "
                    + Shape.toString(t.shape()) + ") is outside [" + lo + ", " + hi + "]" + hint);
            }
        }
    }

    /** A one-hot {@code [rows, classes]}-like constant in {@code dtype}: 1 at {@code (r, idx[r])}. */
    static Tensor oneHot(int[] idx, int[] shape, DType dtype) {
        int classes = shape[shape.length - 1];
        double[] d = new double[idx.length * classes];
        for (int r = 0; r < idx.length; r++) d[r * classes + idx[r]] = 1;
        return Tensor.of(d, dtype, shape);
    }

    /**
     * {@code t} in the prediction's dtype ({@code t} itself when it already is), so that a loss over a
     * FLOAT32 prediction and a FLOAT64 target (or sigma) is FLOAT32, as the model; the conversion is
     * differentiable.
     */
    static Tensor like(Tensor t, Tensor prediction) {
        return t.to(prediction.dtype());
    }
}

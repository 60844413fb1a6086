package dev.chainrule.examples;

import dev.chainrule.autograd.Autograd;
import dev.chainrule.autograd.Tensor;
import dev.chainrule.nn.Module;

/** Inference helpers: run a model without recording a graph and turn its outputs into classes. */
final class Predictions {

    private Predictions() {}

    /**
     * The model's output for {@code x} (converted to the model's dtype), computed under no-grad in eval
     * mode (its mode is restored afterwards).
     */
    @SuppressWarnings("try")   // the no-grad scope is used only for its effect
    static Tensor output(Module model, Tensor x) {
        boolean training = model.isTraining();
        model.eval();
        try (var s = Autograd.noGrad()) {
            return model.forward(model.parameters().isEmpty() ? x : x.to(model.dtype()));
        } finally {
            if (training) model.train();
        }
    }

    /**
     * A logit within this distance of 0 is a tie, classed 0. Below it the sign is round-off: the logistic
     * unit on XOR ends at logits of about 1e-16 whose signs change with the order of floating-point
     * operations, and the printed predictions must not.
     */
    static final double TIE = 1e-9;

    /** Classes of a model with one logit per sample ({@code [N, 1]} or {@code [N]}): 1 where the logit is above {@link #TIE}. */
    static int[] binary(Module model, Tensor x) {
        double[] logits = output(model, x).toArray();
        int[] out = new int[logits.length];
        for (int i = 0; i < out.length; i++) out[i] = logits[i] > TIE ? 1 : 0;
        return out;
    }

    /** σ(logit) per sample of a one-logit model. */
    static double[] probabilities(Module model, Tensor x) {
        return output(model, x).sigmoid().toArray();
    }

    /** Classes of a model with one logit per class ({@code [N, C]}): the arg max. */
    static int[] argMax(Module model, Tensor x) {
        double[] idx = output(model, x).argMax(1).toArray();
        int[] out = new int[idx.length];
        for (int i = 0; i < out.length; i++) out[i] = (int) idx[i];
        return out;
    }

    /** A {@link Plots.Classifier} over a one-logit model. */
    static Plots.Classifier binaryClassifier(Module model) {
        return points -> binary(model, Tensor.of(points));
    }

    /** A {@link Plots.Classifier} over a one-logit-per-class model. */
    static Plots.Classifier multiClassifier(Module model) {
        return points -> argMax(model, Tensor.of(points));
    }
}

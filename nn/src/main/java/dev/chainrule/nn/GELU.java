package dev.chainrule.nn;

import dev.chainrule.autograd.Tensor;

/**
 * The Gaussian error linear unit gelu(z) = z·Φ(z), Φ the standard normal CDF, elementwise (exact
 * erf form, PyTorch's default {@code approximate='none'}): the activation of BERT- and GPT-style
 * transformers, a smooth ReLU that weights its input by the probability that a standard normal is
 * below it. Derivative Φ(z) + z·φ(z). Hendrycks and Gimpel, "Gaussian Error Linear Units" (2016).
 * No parameters; any shape, unchanged.
 */
public final class GELU extends Module {

    /** Applies {@code gelu} to every element. */
    @Override
    public Tensor forward(Tensor x) {
        java.util.Objects.requireNonNull(x, "GELU.forward: x is null");
        return x.gelu();
    }
}

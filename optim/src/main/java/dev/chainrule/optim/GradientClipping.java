package dev.chainrule.optim;

import dev.chainrule.autograd.Autograd;
import dev.chainrule.autograd.Tensor;

/**
 * Limits gradients in place, between {@code loss.backward()} and {@code optimizer.step()}, so that
 * one bad batch cannot throw the parameters far away (exploding gradients in deep or recurrent nets).
 * Parameters whose gradient is null are ignored. The gradients are modified under
 * {@link Autograd#noGrad()}; the parameters are not.
 */
public final class GradientClipping {
    private GradientClipping() {}

    /**
     * Rescales all gradients together so that their global L2 norm is at most {@code maxNorm}, as
     * {@code torch.nn.utils.clip_grad_norm_}: with N = √(Σ<sub>p</sub> Σ<sub>i</sub> g<sub>p,i</sub>²),
     * every gradient is multiplied by min(1, maxNorm / (N + 10⁻⁶)). The direction of the overall
     * gradient is kept; only its length shrinks.
     *
     * @return N, the global norm before clipping (useful to log). When N is NaN or infinite, no
     *         scaling can repair the gradients, so they are left unchanged and N is returned for the
     *         caller to act on.
     * @throws IllegalArgumentException if {@code maxNorm} is not positive and finite
     * @throws NullPointerException     if {@code parameters} is null
     */
    @SuppressWarnings("try") // the scope is used only for its close()
    public static double clipNorm(Iterable<Tensor> parameters, double maxNorm) {
        Checks.positive("GradientClipping.clipNorm", "maxNorm", maxNorm);
        java.util.Objects.requireNonNull(parameters, "GradientClipping.clipNorm: parameters is null");
        double sumSquares = 0;
        for (Tensor p : parameters) {
            Tensor g = p.grad();
            if (g == null) continue;
            for (double v : g.toArray()) sumSquares += v * v;
        }
        double norm = Math.sqrt(sumSquares);
        if (!Double.isFinite(norm)) return norm;
        double coefficient = maxNorm / (norm + 1e-6);
        if (coefficient < 1) {
            try (var s = Autograd.noGrad()) {
                for (Tensor p : parameters) {
                    if (p.grad() != null) p.grad().mulInPlace(coefficient);
                }
            }
        }
        return norm;
    }

    /**
     * Clamps every gradient element to [−{@code clipValue}, {@code clipValue}], as
     * {@code torch.nn.utils.clip_grad_value_}. Unlike {@link #clipNorm} this changes the gradient's
     * direction. NaN elements stay NaN.
     *
     * @throws IllegalArgumentException if {@code clipValue} is not positive and finite
     * @throws NullPointerException     if {@code parameters} is null
     */
    @SuppressWarnings("try") // the scope is used only for its close()
    public static void clipValue(Iterable<Tensor> parameters, double clipValue) {
        Checks.positive("GradientClipping.clipValue", "clipValue", clipValue);
        java.util.Objects.requireNonNull(parameters, "GradientClipping.clipValue: parameters is null");
        try (var s = Autograd.noGrad()) {
            for (Tensor p : parameters) {
                Tensor g = p.grad();
                if (g != null) g.copyFrom(g.clamp(-clipValue, clipValue));
            }
        }
    }
}

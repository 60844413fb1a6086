package dev.chainrule.nn.loss;

import dev.chainrule.autograd.Tensor;
import dev.chainrule.nn.Module;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Penalty terms Ω(θ) added to a loss, giving the regularized objective
 * {@code (1/N) Σ_i L_i(θ) + λ Ω(θ)}. Each returns a scalar tensor in the same graph as the
 * parameters, so {@code loss.add(Regularizers.l2(1e-4, Regularizers.weights(model))).backward()}
 * differentiates both.
 *
 * <ul>
 *   <li>{@link #l2}: λ‖W‖² = λ Σ w², gradient 2λw (weight decay; a Gaussian prior on w, MAP).</li>
 *   <li>{@link #l1}: λ‖W‖₁ = λ Σ |w|, subgradient λ·sign(w), 0 at 0 (drives weights to exactly 0;
 *       a Laplace prior).</li>
 * </ul>
 * Biases are usually not penalized: {@link #weights(Module)} selects the weights only.
 */
public final class Regularizers {
    private Regularizers() {}

    /**
     * λ Σ_p Σ p², a scalar.
     *
     * @throws IllegalArgumentException if λ is negative or not finite, or there are no parameters
     */
    public static Tensor l2(double lambda, Iterable<Tensor> parameters) {
        Tensor total = null;
        for (Tensor p : checked("l2", lambda, parameters)) {
            Tensor s = p.square().sum();
            total = total == null ? s : total.add(s);
        }
        return total.mul(lambda);
    }

    /**
     * λ Σ_p Σ |p|, a scalar.
     *
     * @throws IllegalArgumentException if λ is negative or not finite, or there are no parameters
     */
    public static Tensor l1(double lambda, Iterable<Tensor> parameters) {
        Tensor total = null;
        for (Tensor p : checked("l1", lambda, parameters)) {
            Tensor s = p.abs().sum();
            total = total == null ? s : total.add(s);
        }
        return total.mul(lambda);
    }

    /** The parameters of {@code model} named {@code weight} or ending in {@code .weight} (no biases), in order. */
    public static List<Tensor> weights(Module model) {
        java.util.Objects.requireNonNull(model, "Regularizers.weights: model is null");
        List<Tensor> out = new ArrayList<>();
        for (Map.Entry<String, Tensor> e : model.namedParameters().entrySet()) {
            String n = e.getKey();
            if (n.equals("weight") || n.endsWith(".weight")) out.add(e.getValue());
        }
        return out;
    }

    private static List<Tensor> checked(String name, double lambda, Iterable<Tensor> parameters) {
        if (!(lambda >= 0) || !Double.isFinite(lambda)) {
            throw new IllegalArgumentException("Regularizers." + name + ": lambda " + lambda + " must be finite and >= 0");
        }
        java.util.Objects.requireNonNull(parameters, "Regularizers." + name + ": parameters is null");
        List<Tensor> list = new ArrayList<>();
        for (Tensor p : parameters) {
            java.util.Objects.requireNonNull(p, "Regularizers." + name + ": a parameter is null");
            list.add(p);
        }
        if (list.isEmpty()) {
            throw new IllegalArgumentException("Regularizers." + name + ": no parameters to penalize");
        }
        return list;
    }
}

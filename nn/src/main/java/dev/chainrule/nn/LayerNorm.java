package dev.chainrule.nn;

import dev.chainrule.autograd.Shape;
import dev.chainrule.autograd.Tensor;
import java.util.Arrays;
import java.util.Objects;

/**
 * Layer normalization (PyTorch's {@code nn.LayerNorm}): each sample is standardized over its last
 * dimensions {@code normalizedShape}, then scaled and shifted elementwise by learned γ, β of that
 * shape: {@code y = (x − μ) / √(σ² + ε) ⊙ γ + β}, μ and σ² (biased) per sample. Unlike batch norm it
 * does not depend on the rest of the batch and behaves the same in training and eval; the usual
 * normalization of transformers (Ba, Kiros and Hinton, 2016).
 *
 * <p>Shapes: {@code [..., *normalizedShape]}, unchanged. Parameters {@code weight} (γ, starts at 1) and
 * {@code bias} (β, starts at 0) of {@code normalizedShape}, when {@code elementwiseAffine}.
 *
 * <pre>{@code new LayerNorm(64)   // over the last dimension of [batch, time, 64]}</pre>
 */
public final class LayerNorm extends Module {

    private final int[] normalizedShape;
    private final double eps;
    private final Tensor weight;
    private final Tensor bias;

    /**
     * eps 1e-5 and elementwise affine parameters, as PyTorch's defaults.
     *
     * @throws IllegalArgumentException if the shape is empty or has a dimension below 1
     */
    public LayerNorm(int... normalizedShape) {
        this(normalizedShape, 1e-5, true);
    }

    /**
     * @param normalizedShape the trailing dimensions to normalize over
     * @param eps             ε &gt; 0 added to the variance
     * @param elementwiseAffine whether to learn γ and β
     * @throws IllegalArgumentException if the shape is empty or has a dimension below 1, or eps is not positive
     */
    public LayerNorm(int[] normalizedShape, double eps, boolean elementwiseAffine) {
        Objects.requireNonNull(normalizedShape, "LayerNorm: normalized shape is null");
        if (normalizedShape.length == 0 || Arrays.stream(normalizedShape).anyMatch(v -> v < 1)) {
            throw new IllegalArgumentException("LayerNorm: normalized shape " + Arrays.toString(normalizedShape)
                + " must be non-empty with every dimension at least 1");
        }
        if (!(eps > 0) || Double.isInfinite(eps)) throw new IllegalArgumentException("LayerNorm: eps=" + eps + " must be positive");
        this.normalizedShape = normalizedShape.clone();
        this.eps = eps;
        this.weight = elementwiseAffine ? registerParameter("weight", Tensor.ones(normalizedShape)) : null;
        this.bias = elementwiseAffine ? registerParameter("bias", Tensor.zeros(normalizedShape)) : null;
    }

    @Override
    public Tensor forward(Tensor x) {
        Objects.requireNonNull(x, "LayerNorm.forward: input is null");
        int[] s = x.shape(), k = normalizedShape;
        if (s.length < k.length || !Arrays.equals(k, Arrays.copyOfRange(s, s.length - k.length, s.length))) {
            throw new IllegalArgumentException("LayerNorm(" + extraRepr() + "): input " + Shape.toString(s) + " does not end in "
                + Arrays.toString(k));
        }
        return x.layerNorm(normalizedShape, weight, bias, eps);
    }

    /** The normalized trailing shape (a copy). */
    public int[] normalizedShape() {
        return normalizedShape.clone();
    }

    /** ε added to the variance. */
    public double eps() {
        return eps;
    }

    /** γ of the normalized shape (a parameter), or null without elementwise affine parameters. */
    public Tensor weight() {
        return weight;
    }

    /** β of the normalized shape (a parameter), or null without elementwise affine parameters. */
    public Tensor bias() {
        return bias;
    }

    @Override
    protected String extraRepr() {
        return Arrays.toString(normalizedShape) + ", eps=" + eps + (weight == null ? ", elementwiseAffine=false" : "");
    }
}

package dev.chainrule.autograd;

/**
 * The result of {@link Tensor#sort(int, boolean)} and {@link Tensor#topk(int, int)} (PyTorch's
 * {@code (values, indices)} pair).
 *
 * @param values the selected elements in order; differentiable (the gradient goes back to the
 *     positions they came from)
 * @param indices where each value came from along the sorted axis, as integer values in a tensor
 *     without graph, of the same shape as {@code values}
 */
public record ValuesAndIndices(Tensor values, Tensor indices) {
    /**
     * Checks the pair.
     *
     * @throws IllegalArgumentException if the two shapes differ
     */
    public ValuesAndIndices {
        Checks.nonNull("ValuesAndIndices", "values", values);
        Checks.nonNull("ValuesAndIndices", "indices", indices);
        if (!java.util.Arrays.equals(values.shape, indices.shape)) {
            throw new IllegalArgumentException("ValuesAndIndices: values of shape " + Shape.toString(values.shape)
                + " and indices of shape " + Shape.toString(indices.shape) + " differ; they must have one shape");
        }
    }
}

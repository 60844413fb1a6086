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
public record ValuesAndIndices(Tensor values, Tensor indices) {}

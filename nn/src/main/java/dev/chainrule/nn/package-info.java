/**
 * Neural-network building blocks on Chainrule's autograd: {@link dev.chainrule.nn.Module} and its
 * layers ({@code Linear}, {@code Perceptron}, {@code Sequential}, {@code Dropout}, activations, the
 * {@code Mlp} builder). Every layer is written with the same {@code Tensor} ops a user would write;
 * there is no hand-derived backward pass anywhere.
 */
package dev.chainrule.nn;

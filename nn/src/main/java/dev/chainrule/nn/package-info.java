/**
 * Neural-network building blocks on Chainrule's autograd: {@link dev.chainrule.nn.Module} (parameters
 * with dotted names, train/eval, a summary) and its layers — {@link dev.chainrule.nn.Linear},
 * {@link dev.chainrule.nn.Perceptron}, {@link dev.chainrule.nn.Sequential},
 * {@link dev.chainrule.nn.Dropout}, the activations ({@code Sigmoid}, {@code Tanh}, {@code ReLU},
 * {@code Softplus}, {@code GELU}, {@code SiLU}, {@code LeakyReLU}, {@code ELU}, {@code Hardtanh}, {@code Step},
 * {@code Sign}, {@code Softmax}, {@code LogSoftmax}, {@code Identity})
 * and the {@link dev.chainrule.nn.Mlp} builder; for sequences {@link dev.chainrule.nn.Embedding},
 * the recurrent layers {@link dev.chainrule.nn.RNN}, {@link dev.chainrule.nn.LSTM},
 * {@link dev.chainrule.nn.GRU} and their cells, {@link dev.chainrule.nn.MultiheadAttention}; the
 * containers {@link dev.chainrule.nn.ModuleList} and {@link dev.chainrule.nn.Residual}. Every layer is written with the same {@code Tensor}
 * ops a user would write; there is no hand-derived backward pass anywhere, so second derivatives
 * work through every layer.
 *
 * <p>Initial weights come from {@link dev.chainrule.nn.init}; training objectives from
 * {@link dev.chainrule.nn.loss}.
 */
package dev.chainrule.nn;

/**
 * Training objectives as negative log-likelihoods, each named after its distribution: Gaussian
 * ({@link dev.chainrule.nn.loss.MeanSquaredError}, {@link dev.chainrule.nn.loss.GaussianNll}),
 * Bernoulli ({@link dev.chainrule.nn.loss.BinaryCrossEntropy},
 * {@link dev.chainrule.nn.loss.BinaryCrossEntropyWithLogits}), categorical
 * ({@link dev.chainrule.nn.loss.CrossEntropy}, {@link dev.chainrule.nn.loss.NllLoss},
 * {@link dev.chainrule.nn.loss.KlDivergence}); the margin criteria
 * {@link dev.chainrule.nn.loss.Hinge} and {@link dev.chainrule.nn.loss.PerceptronLoss}; a
 * {@link dev.chainrule.nn.loss.Reduction}; and L1/L2 penalties in
 * {@link dev.chainrule.nn.loss.Regularizers}. All are built from tensor ops, so backward (and
 * double backward) works through them. Every loss is computed in the prediction's dtype: a target
 * (or sigma) of the other dtype is converted to it, so a FLOAT32 model gives a FLOAT32 loss whatever
 * the dtype of the labels.
 *
 * <pre>{@code
 * Loss loss = new CrossEntropy();                        // logits [N, C], class indices [N]
 * Tensor l = loss.apply(model.forward(x), labels)
 *     .add(Regularizers.l2(1e-4, Regularizers.weights(model)));
 * l.backward();
 * }</pre>
 */
package dev.chainrule.nn.loss;

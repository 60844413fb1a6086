/**
 * Losses derived as negative log-likelihoods (Gaussian: mean squared error; Bernoulli: binary
 * cross-entropy; categorical: softmax cross-entropy), plus hinge, perceptron and KL losses and
 * L1/L2 regularizers, all built from tensor ops.
 */
package dev.chainrule.nn.loss;

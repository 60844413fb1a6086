/**
 * Chainrule's autograd core. {@link dev.chainrule.autograd.Tensor} is an immutable n-dimensional
 * array of doubles that records the ops applied to it; {@link dev.chainrule.autograd.Tensor#backward()}
 * applies the chain rule in reverse over that record. {@link dev.chainrule.autograd.Autograd} holds
 * the per-thread modes and gradients-as-values, {@link dev.chainrule.autograd.GradCheck} the
 * finite-difference checker, {@link dev.chainrule.autograd.Dot} the Graphviz export.
 */
package dev.chainrule.autograd;

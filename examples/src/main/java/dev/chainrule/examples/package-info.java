/**
 * Runnable programs that reproduce the classics of the lecture notes with Chainrule — XOR, logistic
 * and linear regression, the backpropagation worked example, spirals, initialization and maximum
 * likelihood — and the command line ({@link dev.chainrule.examples.Main}) that runs them.
 *
 * <p><strong>Not part of the API.</strong> These classes are showcases of the public API of
 * {@code autograd-core}, {@code nn} and {@code optim}; they may change or disappear in any release.
 * Each example is a class with a static method that trains and returns a result record (what the
 * tests assert) and a nested picocli command that prints that result and optionally writes plots.
 */
package dev.chainrule.examples;

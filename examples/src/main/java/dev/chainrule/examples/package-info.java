/**
 * Runnable programs that reproduce the classics of the lecture notes with Chainrule — XOR, logistic
 * and linear regression, the backpropagation worked example, spirals, initialization and maximum
 * likelihood — and the command line ({@link dev.chainrule.examples.Main}) that runs them.
 *
 * <p><strong>Not part of the API.</strong> These classes are showcases of the public API of
 * {@code chainrule-core}, {@code chainrule-nn} and {@code chainrule-optim}; they may change or disappear in any release.
 * Each example is a class with a static method that trains and returns a result record (what the
 * tests assert) and a nested picocli command that prints that result and optionally writes plots.
 */
package dev.chainrule.examples;

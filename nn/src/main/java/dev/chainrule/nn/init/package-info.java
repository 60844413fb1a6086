/**
 * Weight initializers: {@link dev.chainrule.nn.init.Initializer} and its named rules
 * ({@code Zeros}, {@code Constant}, {@code Normal}, {@code Uniform}, {@code LeCunUniform},
 * {@code GlorotUniform}, {@code XavierNormal}, {@code HeNormal}), each seeded by a caller-supplied
 * {@link java.util.random.RandomGenerator} so that training runs are reproducible.
 */
package dev.chainrule.nn.init;

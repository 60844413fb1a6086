/** Weight initializers (zeros, constant, normal, uniform, LeCun, Glorot, Xavier, He), seeded by a caller-supplied generator. */
package dev.chainrule.nn.init;

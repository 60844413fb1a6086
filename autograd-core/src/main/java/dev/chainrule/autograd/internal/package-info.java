/**
 * Array-level kernels behind {@code Tensor}: broadcasting loops, reductions, softmax, GEMM.
 * Not exported; no stability promise. Every method works on plain row-major {@code double[]}
 * and never mutates its inputs unless its name says so ({@code Into}).
 */
package dev.chainrule.autograd.internal;

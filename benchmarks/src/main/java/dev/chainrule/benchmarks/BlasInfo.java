package dev.chainrule.benchmarks;

import dev.chainrule.autograd.internal.Gemm;

/** Prints which BLAS Chainrule's GEMM uses (native through JNI, or a pure-Java fallback). */
public final class BlasInfo {
    private BlasInfo() {}

    public static void main(String[] args) {
        String impl = Gemm.implementation();
        System.out.println(impl.substring(impl.lastIndexOf('.') + 1) + (Gemm.isNative() ? " (native)" : " (pure Java)"));
    }
}

/**
 * Chainrule's automatic-differentiation core: {@link dev.chainrule.autograd.Tensor}, reverse-mode
 * backpropagation, no-grad and anomaly scopes, a gradient checker and Graphviz export.
 * The {@code internal} package (kernels, BLAS) is not exported.
 */
module dev.chainrule.autograd {
    requires org.slf4j;
    requires dev.ludovic.netlib.blas;
    // LAPACK's info argument (org.netlib.util.intW) is in netlib's f2j runtime, arpack_combined_all, a jar
    // without a module name. It is not required here by its file-derived name (fragile, and a published
    // module must not): an automatic module such as netlib's lapack grants implied readability to all other
    // automatic modules, so on a module path arpack_combined_all is read through it (on a class path nothing
    // is needed). Maven compiles with arpack on the class path, hence --add-reads ...=ALL-UNNAMED in the pom.
    requires dev.ludovic.netlib.lapack;
    requires java.logging;   // only to quiet netlib's probe warnings (see internal.Gemm)

    exports dev.chainrule.autograd;
}

/**
 * Chainrule's automatic-differentiation core: {@link dev.chainrule.autograd.Tensor}, reverse-mode
 * backpropagation, no-grad and anomaly scopes, a gradient checker and Graphviz export.
 * The {@code internal} package (kernels, BLAS) is not exported.
 */
module dev.chainrule.autograd {
    requires org.slf4j;
    requires dev.ludovic.netlib.blas;
    requires dev.ludovic.netlib.lapack;
    requires arpack.combined.all;   // netlib's f2j runtime: org.netlib.util.intW, LAPACK's info argument
    requires java.logging;   // only to quiet netlib's probe warnings (see internal.Gemm)

    exports dev.chainrule.autograd;
}

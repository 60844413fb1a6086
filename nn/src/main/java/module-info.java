/** Chainrule neural-network layers, initializers, MLE-derived losses, data loading and checkpoints. */
module dev.chainrule.nn {
    requires transitive dev.chainrule.autograd;
    requires org.slf4j;
    requires com.fasterxml.jackson.core;
    requires org.apache.commons.csv;

    exports dev.chainrule.nn;
    exports dev.chainrule.nn.init;
    exports dev.chainrule.nn.loss;
    exports dev.chainrule.nn.data;
    exports dev.chainrule.nn.io;
}

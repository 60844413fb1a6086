/** Chainrule optimizers, learning-rate schedules, gradient clipping and the training loop. */
module dev.chainrule.optim {
    requires transitive dev.chainrule.nn;
    requires org.slf4j;
    requires com.fasterxml.jackson.core;

    exports dev.chainrule.optim;
}

/** Chainrule optimizers, learning-rate schedules, gradient clipping and the training loop. */
module dev.chainrule.optim {
    requires transitive dev.chainrule.nn;
    requires org.slf4j;

    exports dev.chainrule.optim;
}

package dev.chainrule.optim;

/**
 * Callbacks from {@link Trainer#fit}, e.g. to drive a progress bar or record extra statistics. All
 * methods have empty defaults; implement the ones you need. They run on the training thread, between
 * updates, so they should be quick; an exception thrown here ends the fit.
 */
public interface TrainingListener {

    /** Before the first epoch: {@code epochs} planned (fewer if early stopping triggers), each of {@code batchesPerEpoch} updates. */
    default void onFitStart(int epochs, int batchesPerEpoch) {}

    /**
     * After each update (e.g. to advance a progress bar by one batch).
     *
     * @param epoch the epoch, starting at 1
     * @param batch the batch within the epoch, starting at 1
     * @param loss  that batch's loss before the update
     */
    default void onBatchEnd(int epoch, int batch, double loss) {}

    /** After each epoch, with its losses and metrics (validation included). */
    default void onEpochEnd(EpochSummary summary) {}

    /** After the last epoch (or the early stop), with the complete history. */
    default void onFitEnd(History history) {}
}

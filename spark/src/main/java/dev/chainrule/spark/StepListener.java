package dev.chainrule.spark;

/**
 * Called on the driver after every data-parallel update (e.g. to drive a progress bar or record
 * timings). An exception thrown here ends the fit; the update it reports has been applied (and, if
 * due, checkpointed).
 */
@FunctionalInterface
public interface StepListener {

    /** After the update of {@code info.step()}. */
    void onStep(StepInfo info);
}

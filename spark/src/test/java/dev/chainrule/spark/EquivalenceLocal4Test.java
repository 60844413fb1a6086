package dev.chainrule.spark;

/** {@link EquivalenceTestBase} on {@code local[4]}: four task slots (more than cores), so completion order varies. */
class EquivalenceLocal4Test extends EquivalenceTestBase {
    @Override
    String master() {
        return "local[4]";
    }
}

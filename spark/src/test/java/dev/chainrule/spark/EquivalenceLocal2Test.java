package dev.chainrule.spark;

/** {@link EquivalenceTestBase} on the shared {@code local[2,2]}: tasks of a step run two at a time. */
class EquivalenceLocal2Test extends EquivalenceTestBase {
    @Override
    String master() {
        return TestSpark.MASTER;
    }
}

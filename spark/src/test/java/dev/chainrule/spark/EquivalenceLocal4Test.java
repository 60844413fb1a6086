package dev.chainrule.spark;

import org.junit.jupiter.api.Order;

/**
 * {@link EquivalenceTestBase} on {@code local[4]}: four task slots (more than cores), so completion
 * order varies. It needs its own Spark master and runs after every other class (see {@link TestSpark}).
 */
@Order(Integer.MAX_VALUE)
class EquivalenceLocal4Test extends EquivalenceTestBase {
    @Override
    String master() {
        return "local[4]";
    }
}

package dev.chainrule.autograd;

/**
 * Per-thread autograd switches: whether ops record the graph, and whether anomaly detection is
 * on. Thread-local so that independent graphs on independent threads never interfere.
 */
final class GradMode {
    private GradMode() {}

    static final class State {
        boolean enabled = true;
        boolean anomaly;
    }

    private static final ThreadLocal<State> STATE = ThreadLocal.withInitial(State::new);

    static State state() {
        return STATE.get();
    }

    static boolean enabled() {
        return STATE.get().enabled;
    }

    static boolean anomaly() {
        return STATE.get().anomaly;
    }
}

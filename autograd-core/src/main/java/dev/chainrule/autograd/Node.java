package dev.chainrule.autograd;

/**
 * The graph record of one op result: the op's name, its inputs, and its backward rule. Held by the
 * result tensor ({@code Tensor.node}); leaves have none. Package-private with {@link Backprop}
 * rather than in {@code internal} because both need {@link Tensor}'s private state and Java has no
 * friend access; neither is exported either way.
 */
final class Node {

    /** Backward rule: given dL/d(out), the contributions dL/d(input_i) (null where not needed). */
    @FunctionalInterface
    interface Rule {
        Tensor[] apply(Tensor gradOut);
    }

    final String op;
    /** Null once the graph has been released by a backward pass without retainGraph. */
    Tensor[] inputs;
    Rule rule;
    /** Versions of the inputs the rule reads, taken when the op ran; null when it reads none. */
    final int[] savedVersions;
    /** Whether the rule reads the op's own output (whose version must then still be 0). */
    final boolean savesOutput;
    /** Where the op was created (see {@code Anomaly.site}); recorded only in anomaly mode. */
    final String site;
    /** Gradient accumulated for this node's output during one backward pass. */
    Tensor pending;
    /** Stamp of the last topological sort that reached this node (see {@code Backprop}). */
    long mark;
    /**
     * Set for a strided view of input 0 (slice, select, split, chunk, ...): its output element
     * {@code i} is input element {@code viewOffset + Σ_d i_d · viewStrides[d]}, so its rule is
     * "embed g into zeros at those positions". A first-order backward skips the rule and adds g into
     * the input's gradient at those positions in place, so T slices of one tensor cost O(its size) in
     * backward rather than T zero-filled copies of it.
     */
    int viewOffset;
    int[] viewStrides;

    Node(String op, Tensor[] inputs, Rule rule, boolean savesInputs, boolean savesOutput, String site) {
        this.op = op;
        this.inputs = inputs;
        this.rule = rule;
        this.savesOutput = savesOutput;
        this.site = site;
        if (savesInputs) {
            savedVersions = new int[inputs.length];
            for (int i = 0; i < inputs.length; i++) savedVersions[i] = inputs[i].version;
        } else {
            savedVersions = null;
        }
    }

    boolean released() {
        return rule == null;
    }

    String where() {
        return site == null ? "(creation site recorded only in anomaly mode: Autograd.detectAnomaly(true))"
            : "created at " + site;
    }
}

package dev.chainrule.autograd;

import dev.chainrule.autograd.internal.Kernels;
import dev.chainrule.autograd.internal.LayoutKernels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Reverse-mode accumulation over the recorded graph (the BACKWARD procedure): an iterative
 * depth-first topological sort (explicit stack, identity visited-set, so a 1,000,000-op chain needs
 * no deep thread stack), then one pass in reverse order that applies each node's rule to its
 * accumulated gradient and sums the results into its inputs:
 * dL/dv_i = Σ_{j ∈ children(i)} dL/dv_j · dv_j/dv_i.
 *
 * <p>Sums are formed out of place when the backward pass is itself recorded ({@code createGraph}).
 * A first-order pass instead adds into a buffer it allocated itself ("owned": referenced by no one
 * else until it is handed to the node's rule) in place, and adds the gradient of a strided view
 * (slice, select, split, ...) straight into its input's buffer at the view's positions, so T
 * slices of one tensor, e.g. the time steps of a sequence, cost O(its size) in backward.
 */
final class Backprop {
    private Backprop() {}

    /**
     * @param seed    dL/droot, or null for 1 (root must then have one element)
     * @param targets null to accumulate into every reached leaf's {@code grad}; otherwise the
     *                tensors whose gradients are returned (and no {@code grad} is touched)
     * @return the gradients of {@code targets} (absent when unreached), or null when targets is null
     */
    static Map<Tensor, Tensor> run(Tensor root, Tensor seed, boolean retainGraph, boolean createGraph, List<Tensor> targets) {
        if (!root.requiresGrad) {
            throw new IllegalStateException("backward: this tensor (shape " + Shape.toString(root.shape)
                + ") does not require grad: no input of the ops that built it was marked requiresGrad(), "
                + "or it was built inside Autograd.noGrad()");
        }
        if (seed == null && root.size() != 1) {
            throw new IllegalArgumentException("backward: tensor of shape " + Shape.toString(root.shape)
                + " is not a scalar; pass a seed of the same shape (dL/dthis), e.g. Tensor.ones(shape)");
        }
        Tensor g0 = seed == null ? Tensor.of(new double[] {1.0}, root.shape, root.dtype()) : checkSeed(root, seed).to(root.dtype());
        // Sort before switching grad mode: a released graph throws here, and must not leave this thread in no-grad.
        List<Tensor> order = root.node == null ? List.of() : topologicalOrder(root);
        GradMode.State mode = GradMode.state();
        boolean wasEnabled = mode.enabled;
        mode.enabled = createGraph;
        Map<Tensor, Tensor> leafGrads = new IdentityHashMap<>();
        Set<Tensor> owned = createGraph ? null : Collections.newSetFromMap(new IdentityHashMap<>());
        Map<Tensor, Tensor> results = targets == null ? null : new IdentityHashMap<>();
        Set<Tensor> wanted = null;
        if (targets != null) {
            wanted = Collections.newSetFromMap(new IdentityHashMap<>());
            wanted.addAll(targets);
        }
        int k = order.size() - 1;
        try {
            if (root.node == null) {
                leafGrads.put(root, g0);
            } else {
                root.node.pending = g0;
            }
            for (; k >= 0; k--) {
                Tensor t = order.get(k);
                Node n = t.node;
                Tensor g = n.pending;
                n.pending = null;
                if (owned != null && g != null) owned.remove(g);       // handed on: others may now hold it
                if (wanted != null && g != null && wanted.contains(t)) results.put(t, g);
                if (g != null && owned != null && n.viewStrides != null) {
                    checkVersions(t, n);
                    addView(n, g, leafGrads, owned, mode.anomaly);
                } else if (g != null) {
                    checkVersions(t, n);
                    boolean anomaly = mode.anomaly;
                    Tensor[] grads;
                    // The rule's own ops are not the user's: a non-finite gradient is reported by propagate,
                    // naming this node's op, rather than as a forward anomaly of some op inside the rule.
                    mode.anomaly = false;
                    try {
                        grads = n.rule.apply(g);
                    } finally {
                        mode.anomaly = anomaly;
                    }
                    propagate(n, g, grads, leafGrads, owned, anomaly);
                }
                if (!retainGraph) {
                    n.inputs = null;
                    n.rule = null;
                    order.set(k, null);        // lets the collector reclaim the graph behind us as we go
                }
            }
        } finally {
            for (; k >= 0; k--) {              // after a failure: drop the partial sums not yet consumed
                Tensor t = order.get(k);
                if (t != null && t.node != null) t.node.pending = null;
            }
            mode.enabled = wasEnabled;
        }
        if (targets != null) {
            for (Map.Entry<Tensor, Tensor> e : leafGrads.entrySet()) {
                if (wanted.contains(e.getKey())) results.put(e.getKey(), e.getValue());
            }
            return results;
        }
        // A gradient may be the caller's seed itself or shared with another leaf (add passes G to both):
        // those get a private copy, so that in-place edits of one .grad never leak into another.
        // Every other gradient was made by a rule during this pass and is referenced nowhere else.
        Set<Tensor> shared = Collections.newSetFromMap(new IdentityHashMap<>());
        if (!createGraph && leafGrads.size() > 1) {
            Set<Tensor> seen = Collections.newSetFromMap(new IdentityHashMap<>());
            for (Tensor g : leafGrads.values()) {
                if (!seen.add(g)) shared.add(g);
            }
        }
        for (Map.Entry<Tensor, Tensor> e : leafGrads.entrySet()) {
            Tensor leaf = e.getKey(), g = e.getValue();
            // Locked per leaf: graphs built on several threads from one shared parameter may run
            // backward concurrently, and each contribution must land (read-add-write is not atomic).
            synchronized (leaf) {
                if (leaf.grad == null) {
                    leaf.grad = createGraph || (g != seed && !shared.contains(g)) ? g : g.copyValues();
                } else {
                    boolean was = mode.enabled;
                    mode.enabled = createGraph;
                    try {
                        leaf.grad = leaf.grad.add(g);
                    } finally {
                        mode.enabled = was;
                    }
                }
            }
        }
        return null;
    }

    private static Tensor checkSeed(Tensor root, Tensor seed) {
        if (!Arrays.equals(seed.shape, root.shape)) {
            throw new IllegalArgumentException("backward: seed shape " + Shape.toString(seed.shape)
                + " differs from the tensor's shape " + Shape.toString(root.shape) + "; the seed is dL/dthis and must match it");
        }
        if (!seed.allFinite()) {
            throw new IllegalArgumentException("backward: seed contains " + Tensor.nonFiniteKind(seed.d())
                + "; pass a finite seed (dL/dthis)");
        }
        return seed;
    }

    /** Visit stamps: each topological sort marks the nodes it reaches with a fresh one. */
    private static final AtomicLong STAMPS = new AtomicLong();

    /**
     * Post-order DFS without recursion: each tensor appears after all of its recorded inputs.
     * Visited nodes are marked with a stamp unique to this sort instead of being kept in a set,
     * which keeps a 1,000,000-node graph free of hashing and rehashing.
     */
    static List<Tensor> topologicalOrder(Tensor root) {
        long stamp = STAMPS.incrementAndGet();
        Tensor[] order = new Tensor[16];
        int size = 0;
        Tensor[] stack = new Tensor[64];
        int[] next = new int[64];
        int sp = 0;
        stack[sp] = root;
        next[sp++] = 0;
        root.node.mark = stamp;
        while (sp > 0) {
            Tensor t = stack[sp - 1];
            Tensor[] in = t.node.inputs;
            if (in == null) {
                throw new IllegalStateException("backward: the graph through '" + t.node.op + "' (shape "
                    + Shape.toString(t.shape) + ") was already released by an earlier backward; "
                    + "pass retainGraph = true to that earlier call (backward(seed, true)) to backpropagate twice");
            }
            int i = next[sp - 1];
            if (i < in.length) {
                next[sp - 1] = i + 1;
                Node pn = in[i].node;
                if (pn != null && pn.mark != stamp) {
                    pn.mark = stamp;
                    if (sp == stack.length) {
                        stack = Arrays.copyOf(stack, sp * 2);
                        next = Arrays.copyOf(next, sp * 2);
                    }
                    stack[sp] = in[i];
                    next[sp++] = 0;
                }
            } else {
                stack[--sp] = null;
                if (size == order.length) order = Arrays.copyOf(order, size * 2);
                order[size++] = t;
            }
        }
        return Arrays.asList(order).subList(0, size);
    }

    private static void checkVersions(Tensor t, Node n) {
        if (n.savesOutput && t.version != 0) {
            throw modified(n, "its output", t);
        }
        if (n.savedVersions != null) {
            for (int i = 0; i < n.inputs.length; i++) {
                if (n.inputs[i].version != n.savedVersions[i]) throw modified(n, "input " + i, n.inputs[i]);
            }
        }
    }

    private static IllegalStateException modified(Node n, String which, Tensor t) {
        return new IllegalStateException("backward: " + which + " of '" + n.op + "' (shape " + Shape.toString(t.shape)
            + ") was modified in place after the op saved it (version now " + t.version + "), so its gradient would be wrong; "
            + "update tensors in place only after backward(), or use a copy (detach()) in the forward pass");
    }

    private static void propagate(Node n, Tensor g, Tensor[] grads, Map<Tensor, Tensor> leafGrads, Set<Tensor> owned,
                                  boolean anomaly) {
        for (int i = 0; i < n.inputs.length; i++) {
            Tensor in = n.inputs[i];
            Tensor gi = grads[i];
            if (gi == null || !in.requiresGrad) continue;
            if (!Arrays.equals(gi.shape, in.shape)) {
                throw new IllegalStateException("backward: rule of '" + n.op + "' returned a gradient of shape "
                    + Shape.toString(gi.shape) + " for input " + i + " of shape " + Shape.toString(in.shape) + " (a bug in the rule)");
            }
            if (gi.isFloat() != in.isFloat()) gi = gi.to(in.dtype());     // a gradient has its input's dtype, as in PyTorch
            if (anomaly && !gi.allFinite()) {
                throw new ArithmeticException("anomaly: backward of '" + n.op + "' produced " + Tensor.nonFiniteKind(gi.d())
                    + " in the gradient of input " + i + " (shape " + Shape.toString(in.shape) + "); the op was " + n.where()
                    + (g.allFinite() ? "" : " (the incoming gradient was already non-finite)"));
            }
            Tensor sum = pendingOf(in, leafGrads);
            if (sum == null) {
                sum = gi;
            } else if (owned != null && owned.contains(sum)) {
                if (sum.isFloat()) {
                    float[] s = sum.fdata, a = gi.fdata;
                    for (int j = 0; j < s.length; j++) s[j] += a[j];
                } else {
                    LayoutKernels.addTo(gi.shape, gi.data, 0, LayoutKernels.strides(gi.shape), sum.data, 0, LayoutKernels.strides(sum.shape));
                }
            } else {
                sum = sum.add(gi);                     // a fresh tensor: in a first-order pass, later sums go into it
                if (owned != null) owned.add(sum);
            }
            setPending(in, sum, leafGrads);
        }
    }

    /**
     * First-order backward of a strided view of input 0: g added into the input's gradient at the
     * view's positions, in a buffer this pass owns (allocated, or copied from a shared partial sum).
     */
    private static void addView(Node n, Tensor g, Map<Tensor, Tensor> leafGrads, Set<Tensor> owned, boolean anomaly) {
        Tensor in = n.inputs[0];
        if (!in.requiresGrad) return;
        if (anomaly && !g.allFinite()) {
            throw new ArithmeticException("anomaly: backward of '" + n.op + "' produced " + Tensor.nonFiniteKind(g.d())
                + " in the gradient of input 0 (shape " + Shape.toString(in.shape) + "); the op was " + n.where()
                + " (the incoming gradient was already non-finite)");
        }
        Tensor sum = pendingOf(in, leafGrads);
        if (sum == null || !owned.contains(sum)) {
            sum = sum == null ? Tensor.zeros(in.dtype(), in.shape) : sum.copyValues();
            owned.add(sum);
            setPending(in, sum, leafGrads);
        }
        if (g.isFloat() != sum.isFloat()) g = g.to(sum.dtype());
        if (sum.isFloat()) {
            LayoutKernels.addTo(g.shape, g.fdata, sum.fdata, n.viewOffset, n.viewStrides);
        } else {
            LayoutKernels.addTo(g.shape, g.data, 0, LayoutKernels.strides(g.shape), sum.data, n.viewOffset, n.viewStrides);
        }
    }

    private static Tensor pendingOf(Tensor in, Map<Tensor, Tensor> leafGrads) {
        return in.node != null ? in.node.pending : leafGrads.get(in);
    }

    private static void setPending(Tensor in, Tensor sum, Map<Tensor, Tensor> leafGrads) {
        if (in.node != null) {
            in.node.pending = sum;
        } else {
            leafGrads.put(in, sum);
        }
    }
}

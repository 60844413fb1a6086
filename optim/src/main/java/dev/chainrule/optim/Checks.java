package dev.chainrule.optim;

import dev.chainrule.autograd.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/** Argument checks shared by the optimizer builders, schedules and clipping; one message style. */
final class Checks {
    private Checks() {}

    static double positive(String where, String name, double v) {
        if (!(v > 0) || Double.isInfinite(v)) {
            throw new IllegalArgumentException(where + ": " + name + " must be positive and finite, got " + v);
        }
        return v;
    }

    static double nonNegative(String where, String name, double v) {
        if (!(v >= 0) || Double.isInfinite(v)) {
            throw new IllegalArgumentException(where + ": " + name + " must be >= 0 and finite, got " + v);
        }
        return v;
    }

    /** A decay rate in [0, 1): betas, RMSProp's alpha, momentum-like averages. */
    static double unitInterval(String where, String name, double v) {
        if (!(v >= 0 && v < 1)) {
            throw new IllegalArgumentException(where + ": " + name + " must be in [0, 1), got " + v);
        }
        return v;
    }

    static int positive(String where, String name, int v) {
        if (v <= 0) throw new IllegalArgumentException(where + ": " + name + " must be positive, got " + v);
        return v;
    }

    /** Rejects a schedule period {@code k < 1}. */
    static int period(String schedule, int k) {
        if (k < 1) {
            throw new IllegalArgumentException(schedule + ".rate: period k must be >= 1 (the first epoch or update is 1), got " + k);
        }
        return k;
    }

    /** Copies the list, rejecting an empty list, non-leaves and duplicates (by identity), and nulls (NullPointerException). */
    static List<Tensor> parameters(String where, Iterable<Tensor> params) {
        java.util.Objects.requireNonNull(params, where + ": parameters is null");
        List<Tensor> out = new ArrayList<>();
        Set<Tensor> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        int i = 0;
        for (Tensor p : params) {
            java.util.Objects.requireNonNull(p, where + ": parameter " + i + " is null");
            if (!p.isLeaf()) {
                throw new IllegalArgumentException(where + ": parameter " + i + " is the result of op '" + p.op()
                    + "', not a leaf; an optimizer can only update leaf tensors (model parameters)");
            }
            if (!seen.add(p)) {
                throw new IllegalArgumentException(where + ": parameter " + i
                    + " appears more than once; it would be updated twice per step");
            }
            out.add(p);
            i++;
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException(where + ": empty parameter list; pass model.parameters() of a model "
                + "that has parameters");
        }
        return List.copyOf(out);
    }
}

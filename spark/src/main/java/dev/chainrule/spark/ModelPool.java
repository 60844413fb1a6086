package dev.chainrule.spark;

import dev.chainrule.nn.Module;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Models built on an executor, kept between steps so that each step does not rebuild (and
 * re-initialize) the model: one pool per training run, one model per concurrently running task (a
 * Module is not thread-safe, and in local mode the tasks of a stage run side by side in one JVM). A
 * task borrows a model, overwrites its parameters with the step's broadcast copy, and gives it back
 * only if it finished cleanly. The pools of the last few runs are kept; older ones are dropped.
 */
final class ModelPool {
    private ModelPool() {}

    private static final int RUNS = 4;

    private static final Map<String, Deque<Module>> POOLS = new LinkedHashMap<>(8, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Deque<Module>> eldest) {
            return size() > RUNS;
        }
    };

    /** A model of run {@code run}: a pooled one, or a new one from {@code factory}, checked against {@code layout}. */
    static Module borrow(String run, ModelFactory factory, Layout layout, String where) {
        synchronized (POOLS) {
            Module m = POOLS.computeIfAbsent(run, k -> new ArrayDeque<>()).pollFirst();
            if (m != null) return m;
        }
        Module m = factory.create();
        if (m == null) throw new IllegalStateException("the model factory returned null on " + where);
        layout.check(m, where);
        return m;
    }

    /** Returns a model that finished its task cleanly. */
    static void giveBack(String run, Module m) {
        synchronized (POOLS) {
            POOLS.computeIfAbsent(run, k -> new ArrayDeque<>()).offerFirst(m);
        }
    }

    /** Drops the models of run {@code run} (in this JVM). */
    static void release(String run) {
        synchronized (POOLS) {
            POOLS.remove(run);
        }
    }
}

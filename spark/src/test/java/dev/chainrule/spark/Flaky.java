package dev.chainrule.spark;

import dev.chainrule.autograd.Tensor;
import dev.chainrule.nn.Module;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.spark.TaskContext;

/**
 * A module that wraps another and throws on command inside a Spark task of partition 1: once
 * ({@link #ONCE}, on the task's first attempt only) or on every attempt ({@link #ALWAYS}). The flags
 * are static: in local mode the tasks run in the test's JVM.
 */
final class Flaky extends Module {
    static final AtomicBoolean ONCE = new AtomicBoolean();
    static final AtomicBoolean ALWAYS = new AtomicBoolean();
    static final AtomicBoolean FIRED = new AtomicBoolean();

    private final Module inner;

    Flaky(Module inner) {
        this.inner = registerModule("net", inner);
    }

    static void reset() {
        ONCE.set(false);
        ALWAYS.set(false);
        FIRED.set(false);
    }

    @Override
    public Tensor forward(Tensor x) {
        TaskContext task = TaskContext.get();
        if (task != null && task.partitionId() == 1) {
            if (ALWAYS.get() || task.attemptNumber() == 0 && ONCE.compareAndSet(true, false)) {
                FIRED.set(true);
                throw new IllegalStateException("injected fault in partition 1, attempt " + task.attemptNumber());
            }
        }
        return inner.forward(x);
    }
}

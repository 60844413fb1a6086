package dev.chainrule.benchmarks;

import dev.chainrule.autograd.Tensor;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A chain of 1,000,000 scalar {@code mul(double)} ops in a 512 MiB heap. Single-shot: each
 * measurement is one pass over a fresh chain. {@link #backward} times backward alone (the chain is
 * built untimed in setup); {@link #forwardAndBackward} times building it too.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3)
@Measurement(iterations = 10)
@Fork(value = 1, jvmArgsAppend = {"-Xmx512m"})
public class ChainBench {

    static final int LENGTH = 1_000_000;

    /** A freshly built chain for each invocation. */
    @State(Scope.Thread)
    public static class Built {
        Tensor x, y;

        @Setup(Level.Invocation)
        public void build() {
            x = Tensor.scalar(1.0).requiresGrad();
            y = chain(x);
        }

        @TearDown(Level.Invocation)
        public void drop() {
            x = null;
            y = null;
        }
    }

    static Tensor chain(Tensor x) {
        Tensor h = x;
        for (int i = 0; i < LENGTH; i++) h = h.mul(1.000001);
        return h;
    }

    @Benchmark
    public Tensor backward(Built c) {
        c.y.backward();
        c.y = null;
        return c.x.grad();
    }

    @Benchmark
    public Tensor forwardAndBackward() {
        Tensor x = Tensor.scalar(1.0).requiresGrad();
        chain(x).backward();
        return x.grad();
    }
}

package dev.chainrule.benchmarks;

import dev.chainrule.autograd.Tensor;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Per-node cost of the graph machinery on tiny tensors, where kernels cost nothing: recording ten
 * ops and running backward through them. Divide by ten for the cost of one node (forward + backward).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
public class NodeOverheadBench {

    private Tensor a, b, s;

    @Setup
    public void setup() {
        Random rng = new Random(3);
        a = Tensor.randn(rng, 2, 2).requiresGrad();
        b = Tensor.randn(rng, 2, 2).requiresGrad();
        s = Tensor.scalar(0.5).requiresGrad();
    }

    /** Ten ops on 2×2 tensors (binary, unary, scalar), a sum, then backward. */
    @Benchmark
    public Tensor tenOpsForwardBackward() {
        a.zeroGrad();
        b.zeroGrad();
        Tensor h = a.mul(b).add(a).tanh().mul(2.0).sub(b).relu().add(b).mul(a).exp();
        Tensor loss = h.sum();
        loss.backward();
        return a.grad();
    }

    /** The same ten ops, forward only (recorded, then dropped). */
    @Benchmark
    public Tensor tenOpsForwardOnly() {
        return a.mul(b).add(a).tanh().mul(2.0).sub(b).relu().add(b).mul(a).exp().sum();
    }

    /** Ten scalar multiplies of a rank-0 tensor, then backward. */
    @Benchmark
    public Tensor scalarChain10() {
        s.zeroGrad();
        Tensor h = s;
        for (int i = 0; i < 10; i++) h = h.mul(1.0001);
        h.backward();
        return s.grad();
    }
}

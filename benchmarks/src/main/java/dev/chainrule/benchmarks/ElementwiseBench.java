package dev.chainrule.benchmarks;

import dev.chainrule.autograd.Autograd;
import dev.chainrule.autograd.Tensor;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Forward elementwise kernels and reductions on a {@code [rows, 256]} matrix under no-grad:
 * same-shape add, row-vector (bias) broadcast add, scalar multiply, relu, exp, full sum and
 * column sum (the bias gradient). Average time per call; sizes straddle the parallel grain.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
public class ElementwiseBench {

    /** Rows of a 256-column matrix: 4 → 1 Ki elements, 128 → 32 Ki, 4096 → 1 Mi. */
    @Param({"4", "128", "4096"})
    public int rows;

    private Tensor x, y, bias;
    private Autograd.Scope noGrad;

    @Setup(Level.Trial)
    public void setup() {
        Random rng = new Random(2);
        x = Tensor.randn(rng, rows, 256);
        y = Tensor.randn(rng, rows, 256);
        bias = Tensor.randn(rng, 256);
    }

    @Setup(Level.Iteration)
    public void enter() {
        noGrad = Autograd.noGrad();
    }

    @TearDown(Level.Iteration)
    public void exit() {
        noGrad.close();
    }

    @Benchmark public Tensor add() { return x.add(y); }
    @Benchmark public Tensor addRowVector() { return x.add(bias); }
    @Benchmark public Tensor mulScalar() { return x.mul(0.5); }
    @Benchmark public Tensor relu() { return x.relu(); }
    @Benchmark public Tensor exp() { return x.exp(); }
    @Benchmark public Tensor sumAll() { return x.sum(); }
    @Benchmark public Tensor sumRows() { return x.sum(0, false); }
    @Benchmark public Tensor softmax() { return x.softmax(1); }
}

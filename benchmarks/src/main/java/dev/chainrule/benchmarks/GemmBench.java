package dev.chainrule.benchmarks;

import dev.chainrule.autograd.Autograd;
import dev.chainrule.autograd.Tensor;
import dev.chainrule.autograd.internal.Gemm;
import dev.ludovic.netlib.blas.BLAS;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Square double-precision matrix multiply C = A·B at n = 8 … 1024, three ways: Chainrule's
 * {@code Tensor.matmul} (allocates its result, records nothing under no-grad), Chainrule's internal
 * {@code Gemm.gemm} into a reused array, and the same BLAS called directly through
 * {@code dev.ludovic.netlib} (column-major, no wrapper). Throughput is calls per second;
 * GFLOPS = 2n³ · calls/s / 10⁹ ({@link BenchReport} prints that table). The {@code NT}/{@code TN}
 * variants read one operand transposed in place, as the backward products do.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
public class GemmBench {

    @Param({"8", "64", "256", "512", "1024"})
    public int n;

    private double[] a, b, c;
    private Tensor ta, tb;
    private BLAS blas;

    @Setup
    public void setup() {
        Random rng = new Random(1);
        a = new double[n * n];
        b = new double[n * n];
        c = new double[n * n];
        for (int i = 0; i < a.length; i++) {
            a[i] = rng.nextGaussian();
            b[i] = rng.nextGaussian();
        }
        ta = Tensor.of(a, n, n);
        tb = Tensor.of(b, n, n);
        blas = BLAS.getInstance();
        Gemm.implementation();
    }

    @Benchmark
    public Tensor tensorMatmul() {
        try (var s = Autograd.noGrad()) {
            return ta.matmul(tb);
        }
    }

    @Benchmark
    public double[] gemmNN() {
        Gemm.gemm(false, false, n, n, n, a, 0, b, 0, 0.0, c, 0);
        return c;
    }

    @Benchmark
    public double[] gemmNT() {
        Gemm.gemm(false, true, n, n, n, a, 0, b, 0, 0.0, c, 0);
        return c;
    }

    @Benchmark
    public double[] gemmTN() {
        Gemm.gemm(true, false, n, n, n, a, 0, b, 0, 0.0, c, 0);
        return c;
    }

    @Benchmark
    public double[] blasDirect() {
        blas.dgemm("N", "N", n, n, n, 1.0, a, 0, n, b, 0, n, 0.0, c, 0, n);
        return c;
    }
}

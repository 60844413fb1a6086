package dev.chainrule.benchmarks;

import dev.chainrule.autograd.Tensor;

/**
 * Cold check of the 1,000,000-node chain, run in a fresh JVM:
 * {@code java -Xmx512m -cp chainrule-benchmarks.jar dev.chainrule.benchmarks.ChainCheck [repeats]}.
 * Prints forward and backward milliseconds for each repeat (the first is cold: nothing JIT-compiled yet).
 */
public final class ChainCheck {
    private ChainCheck() {}

    public static void main(String[] args) {
        int repeats = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        System.out.printf("max heap %d MiB%n", Runtime.getRuntime().maxMemory() >> 20);
        for (int r = 0; r < repeats; r++) {
            long t0 = System.nanoTime();
            Tensor x = Tensor.scalar(1.0).requiresGrad();
            Tensor y = ChainBench.chain(x);
            long t1 = System.nanoTime();
            y.backward();
            long t2 = System.nanoTime();
            y = null;
            System.out.printf("run %d: forward %.0f ms, backward %.0f ms, total %.0f ms (dx = %.6f)%n", r,
                (t1 - t0) / 1e6, (t2 - t1) / 1e6, (t2 - t0) / 1e6, x.grad().item());
        }
    }
}

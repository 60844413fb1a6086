package dev.chainrule.autograd;

/**
 * Builds a 1,000,000-op scalar chain and backpropagates through it, then prints the gradient.
 * Run in a child JVM by {@link BackwardTest} with a 512 MiB heap (the design's per-node memory budget).
 */
final class MillionOpChain {
    private MillionOpChain() {}

    static double run(int ops, double c) {
        Tensor x = Tensor.scalar(1).requiresGrad();
        Tensor y = x;
        for (int i = 0; i < ops; i++) y = y.mul(c);
        y.backward();
        return x.grad().item();
    }

    public static void main(String[] args) {
        System.out.println(run(1_000_000, 1 + 1e-6));
    }
}

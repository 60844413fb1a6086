package dev.chainrule.optim;

import dev.chainrule.autograd.Tensor;
import dev.chainrule.nn.Module;

/** Helpers shared by the optim tests. */
final class TestSupport {
    private TestSupport() {}

    /** Replaces p's gradient with exactly {@code g}: backward of sum(p ⊙ g) gives dL/dp = g. */
    static void setGrad(Tensor p, double... g) {
        p.zeroGrad();
        p.mul(Tensor.of(g, p.shape())).sum().backward();
    }

    /** A leaf parameter that requires grad. */
    static Tensor param(double... values) {
        return Tensor.of(values).requiresGrad();
    }

    /** A module with one weight vector and a scalar bias: y = x w + b (batch-first, x of shape [n, k]). */
    static final class LinearModel extends Module {
        final Tensor w;
        final Tensor b;

        LinearModel(int k) {
            w = registerParameter("w", Tensor.zeros(k, 1));
            b = registerParameter("b", Tensor.zeros(1));
        }

        @Override
        public Tensor forward(Tensor x) {
            return x.matmul(w).add(b);
        }
    }
}

package dev.chainrule.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Values published by reference implementations and derived by hand in the lecture notes. */
@SuppressWarnings("try") // try (var s = Autograd.noGrad()) { ... } scopes are used for their effect only
class GoldenValuesTest {

    /** micrograd's README / test_engine.py sanity check (PyTorch gives the same numbers). */
    @Test
    void microgradSanityCheck() {
        Tensor x = Tensor.scalar(-4.0).requiresGrad();
        Tensor z = x.mul(2).add(2).add(x);
        Tensor q = z.relu().add(z.mul(x));
        Tensor h = z.mul(z).relu();
        Tensor y = h.add(q).add(q.mul(x));
        y.backward();
        assertEquals(-20.0, y.item(), 1e-12);
        assertEquals(46.0, x.grad().item(), 1e-12);
    }

    /** micrograd's test_more_ops. */
    @Test
    void microgradMoreOps() {
        Tensor a = Tensor.scalar(-4.0).requiresGrad();
        Tensor b = Tensor.scalar(2.0).requiresGrad();
        Tensor c = a.add(b);
        Tensor d = a.mul(b).add(b.pow(3));
        c = c.add(c.add(1));
        c = c.add(Tensor.scalar(1).add(c).add(a.neg()));
        d = d.add(d.mul(2).add(b.add(a).relu()));
        d = d.add(d.mul(3).add(b.sub(a).relu()));
        Tensor e = c.sub(d);
        Tensor f = e.pow(2);
        Tensor g = f.div(2.0);
        g = g.add(Tensor.scalar(10.0).div(f));
        g.backward();
        double tol = 1e-6;                                  // micrograd's own tolerance
        assertEquals(24.70408163265306, g.item(), tol);
        assertEquals(138.83381924198252, a.grad().item(), tol);
        assertEquals(645.5772594752186, b.grad().item(), tol);
        assertEquals(24.70408163265306, g.item(), 1e-12, "double precision reproduces the published value closely");
    }

    /** The notes' worked example: z = wx + b, u = σ(z), l = ½(y − u)², r = w², L = l + λr. */
    @Test
    void singleNeuronWithRidgePenalty() {
        double wv = 0.8, bv = -0.3, xv = 1.5, yv = 1.0, lambda = 0.1;
        Tensor w = Tensor.scalar(wv).requiresGrad(), b = Tensor.scalar(bv).requiresGrad();
        Tensor z = w.mul(xv).add(b);
        Tensor u = z.sigmoid();
        Tensor l = Tensor.scalar(yv).sub(u).square().mul(0.5);
        Tensor r = w.square();
        Tensor loss = l.add(r.mul(lambda));
        loss.backward();

        double zv = wv * xv + bv, uv = 1 / (1 + Math.exp(-zv)), sigmaPrime = uv * (1 - uv);
        double dLdz = (uv - yv) * sigmaPrime;
        assertEquals(0.5 * (yv - uv) * (yv - uv) + lambda * wv * wv, loss.item(), 1e-15);
        assertEquals(dLdz * xv + 2 * lambda * wv, w.grad().item(), 1e-15);
        assertEquals(dLdz, b.grad().item(), 1e-15);
        // and the numbers themselves, evaluated independently (Python, math module) from the formulas at z = 0.9
        assertEquals(-0.08909994907199367 + 0.16, w.grad().item(), 1e-12);
        assertEquals(-0.059399966047995786, b.grad().item(), 1e-12);
    }

    /**
     * The notes' two-layer network with sigmoid output and binary cross-entropy, batch-first:
     * dZ2 = A2 − Y, dW2 = (1/N) dZ2ᵀ A1, db2 = mean over rows of dZ2, dZ1 = dZ2 W2 ⊙ σ'(Z1), dW1 = (1/N) dZ1ᵀ X.
     */
    @Test
    void twoLayerSigmoidNetworkMatchesTheClosedFormBackprop() {
        java.util.SplittableRandom rng = new java.util.SplittableRandom(3);
        int n = 6;
        Tensor x = Tensor.randn(rng, n, 3);
        Tensor y = Tensor.of(new double[] {0, 1, 1, 0, 1, 0}, n, 1);
        Tensor w1 = Tensor.randn(rng, 4, 3).requiresGrad(), b1 = Tensor.randn(rng, 4).requiresGrad();
        Tensor w2 = Tensor.randn(rng, 1, 4).requiresGrad(), b2 = Tensor.randn(rng, 1).requiresGrad();

        Tensor a1 = x.linear(w1, b1).sigmoid();
        Tensor a2 = a1.linear(w2, b2).sigmoid();
        Tensor one = Tensor.scalar(1);
        Tensor bce = y.mul(a2.log()).add(one.sub(y).mul(one.sub(a2).log())).mean().neg();
        bce.backward();

        try (var s = Autograd.noGrad()) {
            Tensor dz2 = a2.sub(y);
            Tensor dw2 = dz2.transpose().matmul(a1).div(n);
            Tensor db2 = dz2.mean(0, false);
            Tensor dz1 = dz2.matmul(w2).mul(a1.mul(one.sub(a1)));
            Tensor dw1 = dz1.transpose().matmul(x).div(n);
            Tensor db1 = dz1.mean(0, false);
            assertArrayEquals(dw2.toArray(), w2.grad().toArray(), 1e-12);
            assertArrayEquals(db2.toArray(), b2.grad().toArray(), 1e-12);
            assertArrayEquals(dw1.toArray(), w1.grad().toArray(), 1e-12);
            assertArrayEquals(db1.toArray(), b1.grad().toArray(), 1e-12);
        }
    }

    /** Mean softmax cross-entropy of two rows, against the formula evaluated independently. */
    @Test
    void crossEntropyOfASmallBatch() {
        Tensor logits = Tensor.of(new double[][] {{1, 2, 3}, {0.5, -1, 2}}).requiresGrad();
        Tensor loss = logits.crossEntropy(2, 1);
        double l0 = Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3)) - 3;
        double l1 = Math.log(Math.exp(0.5) + Math.exp(-1) + Math.exp(2)) + 1;
        assertEquals((l0 + l1) / 2, loss.item(), 1e-15);
        assertEquals(1.8244586305507686, loss.item(), 1e-12);   // evaluated independently in Python
        loss.backward();
        double[] g = logits.grad().toArray();
        double s0 = Math.exp(1) + Math.exp(2) + Math.exp(3), s1 = Math.exp(0.5) + Math.exp(-1) + Math.exp(2);
        double[] expected = {Math.exp(1) / s0 / 2, Math.exp(2) / s0 / 2, (Math.exp(3) / s0 - 1) / 2,
            Math.exp(0.5) / s1 / 2, (Math.exp(-1) / s1 - 1) / 2, Math.exp(2) / s1 / 2};
        assertArrayEquals(expected, g, 1e-15);
    }
}

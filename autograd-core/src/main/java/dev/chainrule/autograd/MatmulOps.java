package dev.chainrule.autograd;

import static dev.chainrule.autograd.Tensor.SAVES_INPUTS;
import static dev.chainrule.autograd.Tensor.grads;

import dev.chainrule.autograd.internal.Gemm;
import dev.chainrule.autograd.internal.Kernels;
import java.util.Arrays;

/**
 * Matrix products: the flagged GEMM primitive {@link #mm} (transposed operands read in place by
 * BLAS, never materialized), NumPy {@code matmul} on top of it, and the fused affine map
 * {@link #linear}.
 */
final class MatmulOps {
    private MatmulOps() {}

    /**
     * NumPy {@code matmul}: 2-D × 2-D; 1-D operands promoted (a vector on the left is a row, on the
     * right a column) and the added dimension dropped; leading (batch) dimensions broadcast.
     */
    static Tensor matmul(Tensor a, Tensor b) {
        Checks.nonNull("matmul", "other", b);
        Checks.sameDType("matmul", a, "other", b);
        if (a.rank() == 0 || b.rank() == 0) {
            throw new IllegalArgumentException("matmul: " + Shape.toString(a.shape) + " x " + Shape.toString(b.shape)
                + ": both operands need rank >= 1; use mul for scalars");
        }
        int k = a.shape[a.rank() - 1];
        int kb = b.rank() == 1 ? b.shape[0] : b.shape[b.rank() - 2];
        if (k != kb) {
            throw new IllegalArgumentException("matmul: " + Shape.toString(a.shape) + " x " + Shape.toString(b.shape)
                + ": inner dimensions " + k + " and " + kb + " differ");
        }
        if (a.rank() == 1 && b.rank() == 1) return mm(a.reshape(1, k), b.reshape(k, 1), false, false).reshape();
        if (a.rank() == 1) {
            Tensor r = matmul(a.reshape(1, k), b);
            return r.reshape(Shape.drop(r.shape, r.rank() - 2));
        }
        if (b.rank() == 1) {
            Tensor r = matmul(a, b.reshape(k, 1));
            return r.reshape(Shape.drop(r.shape, r.rank() - 1));
        }
        if (a.rank() == 2 && b.rank() == 2) return mm(a, b, false, false);
        int m = a.shape[a.rank() - 2], n = b.shape[b.rank() - 1];
        if (b.rank() == 2) {                        // batch of rows times one matrix: a single GEMM
            int[] outShape = a.shape.clone();
            outShape[outShape.length - 1] = n;
            return mm(a.reshape(-1, k), b, false, false).reshape(outShape);
        }
        int[] batch = Kernels.broadcastShape(Arrays.copyOf(a.shape, a.rank() - 2), Arrays.copyOf(b.shape, b.rank() - 2));
        if (batch == null) {
            throw new IllegalArgumentException("matmul: " + Shape.toString(a.shape) + " x " + Shape.toString(b.shape)
                + ": batch dimensions do not broadcast");
        }
        Checks.elements("matmul", concat(batch, m, k));      // the operands broadcast over the batch
        Checks.elements("matmul", concat(batch, k, n));
        return mm(a.broadcastTo(concat(batch, m, k)), b.broadcastTo(concat(batch, k, n)), false, false);
    }

    private static int[] concat(int[] lead, int x, int y) {
        int[] s = Arrays.copyOf(lead, lead.length + 2);
        s[lead.length] = x;
        s[lead.length + 1] = y;
        return s;
    }

    /**
     * The GEMM primitive: op(A) op(B) for each matrix of a batch, where op transposes the last two
     * axes when its flag is set. Both operands have the same rank ≥ 2 and the same leading dims.
     * Backward (G = dL/dC), each product again a flagged GEMM:
     * NN: dA = G Bᵀ, dB = Aᵀ G;  NT: dA = G B, dB = Gᵀ A;  TN: dA = B Gᵀ, dB = A G;  TT: dA = Bᵀ Gᵀ, dB = Gᵀ Aᵀ.
     */
    static Tensor mm(Tensor a, Tensor b, boolean ta, boolean tb) {
        int r = a.rank();
        int m = ta ? a.shape[r - 1] : a.shape[r - 2];
        int k = ta ? a.shape[r - 2] : a.shape[r - 1];
        int n = tb ? b.shape[r - 2] : b.shape[r - 1];
        int batch = a.size() / (m * k);
        int[] outShape = a.shape.clone();
        outShape[r - 2] = m;
        outShape[r - 1] = n;
        int size = Checks.elements("matmul", Checks.product(batch, (long) m * n), outShape);
        Tensor out;
        if (a.isFloat() && b.isFloat()) {
            float[] c = new float[size];
            for (int i = 0; i < batch; i++) Gemm.gemm(ta, tb, m, n, k, a.fdata, i * m * k, b.fdata, i * k * n, 0.0, c, i * m * n);
            out = new Tensor(c, outShape);
        } else {                                    // FLOAT64, or mixed inside a rule (a gradient meeting a saved input)
            double[] c = new double[size], ad = a.d(), bd = b.d();
            for (int i = 0; i < batch; i++) Gemm.gemm(ta, tb, m, n, k, ad, i * m * k, bd, i * k * n, 0.0, c, i * m * n);
            out = new Tensor(c, outShape);
        }
        return out.record(ta ? (tb ? "matmul(TT)" : "matmul(TN)") : tb ? "matmul(NT)" : "matmul",
            SAVES_INPUTS, g -> {
                Tensor da = null, db = null;
                if (!ta && !tb) {
                    if (a.requiresGrad) da = mm(g, b, false, true);
                    if (b.requiresGrad) db = mm(a, g, true, false);
                } else if (!ta) {
                    if (a.requiresGrad) da = mm(g, b, false, false);
                    if (b.requiresGrad) db = mm(g, a, true, false);
                } else if (!tb) {
                    if (a.requiresGrad) da = mm(b, g, false, true);
                    if (b.requiresGrad) db = mm(a, g, false, false);
                } else {
                    if (a.requiresGrad) da = mm(b, g, true, true);
                    if (b.requiresGrad) db = mm(g, a, true, true);
                }
                return grads(da, db);
            }, a, b);
    }

    /**
     * {@code x · weightᵀ + bias}: one GEMM reading the weight transposed in place, one pass for the
     * bias. dx = G W, dW = Gᵀ x, db = Σ_rows G.
     */
    static Tensor linear(Tensor x, Tensor weight, Tensor bias) {
        Checks.nonNull("linear", "weight", weight);
        if (weight.rank() != 2 || x.rank() < 1 || x.shape[x.rank() - 1] != weight.shape[1]) {
            throw new IllegalArgumentException("linear: input " + Shape.toString(x.shape) + " and weight " + Shape.toString(weight.shape)
                + ": weight must be [out, in] with in equal to the input's last dimension");
        }
        Checks.sameDType("linear", x, "weight", weight);
        Checks.sameDType("linear", x, "bias", bias);
        if (bias != null && (bias.rank() != 1 || bias.shape[0] != weight.shape[0])) {
            throw new IllegalArgumentException("linear: bias " + Shape.toString(bias.shape) + " does not match weight "
                + Shape.toString(weight.shape) + "; bias must be [out] = [" + weight.shape[0] + "]");
        }
        if (x.rank() != 2) {
            int[] outShape = x.shape.clone();
            outShape[outShape.length - 1] = weight.shape[0];
            return linear(x.reshape(-1, x.shape[x.rank() - 1]), weight, bias).reshape(outShape);
        }
        int rows = x.shape[0], in = x.shape[1], out = weight.shape[0];
        int size = Checks.elements("linear", (long) rows * out, null);
        Tensor result;
        if (x.isFloat()) {
            float[] y = new float[size];
            if (bias != null) {
                for (int r = 0; r < rows; r++) System.arraycopy(bias.fdata, 0, y, r * out, out);
            }
            Gemm.gemm(false, true, rows, out, in, x.fdata, 0, weight.fdata, 0, bias == null ? 0.0 : 1.0, y, 0);
            result = new Tensor(y, new int[] {rows, out});
        } else {
            double[] y = new double[size];
            if (bias != null) {
                for (int r = 0; r < rows; r++) System.arraycopy(bias.data, 0, y, r * out, out);
            }
            Gemm.gemm(false, true, rows, out, in, x.data, 0, weight.data, 0, bias == null ? 0.0 : 1.0, y, 0);
            result = new Tensor(y, new int[] {rows, out});
        }
        Node.Rule rule = g -> grads(
            x.requiresGrad ? mm(g, weight, false, false) : null,
            weight.requiresGrad ? mm(g, x, true, false) : null,
            bias != null && bias.requiresGrad ? g.sum(0, false) : null);
        return bias == null ? result.record("linear", SAVES_INPUTS, rule, x, weight)
            : result.record("linear", SAVES_INPUTS, rule, x, weight, bias);
    }
}

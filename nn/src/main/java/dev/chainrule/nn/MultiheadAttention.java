package dev.chainrule.nn;

import dev.chainrule.autograd.Shape;
import dev.chainrule.autograd.Tensor;
import dev.chainrule.nn.init.GlorotUniform;
import dev.chainrule.nn.init.LeCunUniform;
import dev.chainrule.nn.init.Zeros;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Multi-head scaled dot-product attention (PyTorch's {@code nn.MultiheadAttention} with
 * {@code batch_first=True}; Vaswani et al., "Attention Is All You Need", 2017). With E the embedding
 * width, h heads of width d = E/h:
 * <pre>
 * Q = q·W_qᵀ + b_q,  K = k·W_kᵀ + b_k,  V = v·W_vᵀ + b_v          (W_q; W_k; W_v = in_proj_weight)
 * per head:  A = softmax(Q_h K_hᵀ / √d + M),  O_h = A V_h            (M: 0 or −∞ from the masks)
 * out = concat_h(O_h)·W_oᵀ + b_o                                    (out_proj)
 * </pre>
 * Shapes: query {@code [B, L, E]}, key and value {@code [B, S, E]} (unbatched {@code [L, E]},
 * {@code [S, E]} work too), output {@code [B, L, E]}; attention weights {@code [B, L, S]} averaged over
 * heads (PyTorch's default) or {@code [B, h, L, S]} per head.
 *
 * <p>Parameters, named as PyTorch's: {@code in_proj_weight [3E, E]} (Xavier uniform),
 * {@code in_proj_bias [3E]} (zeros), {@code out_proj.weight [E, E]} (U(±1/√E)), {@code out_proj.bias [E]}
 * (zeros); without bias only the two weights.
 *
 * <p>Masks ({@link Options}), each a tensor of 0/1 values where 1 means "may not attend" (PyTorch's
 * boolean {@code True}): {@code causal} (query i sees keys j ≤ i), {@code attnMask} {@code [L, S]} or
 * {@code [B·h, L, S]}, {@code keyPaddingMask} {@code [B, S]} (1 at padded keys). Masked scores are
 * filled with −∞ before the softmax, which anomaly mode accepts as deliberate; a query row with every
 * key masked has no defined softmax and gives NaN, as in PyTorch. Dropout (training only) acts on the
 * attention weights; the weights returned are those used.
 *
 * <p>API: {@link #forward(Tensor, Tensor, Tensor, Options)} returns an {@link Output} (output and
 * weights); {@link #forward(Tensor)} is self-attention returning the output only, so the layer fits
 * in a {@link Sequential} or {@link Residual} (causal when built with {@link Builder#causal(boolean)}).
 *
 * <pre>{@code
 * var mha = MultiheadAttention.builder(64, 4).dropout(0.1).build(rng);
 * var o = mha.forward(x, x, x, MultiheadAttention.Options.defaults().withCausal(true));
 * o.output();   // [B, T, 64]      o.weights();   // [B, T, T]
 * }</pre>
 */
public final class MultiheadAttention extends Module {

    /**
     * What one call masks and returns; build from {@link #defaults()} with the {@code with...} methods.
     *
     * @param causal         mask keys after the query's position (j &gt; i)
     * @param attnMask       0/1 {@code [L, S]} or {@code [B·h, L, S]} (1 = masked), or null
     * @param keyPaddingMask 0/1 {@code [B, S]} (1 = padded key, ignored), or null
     * @param needWeights    whether to return the attention weights
     * @param averageWeights whether the returned weights are averaged over heads ({@code [B, L, S]})
     *                       or kept per head ({@code [B, h, L, S]})
     */
    public record Options(boolean causal, Tensor attnMask, Tensor keyPaddingMask, boolean needWeights, boolean averageWeights) {

        /** PyTorch's defaults: no mask, weights returned averaged over heads. */
        public static Options defaults() {
            return new Options(false, null, null, true, true);
        }

        /** A copy with the causal mask on or off. */
        public Options withCausal(boolean on) {
            return new Options(on, attnMask, keyPaddingMask, needWeights, averageWeights);
        }

        /** A copy with this attention mask (null for none). */
        public Options withAttnMask(Tensor mask) {
            return new Options(causal, mask, keyPaddingMask, needWeights, averageWeights);
        }

        /** A copy with this key padding mask (null for none). */
        public Options withKeyPaddingMask(Tensor mask) {
            return new Options(causal, attnMask, mask, needWeights, averageWeights);
        }

        /** A copy that returns the weights or not ({@code null} weights in the output). */
        public Options withNeedWeights(boolean need) {
            return new Options(causal, attnMask, keyPaddingMask, need, averageWeights);
        }

        /** A copy that returns weights averaged over heads (true) or per head (false). */
        public Options withAverageWeights(boolean average) {
            return new Options(causal, attnMask, keyPaddingMask, needWeights, average);
        }
    }

    /**
     * The result of one call.
     *
     * @param output  {@code [B, L, E]}
     * @param weights {@code [B, L, S]} (averaged) or {@code [B, h, L, S]}, or null when not asked for
     */
    public record Output(Tensor output, Tensor weights) {
        /**
         * @throws NullPointerException if {@code output} is null
         */
        public Output {
            Objects.requireNonNull(output, "MultiheadAttention.Output: output is null");
        }
    }

    private final int embedDim;
    private final int numHeads;
    private final int headDim;
    private final double dropoutP;
    private final boolean causal;
    private final Tensor inProjWeight;
    private final Tensor inProjBias;
    private final Linear outProj;
    private final Dropout dropout;

    private MultiheadAttention(Builder b, RandomGenerator rng) {
        if (b.embedDim < 1 || b.numHeads < 1 || b.embedDim % b.numHeads != 0) {
            throw new IllegalArgumentException("MultiheadAttention: embedDim=" + b.embedDim + " and numHeads=" + b.numHeads
                + " must be at least 1, with embedDim divisible by numHeads (each head gets embedDim/numHeads)");
        }
        if (!(b.dropout >= 0 && b.dropout < 1)) {
            throw new IllegalArgumentException("MultiheadAttention: dropout=" + b.dropout + " must be in [0, 1)");
        }
        Objects.requireNonNull(rng, "MultiheadAttention: random generator is null; pass e.g. new SplittableRandom(seed)");
        embedDim = b.embedDim;
        numHeads = b.numHeads;
        headDim = embedDim / numHeads;
        dropoutP = b.dropout;
        causal = b.causal;
        int e = embedDim;
        inProjWeight = registerParameter("in_proj_weight", new GlorotUniform().init(new int[] {3 * e, e}, e, 3 * e, rng));
        inProjBias = b.bias ? registerParameter("in_proj_bias", Tensor.zeros(3 * e)) : null;
        outProj = registerModule("out_proj", new Linear(e, e, new LeCunUniform(), b.bias ? new Zeros() : null, rng));
        dropout = dropoutP > 0 ? new Dropout(dropoutP, rng) : null;
    }

    /**
     * {@code embedDim} split over {@code numHeads} heads, with biases and no dropout (PyTorch's defaults).
     *
     * @throws IllegalArgumentException if the sizes are below 1 or {@code numHeads} does not divide {@code embedDim}
     * @throws NullPointerException     if {@code rng} is null
     */
    public MultiheadAttention(int embedDim, int numHeads, RandomGenerator rng) {
        this(builder(embedDim, numHeads), rng);
    }

    /** A builder; finish with {@link Builder#build(RandomGenerator)}. */
    public static Builder builder(int embedDim, int numHeads) {
        return new Builder(embedDim, numHeads);
    }

    /**
     * Self-attention {@code forward(x, x, x)} without weights, causal if the layer was built so.
     *
     * @param x {@code [B, T, E]} or {@code [T, E]}
     * @return {@code [B, T, E]} (or {@code [T, E]})
     */
    @Override
    public Tensor forward(Tensor x) {
        return forward(x, x, x, Options.defaults().withCausal(causal).withNeedWeights(false)).output();
    }

    /**
     * Attention of {@code query} over {@code key}/{@code value}.
     *
     * @param query   {@code [B, L, E]} or {@code [L, E]}
     * @param key     {@code [B, S, E]} or {@code [S, E]}
     * @param value   like key
     * @param options masks and returned weights; null for {@link Options#defaults()}
     * @return output and (if asked for) weights
     * @throws IllegalArgumentException if a shape does not fit or a mask is not 0/1 of its shape
     */
    public Output forward(Tensor query, Tensor key, Tensor value, Options options) {
        Objects.requireNonNull(query, "MultiheadAttention.forward: query is null");
        Objects.requireNonNull(key, "MultiheadAttention.forward: key is null");
        Objects.requireNonNull(value, "MultiheadAttention.forward: value is null");
        Options o = options == null ? Options.defaults() : options;
        int r = query.rank();
        if ((r != 2 && r != 3) || key.rank() != r || value.rank() != r || query.shape()[r - 1] != embedDim
            || key.shape()[r - 1] != embedDim || value.shape()[r - 1] != embedDim
            || !Arrays.equals(key.shape(), value.shape()) || (r == 3 && query.shape()[0] != key.shape()[0])) {
            throw new IllegalArgumentException(describe() + ": query " + Shape.toString(query.shape()) + ", key "
                + Shape.toString(key.shape()) + ", value " + Shape.toString(value.shape()) + " do not fit; expected [B, L, "
                + embedDim + "], [B, S, " + embedDim + "], [B, S, " + embedDim + "] (or unbatched [L, " + embedDim + "], [S, "
                + embedDim + "], [S, " + embedDim + "])");
        }
        boolean unbatched = r == 2;
        Tensor q = unbatched ? query.unsqueeze(0) : query;
        Tensor k = key == query ? q : unbatched ? key.unsqueeze(0) : key;
        Tensor v = value == key ? k : unbatched ? value.unsqueeze(0) : value;
        int b = q.shape()[0], l = q.shape()[1], s = k.shape()[1];
        Tensor mask = mask(o, b, l, s, unbatched);

        Tensor qp, kp, vp;
        if (query == key && key == value) {                   // self-attention: one GEMM for Q, K and V
            List<Tensor> qkv = q.linear(inProjWeight, inProjBias).chunk(3, -1);
            qp = qkv.get(0);
            kp = qkv.get(1);
            vp = qkv.get(2);
        } else {
            List<Tensor> w = inProjWeight.chunk(3, 0);
            List<Tensor> bs = inProjBias == null ? null : inProjBias.chunk(3, 0);
            qp = q.linear(w.get(0), bs == null ? null : bs.get(0));
            kp = k.linear(w.get(1), bs == null ? null : bs.get(1));
            vp = v.linear(w.get(2), bs == null ? null : bs.get(2));
        }
        Tensor qh = heads(qp, b, l), kh = heads(kp, b, s), vh = heads(vp, b, s);     // [B, h, ·, d]
        Tensor scores = qh.div(Math.sqrt(headDim)).matmul(kh.transpose());          // [B, h, L, S]
        if (mask != null) scores = fill(scores, mask);
        Tensor attn = scores.softmax(-1);
        if (dropout != null && isTraining()) attn = dropout.forward(attn);
        Tensor ctx = attn.matmul(vh).permute(0, 2, 1, 3).reshape(b, l, embedDim);   // heads side by side again
        Tensor out = outProj.forward(ctx);
        Tensor weights = !o.needWeights() ? null : o.averageWeights() ? attn.mean(1, false) : attn;
        if (unbatched) {
            out = out.squeeze(0);
            if (weights != null) weights = weights.squeeze(0);
        }
        return new Output(out, weights);
    }

    /** {@code [B, n, E] → [B, h, n, d]}. */
    private Tensor heads(Tensor t, int b, int n) {
        return t.reshape(b, n, numHeads, headDim).permute(0, 2, 1, 3);
    }

    /** The scores with −∞ where the mask is 1 ({@code maskedFill}, a deliberate ∞ that anomaly mode accepts). */
    private static Tensor fill(Tensor scores, Tensor mask) {
        return scores.maskedFill(mask, Double.NEGATIVE_INFINITY);
    }

    /** The combined 0/1 mask (1 = masked), shaped {@code [B or 1, h or 1, L, S]}, or null when nothing is masked. */
    private Tensor mask(Options o, int b, int l, int s, boolean unbatched) {
        Tensor am = o.attnMask(), kpm = o.keyPaddingMask();
        if (!o.causal() && am == null && kpm == null) return null;
        boolean perHead = am != null && am.rank() == 3;
        int mb = perHead || kpm != null ? b : 1, mh = perHead ? numHeads : 1;
        boolean[] m = new boolean[mb * mh * l * s];
        if (o.causal()) {
            for (int n = 0; n < mb * mh; n++) {
                for (int i = 0; i < l; i++) for (int j = i + 1; j < s; j++) m[(n * l + i) * s + j] = true;
            }
        }
        if (am != null) {
            int[] want2 = {l, s}, want3 = unbatched ? new int[] {numHeads, l, s} : new int[] {b * numHeads, l, s};
            if (!Arrays.equals(am.shape(), want2) && !Arrays.equals(am.shape(), want3)) {
                throw new IllegalArgumentException(describe() + ": attnMask has shape " + Shape.toString(am.shape())
                    + " but this call needs " + Shape.toString(want2) + " or " + Shape.toString(want3)
                    + " ([L, S] or [batch·heads, L, S])");
            }
            double[] a = zeroOne("attnMask", am);
            for (int n = 0; n < mb * mh; n++) {
                int src = perHead ? n : 0;
                for (int e = 0; e < l * s; e++) m[n * l * s + e] |= a[src * l * s + e] != 0;
            }
        }
        if (kpm != null) {
            int[] want = unbatched ? new int[] {s} : new int[] {b, s};
            if (!Arrays.equals(kpm.shape(), want)) {
                throw new IllegalArgumentException(describe() + ": keyPaddingMask has shape " + Shape.toString(kpm.shape())
                    + " but this call needs " + Shape.toString(want) + " ([batch, S], 1 at padded keys)");
            }
            double[] p = zeroOne("keyPaddingMask", kpm);
            for (int n = 0; n < mb * mh; n++) {
                int batch = n / mh;
                for (int i = 0; i < l; i++) for (int j = 0; j < s; j++) m[(n * l + i) * s + j] |= p[batch * s + j] != 0;
            }
        }
        double[] mask = new double[m.length];
        for (int e = 0; e < m.length; e++) if (m[e]) mask[e] = 1;
        return Tensor.of(mask, mb, mh, l, s);
    }

    private double[] zeroOne(String what, Tensor t) {
        double[] d = t.toArray();
        for (int i = 0; i < d.length; i++) {
            if (d[i] != 0 && d[i] != 1) {
                throw new IllegalArgumentException(describe() + ": " + what + " value " + d[i] + " at flat position " + i
                    + " is not 0 or 1 (1 = masked, as PyTorch's True)");
            }
        }
        return d;
    }

    private String describe() {
        return "MultiheadAttention(" + extraRepr() + ")";
    }

    /** The embedding width E. */
    public int embedDim() {
        return embedDim;
    }

    /** The number of heads h. */
    public int numHeads() {
        return numHeads;
    }

    /** {@code in_proj_weight [3E, E]}: rows W_q, W_k, W_v. */
    public Tensor inProjWeight() {
        return inProjWeight;
    }

    /** {@code in_proj_bias [3E]}, or null without bias. */
    public Tensor inProjBias() {
        return inProjBias;
    }

    /** The output projection {@code out_proj}. */
    public Linear outProj() {
        return outProj;
    }

    @Override
    protected String extraRepr() {
        return "embedDim=" + embedDim + ", numHeads=" + numHeads + (inProjBias == null ? ", bias=false" : "")
            + (dropoutP > 0 ? ", dropout=" + dropoutP : "") + (causal ? ", causal" : "");
    }

    /** Options of a {@link MultiheadAttention} (PyTorch's defaults: biases, no dropout). */
    public static final class Builder {
        private final int embedDim;
        private final int numHeads;
        private boolean bias = true;
        private double dropout;
        private boolean causal;

        private Builder(int embedDim, int numHeads) {
            this.embedDim = embedDim;
            this.numHeads = numHeads;
        }

        /** Whether the projections have biases; default true. */
        public Builder bias(boolean bias) {
            this.bias = bias;
            return this;
        }

        /** Dropout probability on the attention weights, in training; default 0. */
        public Builder dropout(double p) {
            this.dropout = p;
            return this;
        }

        /** Whether {@link MultiheadAttention#forward(Tensor)} (self-attention) is causal; default false. */
        public Builder causal(boolean causal) {
            this.causal = causal;
            return this;
        }

        /**
         * The layer, initialized from {@code rng}.
         *
         * @throws IllegalArgumentException if the sizes are below 1, {@code numHeads} does not divide
         *                                  {@code embedDim}, or dropout is not in [0, 1)
         * @throws NullPointerException     if {@code rng} is null
         */
        public MultiheadAttention build(RandomGenerator rng) {
            return new MultiheadAttention(this, rng);
        }
    }
}

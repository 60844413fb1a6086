package dev.chainrule.nn;

import dev.chainrule.autograd.DType;
import dev.chainrule.autograd.Shape;
import dev.chainrule.autograd.Tensor;
import java.util.Arrays;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.random.RandomGenerator;

/**
 * A lookup table of learned vectors (PyTorch's {@code nn.Embedding}): index {@code i} maps to row
 * {@code i} of the weight, {@code y[..., :] = W[idx[...], :]} — the same as a {@link Linear} layer
 * without bias applied to a one-hot vector, without building the one-hot vector. Computed with
 * {@link Tensor#indexSelect}; the gradient of a row is the sum of the output gradients of every
 * position that looked it up.
 *
 * <p>Shapes: indices of any shape {@code [*]} (a tensor of integer-valued doubles, or an
 * {@code int[]} for {@code [n]}), output {@code [*, dim]}. Parameter {@code weight}
 * {@code [num, dim]}, initialized N(0, 1) as PyTorch.
 *
 * <p>With a padding index {@code p} (as PyTorch's {@code padding_idx}): row {@code p} starts at zero
 * and receives no gradient, so it stays what it is (zero, unless set otherwise) while training; the
 * output at positions holding {@code p} is that row. Use it for the filler token of padded batches.
 *
 * <pre>{@code
 * Embedding emb = new Embedding(100, 16, rng);
 * Tensor y = emb.forward(Tensor.of(new double[] {3, 7, 7, 0, 1, 2}, 2, 3));   // [2, 3, 16]
 * }</pre>
 */
public final class Embedding extends Module {

    private final int num;
    private final int dim;
    private final int paddingIdx;           // −1 for none
    private final Tensor weight;

    /**
     * A table of {@code num} vectors of length {@code dim}, drawn N(0, 1), without padding index.
     *
     * @throws IllegalArgumentException if {@code num} or {@code dim} is below 1
     * @throws NullPointerException     if {@code rng} is null
     */
    public Embedding(int num, int dim, RandomGenerator rng) {
        this(num, dim, null, rng);
    }

    /**
     * A table whose row {@code paddingIdx} is zero and receives no gradient; a negative index counts
     * from the end as in PyTorch ({@code −1} is row {@code num − 1}).
     *
     * @throws IllegalArgumentException if {@code num} or {@code dim} is below 1 or {@code paddingIdx} is
     *                                  not in [−num, num)
     * @throws NullPointerException     if {@code rng} is null
     */
    public Embedding(int num, int dim, int paddingIdx, RandomGenerator rng) {
        this(num, dim, Integer.valueOf(paddingIdx), rng);
    }

    private Embedding(int num, int dim, Integer paddingIdx, RandomGenerator rng) {
        if (num < 1 || dim < 1) {
            throw new IllegalArgumentException("Embedding: num=" + num + " and dim=" + dim + " must both be at least 1");
        }
        Objects.requireNonNull(rng, "Embedding: random generator is null; pass e.g. new SplittableRandom(seed)");
        if (paddingIdx != null && (paddingIdx < -num || paddingIdx >= num)) {
            throw new IllegalArgumentException("Embedding(num=" + num + ", dim=" + dim + "): paddingIdx " + paddingIdx
                + " must be in [" + (-num) + ", " + num + ")");
        }
        this.num = num;
        this.dim = dim;
        this.paddingIdx = paddingIdx == null ? -1 : paddingIdx < 0 ? paddingIdx + num : paddingIdx;
        double[] w = Tensor.randn(rng, num, dim).toArray();
        if (this.paddingIdx >= 0) Arrays.fill(w, this.paddingIdx * dim, (this.paddingIdx + 1) * dim, 0.0);
        this.weight = registerParameter("weight", Tensor.of(w, num, dim));
    }

    /**
     * The rows of the indices: {@code y[..., :] = W[idx[...], :]}.
     *
     * @param indices integer-valued doubles in [0, num), any shape (rank 0 gives {@code [dim]})
     * @return {@code [*indices.shape, dim]}
     * @throws IllegalArgumentException if an index is not an integer or out of range (the message
     *                                  names the position)
     */
    @Override
    public Tensor forward(Tensor indices) {
        Objects.requireNonNull(indices, "Embedding.forward: indices is null");
        double[] v = indices.toArray();
        int[] idx = new int[v.length];
        int[] shape = indices.shape();
        for (int i = 0; i < v.length; i++) {
            double d = v[i];
            if (d != Math.rint(d) || d < 0 || d >= num) {
                throw new IllegalArgumentException("Embedding(" + extraRepr() + "): index " + d + " at position "
                    + Arrays.toString(unravel(i, shape)) + " of indices " + Shape.toString(shape)
                    + (d != Math.rint(d) ? " is not an integer" : " is out of range [0, " + num + ")")
                    + "; pass integer-valued token ids below num");
            }
            idx[i] = (int) d;
        }
        int[] out = Arrays.copyOf(shape, shape.length + 1);
        out[shape.length] = dim;
        return lookup(idx).reshape(out);
    }

    /**
     * The rows of the indices as a {@code [n, dim]} tensor.
     *
     * @throws IllegalArgumentException if no index is given or one is out of range
     */
    public Tensor forward(int... indices) {
        Objects.requireNonNull(indices, "Embedding.forward: indices is null");
        if (indices.length == 0) {
            throw new IllegalArgumentException("Embedding(" + extraRepr() + "): no indices given (empty tensors are not supported)");
        }
        for (int i = 0; i < indices.length; i++) {
            if (indices[i] < 0 || indices[i] >= num) {
                throw new IllegalArgumentException("Embedding(" + extraRepr() + "): index " + indices[i] + " at position " + i
                    + " is out of range [0, " + num + ")");
            }
        }
        return lookup(indices.clone());
    }

    /**
     * {@code W.indexSelect(0, idx)}; where idx holds the padding index, the row's value enters as a
     * constant (rows ⊙ keep + constant), so it contributes no gradient to row p.
     */
    private Tensor lookup(int[] idx) {
        Tensor rows = weight.indexSelect(0, idx);
        if (paddingIdx < 0) return rows;
        int hits = 0;
        for (int i : idx) if (i == paddingIdx) hits++;
        if (hits == 0) return rows;
        double[] keep = new double[idx.length];
        double[] fixed = new double[idx.length * dim];
        double[] w = weight.toArray();
        for (int i = 0; i < idx.length; i++) {
            if (idx[i] == paddingIdx) {
                System.arraycopy(w, paddingIdx * dim, fixed, i * dim, dim);
            } else {
                keep[i] = 1;
            }
        }
        DType dt = weight.dtype();                                            // constants in the table's dtype: no promotion
        return rows.mul(Tensor.of(keep, dt, idx.length, 1)).add(Tensor.of(fixed, dt, idx.length, dim));
    }

    /** The multi-index of flat position {@code i} in a row-major {@code shape}. */
    static int[] unravel(int i, int[] shape) {
        int[] at = new int[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) {
            at[d] = i % shape[d];
            i /= shape[d];
        }
        return at;
    }

    /** The table {@code [num, dim]} (a parameter). */
    public Tensor weight() {
        return weight;
    }

    /** The number of rows (the vocabulary size). */
    public int numEmbeddings() {
        return num;
    }

    /** The length of each vector. */
    public int embeddingDim() {
        return dim;
    }

    /** The padding index (normalized to [0, num)), if any. */
    public OptionalInt paddingIdx() {
        return paddingIdx < 0 ? OptionalInt.empty() : OptionalInt.of(paddingIdx);
    }

    @Override
    protected String extraRepr() {
        return "num=" + num + ", dim=" + dim + (paddingIdx >= 0 ? ", paddingIdx=" + paddingIdx : "");
    }
}

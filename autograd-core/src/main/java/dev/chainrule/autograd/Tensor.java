package dev.chainrule.autograd;

import dev.chainrule.autograd.internal.Gemm;
import dev.chainrule.autograd.internal.Kernels;
import java.util.Arrays;
import java.util.random.RandomGenerator;

/**
 * An immutable n-dimensional array of {@code double} (row-major, contiguous, rank 0 and up) with an
 * optional place in a computation graph.
 *
 * <p>Every op returns a new tensor and never changes its inputs. When grad mode is on (the default;
 * see {@link Autograd#noGrad()}) and an input {@linkplain #requiresGrad() requires grad}, the result
 * records its op, its inputs and its backward rule, so that {@link #backward()} can apply the chain
 * rule in reverse. Backward rules are themselves tensor ops, so gradients can be differentiated
 * again ({@link Autograd#grad(Tensor, java.util.List, boolean)} with {@code createGraph}).
 *
 * <p>Binary elementwise ops broadcast by NumPy rules; the gradient reaching a broadcast input is
 * summed back to that input's shape. Subgradients at kinks: relu'(0) = 0, abs'(0) = 0,
 * step' = sign' = 0, clamp passes the gradient only strictly inside its bounds, and max over an
 * axis splits the gradient equally among ties.
 *
 * <p>The only mutations are gradient accumulation into {@link #grad()} and the explicit
 * {@code *InPlace} updates, which are allowed only inside {@link Autograd#noGrad()} and bump a
 * version counter that backward checks. Equality is identity: a tensor is a graph node.
 *
 * <p>Thread safety: a tensor's values may be read from any number of threads, and any number of
 * threads may use one tensor as an input to their own graphs (grad and anomaly mode are per
 * thread). Building graphs and running backward on one graph must happen on one thread at a time;
 * independent graphs on different threads never interfere, and concurrent backward passes that
 * reach one shared leaf all add into its {@link #grad()} (the accumulation is locked per leaf).
 * Not safe: in-place updates ({@code *InPlace}, {@link #copyFrom}), {@link #zeroGrad()} or
 * {@link #requiresGrad()} on a tensor other threads are using, and backpropagating from several
 * threads through one shared op result (share leaves or {@link #detach() detached} copies instead).
 * See {@code docs/reliability.md}.
 */
public final class Tensor {

    final double[] data;
    final int[] shape;
    /** The op that produced this tensor; null for leaves and for results built without grad. */
    Node node;
    /** For leaves: set by {@link #requiresGrad()}. For op results: true exactly when node != null. */
    boolean requiresGrad;
    Tensor grad;
    int version;

    Tensor(double[] data, int[] shape) {
        this.data = data;
        this.shape = shape;
    }

    // ================================================================ factories

    /** A rank-0 tensor holding {@code value}. */
    public static Tensor scalar(double value) {
        return new Tensor(new double[] {value}, Kernels.SCALAR);
    }

    /** A rank-1 tensor holding a copy of {@code values}. */
    public static Tensor of(double... values) {
        if (values.length == 0) {
            throw new IllegalArgumentException("Tensor.of: no values; empty tensors are not supported");
        }
        return new Tensor(values.clone(), new int[] {values.length});
    }

    /** A rank-2 tensor holding a copy of {@code rows}. */
    public static Tensor of(double[][] rows) {
        if (rows.length == 0 || rows[0].length == 0) {
            throw new IllegalArgumentException("Tensor.of: no values; empty tensors are not supported");
        }
        int cols = rows[0].length;
        double[] data = new double[rows.length * cols];
        for (int r = 0; r < rows.length; r++) {
            if (rows[r].length != cols) {
                throw new IllegalArgumentException("Tensor.of: row " + r + " has " + rows[r].length
                    + " values but row 0 has " + cols + "; rows must all have the same length");
            }
            System.arraycopy(rows[r], 0, data, r * cols, cols);
        }
        return new Tensor(data, new int[] {rows.length, cols});
    }

    /** A tensor of the given shape holding a copy of {@code data} (row-major). An empty shape is a scalar. */
    public static Tensor of(double[] data, int... shape) {
        int[] s = Shape.checked("Tensor.of", shape);
        if (data.length != Kernels.size(s)) {
            throw new IllegalArgumentException("Tensor.of: " + data.length + " values do not fill shape "
                + Shape.toString(s) + " (" + Kernels.size(s) + " elements)");
        }
        return new Tensor(data.clone(), s);
    }

    public static Tensor zeros(int... shape) {
        int[] s = Shape.checked("zeros", shape);
        return new Tensor(new double[Kernels.size(s)], s);
    }

    public static Tensor ones(int... shape) {
        return full(1.0, shape);
    }

    public static Tensor full(double value, int... shape) {
        int[] s = Shape.checked("full", shape);
        double[] d = new double[Kernels.size(s)];
        Arrays.fill(d, value);
        return new Tensor(d, s);
    }

    /** Standard normal samples drawn from {@code rng} (so results are reproducible from its seed). */
    public static Tensor randn(RandomGenerator rng, int... shape) {
        int[] s = Shape.checked("randn", shape);
        double[] d = new double[Kernels.size(s)];
        for (int i = 0; i < d.length; i++) d[i] = rng.nextGaussian();
        return new Tensor(d, s);
    }

    /** Uniform samples in [0, 1) drawn from {@code rng}. */
    public static Tensor rand(RandomGenerator rng, int... shape) {
        int[] s = Shape.checked("rand", shape);
        double[] d = new double[Kernels.size(s)];
        for (int i = 0; i < d.length; i++) d[i] = rng.nextDouble();
        return new Tensor(d, s);
    }

    // ================================================================ accessors

    /** The shape (a copy). */
    public int[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    /** Number of elements. */
    public int size() {
        return data.length;
    }

    /** The single value of a one-element tensor. */
    public double item() {
        if (data.length != 1) {
            throw new IllegalStateException("item: tensor of shape " + Shape.toString(shape) + " has " + data.length
                + " elements; item() needs exactly one (use get(i, j, ...) or toArray())");
        }
        return data[0];
    }

    /** The element at a full index, one entry per dimension. */
    public double get(int... index) {
        if (index.length != shape.length) {
            throw new IllegalArgumentException("get: index " + Arrays.toString(index) + " has " + index.length
                + " entries but shape " + Shape.toString(shape) + " has rank " + shape.length);
        }
        int flat = 0;
        for (int i = 0; i < index.length; i++) {
            if (index[i] < 0 || index[i] >= shape[i]) {
                throw new IllegalArgumentException("get: index " + Arrays.toString(index) + " is out of bounds for shape "
                    + Shape.toString(shape));
            }
            flat = flat * shape[i] + index[i];
        }
        return data[flat];
    }

    /** A copy of the values, row-major. */
    public double[] toArray() {
        return data.clone();
    }

    /**
     * Copies the values, row-major, into {@code dst} (which must hold at least {@link #size()}
     * elements) and returns it: {@link #toArray()} without allocating, for loops that reuse a buffer.
     *
     * @throws IllegalArgumentException if {@code dst} is too short
     */
    public double[] toArray(double[] dst) {
        if (dst.length < data.length) {
            throw new IllegalArgumentException("toArray: buffer of " + dst.length + " elements is too short for shape "
                + Shape.toString(shape) + " (" + data.length + " elements)");
        }
        System.arraycopy(data, 0, dst, 0, data.length);
        return dst;
    }

    /** The accumulated gradient of a leaf that requires grad, or null (also for non-leaves). */
    public Tensor grad() {
        return grad;
    }

    /** Clears the accumulated gradient (sets it to null). */
    public void zeroGrad() {
        grad = null;
    }

    /**
     * Marks this leaf as needing gradients: backward accumulates dL/dthis into {@link #grad()}.
     * A no-op on op results, which require grad whenever an input does.
     *
     * @return this tensor
     */
    public Tensor requiresGrad() {
        if (node == null) requiresGrad = true;
        return this;
    }

    /** Whether gradients flow to this tensor (a leaf marked by {@link #requiresGrad()}, or a recorded op result). */
    public boolean isGradRequired() {
        return requiresGrad;
    }

    /** True for tensors not produced by a recorded op. */
    public boolean isLeaf() {
        return node == null;
    }

    /** The name of the op that produced this tensor, or null for a leaf. */
    public String op() {
        return node == null ? null : node.op;
    }

    /** Times this tensor was modified in place. */
    public int version() {
        return version;
    }

    /** A copy of the values, cut from the graph: a leaf that does not require grad. */
    public Tensor detach() {
        return new Tensor(data.clone(), shape);
    }

    // ================================================================ recording

    /** What a backward rule reads, for the version check: nothing, its inputs, its output, or both. */
    static final int SAVES_NONE = 0, SAVES_INPUTS = 1, SAVES_OUTPUT = 2, SAVES_BOTH = 3;
    /**
     * Flag (or-ed into {@code saves}) for ops that may write ±∞ deliberately, from a constant the user
     * passed (e.g. a mask filled with −∞): anomaly mode then does not report an infinity they produce.
     */
    static final int FILLS_INF = 4;

    /**
     * Attaches a graph node to this fresh op result when grad mode is on and an input requires grad;
     * returns this. In anomaly mode it first checks the forward value: NaN is always reported, an
     * infinity only when the op created it (no input held one, and the op is not {@link #FILLS_INF}).
     */
    Tensor record(String op, int saves, Node.Rule rule, Tensor... inputs) {
        GradMode.State mode = GradMode.state();
        if (mode.anomaly && !Kernels.allFinite(data) && (hasNaN(data) || ((saves & FILLS_INF) == 0 && allFinite(inputs)))) {
            throw new ArithmeticException("anomaly: '" + op + "' produced " + nonFiniteKind(data) + " in forward (output shape "
                + Shape.toString(shape) + ") at " + Autograd.callSite());
        }
        if (!mode.enabled) return this;
        boolean any = false;
        for (Tensor t : inputs) any |= t.requiresGrad;
        if (!any) return this;
        node = new Node(op, inputs, rule, (saves & SAVES_INPUTS) != 0, (saves & SAVES_OUTPUT) != 0,
            mode.anomaly ? Autograd.callSite() : null);
        requiresGrad = true;
        return this;
    }

    private static boolean hasNaN(double[] d) {
        for (double v : d) {
            if (v != v) return true;
        }
        return false;
    }

    private static boolean allFinite(Tensor[] inputs) {
        for (Tensor t : inputs) {
            if (!Kernels.allFinite(t.data)) return false;
        }
        return true;
    }

    static String nonFiniteKind(double[] d) {
        boolean nan = false, inf = false;
        for (double v : d) {
            nan |= Double.isNaN(v);
            inf |= Double.isInfinite(v);
        }
        return nan && inf ? "NaN and Inf" : nan ? "NaN" : "Inf";
    }

    /** The gradients a backward rule returns, one per input (null where not needed). */
    static Tensor[] grads(Tensor... g) {
        return g;
    }

    // ================================================================ elementwise (ElementwiseOps)

    /** this + other (broadcasting). d(a+b) = da + db. */
    public Tensor add(Tensor other) {
        return ElementwiseOps.add(this, other);
    }

    /** this − other (broadcasting). d(a−b) = da − db. */
    public Tensor sub(Tensor other) {
        return ElementwiseOps.sub(this, other);
    }

    /** this · other elementwise (broadcasting). d(ab) = b da + a db. */
    public Tensor mul(Tensor other) {
        return ElementwiseOps.mul(this, other);
    }

    /** this / other elementwise (broadcasting). d(a/b) = da/b − a db/b². */
    public Tensor div(Tensor other) {
        return ElementwiseOps.div(this, other);
    }

    /** this + c. */
    public Tensor add(double c) {
        return ElementwiseOps.add(this, c);
    }

    /** this − c. */
    public Tensor sub(double c) {
        return ElementwiseOps.sub(this, c);
    }

    /** this · c. d(ca) = c da. */
    public Tensor mul(double c) {
        return ElementwiseOps.mul(this, c);
    }

    /** this / c. d(a/c) = da / c. */
    public Tensor div(double c) {
        return ElementwiseOps.div(this, c);
    }

    /** −this. */
    public Tensor neg() {
        return ElementwiseOps.neg(this);
    }

    /** this^p elementwise. d(x^p) = p x^(p−1) dx. */
    public Tensor pow(double p) {
        return ElementwiseOps.pow(this, p);
    }

    /** x² (same as {@code pow(2)}, one pass). d(x²) = 2x dx. */
    public Tensor square() {
        return ElementwiseOps.square(this);
    }

    /** e^x. d(e^x) = e^x dx (reuses the output). */
    public Tensor exp() {
        return ElementwiseOps.exp(this);
    }

    /** Natural log. d(log x) = dx / x. */
    public Tensor log() {
        return ElementwiseOps.log(this);
    }

    /** √x. d√x = dx / (2√x) (reuses the output). */
    public Tensor sqrt() {
        return ElementwiseOps.sqrt(this);
    }

    /** |x|. d|x| = sign(x) dx, so abs'(0) = 0. */
    public Tensor abs() {
        return ElementwiseOps.abs(this);
    }

    /** σ(x) = 1/(1+e^−x), stable for large |x|. dσ = σ(1−σ) dx (reuses the output). */
    public Tensor sigmoid() {
        return ElementwiseOps.sigmoid(this);
    }

    /** tanh(x). d tanh = (1 − tanh²) dx (reuses the output). */
    public Tensor tanh() {
        return ElementwiseOps.tanh(this);
    }

    /** max(0, x). d relu = step(x) dx, so relu'(0) = 0. */
    public Tensor relu() {
        return ElementwiseOps.relu(this);
    }

    /** Heaviside step: 1 where x &gt; 0, else 0. Its gradient is 0 everywhere (by convention at 0). */
    public Tensor step() {
        return ElementwiseOps.step(this);
    }

    /** sign(x) ∈ {−1, 0, 1}. Its gradient is 0 everywhere (by convention at 0). */
    public Tensor sign() {
        return ElementwiseOps.sign(this);
    }

    /** log(1 + e^x), computed as max(x,0) + log1p(e^−|x|). d softplus = σ(x) dx. */
    public Tensor softplus() {
        return ElementwiseOps.softplus(this);
    }

    /**
     * min(max(x, lo), hi). The gradient passes where lo &lt; x &lt; hi and is 0 elsewhere.
     *
     * @throws IllegalArgumentException if {@code lo > hi}
     */
    public Tensor clamp(double lo, double hi) {
        return ElementwiseOps.clamp(this, lo, hi);
    }

    // ================================================================ layout (LayoutOps)

    /** This tensor stretched to {@code target} by broadcasting (a copy). Gradient: summed back. */
    public Tensor broadcastTo(int... target) {
        return LayoutOps.broadcastTo(this, target);
    }

    /** Sums this tensor down to {@code target}, the reverse of broadcasting. Gradient: broadcast back. */
    public Tensor sumTo(int... target) {
        return LayoutOps.sumTo(this, target);
    }

    /** Swaps the last two axes (a copy); a no-op for rank 0 and 1. Gradient: transposed back. */
    public Tensor transpose() {
        return LayoutOps.transpose(this);
    }

    /**
     * The same values in a new shape (a copy); one dimension may be −1 to be inferred, and an empty
     * shape makes a scalar of a one-element tensor. Gradient: reshaped back.
     */
    public Tensor reshape(int... newShape) {
        return LayoutOps.reshape(this, newShape);
    }

    // ================================================================ indexing (IndexingOps)

    /**
     * Picks one element per row along the last axis: for this {@code [..., C]} and {@code index} with
     * one class per row (size / C entries), {@code out[r] = this[r, index[r]]}, shape {@code [...]}.
     * This is how cross-entropy selects the target class. Gradient: scattered back into zeros.
     */
    public Tensor pick(int... index) {
        return IndexingOps.pick(this, index);
    }

    // ================================================================ matrix products (MatmulOps)

    /**
     * Matrix product with NumPy {@code matmul} semantics: 2-D × 2-D; 1-D operands are promoted
     * (a vector on the left is a row, on the right a column) and the added dimension dropped;
     * leading (batch) dimensions of higher-rank operands broadcast.
     * d(AB) = dA B + A dB, i.e. dA = G Bᵀ, dB = Aᵀ G, computed without materializing transposes.
     */
    public Tensor matmul(Tensor other) {
        return MatmulOps.matmul(this, other);
    }

    /**
     * Fused affine map {@code this · weightᵀ + bias} (PyTorch's {@code linear}): this is
     * {@code [..., in]}, weight {@code [out, in]}, bias {@code [out]} or null; result {@code [..., out]}.
     * One GEMM reading the weight transposed in place, one pass for the bias.
     * dx = G W, dW = Gᵀ x, db = Σ_rows G.
     */
    public Tensor linear(Tensor weight, Tensor bias) {
        return MatmulOps.linear(this, weight, bias);
    }

    // ================================================================ reductions (ReductionOps)

    /** Sum of all elements (a scalar). Gradient: broadcast to the input's shape. */
    public Tensor sum() {
        return ReductionOps.sum(this);
    }

    /** Sum over one axis, kept as size 1 when {@code keepDims}. Gradient: broadcast back over the axis. */
    public Tensor sum(int axis, boolean keepDims) {
        return ReductionOps.sum(this, axis, keepDims);
    }

    /** Mean of all elements (a scalar): sum / n. */
    public Tensor mean() {
        return sum().div(data.length);
    }

    /** Mean over one axis: sum over it / its length. */
    public Tensor mean(int axis, boolean keepDims) {
        int ax = Shape.axis("mean", axis, shape);
        return sum(ax, keepDims).div(shape[ax]);
    }

    /** Max of all elements (a scalar); ties split the gradient equally. */
    public Tensor max() {
        return reshape(data.length).max(0, false);
    }

    /**
     * Max over one axis. Gradient: to the maximal elements, split equally among ties:
     * dx = G · [x = max] / #[x = max].
     */
    public Tensor max(int axis, boolean keepDims) {
        return ReductionOps.max(this, axis, keepDims);
    }

    /** Min over one axis: −max(−x). */
    public Tensor min(int axis, boolean keepDims) {
        Shape.axis("min", axis, shape);       // so that a bad axis is reported as min's, not max's
        return neg().max(axis, keepDims).neg();
    }

    /** Min of all elements: −max(−x). */
    public Tensor min() {
        return neg().max().neg();
    }

    /** Index of the largest element along {@code axis} (first on ties), as a tensor without graph. */
    public Tensor argMax(int axis) {
        return ReductionOps.argMax(this, axis);
    }

    /** softmax along {@code axis}: e^(x−max) / Σ e^(x−max). dx = y ⊙ (G − Σ_axis G ⊙ y) (reuses the output y). */
    public Tensor softmax(int axis) {
        return ReductionOps.softmax(this, axis);
    }

    /** log softmax along {@code axis}: x − logSumExp(x). dx = G − softmax(x) Σ_axis G (reuses the output). */
    public Tensor logSoftmax(int axis) {
        return ReductionOps.logSoftmax(this, axis);
    }

    /** log Σ_axis e^x, shifted by the max (finite for logits of ±1000). dx = G · softmax(x). */
    public Tensor logSumExp(int axis, boolean keepDims) {
        return ReductionOps.logSumExp(this, axis, keepDims);
    }

    /**
     * Fused mean softmax cross-entropy of logits {@code [..., C]} against one class index per row:
     * {@code (1/N) Σ_r (logSumExp(x_r) − x_r[t_r])}, the categorical negative log-likelihood.
     * One pass over the logits, stable for logits of ±1000.
     * d/dx = (softmax(x) − onehot(t)) · G / N.
     */
    public Tensor crossEntropy(int... targets) {
        return ReductionOps.crossEntropy(this, targets);
    }

    // ================================================================ in-place updates (InPlaceOps)

    /**
     * {@code this += alpha · other} in place ({@code other} broadcast to this shape). Only inside
     * {@link Autograd#noGrad()}; bumps {@link #version()}.
     */
    public Tensor addInPlace(Tensor other, double alpha) {
        return InPlaceOps.addInPlace(this, other, alpha);
    }

    /** {@code this *= c} in place. Only inside {@link Autograd#noGrad()}; bumps {@link #version()}. */
    public Tensor mulInPlace(double c) {
        return InPlaceOps.mulInPlace(this, c);
    }

    /**
     * {@code this ← this + weight · (end − this)} in place (PyTorch's {@code lerp_}, e.g. Adam's
     * {@code m.lerp_(g, 1 − β₁)}); {@code end} of this shape. Only inside no-grad; bumps {@link #version()}.
     */
    public Tensor lerpInPlace(Tensor end, double weight) {
        return InPlaceOps.lerpInPlace(this, end, weight);
    }

    /** {@code this ← this + value · t1 · t2} in place (PyTorch's {@code addcmul_}); operands of this shape. Only inside no-grad. */
    public Tensor addcmulInPlace(Tensor t1, Tensor t2, double value) {
        return InPlaceOps.addcmulInPlace(this, t1, t2, value);
    }

    /** {@code this ← this + value · t1 / t2} in place (PyTorch's {@code addcdiv_}); operands of this shape. Only inside no-grad. */
    public Tensor addcdivInPlace(Tensor t1, Tensor t2, double value) {
        return InPlaceOps.addcdivInPlace(this, t1, t2, value);
    }

    /**
     * {@code this ← this + value · t1 / (√squares / divisor + eps)} in place: {@code addcdiv_} with the
     * denominator of Adam, RMSProp and Adagrad fused in, so no temporary is allocated. Only inside no-grad.
     *
     * @throws IllegalArgumentException if an operand's shape differs or {@code divisor} is not positive and finite
     */
    public Tensor addcdivSqrtInPlace(Tensor t1, Tensor squares, double value, double divisor, double eps) {
        return InPlaceOps.addcdivSqrtInPlace(this, t1, squares, value, divisor, eps);
    }

    /** {@code this ← min(max(this, lo), hi)} in place (NaN stays NaN). Only inside no-grad; bumps {@link #version()}. */
    public Tensor clampInPlace(double lo, double hi) {
        return InPlaceOps.clampInPlace(this, lo, hi);
    }

    /** Copies {@code src}'s values into this tensor. Only inside {@link Autograd#noGrad()}; bumps {@link #version()}. */
    public Tensor copyFrom(Tensor src) {
        return InPlaceOps.copyFrom(this, src);
    }

    /**
     * Copies the first {@link #size()} values of {@code src} (row-major) into this tensor. Only
     * inside {@link Autograd#noGrad()}; bumps {@link #version()}. {@code src} is not modified.
     *
     * @throws IllegalArgumentException if {@code src} is too short
     */
    public Tensor copyFrom(double[] src) {
        return InPlaceOps.copyFrom(this, src);
    }

    // ================================================================ backward

    /** Backpropagates from this scalar (seed 1) into every leaf that requires grad, then releases the graph. */
    public void backward() {
        if (data.length != 1) {
            throw new IllegalArgumentException("backward: tensor of shape " + Shape.toString(shape)
                + " is not a scalar; pass a seed of the same shape (dL/dthis), e.g. backward(Tensor.ones(shape))");
        }
        Backprop.run(this, null, false, false, null);
    }

    /** Backpropagates {@code seed} = dL/dthis (same shape as this), then releases the graph. */
    public void backward(Tensor seed) {
        backward(seed, false);
    }

    /**
     * Backpropagates {@code seed} = dL/dthis, accumulating into the {@link #grad()} of every leaf
     * that requires grad. The graph is released afterwards unless {@code retainGraph}.
     *
     * @throws IllegalArgumentException if the seed's shape differs or it holds NaN/Inf
     * @throws IllegalStateException if this tensor does not require grad or its graph was released
     */
    public void backward(Tensor seed, boolean retainGraph) {
        Backprop.run(this, seed, retainGraph, false, null);
    }

    /** NumPy-style rendering of the values, e.g. {@code tensor([[1., 2.], [3., 4.]])}. */
    @Override
    public String toString() {
        return TensorFormat.format(data, shape);
    }
}

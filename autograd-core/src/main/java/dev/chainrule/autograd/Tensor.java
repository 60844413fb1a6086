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

    private static final int SAVES_NONE = 0, SAVES_INPUTS = 1, SAVES_OUTPUT = 2, SAVES_BOTH = 3;

    /** Attaches a graph node to this fresh op result when grad mode is on and an input requires grad. */
    private Tensor record(String op, int saves, Node.Rule rule, Tensor... inputs) {
        GradMode.State mode = GradMode.state();
        if (mode.anomaly && !Kernels.allFinite(data)) {
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

    static String nonFiniteKind(double[] d) {
        boolean nan = false, inf = false;
        for (double v : d) {
            nan |= Double.isNaN(v);
            inf |= Double.isInfinite(v);
        }
        return nan && inf ? "NaN and Inf" : nan ? "NaN" : "Inf";
    }

    private static Tensor[] grads(Tensor... g) {
        return g;
    }

    // ================================================================ binary elementwise ops

    private int[] broadcastWith(String op, Tensor o) {
        int[] s = Kernels.broadcastShape(shape, o.shape);
        if (s == null) {
            throw new IllegalArgumentException(op + ": shapes " + Shape.toString(shape) + " and " + Shape.toString(o.shape)
                + " do not broadcast (aligned from the right, each pair of dimensions must be equal or 1); "
                + "reshape one operand or reduce it first");
        }
        return s;
    }

    private Tensor binary(String op, int kernel, Tensor o) {
        int[] s = broadcastWith(op, o);
        return new Tensor(Kernels.binary(kernel, data, shape, o.data, o.shape, s), s);
    }

    /** this + other (broadcasting). d(a+b) = da + db. */
    public Tensor add(Tensor other) {
        Tensor a = this, b = other;
        return binary("add", Kernels.ADD, b).record("add", SAVES_NONE,
            g -> grads(g.sumTo(a.shape), g.sumTo(b.shape)), a, b);
    }

    /** this − other (broadcasting). d(a−b) = da − db. */
    public Tensor sub(Tensor other) {
        Tensor a = this, b = other;
        return binary("sub", Kernels.SUB, b).record("sub", SAVES_NONE,
            g -> grads(g.sumTo(a.shape), g.neg().sumTo(b.shape)), a, b);
    }

    /** this · other elementwise (broadcasting). d(ab) = b da + a db. */
    public Tensor mul(Tensor other) {
        Tensor a = this, b = other;
        return binary("mul", Kernels.MUL, b).record("mul", SAVES_INPUTS,
            g -> grads(a.requiresGrad ? g.mul(b).sumTo(a.shape) : null, b.requiresGrad ? g.mul(a).sumTo(b.shape) : null), a, b);
    }

    /** this / other elementwise (broadcasting). d(a/b) = da/b − a db/b². */
    public Tensor div(Tensor other) {
        Tensor a = this, b = other;
        return binary("div", Kernels.DIV, b).record("div", SAVES_INPUTS,
            g -> grads(a.requiresGrad ? g.div(b).sumTo(a.shape) : null,
                b.requiresGrad ? g.mul(a).div(b.mul(b)).neg().sumTo(b.shape) : null), a, b);
    }

    private Tensor scalarOp(int kernel, double c) {
        return new Tensor(Kernels.scalar(kernel, data, c), shape);
    }

    /** this + c. */
    public Tensor add(double c) {
        return scalarOp(Kernels.ADD, c).record("add", SAVES_NONE, g -> grads(g), this);
    }

    /** this − c. */
    public Tensor sub(double c) {
        return scalarOp(Kernels.SUB, c).record("sub", SAVES_NONE, g -> grads(g), this);
    }

    /** this · c. d(ca) = c da. */
    public Tensor mul(double c) {
        return scalarOp(Kernels.MUL, c).record("mul", SAVES_NONE, g -> grads(g.mul(c)), this);
    }

    /** this / c. d(a/c) = da / c. */
    public Tensor div(double c) {
        return scalarOp(Kernels.DIV, c).record("div", SAVES_NONE, g -> grads(g.div(c)), this);
    }

    // ================================================================ unary elementwise ops

    private Tensor unary(int kernel, double p, double q) {
        return new Tensor(Kernels.unary(kernel, data, p, q), shape);
    }

    /** −this. */
    public Tensor neg() {
        return unary(Kernels.NEG, 0, 0).record("neg", SAVES_NONE, g -> grads(g.neg()), this);
    }

    /** this^p elementwise. d(x^p) = p x^(p−1) dx. */
    public Tensor pow(double p) {
        Tensor x = this;
        return unary(Kernels.POW, p, 0).record("pow", SAVES_INPUTS,
            g -> grads(p == 0 ? zeros(x.shape) : p == 1 ? g : g.mul(x.pow(p - 1).mul(p))), x);
    }

    /** x² (same as {@code pow(2)}, one pass). d(x²) = 2x dx. */
    public Tensor square() {
        Tensor x = this;
        return unary(Kernels.SQUARE, 0, 0).record("square", SAVES_INPUTS, g -> grads(g.mul(x).mul(2)), x);
    }

    /** e^x. d(e^x) = e^x dx (reuses the output). */
    public Tensor exp() {
        Tensor out = unary(Kernels.EXP, 0, 0);
        return out.record("exp", SAVES_OUTPUT, g -> grads(g.mul(out)), this);
    }

    /** Natural log. d(log x) = dx / x. */
    public Tensor log() {
        Tensor x = this;
        return unary(Kernels.LOG, 0, 0).record("log", SAVES_INPUTS, g -> grads(g.div(x)), x);
    }

    /** √x. d√x = dx / (2√x) (reuses the output). */
    public Tensor sqrt() {
        Tensor out = unary(Kernels.SQRT, 0, 0);
        return out.record("sqrt", SAVES_OUTPUT, g -> grads(g.div(out.mul(2))), this);
    }

    /** |x|. d|x| = sign(x) dx, so abs'(0) = 0. */
    public Tensor abs() {
        Tensor x = this;
        return unary(Kernels.ABS, 0, 0).record("abs", SAVES_INPUTS, g -> grads(g.mul(x.sign())), x);
    }

    /** σ(x) = 1/(1+e^−x), stable for large |x|. dσ = σ(1−σ) dx (reuses the output). */
    public Tensor sigmoid() {
        Tensor out = unary(Kernels.SIGMOID, 0, 0);
        return out.record("sigmoid", SAVES_OUTPUT, g -> grads(GradMode.enabled()
            ? g.mul(out.mul(out.neg().add(1)))                   // createGraph: differentiable again
            : g.fused(Kernels.SIGMOID_GRAD, out)), this);        // first order: one pass
    }

    /** tanh(x). d tanh = (1 − tanh²) dx (reuses the output). */
    public Tensor tanh() {
        Tensor out = unary(Kernels.TANH, 0, 0);
        return out.record("tanh", SAVES_OUTPUT, g -> grads(GradMode.enabled()
            ? g.mul(out.square().neg().add(1))                   // createGraph: differentiable again
            : g.fused(Kernels.TANH_GRAD, out)), this);           // first order: one pass
    }

    /** max(0, x). d relu = step(x) dx, so relu'(0) = 0. */
    public Tensor relu() {
        Tensor x = this;
        return unary(Kernels.RELU, 0, 0).record("relu", SAVES_INPUTS, g -> grads(GradMode.enabled()
            ? g.mul(x.step())                                    // createGraph: differentiable again
            : g.fused(Kernels.RELU_GRAD, x)), x);                // first order: one pass
    }

    /** A first-order backward kernel {@code op(this, b)} over two tensors of this shape; records nothing. */
    private Tensor fused(int op, Tensor b) {
        return new Tensor(Kernels.binary(op, data, shape, b.data, b.shape, shape), shape);
    }

    /** Heaviside step: 1 where x &gt; 0, else 0. Its gradient is 0 everywhere (by convention at 0). */
    public Tensor step() {
        Tensor x = this;
        return unary(Kernels.STEP, 0, 0).record("step", SAVES_NONE, g -> grads(zeros(x.shape)), x);
    }

    /** sign(x) ∈ {−1, 0, 1}. Its gradient is 0 everywhere (by convention at 0). */
    public Tensor sign() {
        Tensor x = this;
        return unary(Kernels.SIGN, 0, 0).record("sign", SAVES_NONE, g -> grads(zeros(x.shape)), x);
    }

    /** log(1 + e^x), computed as max(x,0) + log1p(e^−|x|). d softplus = σ(x) dx. */
    public Tensor softplus() {
        Tensor x = this;
        return unary(Kernels.SOFTPLUS, 0, 0).record("softplus", SAVES_INPUTS, g -> grads(g.mul(x.sigmoid())), x);
    }

    /** min(max(x, lo), hi). The gradient passes where lo &lt; x &lt; hi and is 0 elsewhere. */
    public Tensor clamp(double lo, double hi) {
        if (!(lo <= hi)) {
            throw new IllegalArgumentException("clamp: lower bound " + lo + " is above upper bound " + hi);
        }
        Tensor x = this;
        return unary(Kernels.CLAMP, lo, hi).record("clamp", SAVES_INPUTS,
            g -> grads(g.mul(new Tensor(Kernels.unary(Kernels.INSIDE, x.data, lo, hi), x.shape))), x);
    }

    // ================================================================ broadcasting as ops

    /** This tensor stretched to {@code target} by broadcasting (a copy). Gradient: summed back. */
    public Tensor broadcastTo(int... target) {
        if (Arrays.equals(shape, target)) return this;
        int[] s = Kernels.broadcastShape(shape, target);
        if (s == null || !Arrays.equals(s, target)) {
            throw new IllegalArgumentException("broadcastTo: shape " + Shape.toString(shape) + " cannot be broadcast to "
                + Shape.toString(target));
        }
        Tensor x = this;
        int[] t = target.clone();
        return new Tensor(Kernels.broadcastTo(data, shape, t), t).record("broadcastTo", SAVES_NONE,
            g -> grads(g.sumTo(x.shape)), x);
    }

    /** Sums this tensor down to {@code target}, the reverse of broadcasting. Gradient: broadcast back. */
    public Tensor sumTo(int... target) {
        if (Arrays.equals(shape, target)) return this;
        int[] s = Kernels.broadcastShape(target, shape);
        if (s == null || !Arrays.equals(s, shape)) {
            throw new IllegalArgumentException("sumTo: shape " + Shape.toString(shape) + " is not a broadcast of "
                + Shape.toString(target));
        }
        Tensor x = this;
        int[] t = target.clone();
        return new Tensor(Kernels.sumTo(data, shape, t), t).record("sumTo", SAVES_NONE,
            g -> grads(g.broadcastTo(x.shape)), x);
    }

    // ================================================================ linear algebra

    /**
     * Matrix product with NumPy {@code matmul} semantics: 2-D × 2-D; 1-D operands are promoted
     * (a vector on the left is a row, on the right a column) and the added dimension dropped;
     * leading (batch) dimensions of higher-rank operands broadcast.
     * d(AB) = dA B + A dB, i.e. dA = G Bᵀ, dB = Aᵀ G, computed without materializing transposes.
     */
    public Tensor matmul(Tensor other) {
        Tensor a = this, b = other;
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
        if (a.rank() == 1 && b.rank() == 1) return a.reshape(1, k).mm(b.reshape(k, 1), false, false).reshape();
        if (a.rank() == 1) {
            Tensor r = a.reshape(1, k).matmul(b);
            return r.reshape(dropAxis(r.shape, r.rank() - 2));
        }
        if (b.rank() == 1) {
            Tensor r = a.matmul(b.reshape(k, 1));
            return r.reshape(dropAxis(r.shape, r.rank() - 1));
        }
        if (a.rank() == 2 && b.rank() == 2) return a.mm(b, false, false);
        int m = a.shape[a.rank() - 2], n = b.shape[b.rank() - 1];
        if (b.rank() == 2) {                        // batch of rows times one matrix: a single GEMM
            int[] outShape = a.shape.clone();
            outShape[outShape.length - 1] = n;
            return a.reshape(-1, k).mm(b, false, false).reshape(outShape);
        }
        int[] batch = Kernels.broadcastShape(Arrays.copyOf(a.shape, a.rank() - 2), Arrays.copyOf(b.shape, b.rank() - 2));
        if (batch == null) {
            throw new IllegalArgumentException("matmul: " + Shape.toString(a.shape) + " x " + Shape.toString(b.shape)
                + ": batch dimensions do not broadcast");
        }
        Tensor ab = a.broadcastTo(concat(batch, m, k)), bb = b.broadcastTo(concat(batch, k, n));
        return ab.mm(bb, false, false);
    }

    private static int[] concat(int[] lead, int x, int y) {
        int[] s = Arrays.copyOf(lead, lead.length + 2);
        s[lead.length] = x;
        s[lead.length + 1] = y;
        return s;
    }

    private static int[] dropAxis(int[] s, int axis) {
        int[] out = new int[s.length - 1];
        for (int i = 0, j = 0; i < s.length; i++) if (i != axis) out[j++] = s[i];
        return out;
    }

    /**
     * The GEMM primitive: op(A) op(B) for each matrix of a batch, where op transposes the last two
     * axes when its flag is set. Both operands have the same rank ≥ 2 and the same leading dims.
     * Backward (G = dL/dC), each product again a flagged GEMM:
     * NN: dA = G Bᵀ, dB = Aᵀ G;  NT: dA = G B, dB = Gᵀ A;  TN: dA = B Gᵀ, dB = A G;  TT: dA = Bᵀ Gᵀ, dB = Gᵀ Aᵀ.
     */
    Tensor mm(Tensor b, boolean ta, boolean tb) {
        Tensor a = this;
        int r = a.rank();
        int m = ta ? a.shape[r - 1] : a.shape[r - 2];
        int k = ta ? a.shape[r - 2] : a.shape[r - 1];
        int n = tb ? b.shape[r - 2] : b.shape[r - 1];
        int batch = a.data.length / (m * k);
        int[] outShape = a.shape.clone();
        outShape[r - 2] = m;
        outShape[r - 1] = n;
        double[] c = new double[batch * m * n];
        for (int i = 0; i < batch; i++) {
            Gemm.gemm(ta, tb, m, n, k, a.data, i * m * k, b.data, i * k * n, 0.0, c, i * m * n);
        }
        return new Tensor(c, outShape).record(ta ? (tb ? "matmul(TT)" : "matmul(TN)") : tb ? "matmul(NT)" : "matmul",
            SAVES_INPUTS, g -> {
                Tensor da = null, db = null;
                if (!ta && !tb) {
                    if (a.requiresGrad) da = g.mm(b, false, true);
                    if (b.requiresGrad) db = a.mm(g, true, false);
                } else if (!ta) {
                    if (a.requiresGrad) da = g.mm(b, false, false);
                    if (b.requiresGrad) db = g.mm(a, true, false);
                } else if (!tb) {
                    if (a.requiresGrad) da = b.mm(g, false, true);
                    if (b.requiresGrad) db = a.mm(g, false, false);
                } else {
                    if (a.requiresGrad) da = b.mm(g, true, true);
                    if (b.requiresGrad) db = g.mm(a, true, true);
                }
                return grads(da, db);
            }, a, b);
    }

    /**
     * Fused affine map {@code this · weightᵀ + bias} (PyTorch's {@code linear}): this is
     * {@code [..., in]}, weight {@code [out, in]}, bias {@code [out]} or null; result {@code [..., out]}.
     * One GEMM reading the weight transposed in place, one pass for the bias.
     * dx = G W, dW = Gᵀ x, db = Σ_rows G.
     */
    public Tensor linear(Tensor weight, Tensor bias) {
        if (weight.rank() != 2 || rank() < 1 || shape[rank() - 1] != weight.shape[1]) {
            throw new IllegalArgumentException("linear: input " + Shape.toString(shape) + " and weight " + Shape.toString(weight.shape)
                + ": weight must be [out, in] with in equal to the input's last dimension");
        }
        if (bias != null && (bias.rank() != 1 || bias.shape[0] != weight.shape[0])) {
            throw new IllegalArgumentException("linear: bias " + Shape.toString(bias.shape) + " does not match weight "
                + Shape.toString(weight.shape) + "; bias must be [out] = [" + weight.shape[0] + "]");
        }
        if (rank() != 2) {
            int[] outShape = shape.clone();
            outShape[outShape.length - 1] = weight.shape[0];
            return reshape(-1, shape[rank() - 1]).linear(weight, bias).reshape(outShape);
        }
        Tensor x = this;
        int rows = shape[0], in = shape[1], out = weight.shape[0];
        double[] y = new double[rows * out];
        if (bias != null) {
            for (int r = 0; r < rows; r++) System.arraycopy(bias.data, 0, y, r * out, out);
        }
        Gemm.gemm(false, true, rows, out, in, x.data, 0, weight.data, 0, bias == null ? 0.0 : 1.0, y, 0);
        Tensor result = new Tensor(y, new int[] {rows, out});
        Node.Rule rule = g -> grads(
            x.requiresGrad ? g.mm(weight, false, false) : null,
            weight.requiresGrad ? g.mm(x, true, false) : null,
            bias != null && bias.requiresGrad ? g.sum(0, false) : null);
        return bias == null ? result.record("linear", SAVES_INPUTS, rule, x, weight)
            : result.record("linear", SAVES_INPUTS, rule, x, weight, bias);
    }

    /** Swaps the last two axes (a copy); a no-op for rank 0 and 1. Gradient: transposed back. */
    public Tensor transpose() {
        if (rank() < 2) return this;
        int r = rank();
        int rows = shape[r - 2], cols = shape[r - 1];
        int[] s = shape.clone();
        s[r - 2] = cols;
        s[r - 1] = rows;
        return new Tensor(Kernels.transposeLast2(data, data.length / (rows * cols), rows, cols), s)
            .record("transpose", SAVES_NONE, g -> grads(g.transpose()), this);
    }

    /**
     * The same values in a new shape (a copy); one dimension may be −1 to be inferred, and an empty
     * shape makes a scalar of a one-element tensor. Gradient: reshaped back.
     */
    public Tensor reshape(int... newShape) {
        int[] s = newShape.clone();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < s.length; i++) {
            if (s[i] == -1 && infer < 0) {
                infer = i;
            } else if (s[i] <= 0) {
                throw new IllegalArgumentException("reshape: " + Shape.toString(shape) + " to " + Shape.toString(newShape)
                    + ": dimension " + s[i] + " is invalid (at most one -1, the rest at least 1)");
            } else {
                known = Math.min(known * s[i], 1L << 31);   // saturate: more than any tensor holds, and no overflow
            }
        }
        if (infer >= 0) {
            if (data.length % known != 0) {
                throw new IllegalArgumentException("reshape: " + Shape.toString(shape) + " to " + Shape.toString(newShape)
                    + ": " + data.length + " elements are not divisible by " + known);
            }
            s[infer] = (int) (data.length / known);
        } else if (known != data.length) {
            throw new IllegalArgumentException("reshape: " + Shape.toString(shape) + " (" + data.length + " elements) to "
                + Shape.toString(newShape) + " (" + known + " elements): sizes differ");
        }
        if (Arrays.equals(s, shape)) return this;
        Tensor x = this;
        return new Tensor(data.clone(), s).record("reshape", SAVES_NONE, g -> grads(g.reshape(x.shape)), x);
    }

    // ================================================================ reductions

    /** Sum of all elements (a scalar). Gradient: broadcast to the input's shape. */
    public Tensor sum() {
        Tensor x = this;
        return new Tensor(new double[] {Kernels.sum(data)}, Kernels.SCALAR).record("sum", SAVES_NONE,
            g -> grads(g.broadcastTo(x.shape)), x);
    }

    /** Sum over one axis, kept as size 1 when {@code keepDims}. Gradient: broadcast back over the axis. */
    public Tensor sum(int axis, boolean keepDims) {
        int ax = Shape.axis("sum", axis, shape);
        int[] keep = keepShape(ax);
        Tensor x = this;
        return new Tensor(Kernels.sumAxis(data, outer(ax), shape[ax], inner(ax)), keepDims ? keep : dropAxis(shape, ax))
            .record("sum", SAVES_NONE, g -> grads(g.reshape(keep).broadcastTo(x.shape)), x);
    }

    /** Mean of all elements (a scalar). */
    public Tensor mean() {
        return sum().div(data.length);
    }

    /** Mean over one axis. */
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
        int ax = Shape.axis("max", axis, shape);
        int[] keep = keepShape(ax);
        Tensor x = this;
        Tensor out = new Tensor(Kernels.maxAxis(data, outer(ax), shape[ax], inner(ax)), keepDims ? keep : dropAxis(shape, ax));
        return out.record("max", SAVES_BOTH, g -> {
            double[] mask = Kernels.binary(Kernels.EQ, x.data, x.shape, out.data, keep, x.shape);
            double[] count = Kernels.sumAxis(mask, x.outer(ax), x.shape[ax], x.inner(ax));
            Tensor share = new Tensor(Kernels.binary(Kernels.DIV, mask, x.shape, count, keep, x.shape), x.shape);
            return grads(g.reshape(keep).mul(share));
        }, x);
    }

    /** Min over one axis: −max(−x). */
    public Tensor min(int axis, boolean keepDims) {
        Shape.axis("min", axis, shape);       // so that a bad axis is reported as min's, not max's
        return neg().max(axis, keepDims).neg();
    }

    /** Min of all elements. */
    public Tensor min() {
        return neg().max().neg();
    }

    /** Index of the largest element along {@code axis} (first on ties), as a tensor without graph. */
    public Tensor argMax(int axis) {
        int ax = Shape.axis("argMax", axis, shape);
        return new Tensor(Kernels.argMaxAxis(data, outer(ax), shape[ax], inner(ax)), dropAxis(shape, ax));
    }

    // ================================================================ softmax family

    /** softmax along {@code axis}: e^(x−max) / Σ e^(x−max). dx = y ⊙ (G − Σ_axis G ⊙ y) (reuses the output y). */
    public Tensor softmax(int axis) {
        int ax = Shape.axis("softmax", axis, shape);
        Tensor out = new Tensor(Kernels.softmaxFamily(Kernels.SOFTMAX, data, outer(ax), shape[ax], inner(ax)), shape);
        return out.record("softmax", SAVES_OUTPUT, g -> grads(out.mul(g.sub(g.mul(out).sum(ax, true)))), this);
    }

    /** log softmax along {@code axis}: x − logSumExp(x). dx = G − softmax(x) Σ_axis G (reuses the output). */
    public Tensor logSoftmax(int axis) {
        int ax = Shape.axis("logSoftmax", axis, shape);
        Tensor out = new Tensor(Kernels.softmaxFamily(Kernels.LOG_SOFTMAX, data, outer(ax), shape[ax], inner(ax)), shape);
        return out.record("logSoftmax", SAVES_OUTPUT, g -> grads(g.sub(out.exp().mul(g.sum(ax, true)))), this);
    }

    /**
     * log Σ_axis e^x, shifted by the max (finite for logits of ±1000). dx = G · softmax(x), computed
     * from x rather than as e^(x − out), which loses the log Σ term next to a huge max (ties at 1e300).
     */
    public Tensor logSumExp(int axis, boolean keepDims) {
        int ax = Shape.axis("logSumExp", axis, shape);
        int[] keep = keepShape(ax);
        Tensor x = this;
        Tensor out = new Tensor(Kernels.softmaxFamily(Kernels.LOG_SUM_EXP, data, outer(ax), shape[ax], inner(ax)),
            keepDims ? keep : dropAxis(shape, ax));
        return out.record("logSumExp", SAVES_INPUTS, g -> grads(g.reshape(keep).mul(x.softmax(ax))), x);
    }

    // ================================================================ indexing

    /**
     * Picks one element per row along the last axis: for this {@code [..., C]} and {@code index} with
     * one class per row (size / C entries), {@code out[r] = this[r, index[r]]}, shape {@code [...]}.
     * This is how cross-entropy selects the target class. Gradient: scattered back into zeros.
     */
    public Tensor pick(int... index) {
        int[] idx = classIndices("pick", index);
        int classes = shape[rank() - 1];
        Tensor x = this;
        return new Tensor(Kernels.pick(data, classes, idx), dropAxis(shape, rank() - 1)).record("pick", SAVES_NONE,
            g -> grads(g.scatter(idx, x.shape)), x);
    }

    /**
     * Fused mean softmax cross-entropy of logits {@code [..., C]} against one class index per row:
     * {@code (1/N) Σ_r (logSumExp(x_r) − x_r[t_r])}, the categorical negative log-likelihood.
     * One pass over the logits, stable for logits of ±1000.
     * d/dx = (softmax(x) − onehot(t)) · G / N.
     */
    public Tensor crossEntropy(int... targets) {
        int[] t = classIndices("crossEntropy", targets);
        int classes = shape[rank() - 1];
        int rows = t.length;
        double[] logp = Kernels.softmaxFamily(Kernels.LOG_SOFTMAX, data, rows, classes, 1);
        double loss = 0;
        for (int r = 0; r < rows; r++) loss -= logp[r * classes + t[r]];
        Tensor x = this;
        return new Tensor(new double[] {loss / rows}, Kernels.SCALAR).record("crossEntropy", SAVES_INPUTS, g -> {
            if (GradMode.enabled()) {          // createGraph: a differentiable expression, for second derivatives
                double[] ones = new double[rows];
                Arrays.fill(ones, 1.0);
                Tensor onehot = new Tensor(Kernels.scatter(ones, classes, t), x.shape);
                return grads(x.softmax(-1).sub(onehot).mul(g.div(rows)));
            }
            double scale = g.data[0] / rows;   // first order: one pass over the saved log-probabilities
            double[] dx = new double[logp.length];
            for (int i = 0; i < dx.length; i++) dx[i] = Math.exp(logp[i]) * scale;
            for (int r = 0; r < rows; r++) dx[r * classes + t[r]] -= scale;
            return grads(new Tensor(dx, x.shape));
        }, x);
    }

    /**
     * Checks one class index per row of this {@code [..., C]} tensor (each in [0, C)) for {@code op}
     * and returns a private copy, so later changes to the caller's array cannot reach a backward rule.
     */
    private int[] classIndices(String op, int[] index) {
        if (rank() < 1) {
            throw new IllegalArgumentException(op + ": needs rank >= 1 ([rows, classes]), got a scalar");
        }
        int classes = shape[rank() - 1];
        int rows = data.length / classes;
        if (index.length != rows) {
            throw new IllegalArgumentException(op + ": shape " + Shape.toString(shape) + " has " + rows
                + " rows but " + index.length + " class indices were given; pass one class index per row");
        }
        for (int r = 0; r < rows; r++) {
            if (index[r] < 0 || index[r] >= classes) {
                throw new IllegalArgumentException(op + ": class index " + index[r] + " at row " + r + " is out of range [0, "
                    + classes + ") for shape " + Shape.toString(shape));
            }
        }
        return index.clone();
    }

    /** The adjoint of {@link #pick}: zeros of {@code target} with this row's value at each picked class. */
    private Tensor scatter(int[] index, int[] target) {
        int classes = target[target.length - 1];
        return new Tensor(Kernels.scatter(data, classes, index), target).record("scatter", SAVES_NONE,
            g -> grads(g.pick(index)), this);
    }

    // ================================================================ in-place updates (optimizers)

    private void checkInPlace(String op) {
        if (GradMode.enabled()) {
            throw new IllegalStateException(op + ": in-place updates are only allowed inside Autograd.noGrad() "
                + "(try (var s = Autograd.noGrad()) { ... }), so that they are never recorded in a graph");
        }
    }

    /**
     * {@code this += alpha · other} in place ({@code other} broadcast to this shape). Only inside
     * {@link Autograd#noGrad()}; bumps {@link #version()}.
     */
    public Tensor addInPlace(Tensor other, double alpha) {
        checkInPlace("addInPlace");
        int[] s = Kernels.broadcastShape(shape, other.shape);
        if (s == null || !Arrays.equals(s, shape)) {
            throw new IllegalArgumentException("addInPlace: " + Shape.toString(other.shape) + " does not broadcast to "
                + Shape.toString(shape));
        }
        double[] o = other.data.length == data.length ? other.data : Kernels.broadcastTo(other.data, other.shape, shape);
        Kernels.axpy(alpha, o, data);
        version++;
        return this;
    }

    /** {@code this *= c} in place. Only inside {@link Autograd#noGrad()}; bumps {@link #version()}. */
    public Tensor mulInPlace(double c) {
        checkInPlace("mulInPlace");
        for (int i = 0; i < data.length; i++) data[i] *= c;
        version++;
        return this;
    }

    /** Copies {@code src}'s values into this tensor. Only inside {@link Autograd#noGrad()}; bumps {@link #version()}. */
    public Tensor copyFrom(Tensor src) {
        checkInPlace("copyFrom");
        if (!Arrays.equals(shape, src.shape)) {
            throw new IllegalArgumentException("copyFrom: source shape " + Shape.toString(src.shape) + " differs from "
                + Shape.toString(shape));
        }
        System.arraycopy(src.data, 0, data, 0, data.length);
        version++;
        return this;
    }

    /**
     * Copies the first {@link #size()} values of {@code src} (row-major) into this tensor. Only
     * inside {@link Autograd#noGrad()}; bumps {@link #version()}. {@code src} is not modified.
     *
     * @throws IllegalArgumentException if {@code src} is too short
     */
    public Tensor copyFrom(double[] src) {
        checkInPlace("copyFrom");
        if (src.length < data.length) {
            throw new IllegalArgumentException("copyFrom: " + src.length + " values cannot fill shape " + Shape.toString(shape)
                + " (" + data.length + " elements)");
        }
        System.arraycopy(src, 0, data, 0, data.length);
        version++;
        return this;
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

    // ================================================================ helpers

    private int outer(int axis) {
        int o = 1;
        for (int i = 0; i < axis; i++) o *= shape[i];
        return o;
    }

    private int inner(int axis) {
        int in = 1;
        for (int i = axis + 1; i < shape.length; i++) in *= shape[i];
        return in;
    }

    private int[] keepShape(int axis) {
        int[] s = shape.clone();
        s[axis] = 1;
        return s;
    }

    /** NumPy-style rendering of the values, e.g. {@code tensor([[1., 2.], [3., 4.]])}. */
    @Override
    public String toString() {
        return TensorFormat.format(data, shape);
    }
}

package dev.chainrule.autograd;

import dev.chainrule.autograd.internal.Gemm;
import dev.chainrule.autograd.internal.Kernels;
import java.util.Arrays;
import java.util.function.ToDoubleFunction;
import java.util.random.RandomGenerator;

/**
 * An immutable n-dimensional array of {@code double} ({@link DType#FLOAT64}, the default) or
 * {@code float} ({@link DType#FLOAT32}; see {@link #to(DType)} and {@link DType} for the promotion
 * rules), row-major, contiguous, rank 0 and up, with an optional place in a computation graph.
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

    /**
     * The values: exactly one of {@code data} (FLOAT64) and {@code fdata} (FLOAT32) is non-null. Both
     * are set once, before the tensor is handed out: an op computing in double may round its fresh
     * result to float in {@link #record} (see {@link DType}), after which they never change (in-place
     * ops write into the array, never replace it).
     */
    double[] data;
    float[] fdata;
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

    Tensor(float[] fdata, int[] shape) {
        this.fdata = fdata;
        this.shape = shape;
    }

    /** A fresh op result holding {@code values}, rounded to float when {@code inputs} promote to FLOAT32. */
    static Tensor result(double[] values, int[] shape, Tensor... inputs) {
        return promotesToFloat(inputs) ? new Tensor(Kernels.toFloat(values), shape) : new Tensor(values, shape);
    }

    /** A fresh tensor of these values in {@code dtype} (rounded to float for FLOAT32). */
    static Tensor of(double[] values, int[] shape, DType dtype) {
        return dtype == DType.FLOAT32 ? new Tensor(Kernels.toFloat(values), shape) : new Tensor(values, shape);
    }

    /** The values as doubles: the storage itself for FLOAT64, a widened copy for FLOAT32 (read only). */
    double[] d() {
        return data != null ? data : Kernels.toDouble(fdata);
    }

    /** The values as floats: the storage itself for FLOAT32, a rounded copy for FLOAT64 (read only). */
    float[] f() {
        return fdata != null ? fdata : Kernels.toFloat(data);
    }

    boolean isFloat() {
        return fdata != null;
    }

    /** Overwrites the values in place with {@code v} (rounded for FLOAT32); the caller bumps the version. */
    void storeValues(double[] v) {
        if (data != null) {
            if (v != data) System.arraycopy(v, 0, data, 0, data.length);
        } else {
            for (int i = 0; i < fdata.length; i++) fdata[i] = (float) v[i];
        }
    }

    // ================================================================ factories

    /** A rank-0 tensor holding {@code value}. */
    public static Tensor scalar(double value) {
        return new Tensor(new double[] {value}, Kernels.SCALAR);
    }

    /** A rank-1 tensor holding a copy of {@code values}. */
    public static Tensor of(double... values) {
        if (Checks.nonNull("Tensor.of", "values", values).length == 0) {
            throw new IllegalArgumentException("Tensor.of: no values; empty tensors are not supported");
        }
        return new Tensor(values.clone(), new int[] {values.length});
    }

    /** A rank-2 tensor holding a copy of {@code rows}. */
    public static Tensor of(double[][] rows) {
        Checks.nonNullElements("Tensor.of", "row", rows);
        if (rows.length == 0 || rows[0].length == 0) {
            throw new IllegalArgumentException("Tensor.of: no values; empty tensors are not supported");
        }
        int cols = rows[0].length;
        double[] data = new double[Checks.elements("Tensor.of", (long) rows.length * cols, null)];
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
        return new Tensor(Checks.nonNull("Tensor.of", "data", data).clone(), filledShape(data.length, shape));
    }

    /** {@code shape}, checked, when {@code n} values fill it exactly. */
    private static int[] filledShape(int n, int[] shape) {
        int[] s = Shape.checked("Tensor.of", shape);
        if (n != Kernels.size(s)) {
            throw new IllegalArgumentException("Tensor.of: " + n + " values do not fill shape "
                + Shape.toString(s) + " (" + Kernels.size(s) + " elements)");
        }
        return s;
    }

    public static Tensor zeros(int... shape) {
        int[] s = Shape.checked("zeros", shape);
        return new Tensor(new double[Kernels.size(s)], s);
    }

    public static Tensor ones(int... shape) {
        return full("ones", 1.0, shape);
    }

    public static Tensor full(double value, int... shape) {
        return full("full", value, shape);
    }

    private static Tensor full(String op, double value, int[] shape) {
        int[] s = Shape.checked(op, shape);
        double[] d = new double[Kernels.size(s)];
        Arrays.fill(d, value);
        return new Tensor(d, s);
    }

    /** Standard normal samples drawn from {@code rng} (so results are reproducible from its seed). */
    public static Tensor randn(RandomGenerator rng, int... shape) {
        Checks.nonNull("randn", "rng", rng);
        int[] s = Shape.checked("randn", shape);
        double[] d = new double[Kernels.size(s)];
        for (int i = 0; i < d.length; i++) d[i] = rng.nextGaussian();
        return new Tensor(d, s);
    }

    /** Uniform samples in [0, 1) drawn from {@code rng}. */
    public static Tensor rand(RandomGenerator rng, int... shape) {
        Checks.nonNull("rand", "rng", rng);
        int[] s = Shape.checked("rand", shape);
        double[] d = new double[Kernels.size(s)];
        for (int i = 0; i < d.length; i++) d[i] = rng.nextDouble();
        return new Tensor(d, s);
    }

    /** [0, 1, ..., ⌈end⌉ − 1], as {@code torch.arange(end)}. */
    public static Tensor arange(double end) {
        return Factories.arange(0, end, 1);
    }

    /** start, start + 1, ... below end. */
    public static Tensor arange(double start, double end) {
        return Factories.arange(start, end, 1);
    }

    /** start + i·step for i = 0 .. ⌈(end − start)/step⌉ − 1, as PyTorch; an empty range or a step of 0 is an error. */
    public static Tensor arange(double start, double end, double step) {
        return Factories.arange(start, end, step);
    }

    /** {@code steps} evenly spaced values from start to end, both included (as {@code torch.linspace}). */
    public static Tensor linspace(double start, double end, int steps) {
        return Factories.linspace(start, end, steps);
    }

    /** The n × n identity matrix. */
    public static Tensor eye(int n) {
        return Factories.eye(n, n);
    }

    /** The n × m matrix with ones on the main diagonal. */
    public static Tensor eye(int n, int m) {
        return Factories.eye(n, m);
    }

    /** Uniform random integers in [lo, hi) (as doubles) drawn from {@code rng}. */
    public static Tensor randint(RandomGenerator rng, int lo, int hi, int... shape) {
        return Factories.randint(rng, lo, hi, shape);
    }

    /** Element {@code f(i)} at each multi-index i, e.g. a causal mask: {@code fromFunction(new int[] {n, n}, i -> i[1] > i[0] ? 1 : 0)}. */
    public static Tensor fromFunction(int[] shape, ToDoubleFunction<int[]> f) {
        return Factories.fromFunction(shape, f);
    }

    /** Zeros of {@code t}'s shape and dtype. */
    public static Tensor zerosLike(Tensor t) {
        Checks.nonNull("zerosLike", "t", t);
        return zeros(t.dtype(), t.shape);
    }

    /** Ones of {@code t}'s shape and dtype. */
    public static Tensor onesLike(Tensor t) {
        return full("onesLike", 1.0, Checks.nonNull("onesLike", "t", t).shape).to(t.dtype());
    }

    /** {@code value} in {@code t}'s shape and dtype. */
    public static Tensor fullLike(Tensor t, double value) {
        return full("fullLike", value, Checks.nonNull("fullLike", "t", t).shape).to(t.dtype());
    }

    /**
     * A FLOAT32 tensor of the given shape holding a copy of {@code data} (row-major); for a vector
     * pass its length, {@code Tensor.of(values, values.length)}. (There is deliberately no
     * {@code of(float...)}: it would capture {@code Tensor.of(1, 2, 3)}.)
     */
    public static Tensor of(float[] data, int... shape) {
        return new Tensor(Checks.nonNull("Tensor.of", "data", data).clone(), filledShape(data.length, shape));
    }

    /** A tensor of {@code dtype} holding {@code data} (row-major), rounded to float for FLOAT32. */
    public static Tensor of(double[] data, DType dtype, int... shape) {
        return Tensor.of(data, shape).to(Checks.nonNull("Tensor.of", "dtype", dtype));
    }

    /** Zeros of {@code dtype}. */
    public static Tensor zeros(DType dtype, int... shape) {
        int[] s = Shape.checked("zeros", shape);
        return Checks.nonNull("zeros", "dtype", dtype) == DType.FLOAT32
            ? new Tensor(new float[Kernels.size(s)], s) : new Tensor(new double[Kernels.size(s)], s);
    }

    /** Ones of {@code dtype}. */
    public static Tensor ones(DType dtype, int... shape) {
        Checks.nonNull("ones", "dtype", dtype);
        return full("ones", 1.0, shape).to(dtype);
    }

    /** {@code value} (rounded to float for FLOAT32) in every element. */
    public static Tensor full(double value, DType dtype, int... shape) {
        return full("full", value, shape).to(Checks.nonNull("full", "dtype", dtype));
    }

    /** Standard normal samples of {@code dtype} drawn from {@code rng} (the same draws as the FLOAT64 overload, rounded). */
    public static Tensor randn(RandomGenerator rng, DType dtype, int... shape) {
        return randn(rng, shape).to(Checks.nonNull("randn", "dtype", dtype));
    }

    /** Uniform samples in [0, 1) of {@code dtype} drawn from {@code rng}. */
    public static Tensor rand(RandomGenerator rng, DType dtype, int... shape) {
        return rand(rng, shape).to(Checks.nonNull("rand", "dtype", dtype));
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
        return data != null ? data.length : fdata.length;
    }

    /** The element type. */
    public DType dtype() {
        return fdata != null ? DType.FLOAT32 : DType.FLOAT64;
    }

    /**
     * This tensor in {@code dtype}: itself when it already has that dtype, otherwise a converted copy
     * (rounded to nearest for FLOAT32) whose gradient is converted back.
     */
    public Tensor to(DType dtype) {
        Checks.nonNull("to", "dtype", dtype);
        if (dtype == dtype()) return this;
        Tensor out = dtype == DType.FLOAT32 ? new Tensor(Kernels.toFloat(data), shape) : new Tensor(Kernels.toDouble(fdata), shape);
        DType from = dtype();
        return out.record("to", SAVES_NONE | KEEPS_DTYPE, g -> grads(g.to(from)), this);
    }

    /** The single value of a one-element tensor. */
    public double item() {
        if (size() != 1) {
            throw new IllegalStateException("item: tensor of shape " + Shape.toString(shape) + " has " + size()
                + " elements; item() needs exactly one (use get(i, j, ...) or toArray())");
        }
        return data != null ? data[0] : fdata[0];
    }

    /** The element at a full index, one entry per dimension. */
    public double get(int... index) {
        if (Checks.nonNull("get", "index", index).length != shape.length) {
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
        return data != null ? data[flat] : fdata[flat];
    }

    /** A copy of the values, row-major (widened to double for FLOAT32). */
    public double[] toArray() {
        return data != null ? data.clone() : Kernels.toDouble(fdata);
    }

    /** A copy of the values, row-major, as floats (rounded to nearest for FLOAT64). */
    public float[] toFloatArray() {
        return fdata != null ? fdata.clone() : Kernels.toFloat(data);
    }

    /**
     * Copies the values, row-major, into {@code dst} (which must hold at least {@link #size()}
     * elements) and returns it: {@link #toArray()} without allocating, for loops that reuse a buffer.
     *
     * @throws IllegalArgumentException if {@code dst} is too short
     */
    public double[] toArray(double[] dst) {
        int n = size();
        if (Checks.nonNull("toArray", "dst", dst).length < n) {
            throw new IllegalArgumentException("toArray: buffer of " + dst.length + " elements is too short for shape "
                + Shape.toString(shape) + " (" + n + " elements)");
        }
        if (data != null) {
            System.arraycopy(data, 0, dst, 0, n);
        } else {
            for (int i = 0; i < n; i++) dst[i] = fdata[i];
        }
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
        return copyValues();
    }

    /** A fresh leaf holding a copy of the values, in the same dtype. */
    Tensor copyValues() {
        return copyValues(shape);
    }

    /** A fresh leaf holding a copy of the values under {@code newShape} (same size), in the same dtype. */
    Tensor copyValues(int[] newShape) {
        return data != null ? new Tensor(data.clone(), newShape) : new Tensor(fdata.clone(), newShape);
    }

    // ================================================================ recording

    /** What a backward rule reads, for the version check: nothing, its inputs, its output, or both. */
    static final int SAVES_NONE = 0, SAVES_INPUTS = 1, SAVES_OUTPUT = 2, SAVES_BOTH = 3;
    /**
     * Flag (or-ed into {@code saves}) for ops that may write ±∞ deliberately, from a constant the user
     * passed (e.g. a mask filled with −∞): anomaly mode then does not report an infinity they produce.
     */
    static final int FILLS_INF = 4;
    /** Flag for ops whose result dtype is their own choice ({@code to}), not the promotion of their inputs. */
    static final int KEEPS_DTYPE = 8;
    /**
     * Flag for ops whose last input is a mask ({@code where}, {@code maskedFill}): its values only
     * select, so its dtype takes no part in the promotion (as PyTorch's bool masks).
     */
    static final int MASK_LAST = 16;

    /**
     * Attaches a graph node to this fresh op result when grad mode is on and an input requires grad;
     * returns this. In anomaly mode it first checks the forward value: NaN is always reported, an
     * infinity only when the op created it (no input held one, and the op is not {@link #FILLS_INF});
     * a NaN that an input already held is reported as that input's (see {@link Anomaly#forward}).
     */
    Tensor record(String op, int saves, Node.Rule rule, Tensor... inputs) {
        if ((saves & KEEPS_DTYPE) == 0 && data != null
            && promotesToFloat((saves & MASK_LAST) != 0 ? Arrays.copyOf(inputs, inputs.length - 1) : inputs)) {
            fdata = Kernels.toFloat(data);      // computed in double from float inputs: round once (see DType)
            data = null;
        }
        GradMode.State mode = GradMode.state();
        if (mode.anomaly && !allFinite() && (hasNaN() || ((saves & FILLS_INF) == 0 && allFinite(inputs)))) {
            throw new ArithmeticException(Anomaly.forward(op, this, inputs));   // blames an input that already held NaN
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

    /**
     * PyTorch's promotion between the two float types: FLOAT32 unless an input of rank above 0 is
     * FLOAT64, or every input has rank 0 and one of them is FLOAT64. No inputs: FLOAT64.
     */
    static boolean promotesToFloat(Tensor... inputs) {
        boolean anyFloat = false, dimensionedDouble = false, scalarDouble = false, anyDimensioned = false;
        for (Tensor t : inputs) {
            boolean dimensioned = t.shape.length > 0;
            anyDimensioned |= dimensioned;
            if (t.fdata != null) {
                anyFloat = true;
            } else if (dimensioned) {
                dimensionedDouble = true;
            } else {
                scalarDouble = true;
            }
        }
        return anyFloat && !dimensionedDouble && (anyDimensioned || !scalarDouble);
    }

    boolean allFinite() {
        return data != null ? Kernels.allFinite(data) : Kernels.allFinite(fdata);
    }

    private boolean hasNaN() {
        if (data != null) {
            for (double v : data) {
                if (v != v) return true;
            }
        } else {
            for (float v : fdata) {
                if (v != v) return true;
            }
        }
        return false;
    }

    private static boolean allFinite(Tensor[] inputs) {
        for (Tensor t : inputs) {
            if (!t.allFinite()) return false;
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

    /** max(0, x), NaN for NaN (as PyTorch). d relu = step(x) dx, so relu'(0) = 0. */
    public Tensor relu() {
        return ElementwiseOps.relu(this);
    }

    /** Heaviside step: 1 where x &gt; 0, 0 where x ≤ 0, NaN for NaN (as NumPy; PyTorch gives 0). Its gradient is 0 everywhere. */
    public Tensor step() {
        return ElementwiseOps.step(this);
    }

    /** sign(x) ∈ {−1, 0, 1}, NaN for NaN (as NumPy; PyTorch gives 0). Its gradient is 0 everywhere (by convention at 0). */
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

    /** sin x. d sin = cos x dx. */
    public Tensor sin() {
        return ElementwiseOps.sin(this);
    }

    /** cos x. d cos = −sin x dx. */
    public Tensor cos() {
        return ElementwiseOps.cos(this);
    }

    /** tan x. d tan = (1 + tan²) dx. */
    public Tensor tan() {
        return ElementwiseOps.tan(this);
    }

    /** atan x ∈ (−π/2, π/2). d atan = dx / (1 + x²). */
    public Tensor atan() {
        return ElementwiseOps.atan(this);
    }

    /** log(1 + x), accurate for small x. d = dx / (1 + x). */
    public Tensor log1p() {
        return ElementwiseOps.log1p(this);
    }

    /** e^x − 1, accurate for small x. d = e^x dx. */
    public Tensor expm1() {
        return ElementwiseOps.expm1(this);
    }

    /** 1/x. d(1/x) = −dx / x². */
    public Tensor reciprocal() {
        return ElementwiseOps.reciprocal(this);
    }

    /** The error function erf x = (2/√π) ∫₀ˣ e^(−t²) dt (Cody's rational approximations). d erf = (2/√π) e^(−x²) dx. */
    public Tensor erf() {
        return ElementwiseOps.erf(this);
    }

    /** GELU, exact form x Φ(x), Φ the standard normal CDF. d gelu = (Φ(x) + x φ(x)) dx. A primitive for speed. */
    public Tensor gelu() {
        return ElementwiseOps.gelu(this);
    }

    /** SiLU (swish) x σ(x), a composite: {@code mul(sigmoid())}. d = σ(x)(1 + x(1 − σ(x))) dx. */
    public Tensor silu() {
        return mul(sigmoid());
    }

    /** x for x &gt; 0, slope·x otherwise (NaN for NaN). d = [x &gt; 0] + slope [x ≤ 0] (slope at 0, as PyTorch). */
    public Tensor leakyRelu(double slope) {
        return ElementwiseOps.leakyRelu(this, slope);
    }

    /** ELU: x for x &gt; 0, α(e^x − 1) otherwise. d = [x &gt; 0] + α e^x [x ≤ 0] (α at 0, as PyTorch). A primitive for speed. */
    public Tensor elu(double alpha) {
        return ElementwiseOps.elu(this, alpha);
    }

    /** min(max(x, lo), hi) with the gradient passing strictly inside (lo, hi), as PyTorch's hardtanh; = {@code clamp}. */
    public Tensor hardtanh(double lo, double hi) {
        return ElementwiseOps.hardtanh(this, lo, hi);
    }

    /** max(this, other) elementwise (broadcasting; NaN wins). d = [a &gt; b] da + [b &gt; a] db, ties 1/2 each. */
    public Tensor maximum(Tensor other) {
        return ElementwiseOps.maximum(this, other);
    }

    /** min(this, other) elementwise (broadcasting; NaN wins). d = [a &lt; b] da + [b &lt; a] db, ties 1/2 each. */
    public Tensor minimum(Tensor other) {
        return ElementwiseOps.minimum(this, other);
    }

    /** 1 where this &gt; other (broadcasting), else 0: a mask without graph (comparisons with NaN are false). */
    public Tensor gt(Tensor other) {
        return ComparisonOps.compare("gt", Kernels.GT, this, other);
    }

    /** 1 where this &gt; c, else 0 (no graph). */
    public Tensor gt(double c) {
        return ComparisonOps.compare(Kernels.GT, this, c);
    }

    /** 1 where this ≥ other (broadcasting), else 0 (no graph). */
    public Tensor ge(Tensor other) {
        return ComparisonOps.compare("ge", Kernels.GE, this, other);
    }

    /** 1 where this ≥ c, else 0 (no graph). */
    public Tensor ge(double c) {
        return ComparisonOps.compare(Kernels.GE, this, c);
    }

    /** 1 where this &lt; other (broadcasting), else 0 (no graph). */
    public Tensor lt(Tensor other) {
        return ComparisonOps.compare("lt", Kernels.LT, this, other);
    }

    /** 1 where this &lt; c, else 0 (no graph). */
    public Tensor lt(double c) {
        return ComparisonOps.compare(Kernels.LT, this, c);
    }

    /** 1 where this ≤ other (broadcasting), else 0 (no graph). */
    public Tensor le(Tensor other) {
        return ComparisonOps.compare("le", Kernels.LE, this, other);
    }

    /** 1 where this ≤ c, else 0 (no graph). */
    public Tensor le(double c) {
        return ComparisonOps.compare(Kernels.LE, this, c);
    }

    /** 1 where this = other (broadcasting), else 0 (no graph; NaN ≠ NaN). */
    public Tensor eq(Tensor other) {
        return ComparisonOps.compare("eq", Kernels.EQ, this, other);
    }

    /** 1 where this = c, else 0 (no graph). */
    public Tensor eq(double c) {
        return ComparisonOps.compare(Kernels.EQ, this, c);
    }

    /** 1 where this ≠ other (broadcasting), else 0 (no graph; 1 where either is NaN). */
    public Tensor ne(Tensor other) {
        return ComparisonOps.compare("ne", Kernels.NE, this, other);
    }

    /** 1 where this ≠ c, else 0 (no graph). */
    public Tensor ne(double c) {
        return ComparisonOps.compare(Kernels.NE, this, c);
    }

    /** mask ≠ 0 ? a : b, all three broadcast; the mask gets no gradient. da = where(mask, G, 0), db = where(mask, 0, G). */
    public static Tensor where(Tensor mask, Tensor a, Tensor b) {
        return ComparisonOps.where(mask, a, b);
    }

    /** {@code value} where mask ≠ 0, else this (broadcasting). dx = where(mask, 0, G). A ±∞ fill is not an anomaly. */
    public Tensor maskedFill(Tensor mask, double value) {
        return ComparisonOps.maskedFill(this, mask, value);
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

    /**
     * Reorders the axes: {@code out.shape[i] = shape[axes[i]]} (a copy). Gradient: permuted by the inverse.
     *
     * @throws IllegalArgumentException unless {@code axes} names each axis exactly once (negative counts from the end)
     */
    public Tensor permute(int... axes) {
        return LayoutOps.permute(this, axes);
    }

    /** Swaps axes {@code a} and {@code b} (a permute; negative counts from the end). */
    public Tensor transpose(int a, int b) {
        return LayoutOps.transpose(this, a, b);
    }

    /** Drops every size-1 dimension (a reshape). */
    public Tensor squeeze() {
        return LayoutOps.squeeze(this);
    }

    /** Drops {@code axis} if its size is 1; otherwise returns this tensor unchanged, as PyTorch does. */
    public Tensor squeeze(int axis) {
        return LayoutOps.squeeze(this, axis);
    }

    /** Inserts a size-1 dimension at {@code axis}, in [−rank−1, rank] (a reshape). */
    public Tensor unsqueeze(int axis) {
        return LayoutOps.unsqueeze(this, axis);
    }

    /** All elements as one axis, {@code [size()]} (a scalar becomes {@code [1]}). */
    public Tensor flatten() {
        return LayoutOps.flatten(this, 0, -1);
    }

    /** Merges axes {@code start} to {@code end} (inclusive, negative from the end) into one (a reshape). */
    public Tensor flatten(int start, int end) {
        return LayoutOps.flatten(this, start, end);
    }

    /**
     * PyTorch's {@code expand}: {@link #broadcastTo} where a size of −1 keeps that (existing) dimension;
     * new dimensions go in front. A copy, not a view. Gradient: summed back.
     */
    public Tensor expand(int... sizes) {
        return LayoutOps.expand(this, sizes);
    }

    /**
     * PyTorch's {@code repeat}: tiles this tensor {@code repeats[d]} times along each axis d (the shape is
     * padded with leading 1s to the length of {@code repeats}): {@code out.shape = shape · repeats}.
     * Gradient: the sum over the tiles.
     */
    public Tensor repeat(int... repeats) {
        return LayoutOps.repeat(this, repeats);
    }

    /** Reverses the order of elements along each of {@code axes}. Gradient: flipped back. */
    public Tensor flip(int... axes) {
        return LayoutOps.flip(this, axes);
    }

    /**
     * Python's {@code x[..., start:end:step, ...]} on {@code axis} (a copy): negative bounds count from
     * the end, bounds are clamped to [0, n] (pass {@code Integer.MAX_VALUE} for "to the end"), step ≥ 1
     * (for a negative step, {@link #flip} first). Gradient: G written back into zeros.
     */
    public Tensor slice(int axis, int start, int end, int step) {
        return LayoutOps.slice(this, axis, start, end, step);
    }

    /** {@code slice(axis, start, end, 1)}. */
    public Tensor slice(int axis, int start, int end) {
        return LayoutOps.slice(this, axis, start, end, 1);
    }

    /** {@code x[..., index, ...]} on {@code axis}, which is dropped; negative index counts from the end. */
    public Tensor select(int axis, int index) {
        return LayoutOps.select(this, axis, index);
    }

    /** Joins tensors along an existing {@code axis}; all other dimensions must match. Gradient: the slices of G. */
    public static Tensor cat(int axis, Tensor... tensors) {
        return LayoutOps.cat(axis, tensors);
    }

    /** {@link #cat(int, Tensor...)} of a list (e.g. the pieces of {@link #split}). */
    public static Tensor cat(int axis, java.util.List<Tensor> tensors) {
        return LayoutOps.cat(axis, LayoutOps.array("cat", tensors));
    }

    /** Joins equal shapes along a new {@code axis}, in [−rank−1, rank]: unsqueeze each, then cat. */
    public static Tensor stack(int axis, Tensor... tensors) {
        return LayoutOps.stack(axis, tensors);
    }

    /** {@link #stack(int, Tensor...)} of a list. */
    public static Tensor stack(int axis, java.util.List<Tensor> tensors) {
        return LayoutOps.stack(axis, LayoutOps.array("stack", tensors));
    }

    /** Pieces of the given {@code sizes} along {@code axis} (they must sum to its length), as PyTorch's split with a list. */
    public java.util.List<Tensor> split(int axis, int... sizes) {
        return LayoutOps.split(this, axis, sizes);
    }

    /** Pieces of {@code size} along {@code axis}, the last one smaller if needed: PyTorch's {@code split(size, dim)}. */
    public java.util.List<Tensor> splitEvery(int size, int axis) {
        return LayoutOps.splitEvery(this, size, axis);
    }

    /**
     * {@code n} pieces of ⌈length/n⌉ along {@code axis}, the last one smaller, as PyTorch's {@code chunk}
     * (so fewer than n when n does not fit, e.g. 3 chunks of a length-4 axis are 2 + 2).
     */
    public java.util.List<Tensor> chunk(int n, int axis) {
        return LayoutOps.chunk(this, n, axis);
    }

    /**
     * Constant padding as {@code F.pad(x, padding, value=value)}: (before, after) pairs for the last axis,
     * then the axis before it, and so on; negative amounts crop. ±∞ is accepted by anomaly mode (a
     * deliberate fill). Gradient: G cropped back, i.e. {@code G.pad(0, −padding)}.
     */
    public Tensor pad(double value, int... padding) {
        return LayoutOps.pad(this, value, padding);
    }

    /** Lower triangle of the last two axes: keeps column − row ≤ k (k = 0 the diagonal), zeros the rest. */
    public Tensor tril(int k) {
        return LayoutOps.triangle(this, k, true);
    }

    /** Upper triangle of the last two axes: keeps column − row ≥ k, zeros the rest. */
    public Tensor triu(int k) {
        return LayoutOps.triangle(this, k, false);
    }

    /**
     * Einstein summation as {@code torch.einsum}, e.g. {@code "bij,bjk->bik"}: labels a–z, A–Z; a label
     * repeated in one operand takes the diagonal; {@code ...} broadcasts; without {@code ->} the output is
     * the labels that occur once, sorted. A composite of permute/sum/matmul (BLAS), differentiable to any order.
     */
    public static Tensor einsum(String spec, Tensor... operands) {
        return Einsum.einsum(spec, operands);
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

    /**
     * {@code out[..., j, ...] = this[..., index[j], ...]} along {@code axis} (the embedding lookup); indices
     * may repeat. Gradient: G added back at the indices (repeats accumulate).
     */
    public Tensor indexSelect(int axis, int... index) {
        return IndexingOps.indexSelect(this, axis, index);
    }

    /**
     * PyTorch's {@code gather}: {@code out[p] = this[p with p[axis] = index[p]]}, shaped like {@code index}
     * (integer values as doubles; same rank, no larger off the axis). Gradient: scatter-added into zeros.
     */
    public Tensor gather(int axis, Tensor index) {
        return IndexingOps.gather(this, axis, index);
    }

    /**
     * PyTorch's {@code scatter_add}: a copy of this with {@code out[p with p[axis] = index[p]] += src[p]} for
     * every p of index's shape. Gradients: dthis = G, dsrc = G gathered at index.
     */
    public Tensor scatterAdd(int axis, Tensor index, Tensor src) {
        return IndexingOps.scatterAdd(this, axis, index, src);
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
        return sum().div(size());
    }

    /** Mean over one axis: sum over it / its length. */
    public Tensor mean(int axis, boolean keepDims) {
        int ax = Shape.axis("mean", axis, shape);
        return sum(ax, keepDims).div(shape[ax]);
    }

    /** Max of all elements (a scalar); ties split the gradient equally. */
    public Tensor max() {
        return reshape(size()).max(0, false);
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

    /** Index of the largest element along {@code axis} (first on ties, NaN wins), as a tensor without graph. */
    public Tensor argMax(int axis) {
        return ReductionOps.argMax("argMax", this, axis, true);
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

    /** Sum over several axes at once (each at most once, negative from the end). Gradient: broadcast back. */
    public Tensor sum(int[] axes, boolean keepDims) {
        return ReductionOps.sum(this, axes, keepDims);
    }

    /** Mean over several axes: their sum / the number of elements summed. */
    public Tensor mean(int[] axes, boolean keepDims) {
        return ReductionOps.mean(this, axes, keepDims);
    }

    /** Max over several axes (PyTorch's amax); ties over the whole reduced slice split the gradient equally. */
    public Tensor max(int[] axes, boolean keepDims) {
        return ReductionOps.max(this, axes, keepDims);
    }

    /** Min over several axes: −max(−x) (PyTorch's amin). */
    public Tensor min(int[] axes, boolean keepDims) {
        return ReductionOps.min(this, axes, keepDims);
    }

    /** Product of all elements (a scalar). d = Σ_k Π_{j≠k} x_j dx_k, exact with zeros (as PyTorch). */
    public Tensor prod() {
        return ReductionOps.prod(this);
    }

    /** Product over one axis. d = Σ_k Π_{j≠k} x_j dx_k, exact with zeros, also to second order (then O(n) times the memory). */
    public Tensor prod(int axis, boolean keepDims) {
        return ReductionOps.prod(this, axis, keepDims);
    }

    /** Sample variance of all elements, Σ (x − mean)² / (n − 1) (PyTorch's default correction 1). */
    public Tensor var() {
        return ReductionOps.var("var", this);
    }

    /** Σ_axis (x − mean)² / (n − correction), a composite; n − correction ≤ 0 is an error (PyTorch: NaN/Inf). */
    public Tensor var(int axis, double correction, boolean keepDims) {
        return ReductionOps.var("var", this, axis, correction, keepDims);
    }

    /** √var() of all elements (correction 1); its gradient is 0 where it is 0, as PyTorch's. */
    public Tensor std() {
        return ReductionOps.std(this);
    }

    /** √var(axis, correction, keepDims); its gradient is 0 where it is 0, as PyTorch's. */
    public Tensor std(int axis, double correction, boolean keepDims) {
        return ReductionOps.std(this, axis, correction, keepDims);
    }

    /** (Σ |x|^p)^(1/p) of all elements, p ≥ 1 or ∞ (max |x|); a composite with gradient 0 at a zero norm, as PyTorch. */
    public Tensor norm(double p) {
        return ReductionOps.norm(this, p);
    }

    /** The p-norm over one axis (see {@link #norm(double)}). */
    public Tensor norm(double p, int axis, boolean keepDims) {
        return ReductionOps.norm(this, p, new int[] {axis}, keepDims);
    }

    /** The p-norm over several axes; {@code norm(2, new int[] {-2, -1}, false)} is the Frobenius norm of each matrix. */
    public Tensor norm(double p, int[] axes, boolean keepDims) {
        return ReductionOps.norm(this, p, axes, keepDims);
    }

    /** Running sum along {@code axis}: out_k = Σ_{j≤k} x_j. Gradient: the running sum of G from the other end. */
    public Tensor cumsum(int axis) {
        return ReductionOps.cumsum(this, axis);
    }

    /** Index of the smallest element along {@code axis} (first on ties, NaN wins), as a tensor without graph. */
    public Tensor argMin(int axis) {
        return ReductionOps.argMax("argMin", this, axis, false);
    }

    /** Stable sort along {@code axis} (NaN above every number); values differentiable (back to their sources), indices without graph. */
    public ValuesAndIndices sort(int axis, boolean descending) {
        return SortOps.sort(this, axis, descending);
    }

    /** The k largest along {@code axis}, largest first, ties in index order; values differentiable, indices without graph. */
    public ValuesAndIndices topk(int k, int axis) {
        return SortOps.topk(this, k, axis);
    }

    // ================================================================ convolution and pooling (ConvOps)

    /**
     * N-d convolution (PyTorch's {@code F.conv1d/conv2d}, spatial rank from the weight): this
     * {@code [N, C, *in]} (or unbatched {@code [C, *in]}), weight {@code [O, C/groups, *k]}, bias {@code [O]} or null;
     * {@code out[n, o, p] = b[o] + Σ_{c,k} w[o, c, k] x[n, c, p·s − pad + k·dil]}, out size ⌊(in + 2pad − dil(k−1) − 1)/s⌋ + 1.
     * Options take one value or one per axis. dx = convTranspose(G, w), dw = convWeight(x, G), db = Σ G (see ConvOps).
     */
    public Tensor conv(Tensor weight, Tensor bias, int[] stride, int[] padding, int[] dilation, int groups) {
        return ConvOps.conv(this, weight, bias, stride, padding, dilation, groups);
    }

    /** 1-D convolution of {@code [N, C, L]} with weight {@code [O, C/groups, k]}: {@link #conv} with scalar options. */
    public Tensor conv1d(Tensor weight, Tensor bias, int stride, int padding, int dilation, int groups) {
        return ConvOps.convNd(1, this, weight, bias, stride, padding, dilation, groups);
    }

    /** 2-D convolution of {@code [N, C, H, W]} with weight {@code [O, C/groups, kH, kW]}: {@link #conv} with square options. */
    public Tensor conv2d(Tensor weight, Tensor bias, int stride, int padding, int dilation, int groups) {
        return ConvOps.convNd(2, this, weight, bias, stride, padding, dilation, groups);
    }

    /**
     * Transposed convolution (PyTorch's {@code F.conv_transpose1d/2d}), the input gradient of {@link #conv}:
     * weight {@code [C, O/groups, *k]}, out size (in − 1)s − 2pad + dil(k − 1) + outputPadding + 1.
     */
    public Tensor convTranspose(Tensor weight, Tensor bias, int[] stride, int[] padding, int[] outputPadding, int[] dilation,
                                int groups) {
        return ConvOps.convTranspose(this, weight, bias, stride, padding, outputPadding, dilation, groups);
    }

    /** im2col (PyTorch's {@code F.unfold}): {@code [N, C, H, W] → [N, C·kH·kW, L]}, each column one receptive field. Gradient: fold. */
    public Tensor unfold(int[] kernel, int[] dilation, int[] padding, int[] stride) {
        return ConvOps.unfold(this, kernel, dilation, padding, stride);
    }

    /** col2im (PyTorch's {@code F.fold}), the adjoint of unfold: {@code [N, C·kH·kW, L] → [N, C, *outputSize]}, overlaps summed. */
    public Tensor fold(int[] outputSize, int[] kernel, int[] dilation, int[] padding, int[] stride) {
        return ConvOps.fold(this, outputSize, kernel, dilation, padding, stride);
    }

    /**
     * Max pooling (PyTorch's {@code F.max_pool1d/2d}, spatial rank from the kernel; stride null = kernel; padding ≤ k/2
     * counts as −∞). Gradient to the first maximum of each window (as PyTorch).
     */
    public Tensor maxPool(int[] kernel, int[] stride, int[] padding, int[] dilation) {
        return ConvOps.maxPool(this, kernel, stride, padding, dilation);
    }

    /** 2-D max pooling with a square kernel: {@link #maxPool} with {@code kernel × kernel}, stride, padding, dilation 1. */
    public Tensor maxPool2d(int kernel, int stride, int padding) {
        return ConvOps.maxPool(this, new int[] {kernel, kernel}, new int[] {stride}, new int[] {padding}, new int[] {1});
    }

    /**
     * Average pooling (PyTorch's {@code F.avg_pool1d/2d}; stride null = kernel): the window mean, padding counted as
     * zeros in the divisor when {@code countIncludePad} (PyTorch's default). Gradient: G / divisor spread over each window.
     */
    public Tensor avgPool(int[] kernel, int[] stride, int[] padding, boolean countIncludePad) {
        return ConvOps.avgPool(this, kernel, stride, padding, countIncludePad);
    }

    /** 2-D average pooling with a square kernel, padding counted in the divisor: {@link #avgPool}. */
    public Tensor avgPool2d(int kernel, int stride, int padding) {
        return ConvOps.avgPool(this, new int[] {kernel, kernel}, new int[] {stride}, new int[] {padding}, true);
    }

    /** Adaptive average pooling (PyTorch's {@code F.adaptive_avg_pool1d/2d}): output i averages input [⌊i·in/out⌋, ⌈(i+1)·in/out⌉). */
    public Tensor adaptiveAvgPool(int... outputSize) {
        return ConvOps.adaptiveAvgPool(this, outputSize);
    }

    // ---------------------------------------------------------------- normalization (NormOps)

    /**
     * Batch normalization over axis 1 of {@code [N, C, ...]} (PyTorch's {@code F.batch_norm}): y = (x − μ)/√(σ² + eps)·γ + β.
     * Training: μ, σ² (biased) from the batch, and running stats (may be null) updated in place:
     * r ← (1 − momentum)·r + momentum·stat, with the unbiased variance. Eval: the running stats. γ, β {@code [C]} or null.
     */
    public Tensor batchNorm(Tensor runningMean, Tensor runningVar, Tensor weight, Tensor bias, boolean training,
                            double momentum, double eps) {
        return NormOps.batchNorm(this, runningMean, runningVar, weight, bias, training, momentum, eps);
    }

    /**
     * Layer normalization over the trailing {@code normalizedShape} (PyTorch's {@code F.layer_norm}):
     * y = (x − μ)/√(σ² + eps) ⊙ γ + β with μ, σ² (biased) per row; γ, β of the normalized shape or null.
     */
    public Tensor layerNorm(int[] normalizedShape, Tensor weight, Tensor bias, double eps) {
        return NormOps.layerNorm(this, normalizedShape, weight, bias, eps);
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

    /**
     * Converts this leaf's values to {@code dtype} in place (rounded to nearest for FLOAT32), keeping
     * its identity, as PyTorch's {@code module.to(dtype)} does to parameters: what {@code Module.to}
     * and checkpoints use. Its accumulated gradient, if any, is converted too. Only inside
     * {@link Autograd#noGrad()}; bumps the version. Not safe while other threads use this tensor.
     *
     * @return this tensor
     * @throws IllegalStateException outside no-grad, or on an op result (use {@link #to(DType)})
     */
    public Tensor convertInPlace(DType dtype) {
        return InPlaceOps.convertInPlace(this, dtype);
    }

    // ================================================================ backward

    /** Backpropagates from this scalar (seed 1) into every leaf that requires grad, then releases the graph. */
    public void backward() {
        if (size() != 1) {
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
     * @throws NullPointerException if {@code seed} is null (for a scalar, call {@link #backward()})
     * @throws IllegalArgumentException if the seed's shape differs or it holds NaN/Inf
     * @throws IllegalStateException if this tensor does not require grad or its graph was released
     */
    public void backward(Tensor seed, boolean retainGraph) {
        Backprop.run(this, Checks.nonNull("backward", "seed", seed), retainGraph, false, null);
    }

    /** NumPy-style rendering of the values, e.g. {@code tensor([[1., 2.], [3., 4.]])}. */
    @Override
    public String toString() {
        String s = TensorFormat.format(d(), shape);
        return fdata == null ? s : s.substring(0, s.length() - 1) + ", dtype=float32)";
    }
}

package dev.chainrule.nn.data;

import dev.chainrule.autograd.DType;
import dev.chainrule.autograd.Shape;
import dev.chainrule.autograd.Tensor;
import java.util.Arrays;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * A supervised data set: {@code n} pairs {@code (x_i, y_i)} held as two tensors whose first
 * dimension indexes samples, e.g. {@code x: [n, features]} and {@code y: [n, outputs]} or
 * {@code y: [n]}.
 *
 * <p>Immutable: the constructor takes a snapshot of the values (cut from any graph), and every
 * method returns new tensors or data sets. Treat the tensors returned by {@link #x()} and
 * {@link #y()} as read-only.
 *
 * <p>dtype: the inputs and targets keep the dtypes of the tensors given to the constructor, and every
 * batch, subset and split has them too. {@link #to(DType)} gives a copy in another dtype, e.g.
 * {@code data.to(DType.FLOAT32)} for a model converted with {@code model.to(DType.FLOAT32)}; a FLOAT32
 * data set holds its values as floats (half the memory of FLOAT64).
 */
public final class Dataset {

    private final Tensor x;
    private final Tensor y;
    private final Values xData;
    private final Values yData;
    private final int[] xShape;
    private final int[] yShape;
    private final int n;
    private final int xRow;
    private final int yRow;

    /**
     * A data set of the rows of {@code x} and {@code y}.
     *
     * @throws IllegalArgumentException if either tensor is a scalar or their first dimensions differ
     */
    public Dataset(Tensor x, Tensor y) {
        Objects.requireNonNull(x, "Dataset: x is null");
        Objects.requireNonNull(y, "Dataset: y is null");
        if (x.rank() == 0 || y.rank() == 0) {
            throw new IllegalArgumentException("Dataset: x " + Shape.toString(x.shape()) + " and y " + Shape.toString(y.shape())
                + " must both have a first dimension indexing samples (rank at least 1); reshape scalars to [1]");
        }
        this.xShape = x.shape();
        this.yShape = y.shape();
        if (xShape[0] != yShape[0]) {
            throw new IllegalArgumentException("Dataset: x " + Shape.toString(xShape) + " and y " + Shape.toString(yShape)
                + " have different numbers of samples (" + xShape[0] + " vs " + yShape[0]
                + "); the first dimension of both must be the sample count");
        }
        this.n = xShape[0];
        this.xData = Values.of(x);
        this.yData = Values.of(y);
        this.xRow = x.size() / n;
        this.yRow = y.size() / n;
        this.x = xData.tensor(xShape);
        this.y = yData.tensor(yShape);
    }

    /** A snapshot of a tensor's values in its own dtype: doubles for FLOAT64, floats (half the memory) for FLOAT32. */
    private record Values(double[] d, float[] f) {
        static Values of(Tensor t) {
            return t.dtype() == DType.FLOAT32 ? new Values(null, t.toFloatArray()) : new Values(t.toArray(), null);
        }

        Tensor tensor(int[] shape) {
            return d != null ? Tensor.of(d, shape) : Tensor.of(f, shape);
        }

        /** The rows {@code indices} (each {@code row} values long) of these values, as a tensor of {@code shape} with {@code indices.length} rows. */
        Tensor gather(int[] shape, int row, int[] indices) {
            int size = Shape.checkedSize("Dataset", indices.length, row);
            int[] s = shape.clone();
            s[0] = indices.length;
            if (d != null) {
                double[] out = new double[size];
                for (int k = 0; k < indices.length; k++) System.arraycopy(d, indices[k] * row, out, k * row, row);
                return Tensor.of(out, s);
            }
            float[] out = new float[size];
            for (int k = 0; k < indices.length; k++) System.arraycopy(f, indices[k] * row, out, k * row, row);
            return Tensor.of(out, s);
        }
    }

    /** Number of samples {@code n}. */
    public int size() {
        return n;
    }

    /**
     * This data set with inputs and targets in {@code dtype} ({@code this} when both already are):
     * FLOAT32 rounds each value once (class indices below 2^24 stay exact).
     *
     * @throws NullPointerException if {@code dtype} is null
     */
    public Dataset to(DType dtype) {
        Objects.requireNonNull(dtype, "Dataset.to: dtype is null");
        if (x.dtype() == dtype && y.dtype() == dtype) return this;
        return new Dataset(x.to(dtype), y.to(dtype));
    }

    /** The dtype of the inputs (the targets' is {@code y().dtype()}). */
    public DType dtype() {
        return x.dtype();
    }

    /** All inputs, shape {@code [n, ...]} (a snapshot; read-only). */
    public Tensor x() {
        return x;
    }

    /** All targets, shape {@code [n, ...]} (a snapshot; read-only). */
    public Tensor y() {
        return y;
    }

    /**
     * The samples at {@code indices}, in that order, gathered into new tensors with no graph.
     * Indices may repeat (e.g. for bootstrap resampling).
     *
     * @throws IllegalArgumentException if {@code indices} is empty or an index is outside {@code [0, n)}
     */
    public Batch batch(int[] indices) {
        checkIndices("batch", indices);
        return new Batch(xData.gather(xShape, xRow, indices), yData.gather(yShape, yRow, indices));
    }

    /**
     * A new data set of the samples at {@code indices}, in that order.
     *
     * @throws IllegalArgumentException as {@link #batch(int[])}
     */
    public Dataset subset(int[] indices) {
        checkIndices("subset", indices);
        Batch b = batch(indices);
        return new Dataset(b.x(), b.y());
    }

    /**
     * A shuffled split into a training and a test set: the samples are permuted with {@code rng}
     * (Fisher–Yates), then the first {@code round(n · testFraction)} go to the test set (at least one
     * sample, and at least one left for training) and the rest, in permuted order, to the training set.
     * Every sample ends up in exactly one of the two. The same seed gives the same split.
     *
     * @param testFraction the share of samples for the test set, strictly between 0 and 1
     * @throws IllegalArgumentException if {@code testFraction} is not in (0, 1) or there are fewer than 2 samples
     */
    public Split split(double testFraction, RandomGenerator rng) {
        Objects.requireNonNull(rng, "Dataset.split: rng is null");
        if (!(testFraction > 0 && testFraction < 1)) {
            throw new IllegalArgumentException("Dataset.split: test fraction " + testFraction
                + " must be strictly between 0 and 1 (e.g. 0.2 for an 80/20 split)");
        }
        if (n < 2) {
            throw new IllegalArgumentException("Dataset.split: " + n + " sample(s) cannot be split into non-empty train and test sets");
        }
        int nTest = (int) Math.round(n * testFraction);
        nTest = Math.max(1, Math.min(n - 1, nTest));
        int[] perm = permutation(n, rng);
        int[] test = Arrays.copyOfRange(perm, 0, nTest);
        int[] train = Arrays.copyOfRange(perm, nTest, n);
        return new Split(subset(train), subset(test));
    }

    /** A random permutation of {@code 0..n-1} drawn with Fisher–Yates from {@code rng}. */
    static int[] permutation(int n, RandomGenerator rng) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    private void checkIndices(String op, int[] indices) {
        Objects.requireNonNull(indices, "Dataset." + op + ": indices is null");
        if (indices.length == 0) {
            throw new IllegalArgumentException("Dataset." + op + ": no indices; empty tensors are not supported, pass at least one");
        }
        for (int i : indices) {
            if (i < 0 || i >= n) {
                throw new IllegalArgumentException("Dataset." + op + ": index " + i + " is out of range for " + n
                    + " samples (valid: 0 to " + (n - 1) + ")");
            }
        }
    }

    @Override
    public String toString() {
        return "Dataset(n=" + n + ", x=" + Shape.toString(xShape) + ", y=" + Shape.toString(yShape)
            + (x.dtype() == DType.FLOAT64 && y.dtype() == DType.FLOAT64 ? "" : ", dtype=" + x.dtype() + "/" + y.dtype()) + ")";
    }

    /**
     * The two halves of {@link #split(double, RandomGenerator)}.
     *
     * @param train the training set (fit models and {@link Standardizer}s on this one only)
     * @param test the held-out test set
     */
    public record Split(Dataset train, Dataset test) {
        /** @throws NullPointerException if either set is null */
        public Split {
            Objects.requireNonNull(train, "Dataset.Split: train is null");
            Objects.requireNonNull(test, "Dataset.Split: test is null");
        }
    }
}

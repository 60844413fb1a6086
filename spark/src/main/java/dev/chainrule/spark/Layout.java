package dev.chainrule.spark;

import dev.chainrule.autograd.Autograd;
import dev.chainrule.autograd.DType;
import dev.chainrule.autograd.Shape;
import dev.chainrule.autograd.Tensor;
import dev.chainrule.nn.Module;
import java.io.Serializable;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Where each parameter of a model lives in one flat {@code double[]} (the broadcast copy of the
 * parameters and each partition's gradient sum): parameter {@code k} of {@link Module#namedParameters()}
 * occupies {@code [offset(k), offset(k) + size(k))}, row-major. The array is FLOAT64 whatever the
 * model's dtype: a FLOAT32 model's values widen exactly, partition gradients are added in double, and
 * the mean gradient is rounded once to the parameters' dtype when written back.
 */
final class Layout implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String[] names;
    private final int[][] shapes;
    private final int[] offsets;
    private final int total;
    private final DType dtype;

    private Layout(String[] names, int[][] shapes, DType dtype) {
        this.names = names;
        this.shapes = shapes;
        this.dtype = dtype;
        this.offsets = new int[names.length + 1];
        long sum = 0;
        for (int k = 0; k < names.length; k++) {
            offsets[k] = (int) sum;
            sum += Shape.size(shapes[k]);
            if (sum > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("SparkTrainer: the model has more than 2^31 parameters; they cannot be broadcast as one array");
            }
        }
        offsets[names.length] = (int) sum;
        this.total = (int) sum;
    }

    static Layout of(Module model) {
        Map<String, Tensor> params = model.namedParameters();
        if (params.isEmpty()) {
            throw new IllegalArgumentException("SparkTrainer: the model " + model.getClass().getSimpleName() + " has no parameters to train");
        }
        String[] names = params.keySet().toArray(new String[0]);
        int[][] shapes = new int[names.length][];
        int k = 0;
        DType dtype = null;
        for (Map.Entry<String, Tensor> e : params.entrySet()) {
            shapes[k++] = e.getValue().shape();
            if (dtype == null) dtype = e.getValue().dtype();
            if (e.getValue().dtype() != dtype) {
                throw new IllegalArgumentException("SparkTrainer: the model mixes dtypes (parameter " + e.getKey() + " is "
                    + e.getValue().dtype() + ", " + names[0] + " is " + dtype + "); convert it with model.to(DType.FLOAT32) or "
                    + "model.to(DType.FLOAT64) in the model factory");
            }
        }
        return new Layout(names, shapes, dtype);
    }

    /** The dtype of every parameter (the model's dtype; batches are converted to it on the executors). */
    DType dtype() {
        return dtype;
    }

    int total() {
        return total;
    }

    int count() {
        return names.length;
    }

    String name(int k) {
        return names[k];
    }

    /**
     * @throws IllegalStateException if {@code model}'s parameters differ in names or shapes from this layout
     *     (the factory built a different architecture on an executor than on the driver)
     */
    void check(Module model, String where) {
        Map<String, Tensor> params = model.namedParameters();
        boolean same = params.size() == names.length;
        int k = 0;
        if (same) {
            for (Map.Entry<String, Tensor> e : params.entrySet()) {
                if (!e.getKey().equals(names[k]) || !Arrays.equals(e.getValue().shape(), shapes[k]) || e.getValue().dtype() != dtype) {
                    same = false;
                    break;
                }
                k++;
            }
        }
        if (!same) {
            throw new IllegalStateException("the model factory built a model on " + where + " whose parameters "
                + describe(params) + " differ from the driver's " + describe() + "; the factory must build the same architecture"
                + " (and dtype) everywhere");
        }
    }

    /** A new array holding every parameter's values. */
    double[] flatten(Module model) {
        double[] out = new double[total];
        read(model, out);
        return out;
    }

    /** Copies every parameter's values into {@code out} at its offset. */
    void read(Module model, double[] out) {
        List<Tensor> ps = model.parameters();
        for (int k = 0; k < names.length; k++) {
            double[] v = ps.get(k).toArray();
            System.arraycopy(v, 0, out, offsets[k], v.length);
        }
    }

    /** Sets every parameter of {@code model} to its values in {@code flat} (in place, under no-grad). */
    @SuppressWarnings("try")
    void load(Module model, double[] flat) {
        List<Tensor> ps = model.parameters();
        try (var s = Autograd.noGrad()) {
            for (int k = 0; k < names.length; k++) {
                ps.get(k).copyFrom(Arrays.copyOfRange(flat, offsets[k], offsets[k + 1]));
            }
        }
    }

    /**
     * Copies each parameter's gradient into {@code out} at its offset (zeros where a parameter has none).
     *
     * @return which parameters had a gradient
     */
    boolean[] readGrads(Module model, double[] out) {
        List<Tensor> ps = model.parameters();
        boolean[] reached = new boolean[names.length];
        for (int k = 0; k < names.length; k++) {
            Tensor g = ps.get(k).grad();
            if (g == null) continue;
            reached[k] = true;
            double[] v = g.toArray();
            System.arraycopy(v, 0, out, offsets[k], v.length);
        }
        return reached;
    }

    /**
     * Makes {@code grad[offset(k)...]} the gradient of parameter {@code k} for every reached {@code k}
     * (the others keep no gradient, as after a backward pass that does not reach them). The model's
     * gradients must have been cleared. Each value is written exactly (for a FLOAT32 model: rounded
     * once to the nearest float): backward from a leaf with seed {@code G} sets its gradient to {@code G}.
     */
    void writeGrads(Module model, double[] grad, boolean[] reached) {
        List<Tensor> ps = model.parameters();
        for (int k = 0; k < names.length; k++) {
            if (!reached[k]) continue;
            ps.get(k).backward(Tensor.of(Arrays.copyOfRange(grad, offsets[k], offsets[k + 1]), dtype, shapes[k]));   // rounded once
        }
    }

    String describe() {
        StringBuilder sb = new StringBuilder("[");
        for (int k = 0; k < names.length; k++) {
            if (k > 0) sb.append(", ");
            sb.append(names[k]).append(Shape.toString(shapes[k]));
        }
        return sb.append(']').append(dtype == DType.FLOAT64 ? "" : " " + dtype).toString();
    }

    private static String describe(Map<String, Tensor> params) {
        StringBuilder sb = new StringBuilder("[");
        int k = 0;
        for (Map.Entry<String, Tensor> e : params.entrySet()) {
            if (k++ > 0) sb.append(", ");
            sb.append(e.getKey()).append(Shape.toString(e.getValue().shape()));
            if (e.getValue().dtype() != DType.FLOAT64) sb.append(' ').append(e.getValue().dtype());
        }
        return sb.append(']').toString();
    }
}

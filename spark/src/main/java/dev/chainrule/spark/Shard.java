package dev.chainrule.spark;

import dev.chainrule.autograd.Shape;
import dev.chainrule.autograd.Tensor;
import java.io.Serializable;

/**
 * The samples of one partition, packed row-major: {@code x} holds {@code rows · prod(featureShape)}
 * values and {@code y} {@code rows · prod(targetShape)}. One Shard per partition of a
 * {@link ShardedData}, cached by Spark; tasks read it and never modify it.
 */
final class Shard implements Serializable {
    private static final long serialVersionUID = 1L;

    final int partition;
    final int rows;
    final int[] featureShape;
    final int[] targetShape;
    final double[] x;
    final double[] y;

    Shard(int partition, int rows, int[] featureShape, int[] targetShape, double[] x, double[] y) {
        this.partition = partition;
        this.rows = rows;
        this.featureShape = featureShape;
        this.targetShape = targetShape;
        this.x = x;
        this.y = y;
    }

    static Shard empty(int partition, int[] featureShape, int[] targetShape) {
        return new Shard(partition, 0, featureShape, targetShape, new double[0], new double[0]);
    }

    int xRow() {
        return Shape.size(featureShape);
    }

    int yRow() {
        return Shape.size(targetShape);
    }

    /** The features of the given local rows, in that order: {@code [k, featureShape...]}. */
    Tensor features(int[] local) {
        return gather(x, xRow(), featureShape, local);
    }

    /** The targets of the given local rows, in that order: {@code [k, targetShape...]}. */
    Tensor targets(int[] local) {
        return gather(y, yRow(), targetShape, local);
    }

    /** The features of rows {@code [from, to)}. */
    Tensor features(int from, int to) {
        return range(x, xRow(), featureShape, from, to);
    }

    /** The targets of rows {@code [from, to)}. */
    Tensor targets(int from, int to) {
        return range(y, yRow(), targetShape, from, to);
    }

    private static Tensor gather(double[] data, int row, int[] shape, int[] local) {
        double[] out = new double[local.length * row];
        for (int k = 0; k < local.length; k++) System.arraycopy(data, local[k] * row, out, k * row, row);
        return Tensor.of(out, batchShape(local.length, shape));
    }

    private static Tensor range(double[] data, int row, int[] shape, int from, int to) {
        double[] out = new double[(to - from) * row];
        System.arraycopy(data, from * row, out, 0, out.length);
        return Tensor.of(out, batchShape(to - from, shape));
    }

    private static int[] batchShape(int n, int[] sample) {
        int[] s = new int[sample.length + 1];
        s[0] = n;
        System.arraycopy(sample, 0, s, 1, sample.length);
        return s;
    }
}

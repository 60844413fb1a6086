package dev.chainrule.spark;

import dev.chainrule.autograd.Shape;
import dev.chainrule.autograd.Tensor;
import dev.chainrule.nn.data.Dataset;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A data set spread over the partitions of a cached Spark RDD, one packed shard per partition, each
 * sample with a fixed global index: partition {@code p} holds samples {@code [offset(p), offset(p) +
 * rows(p))}. {@link SparkTrainer} draws every global mini-batch from these indices, so what it computes
 * does not depend on how the samples are partitioned; partitions may be uneven or empty.
 *
 * <p>Three ways in, by where the data is:
 * <ul>
 *   <li>{@link #fromLoader}: each executor loads its own shard (from files every executor can read);
 *       the data never passes through the driver and lost shards are reloaded (full fault tolerance);</li>
 *   <li>{@link #fromSamples}: an existing RDD of {@link Sample}s (e.g. from a DataFrame), packed once
 *       and cached; if the RDD was parallelized from a local collection (whose tasks would carry their
 *       data in every job) the shards are also cut from that lineage ({@code localCheckpoint}), and a
 *       shard lost with its executor then fails the step instead of being rebuilt;</li>
 *   <li>{@link #fromDataset}: a Chainrule {@link Dataset} held by the driver (tests, small data),
 *       broadcast once and cut into contiguous ranges.</li>
 * </ul>
 * Every constructor runs one Spark job that builds, validates and caches the shards; bad samples are
 * reported by partition and row. {@link #close()} releases the cache.
 */
public final class ShardedData implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ShardedData.class);

    private final JavaSparkContext sc;
    private final JavaRDD<Shard> shards;
    private final int[] offsets;
    private final int[] featureShape;
    private final int[] targetShape;
    private final Broadcast<?> source;
    private final boolean cut;
    private boolean closed;

    private ShardedData(JavaSparkContext sc, JavaRDD<Shard> packed, Broadcast<?> source, boolean cutLineage,
                        int[] featureShape, int[] targetShape) {
        this.sc = sc;
        this.source = source;
        this.cut = cutLineage;
        packed.persist(StorageLevel.MEMORY_AND_DISK());
        if (cutLineage) packed.rdd().localCheckpoint();
        List<int[]> info;
        try {
            // One job builds and caches every shard and reports its size and per-sample shapes.
            info = packed.map(ShardedData::describe).collect();
        } catch (Exception e) {   // SparkException is a checked exception that Scala code throws undeclared
            release(sc, packed, cutLineage, source);
            throw PartitionFailure.unwrap("ShardedData", e, "");
        }
        int parts = packed.getNumPartitions();
        this.offsets = new int[parts + 1];
        int[] fs = featureShape, ts = targetShape;
        String shapesFrom = "the declared shapes";
        long total = 0;
        for (int p = 0; p < parts; p++) {
            int[] d = info.get(p);
            if (d[0] != p) throw new IllegalStateException("ShardedData: shard " + d[0] + " arrived as partition " + p);
            offsets[p] = (int) total;
            total += d[1];
            if (total > Integer.MAX_VALUE - 8) {
                release(sc, packed, cutLineage, source);
                throw new IllegalArgumentException("ShardedData: more than 2^31 samples; global sample indices are ints");
            }
            if (d[1] == 0) continue;
            int[][] shapes = shapes(d);
            if (fs == null) {
                fs = shapes[0];
                ts = shapes[1];
                shapesFrom = "partition " + p;
            } else if (!Arrays.equals(shapes[0], fs) || !Arrays.equals(shapes[1], ts)) {
                release(sc, packed, cutLineage, source);
                throw new IllegalArgumentException("ShardedData: partition " + p + " has samples of feature shape "
                    + Shape.toString(shapes[0]) + " and target shape " + Shape.toString(shapes[1]) + " but " + shapesFrom
                    + " has " + Shape.toString(fs) + " and " + Shape.toString(ts) + "; every sample must have the same shapes");
            }
        }
        offsets[parts] = (int) total;
        this.featureShape = fs == null ? new int[0] : fs;
        this.targetShape = ts == null ? new int[0] : ts;
        this.shards = packed;
        int empty = 0;
        for (int p = 0; p < parts; p++) if (rows(p) == 0) empty++;
        if (empty > 0 && total > 0) {
            LOG.warn("{} of {} partitions hold no samples; they idle in every training step (repartition the data to use every core)",
                empty, parts);
        }
        LOG.debug("sharded {} samples of shape {} (targets {}) into {} partitions", total, Shape.toString(this.featureShape),
            Shape.toString(this.targetShape), parts);
    }

    private static int[] describe(Shard s) {
        int[] d = new int[4 + s.featureShape.length + s.targetShape.length];
        d[0] = s.partition;
        d[1] = s.rows;
        d[2] = s.featureShape.length;
        d[3] = s.targetShape.length;
        System.arraycopy(s.featureShape, 0, d, 4, s.featureShape.length);
        System.arraycopy(s.targetShape, 0, d, 4 + s.featureShape.length, s.targetShape.length);
        return d;
    }

    private static int[][] shapes(int[] d) {
        return new int[][] {Arrays.copyOfRange(d, 4, 4 + d[2]), Arrays.copyOfRange(d, 4 + d[2], 4 + d[2] + d[3])};
    }

    // ------------------------------------------------------------------ constructors

    /**
     * Shards loaded on the executors: partition {@code i} of {@code shards} holds {@code loader.load(i)}.
     *
     * @throws IllegalArgumentException if {@code shards < 1}, the loader is not serializable, or shards
     *     disagree in their per-sample shapes (naming the partition)
     * @throws IllegalStateException if a shard cannot be loaded (naming it; the loader's error is the cause)
     */
    public static ShardedData fromLoader(JavaSparkContext sc, int shards, ShardLoader loader) {
        Objects.requireNonNull(sc, "ShardedData.fromLoader: sc is null");
        Objects.requireNonNull(loader, "ShardedData.fromLoader: loader is null");
        if (shards < 1) throw new IllegalArgumentException("ShardedData.fromLoader: shards must be at least 1, got " + shards);
        Serialization.check("ShardedData.fromLoader", "shard loader", loader);
        JavaRDD<Shard> packed = indices(sc, shards).mapPartitionsWithIndex((p, ignored) -> {
            Dataset d;
            try {
                d = loader.load(p);
            } catch (Exception e) {
                throw new PartitionFailure("partition " + p + ": the shard loader failed: " + e, e);
            }
            return List.of(d == null ? Shard.empty(p, new int[0], new int[0]) : checkFinite(pack(p, d.x(), d.y()))).iterator();
        }, true);
        return new ShardedData(sc, packed, null, false, null, null);
    }

    /**
     * Shards of {@code data}, held by the driver, cut into {@code partitions} contiguous ranges of
     * {@code n/partitions} samples (the first {@code n mod partitions} get one more). The data is
     * broadcast once; each partition copies its range.
     *
     * @throws IllegalArgumentException if {@code partitions < 1}
     */
    public static ShardedData fromDataset(JavaSparkContext sc, Dataset data, int partitions) {
        Objects.requireNonNull(sc, "ShardedData.fromDataset: sc is null");
        Objects.requireNonNull(data, "ShardedData.fromDataset: data is null");
        if (partitions < 1) throw new IllegalArgumentException("ShardedData.fromDataset: partitions must be at least 1, got " + partitions);
        int n = data.size();
        int[] sizes = new int[partitions];
        for (int p = 0; p < partitions; p++) sizes[p] = n / partitions + (p < n % partitions ? 1 : 0);
        return fromDataset(sc, data, sizes);
    }

    /**
     * Shards of {@code data} with the given partition sizes (0 allowed), in order: partition {@code p}
     * holds samples {@code [Σ_{q<p} sizes[q], Σ_{q≤p} sizes[q])}.
     *
     * @throws IllegalArgumentException if a size is negative or the sizes do not add up to {@code data.size()}
     */
    public static ShardedData fromDataset(JavaSparkContext sc, Dataset data, int[] partitionSizes) {
        Objects.requireNonNull(sc, "ShardedData.fromDataset: sc is null");
        Objects.requireNonNull(data, "ShardedData.fromDataset: data is null");
        Objects.requireNonNull(partitionSizes, "ShardedData.fromDataset: partitionSizes is null");
        if (partitionSizes.length == 0) throw new IllegalArgumentException("ShardedData.fromDataset: no partition sizes");
        long sum = 0;
        for (int s : partitionSizes) {
            if (s < 0) throw new IllegalArgumentException("ShardedData.fromDataset: partition sizes " + Arrays.toString(partitionSizes) + " hold a negative size");
            sum += s;
        }
        if (sum != data.size()) {
            throw new IllegalArgumentException("ShardedData.fromDataset: partition sizes " + Arrays.toString(partitionSizes) + " add up to "
                + sum + " but the data set has " + data.size() + " samples");
        }
        int[] starts = new int[partitionSizes.length + 1];
        for (int p = 0; p < partitionSizes.length; p++) starts[p + 1] = starts[p] + partitionSizes[p];
        Tensor x = data.x(), y = data.y();
        Broadcast<Source> bc = sc.broadcast(new Source(x.toArray(), x.shape(), y.toArray(), y.shape()));
        JavaRDD<Shard> packed = indices(sc, partitionSizes.length).mapPartitionsWithIndex((p, ignored) -> {
            Source s = bc.value();
            int from = starts[p], to = starts[p + 1];
            int[] fs = Arrays.copyOfRange(s.xShape, 1, s.xShape.length), ts = Arrays.copyOfRange(s.yShape, 1, s.yShape.length);
            int xr = Shape.size(fs), yr = Shape.size(ts);
            return List.of(checkFinite(new Shard(p, to - from, fs, ts, Arrays.copyOfRange(s.x, from * xr, to * xr),
                Arrays.copyOfRange(s.y, from * yr, to * yr)))).iterator();
        }, true);
        return new ShardedData(sc, packed, bc, false, null, null);
    }

    /**
     * Shards of an RDD of samples, one per partition of {@code samples}, packed and validated once
     * (every sample must have {@code prod(featureShape)} finite features and {@code prod(targetShape)}
     * finite targets), then cached (and cut from the source's lineage if it is a parallelized
     * collection, see the class documentation).
     *
     * @param featureShape the shape of one sample's features, e.g. {@code {784}} or {@code {1, 28, 28}}
     * @param targetShape  the shape of one sample's target: {@code {}} for a class index or scalar, {@code {k}} for k outputs
     * @throws IllegalArgumentException if a sample has the wrong number of values or a non-finite one
     *     (naming the partition and the row within it)
     */
    public static ShardedData fromSamples(JavaRDD<Sample> samples, int[] featureShape, int[] targetShape) {
        Objects.requireNonNull(samples, "ShardedData.fromSamples: samples is null");
        int[] fs = Objects.requireNonNull(featureShape, "ShardedData.fromSamples: featureShape is null").clone();
        int[] ts = Objects.requireNonNull(targetShape, "ShardedData.fromSamples: targetShape is null").clone();
        int xr = Shape.size(fs), yr = Shape.size(ts);
        JavaRDD<Shard> packed = samples.mapPartitionsWithIndex((p, it) -> List.of(pack(p, it, fs, ts, xr, yr)).iterator(), true);
        return new ShardedData(JavaSparkContext.fromSparkContext(samples.context()), packed, null, shipsData(samples.rdd()), fs, ts);
    }

    /**
     * Whether a task of {@code rdd} carries data in its partition objects: true when the lineage holds a
     * parallelized collection ({@code sc.parallelize}, a DataFrame made from a local list), whose
     * partitions hold their elements. Caching does not help there (every task of every job that depends
     * on such an RDD ships its partition), so those shards are cut from their lineage.
     */
    static boolean shipsData(org.apache.spark.rdd.RDD<?> rdd) {
        java.util.Deque<org.apache.spark.rdd.RDD<?>> todo = new java.util.ArrayDeque<>();
        java.util.Set<Integer> seen = new java.util.HashSet<>();
        todo.push(rdd);
        while (!todo.isEmpty()) {
            org.apache.spark.rdd.RDD<?> r = todo.pop();
            if (!seen.add(r.id())) continue;
            if (r.getClass().getName().equals("org.apache.spark.rdd.ParallelCollectionRDD")) return true;
            for (org.apache.spark.Dependency<?> d : scala.jdk.javaapi.CollectionConverters.asJava(r.dependencies())) todo.push(d.rdd());
        }
        return false;
    }

    private static JavaRDD<Integer> indices(JavaSparkContext sc, int n) {
        List<Integer> idx = new ArrayList<>(n);
        for (int i = 0; i < n; i++) idx.add(i);
        return sc.parallelize(idx, n);
    }

    private static Shard pack(int p, Tensor x, Tensor y) {
        int[] xs = x.shape(), ys = y.shape();
        return new Shard(p, xs[0], Arrays.copyOfRange(xs, 1, xs.length), Arrays.copyOfRange(ys, 1, ys.length), x.toArray(), y.toArray());
    }

    private static Shard checkFinite(Shard s) {
        int xr = s.xRow(), yr = s.yRow();
        for (int i = 0; i < s.x.length; i++) {
            if (!Double.isFinite(s.x[i])) throw failure(s.partition, i / xr, "feature " + (i % xr) + " is " + s.x[i] + "; every value must be finite");
        }
        for (int i = 0; i < s.y.length; i++) {
            if (!Double.isFinite(s.y[i])) throw failure(s.partition, i / yr, "target " + (i % yr) + " is " + s.y[i] + "; every value must be finite");
        }
        return s;
    }

    private static Shard pack(int p, Iterator<Sample> it, int[] fs, int[] ts, int xr, int yr) {
        DoubleBuffer x = new DoubleBuffer(), y = new DoubleBuffer();
        int row = 0;
        while (it.hasNext()) {
            Sample s = it.next();
            if (s == null) throw failure(p, row, "the sample is null");
            check(p, row, "feature", s.features(), xr, fs);
            check(p, row, "target", s.target(), yr, ts);
            x.add(s.features());
            y.add(s.target());
            row++;
        }
        return new Shard(p, row, fs, ts, x.toArray(), y.toArray());
    }

    private static void check(int p, int row, String what, double[] v, int expected, int[] shape) {
        if (v.length != expected) {
            throw failure(p, row, v.length + " " + what + " values, expected " + expected + " (" + what + " shape " + Shape.toString(shape) + ")");
        }
        for (int j = 0; j < v.length; j++) {
            if (!Double.isFinite(v[j])) throw failure(p, row, what + " " + j + " is " + v[j] + "; every value must be finite");
        }
    }

    private static PartitionFailure failure(int p, int row, String what) {
        String msg = "partition " + p + ", row " + row + " of that partition: " + what;
        return new PartitionFailure(msg, new IllegalArgumentException(msg));
    }

    // ------------------------------------------------------------------ queries

    /** Total number of samples {@code n}. */
    public int size() {
        return offsets[offsets.length - 1];
    }

    /** Number of partitions. */
    public int partitions() {
        return offsets.length - 1;
    }

    /** Samples in partition {@code p}. */
    public int rows(int p) {
        return offsets[p + 1] - offsets[p];
    }

    /** The global index of partition {@code p}'s first sample. */
    public int offset(int p) {
        return offsets[p];
    }

    /** The shape of one sample's features (a copy). */
    public int[] featureShape() {
        return featureShape.clone();
    }

    /** The shape of one sample's target (a copy); {@code []} for class indices. */
    public int[] targetShape() {
        return targetShape.clone();
    }

    JavaRDD<Shard> rdd() {
        if (closed) throw new IllegalStateException("ShardedData: already closed");
        return shards;
    }

    int[] offsets() {
        return offsets.clone();
    }

    JavaSparkContext context() {
        return sc;
    }

    /**
     * Checks in one job that every target is a class index, an integer in {@code [0, classes)}.
     *
     * @throws IllegalArgumentException naming the partition, the row and the global sample index of the
     *     first bad target, or if the targets are not one value per sample
     */
    public void checkClassIndices(int classes) {
        if (classes < 1) throw new IllegalArgumentException("ShardedData.checkClassIndices: classes must be at least 1, got " + classes);
        if (Shape.size(targetShape) != 1) {
            throw new IllegalArgumentException("ShardedData.checkClassIndices: targets have shape " + Shape.toString(targetShape)
                + " per sample; class indices need one value per sample");
        }
        int[] off = offsets;
        try {
            rdd().foreach(s -> {
                for (int r = 0; r < s.rows; r++) {
                    double c = s.y[r];
                    if (!(c >= 0 && c < classes) || c != Math.rint(c)) {
                        String msg = "partition " + s.partition + ", row " + r + " of that partition (global sample " + (off[s.partition] + r)
                            + "): target " + c + " is not a class index in [0, " + classes + ")";
                        throw new PartitionFailure(msg, new IllegalArgumentException(msg));
                    }
                }
            });
        } catch (Exception e) {   // SparkException is a checked exception that Scala code throws undeclared
            throw PartitionFailure.unwrap("ShardedData.checkClassIndices", e, "");
        }
    }

    /** Every sample, gathered on the driver in global order (for small data: tests, single-machine comparisons). */
    public Dataset toDataset() {
        if (size() == 0) throw new IllegalStateException("ShardedData.toDataset: no samples");
        List<Shard> all = rdd().collect();
        int xr = Shape.size(featureShape), yr = Shape.size(targetShape);
        double[] x = new double[size() * xr], y = new double[size() * yr];
        for (Shard s : all) {
            System.arraycopy(s.x, 0, x, offsets[s.partition] * xr, s.rows * xr);
            System.arraycopy(s.y, 0, y, offsets[s.partition] * yr, s.rows * yr);
        }
        int[] xs = new int[featureShape.length + 1], ys = new int[targetShape.length + 1];
        xs[0] = ys[0] = size();
        System.arraycopy(featureShape, 0, xs, 1, featureShape.length);
        System.arraycopy(targetShape, 0, ys, 1, targetShape.length);
        return new Dataset(Tensor.of(x, xs), Tensor.of(y, ys));
    }

    /** Drops the cached shards (and the broadcast source of {@link #fromDataset}); idempotent. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        release(sc, shards, cut, source);
    }

    private static void release(JavaSparkContext sc, JavaRDD<Shard> rdd, boolean cut, Broadcast<?> source) {
        if (cut) {
            try {
                // RDD.unpersist would warn that the lineage was truncated, which is what we asked for.
                sc.sc().unpersistRDD(rdd.id(), false);
            } catch (LinkageError e) {
                rdd.unpersist(false);
            }
        } else {
            rdd.unpersist(false);
        }
        if (source != null) source.destroy();
    }

    @Override
    public String toString() {
        return "ShardedData(n=" + size() + ", partitions=" + partitions() + ", features=" + Shape.toString(featureShape)
            + ", targets=" + Shape.toString(targetShape) + ")";
    }

    /** The driver's data, broadcast once by {@link #fromDataset}. */
    private record Source(double[] x, int[] xShape, double[] y, int[] yShape) implements Serializable {}

    /** A growable double array. */
    private static final class DoubleBuffer {
        private double[] a = new double[1024];
        private int n;

        void add(double[] v) {
            if (n + v.length > a.length) a = Arrays.copyOf(a, Math.max(2 * a.length, n + v.length));
            System.arraycopy(v, 0, a, n, v.length);
            n += v.length;
        }

        double[] toArray() {
            return Arrays.copyOf(a, n);
        }
    }
}

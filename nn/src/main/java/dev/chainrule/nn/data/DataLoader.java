package dev.chainrule.nn.data;

import dev.chainrule.autograd.DType;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Cuts a {@link Dataset} into mini-batches, one pass over the data (an epoch) per
 * {@link #iterator()} call.
 *
 * <p>The three classic gradient-descent variants are all settings of this one loader:
 * <ul>
 *   <li>full-batch gradient descent: {@code batchSize(n)} — one batch per epoch, the exact gradient
 *       of the mean loss over all {@code n} samples;</li>
 *   <li>stochastic gradient descent (single sample): {@code batchSize(1)} with {@code shuffle(rng)} —
 *       one update per sample, samples visited in a new random order every epoch;</li>
 *   <li>mini-batch SGD: {@code batchSize(b)} with {@code shuffle(rng)} — the gradient averaged over a
 *       random subset of {@code b} samples per step.</li>
 * </ul>
 *
 * <p>Every epoch visits each sample exactly once: the first {@code n / b} batches hold {@code b}
 * samples, and a last, smaller batch holds the remaining {@code n mod b} unless {@link Builder#dropLast
 * dropLast} is set (then those samples are skipped in that epoch; with shuffling they differ from
 * epoch to epoch). Without {@link Builder#shuffle(long) shuffle} the order is fixed: samples {@code 0..n-1}.
 * With it, each epoch gets a fresh permutation (Fisher–Yates).
 *
 * <p>Permutations are counter-based: the order of epoch {@code e} (0 for the first {@link #iterator()}
 * call, 1 for the next, ...) is a pure function of the loader's shuffle seed and {@code e}, drawn
 * from a SplitMix64 stream keyed by both (fixed by this class, so it does not change with the JDK).
 * The loader's whole random state is therefore one number, {@link #epoch()}: restoring it with
 * {@link #setEpoch(long)} (crash-safe training) continues the exact sequence of orders, and
 * {@link #iterator(int)} resumes an epoch at a given batch. {@link Builder#shuffle(RandomGenerator)}
 * draws the seed once, when the loader is built (later use of that generator does not affect the
 * loader).
 *
 * <pre>{@code
 * DataLoader loader = DataLoader.builder(train).batchSize(32).shuffle(new SplittableRandom(42)).build();
 * for (int epoch = 0; epoch < epochs; epoch++) {
 *     for (Batch b : loader) { ... model.forward(b.x()) ... }
 * }
 * }</pre>
 *
 * <p>Batches have the dataset's dtypes; {@link Builder#dtype(DType)} converts the data once, when the
 * loader is built (e.g. {@code .dtype(DType.FLOAT32)} for a model converted with
 * {@code model.to(DType.FLOAT32)}).
 *
 * <p>Not thread-safe (the epoch counter advances with each {@link #iterator()} call); use one loader per thread.
 */
public final class DataLoader implements Iterable<Batch> {

    private final Dataset data;
    private final int batchSize;
    private final boolean shuffle;
    private final long seed;
    private final boolean dropLast;
    private long epoch;

    private DataLoader(Builder b, boolean shuffle, long seed) {
        this.data = b.dtype == null ? b.data : b.data.to(b.dtype);
        this.batchSize = b.batchSize;
        this.shuffle = shuffle;
        this.seed = seed;
        this.dropLast = b.dropLast;
    }

    /** A builder for a loader over {@code data}: batch size 1, fixed order, last batch kept. */
    public static Builder builder(Dataset data) {
        return new Builder(Objects.requireNonNull(data, "DataLoader: dataset is null"));
    }

    /** Batches per epoch: {@code ceil(n / b)}, or {@code floor(n / b)} with dropLast (no overflow for any {@code b}). */
    public int batchesPerEpoch() {
        int n = data.size();
        return dropLast ? n / batchSize : n / batchSize + (n % batchSize == 0 ? 0 : 1);
    }

    /** The data set this loader cuts into batches. */
    public Dataset dataset() {
        return data;
    }

    /** Samples per batch (the last batch of an epoch may hold fewer, unless dropLast). */
    public int batchSize() {
        return batchSize;
    }

    /** Whether each epoch reshuffles the samples. */
    public boolean isShuffled() {
        return shuffle;
    }

    /**
     * The seed of the permutations (see the class comment).
     *
     * @throws IllegalStateException if the loader does not shuffle
     */
    public long shuffleSeed() {
        if (!shuffle) throw new IllegalStateException("DataLoader.shuffleSeed: this loader does not shuffle (isShuffled() is false)");
        return seed;
    }

    /** The index of the epoch the next {@link #iterator()} call produces: how many epochs were started so far. */
    public long epoch() {
        return epoch;
    }

    /**
     * Sets the index of the epoch the next {@link #iterator()} call produces (e.g. from a training
     * checkpoint), so that the loader continues the sequence of orders an uninterrupted run would see.
     *
     * @throws IllegalArgumentException if {@code epoch} is negative
     */
    public void setEpoch(long epoch) {
        if (epoch < 0) throw new IllegalArgumentException("DataLoader.setEpoch: " + epoch + " is negative");
        this.epoch = epoch;
    }

    /** Whether the last, incomplete batch of an epoch is skipped. */
    public boolean isDropLast() {
        return dropLast;
    }

    /**
     * One epoch: the batches in order. With shuffling, every call takes the next epoch's permutation
     * (see {@link #epoch()}), so two calls give two different epochs; batches are gathered lazily as
     * the iterator advances.
     */
    @Override
    public Iterator<Batch> iterator() {
        return iterator(0);
    }

    /**
     * The next epoch, like {@link #iterator()}, but starting at batch {@code firstBatch} (0-based): the
     * batches an interrupted epoch had not reached yet, in the order the whole epoch would have had.
     *
     * @throws IllegalArgumentException if {@code firstBatch} is not in [0, batchesPerEpoch()]
     */
    public Iterator<Batch> iterator(int firstBatch) {
        int batches = batchesPerEpoch();
        if (firstBatch < 0 || firstBatch > batches) {
            throw new IllegalArgumentException("DataLoader.iterator: first batch " + firstBatch + " is not in [0, " + batches
                + "] (this loader has " + batches + " batches per epoch)");
        }
        int n = data.size();
        int[] order = shuffle ? shuffled(n, seed, epoch) : identity(n);
        epoch++;
        return new Iterator<>() {
            private int next = firstBatch;

            @Override
            public boolean hasNext() {
                return next < batches;
            }

            @Override
            public Batch next() {
                if (next >= batches) throw new NoSuchElementException("DataLoader: epoch has only " + batches + " batches");
                int from = (int) Math.min(n, (long) next * batchSize);
                int to = (int) Math.min(n, (long) from + batchSize);
                int[] idx = new int[to - from];
                System.arraycopy(order, from, idx, 0, idx.length);
                next++;
                return data.batch(idx);
            }
        };
    }

    private static int[] identity(int n) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        return order;
    }

    /**
     * The order in which a shuffling loader with this seed visits {@code n} samples in epoch
     * {@code epoch} (0-based): Fisher–Yates driven by a SplitMix64 stream started at a hash of
     * {@code (seed, epoch)}, each bound drawn without bias (Lemire's method on 32 bits). A pure function,
     * for code that must reproduce a loader's batches elsewhere (e.g. on the shards of a cluster).
     *
     * @param n     the number of samples, at least 1
     * @param seed  the loader's {@link #shuffleSeed()}
     * @param epoch the epoch index, from 0
     * @return a permutation of {@code 0..n-1}
     * @throws IllegalArgumentException if {@code n} is below 1 or {@code epoch} is negative
     */
    public static int[] permutation(int n, long seed, long epoch) {
        if (n < 1) throw new IllegalArgumentException("DataLoader.permutation: n = " + n + " must be at least 1");
        if (epoch < 0) throw new IllegalArgumentException("DataLoader.permutation: epoch " + epoch + " is negative");
        if ((long) n * Integer.BYTES > Runtime.getRuntime().maxMemory()) {
            throw new IllegalArgumentException("DataLoader.permutation: n = " + n + " indices need " + (long) n * Integer.BYTES
                + " bytes, more than this JVM's whole heap (-Xmx " + Runtime.getRuntime().maxMemory() + " bytes)");
        }
        return shuffled(n, seed, epoch);
    }

    private static int[] shuffled(int n, long seed, long e) {
        int[] p = identity(n);
        long state = mix(seed ^ mix(e + 0x632BE59BD9B4E019L));
        for (int i = n - 1; i > 0; i--) {
            long bound = i + 1;
            long m;
            long low;
            do {
                state += 0x9E3779B97F4A7C15L;
                long r = mix(state) >>> 32;            // 32 random bits
                m = r * bound;
                low = m & 0xFFFFFFFFL;
            } while (low < (0x100000000L - bound) % bound);
            int j = (int) (m >>> 32);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    /** SplitMix64's finalizer: a bijective, well-mixed hash of 64 bits. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    @Override
    public String toString() {
        return "DataLoader(n=" + data.size() + ", batchSize=" + batchSize + ", shuffle=" + shuffle
            + ", dropLast=" + dropLast + ", batchesPerEpoch=" + batchesPerEpoch() + ")";
    }

    /** Configures a {@link DataLoader}; {@link #build()} validates the combination. */
    public static final class Builder {
        private final Dataset data;
        private int batchSize = 1;
        private RandomGenerator rng;
        private Long seed;
        private boolean dropLast;
        private DType dtype;

        private Builder(Dataset data) {
            this.data = data;
        }

        /**
         * Samples per batch: 1 for single-sample SGD, {@code n} (or more, up to {@code Integer.MAX_VALUE})
         * for full-batch gradient descent.
         *
         * @throws IllegalArgumentException if {@code batchSize < 1}
         */
        public Builder batchSize(int batchSize) {
            if (batchSize < 1) {
                throw new IllegalArgumentException("DataLoader: batch size " + batchSize
                    + " is invalid; it must be at least 1 (1 = single-sample SGD, n = full-batch gradient descent)");
            }
            this.batchSize = batchSize;
            return this;
        }

        /**
         * Reshuffles the samples at the start of every epoch, with a permutation seed drawn once from
         * {@code rng} when {@link #build()} runs; without this call the order is fixed. Pass a seeded
         * generator (e.g. {@code new SplittableRandom(42)}) for reproducible runs.
         */
        public Builder shuffle(RandomGenerator rng) {
            this.rng = Objects.requireNonNull(rng, "DataLoader: shuffle generator is null; omit shuffle() for a fixed order");
            this.seed = null;
            return this;
        }

        /** Reshuffles the samples at the start of every epoch, with the permutations of {@code seed} (see the class comment). */
        public Builder shuffle(long seed) {
            this.seed = seed;
            this.rng = null;
            return this;
        }

        /** Whether to skip the last batch of an epoch when it has fewer than {@code batchSize} samples. */
        public Builder dropLast(boolean dropLast) {
            this.dropLast = dropLast;
            return this;
        }

        /**
         * Batches in {@code dtype}: the data set is converted once, by {@link #build()}
         * ({@link Dataset#to(DType)}), and {@link DataLoader#dataset()} is the converted one. Default:
         * the data set's own dtypes.
         *
         * @throws NullPointerException if {@code dtype} is null
         */
        public Builder dtype(DType dtype) {
            this.dtype = Objects.requireNonNull(dtype, "DataLoader: dtype is null; omit dtype() to keep the data set's");
            return this;
        }

        /**
         * The loader.
         *
         * @throws IllegalArgumentException if dropLast is set and the batch size exceeds the number of
         *     samples (every epoch would be empty)
         */
        public DataLoader build() {
            if (dropLast && batchSize > data.size()) {
                throw new IllegalArgumentException("DataLoader: batch size " + batchSize + " exceeds the " + data.size()
                    + " samples and dropLast is set, so every epoch would be empty; lower the batch size or keep the last batch");
            }
            if (seed != null) return new DataLoader(this, true, seed);
            if (rng != null) return new DataLoader(this, true, rng.nextLong());
            return new DataLoader(this, false, 0);
        }
    }
}

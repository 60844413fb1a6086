package dev.chainrule.nn.data;

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
 * epoch to epoch). Without {@link Builder#shuffle shuffle} the order is fixed: samples {@code 0..n-1}.
 * With it, each {@link #iterator()} call draws a fresh permutation (Fisher–Yates) from the given
 * generator, so a seeded generator makes the whole sequence of epochs reproducible.
 *
 * <pre>{@code
 * DataLoader loader = DataLoader.builder(train).batchSize(32).shuffle(new SplittableRandom(42)).build();
 * for (int epoch = 0; epoch < epochs; epoch++) {
 *     for (Batch b : loader) { ... model.forward(b.x()) ... }
 * }
 * }</pre>
 *
 * <p>Not thread-safe (the generator is shared across epochs); use one loader per thread.
 */
public final class DataLoader implements Iterable<Batch> {

    private final Dataset data;
    private final int batchSize;
    private final RandomGenerator rng;
    private final boolean dropLast;

    private DataLoader(Builder b) {
        this.data = b.data;
        this.batchSize = b.batchSize;
        this.rng = b.rng;
        this.dropLast = b.dropLast;
    }

    /** A builder for a loader over {@code data}: batch size 1, fixed order, last batch kept. */
    public static Builder builder(Dataset data) {
        return new Builder(Objects.requireNonNull(data, "DataLoader: dataset is null"));
    }

    /** Batches per epoch: {@code ceil(n / b)}, or {@code floor(n / b)} with dropLast. */
    public int batchesPerEpoch() {
        int n = data.size();
        return dropLast ? n / batchSize : (n + batchSize - 1) / batchSize;
    }

    public Dataset dataset() {
        return data;
    }

    public int batchSize() {
        return batchSize;
    }

    /** Whether each epoch reshuffles the samples. */
    public boolean isShuffled() {
        return rng != null;
    }

    /** Whether the last, incomplete batch of an epoch is skipped. */
    public boolean isDropLast() {
        return dropLast;
    }

    /**
     * One epoch: the batches in order. With shuffling, every call draws a new permutation, so two
     * calls give two different epochs; batches are gathered lazily as the iterator advances.
     */
    @Override
    public Iterator<Batch> iterator() {
        int n = data.size();
        int[] order;
        if (rng != null) {
            order = Dataset.permutation(n, rng);
        } else {
            order = new int[n];
            for (int i = 0; i < n; i++) order[i] = i;
        }
        int batches = batchesPerEpoch();
        return new Iterator<>() {
            private int next;

            @Override
            public boolean hasNext() {
                return next < batches;
            }

            @Override
            public Batch next() {
                if (next >= batches) throw new NoSuchElementException("DataLoader: epoch has only " + batches + " batches");
                int from = next * batchSize;
                int to = Math.min(n, from + batchSize);
                int[] idx = new int[to - from];
                System.arraycopy(order, from, idx, 0, idx.length);
                next++;
                return data.batch(idx);
            }
        };
    }

    @Override
    public String toString() {
        return "DataLoader(n=" + data.size() + ", batchSize=" + batchSize + ", shuffle=" + isShuffled()
            + ", dropLast=" + dropLast + ", batchesPerEpoch=" + batchesPerEpoch() + ")";
    }

    /** Configures a {@link DataLoader}; {@link #build()} validates the combination. */
    public static final class Builder {
        private final Dataset data;
        private int batchSize = 1;
        private RandomGenerator rng;
        private boolean dropLast;

        private Builder(Dataset data) {
            this.data = data;
        }

        /**
         * Samples per batch: 1 for single-sample SGD, {@code n} (or more) for full-batch gradient descent.
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
         * Reshuffles the samples at the start of every epoch using {@code rng}; without this call the
         * order is fixed. Pass a seeded generator (e.g. {@code new SplittableRandom(42)}) for reproducible runs.
         */
        public Builder shuffle(RandomGenerator rng) {
            this.rng = Objects.requireNonNull(rng, "DataLoader: shuffle generator is null; omit shuffle() for a fixed order");
            return this;
        }

        /** Whether to skip the last batch of an epoch when it has fewer than {@code batchSize} samples. */
        public Builder dropLast(boolean dropLast) {
            this.dropLast = dropLast;
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
            return new DataLoader(this);
        }
    }
}

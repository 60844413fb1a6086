package dev.chainrule.nn;

import dev.chainrule.autograd.Tensor;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Inverted dropout: in training each element is zeroed with probability {@code p} and the
 * survivors are scaled by 1/(1−p), so the expected output equals the input and nothing needs
 * rescaling at test time; in evaluation ({@link #eval()}) it is the identity.
 *
 * <p>Formula (training): {@code y = x ⊙ m / (1−p)}, {@code m ~ Bernoulli(1−p)}. The mask is a
 * constant of the graph: the gradient is {@code dx = dy ⊙ m / (1−p)}. Shape: any, unchanged; the
 * first dimension of an input of rank 2 or more indexes samples (a rank-0 or rank-1 input is one sample).
 *
 * <p>Masks are counter-based rather than drawn from a stateful generator: the mask bit of element
 * {@code j} of a sample is a pure function of {@code (seed, step, sampleKey, j)} (a SplitMix64 hash).
 * By default {@code step} is the number of training-mode calls this module has made so far and the
 * sample key is the row's index in the batch, so a fixed seed reproduces every mask and a fresh mask
 * is drawn on every call. Two consequences:
 * <ul>
 *   <li>The whole random state is one number, {@link #calls()}: restoring it with
 *       {@link #setCalls(long)} (crash-safe training) continues the exact mask sequence.</li>
 *   <li>A training loop that splits one mini-batch into shards (data-parallel training) can key each
 *       row by its position in the full batch with {@link #keys(long, long...)}; every shard then gets
 *       the masks the unsplit batch would have had, however the batch is partitioned.</li>
 * </ul>
 *
 * <p>Use it between hidden layers of a large network to reduce co-adaptation (a regularizer);
 * remember {@code model.eval()} before measuring accuracy.
 */
public final class Dropout extends Module {

    private final double p;
    private final long seed;
    private long calls;

    /**
     * Dropout with an unpredictable seed; use {@link #Dropout(double, RandomGenerator)} or
     * {@link #Dropout(double, long)} for reproducible runs.
     *
     * @param p the probability of zeroing an element, in [0, 1)
     * @throws IllegalArgumentException if {@code p} is not in [0, 1)
     */
    public Dropout(double p) {
        this(p, new java.util.SplittableRandom().nextLong());
    }

    /**
     * Dropout whose seed is drawn once from {@code rng} (so that a model built from one seeded
     * generator is reproducible).
     *
     * @param p   the probability of zeroing an element, in [0, 1)
     * @param rng the source of this module's seed
     * @throws IllegalArgumentException if {@code p} is not in [0, 1)
     * @throws NullPointerException     if {@code rng} is null
     */
    public Dropout(double p, RandomGenerator rng) {
        this(checkP(p), checkRng(rng).nextLong());
    }

    /**
     * Dropout with the given mask seed.
     *
     * @param p    the probability of zeroing an element, in [0, 1)
     * @param seed the seed of the mask hash
     * @throws IllegalArgumentException if {@code p} is not in [0, 1)
     */
    public Dropout(double p, long seed) {
        this.p = checkP(p);
        this.seed = seed;
    }

    private static double checkP(double p) {
        if (!(p >= 0 && p < 1)) {
            throw new IllegalArgumentException("Dropout: p=" + p + " must be in [0, 1) (the probability of zeroing an element)");
        }
        return p;
    }

    private static RandomGenerator checkRng(RandomGenerator rng) {
        java.util.Objects.requireNonNull(rng, "Dropout: random generator is null; pass e.g. new SplittableRandom(seed)");
        return rng;
    }

    @Override
    public Tensor forward(Tensor x) {
        Objects.requireNonNull(x, "Dropout.forward: input is null");
        if (!isTraining() || p == 0) return x;
        Keys k = KEYS.get();
        long step = k != null ? k.step : calls;
        calls++;
        int rows = x.rank() >= 2 ? x.shape()[0] : 1;
        if (k != null && k.sampleKeys.length != rows) {
            throw new IllegalArgumentException("Dropout: " + k.sampleKeys.length + " sample keys were set (Dropout.keys) but the input "
                + dev.chainrule.autograd.Shape.toString(x.shape()) + " has " + rows + " samples; pass one key per row");
        }
        double keep = 1 - p;
        double scale = 1 / keep;
        int perRow = x.size() / rows;
        double[] mask = new double[x.size()];
        long base = mix(seed ^ mix(step + 0x632BE59BD9B4E019L));
        for (int r = 0; r < rows; r++) {
            long rowKey = mix(base ^ mix((k != null ? k.sampleKeys[r] : r) + 0x9E3779B97F4A7C15L));
            for (int j = 0; j < perRow; j++) {
                double u = (mix(rowKey + j * 0x9E3779B97F4A7C15L) >>> 11) * 0x1.0p-53;
                mask[r * perRow + j] = u < keep ? scale : 0.0;
            }
        }
        return x.mul(Tensor.of(mask, x.dtype(), x.shape()));                 // the mask in the input's dtype: no promotion
    }

    /** SplitMix64's finalizer: a bijective, well-mixed hash of 64 bits. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** The drop probability. */
    public double p() {
        return p;
    }

    /** The seed of the mask hash. */
    public long seed() {
        return seed;
    }

    /** How many training-mode calls this module has made: its whole random state (the default step key). */
    public long calls() {
        return calls;
    }

    /**
     * Restores the call counter (e.g. from a training checkpoint), so that the next call draws the
     * mask an uninterrupted run would have drawn.
     *
     * @throws IllegalArgumentException if {@code calls} is negative
     */
    public void setCalls(long calls) {
        if (calls < 0) throw new IllegalArgumentException("Dropout.setCalls: " + calls + " is negative");
        this.calls = calls;
    }

    private static final ThreadLocal<Keys> KEYS = new ThreadLocal<>();

    /**
     * Keys the masks of every {@code Dropout} on this thread, until the returned scope closes: row
     * {@code r} of each input gets the mask of sample {@code sampleKeys[r]} at step {@code step}
     * (instead of its index in the batch at the module's own call count). The call counters still
     * advance. Scopes nest; closing one restores the enclosing one.
     * <pre>{@code
     * try (var k = Dropout.keys(step, globalRowIndices)) { loss = lossFn.apply(model.forward(shard), y); }
     * }</pre>
     *
     * @param step       the step key shared by all rows (e.g. the global optimizer step)
     * @param sampleKeys one key per row of the inputs (e.g. each row's position in the full mini-batch)
     * @return a scope that restores the previous keys when closed
     */
    public static Keys keys(long step, long... sampleKeys) {
        Objects.requireNonNull(sampleKeys, "Dropout.keys: sampleKeys is null");
        Keys k = new Keys(step, sampleKeys.clone(), KEYS.get());
        KEYS.set(k);
        return k;
    }

    /** A scope of explicit mask keys, see {@link #keys(long, long...)}. */
    public static final class Keys implements AutoCloseable {
        private final long step;
        private final long[] sampleKeys;
        private final Keys previous;
        private boolean closed;

        private Keys(long step, long[] sampleKeys, Keys previous) {
            this.step = step;
            this.sampleKeys = sampleKeys;
            this.previous = previous;
        }

        /** Restores the keys that were in effect when this scope was opened. */
        @Override
        public void close() {
            if (closed) return;
            closed = true;
            KEYS.set(previous);
        }
    }

    @Override
    protected String extraRepr() {
        return "p=" + p;
    }
}

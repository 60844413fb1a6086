package dev.chainrule.nn;

import dev.chainrule.autograd.Tensor;
import java.util.random.RandomGenerator;

/**
 * Inverted dropout: in training each element is zeroed with probability {@code p} and the
 * survivors are scaled by 1/(1−p), so the expected output equals the input and nothing needs
 * rescaling at test time; in evaluation ({@link #eval()}) it is the identity.
 *
 * <p>Formula (training): {@code y = x ⊙ m / (1−p)}, {@code m_i ~ Bernoulli(1−p)} drawn fresh on every
 * call from the generator given at construction (so a fixed seed reproduces the masks). The mask is
 * a constant of the graph: the gradient is {@code dx = dy ⊙ m / (1−p)}. Shape: any, unchanged.
 *
 * <p>Use it between hidden layers of a large network to reduce co-adaptation (a regularizer);
 * remember {@code model.eval()} before measuring accuracy.
 */
public final class Dropout extends Module {

    private final double p;
    private final RandomGenerator rng;

    /**
     * Dropout whose masks come from a generator seeded unpredictably (a new
     * {@link java.util.SplittableRandom}); use {@link #Dropout(double, RandomGenerator)} for
     * reproducible runs.
     *
     * @param p the probability of zeroing an element, in [0, 1)
     * @throws IllegalArgumentException if {@code p} is not in [0, 1)
     */
    public Dropout(double p) {
        this(p, new java.util.SplittableRandom());
    }

    /**
     * Dropout with masks drawn from {@code rng}.
     *
     * @param p   the probability of zeroing an element, in [0, 1)
     * @param rng the source of the masks
     * @throws IllegalArgumentException if {@code p} is not in [0, 1) or {@code rng} is null
     */
    public Dropout(double p, RandomGenerator rng) {
        if (!(p >= 0 && p < 1)) {
            throw new IllegalArgumentException("Dropout: p=" + p + " must be in [0, 1) (the probability of zeroing an element)");
        }
        if (rng == null) throw new IllegalArgumentException("Dropout: random generator is null; pass e.g. new SplittableRandom(seed)");
        this.p = p;
        this.rng = rng;
    }

    @Override
    public Tensor forward(Tensor x) {
        if (!isTraining() || p == 0) return x;
        double keep = 1 - p;
        double scale = 1 / keep;
        double[] mask = new double[x.size()];
        for (int i = 0; i < mask.length; i++) mask[i] = rng.nextDouble() < keep ? scale : 0.0;
        return x.mul(Tensor.of(mask, x.shape()));
    }

    /** The drop probability. */
    public double p() {
        return p;
    }

    @Override
    protected String extraRepr() {
        return "p=" + p;
    }
}

package dev.chainrule.nn;

import dev.chainrule.autograd.Shape;
import dev.chainrule.autograd.Tensor;
import dev.chainrule.nn.init.Initializer;
import java.util.random.RandomGenerator;

/**
 * Rosenblatt's perceptron: one linear unit with a hard-threshold output, a binary classifier
 * predicting {@code sign(w·x + b)} with labels y ∈ {−1, +1}.
 *
 * <p>Design: {@link #forward(Tensor)} returns the raw score {@code s = w·x + b} (differentiable),
 * and {@link #predict(Tensor)} the label. The threshold itself has derivative 0 everywhere, so the
 * unit is trained through the <em>perceptron criterion</em>
 * {@link dev.chainrule.nn.loss.PerceptronLoss}, {@code max(0, −y·s)}, applied to the score: its
 * gradient is {@code −y·x} (and {@code −y} for b) on a misclassified point and 0 on a correct one,
 * so one SGD step with learning rate α on one point is exactly the classic perceptron learning rule
 * <pre>{@code w ← w + α·y·x,  b ← b + α·y   (only when y·(w·x + b) ≤ 0)}</pre>
 * If the data are linearly separable the rule converges (Novikoff); otherwise it never settles. It
 * cannot learn XOR.
 *
 * <p>Shapes: input {@code [N, in]} gives scores and labels {@code [N]}; a single sample
 * {@code [in]} gives a scalar. Parameters: {@code weight [in]} and {@code bias []} (a scalar).
 *
 * <pre>{@code
 * var p = new Perceptron(2);
 * var loss = new PerceptronLoss(Reduction.SUM);
 * loss.apply(p.forward(x), y).backward();   // then an Sgd step
 * Tensor labels = p.predict(x);             // ±1
 * }</pre>
 */
public final class Perceptron extends Module {

    private final int in;
    private final Tensor weight;
    private final Tensor bias;

    /**
     * A perceptron starting from w = 0, b = 0, as in Rosenblatt's algorithm.
     *
     * @throws IllegalArgumentException if {@code in} is below 1
     */
    public Perceptron(int in) {
        this(in, Tensor.zeros(checkIn(in)));
    }

    /**
     * A perceptron with weights drawn by {@code weightInit} (fan-in {@code in}, fan-out 1) and b = 0.
     *
     * @throws IllegalArgumentException if {@code in} is below 1
     * @throws NullPointerException     if an argument is null
     */
    public Perceptron(int in, Initializer weightInit, RandomGenerator rng) {
        this(in, initWeight(in, weightInit, rng));
    }

    private Perceptron(int in, Tensor w) {
        this.in = in;
        this.weight = registerParameter("weight", w);
        this.bias = registerParameter("bias", Tensor.scalar(0));
    }

    private static int checkIn(int in) {
        if (in < 1) throw new IllegalArgumentException("Perceptron: in=" + in + " must be at least 1");
        return in;
    }

    private static Tensor initWeight(int in, Initializer init, RandomGenerator rng) {
        checkIn(in);
        java.util.Objects.requireNonNull(init, "Perceptron: weight initializer is null");
        java.util.Objects.requireNonNull(rng, "Perceptron: random generator is null; pass e.g. new SplittableRandom(seed)");
        Tensor w = init.init(new int[] {in}, in, 1, rng);
        if (w == null || w.rank() != 1 || w.size() != in) {
            throw new IllegalArgumentException("Perceptron: initializer " + init + " did not return shape [" + in + "]");
        }
        return w.isLeaf() ? w : w.detach();
    }

    /**
     * The raw score {@code s = w·x + b} (positive means class +1), differentiable in w and b.
     *
     * @param x {@code [N, in]} or one sample {@code [in]}
     * @return {@code [N]}, or a scalar for one sample
     * @throws IllegalArgumentException if the last dimension of {@code x} is not {@code in} or its rank is not 1 or 2
     */
    @Override
    public Tensor forward(Tensor x) {
        java.util.Objects.requireNonNull(x, "Perceptron.forward: x is null");
        int[] s = x.shape();
        if (s.length < 1 || s.length > 2 || s[s.length - 1] != in) {
            throw new IllegalArgumentException("Perceptron(in=" + in + "): input shape " + Shape.toString(s)
                + " must be [N, " + in + "] or [" + in + "]");
        }
        return x.matmul(weight).add(bias);
    }

    /**
     * The predicted labels {@code +1} where {@code w·x + b > 0} and {@code −1} elsewhere (a score of
     * exactly 0 lies on the decision boundary; it is reported as −1, and the perceptron criterion
     * treats it as a mistake for either label). No graph is recorded.
     *
     * @throws IllegalArgumentException as {@link #forward(Tensor)}
     */
    public Tensor predict(Tensor x) {
        java.util.Objects.requireNonNull(x, "Perceptron.predict: x is null");
        return predictStep(x).mul(2).sub(1);
    }

    /**
     * The predicted labels in {0, 1} form: {@code step(w·x + b)}, 1 where the score is positive.
     * No graph is recorded.
     *
     * @throws IllegalArgumentException as {@link #forward(Tensor)}
     */
    public Tensor predictStep(Tensor x) {
        java.util.Objects.requireNonNull(x, "Perceptron.predictStep: x is null");
        return forward(x).step().detach();
    }

    /** The weight vector {@code [in]}. */
    public Tensor weight() {
        return weight;
    }

    /** The bias, a scalar tensor. */
    public Tensor bias() {
        return bias;
    }

    /** The input width {@code in}. */
    public int inFeatures() {
        return in;
    }

    @Override
    protected String extraRepr() {
        return "in=" + in;
    }
}

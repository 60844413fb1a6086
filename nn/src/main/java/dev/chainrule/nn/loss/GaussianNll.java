package dev.chainrule.nn.loss;

import dev.chainrule.autograd.Shape;
import dev.chainrule.autograd.Tensor;
import java.util.Arrays;

/**
 * The negative log-likelihood of a <b>Gaussian</b> y ~ N(ŷ, σ²) with a standard deviation that may
 * differ per sample: a sample with large σ_i counts less (heteroscedastic regression). For a
 * fixed σ it is {@link MeanSquaredError} scaled by 1/(2σ²) plus a constant.
 *
 * <p>Formula, elementwise (as PyTorch's {@code GaussianNLLLoss} with σ² as its variance):
 * <pre>{@code  l_ij = (ŷ_ij − y_ij)² / (2 σ_i²) + log σ_i  [+ ½ log 2π  if full]}</pre>
 * so that summed over the D elements of a row, Σ_i ‖ŷ_i − y_i‖²/(2σ_i²) + D log σ_i (+const), the
 * formula of the notes; then the {@link Reduction} over all elements (default MEAN).
 *
 * <p>σ is fixed at construction, or given per call with {@link #apply(Tensor, Tensor, Tensor)} as a
 * tensor of shape {@code [N]} (one σ per sample, i.e. per row) or any shape that broadcasts to the
 * prediction's. That tensor may require grad (a network predicting its own uncertainty): the
 * {@code log σ} term keeps σ from growing without bound.
 */
public final class GaussianNll implements Loss {

    private static final double HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

    private final double sigma;
    private final Reduction reduction;
    private final boolean full;

    /**
     * A fixed standard deviation, MEAN reduction, constant omitted.
     *
     * @throws IllegalArgumentException if {@code sigma} is not positive and finite
     */
    public GaussianNll(double sigma) {
        this(sigma, Reduction.MEAN, false);
    }

    /**
     * @param sigma     the default standard deviation, used by {@link #apply(Tensor, Tensor)}
     * @param reduction how elements are combined
     * @param full      whether to add the constant ½ log 2π per element (the exact NLL)
     * @throws IllegalArgumentException if {@code sigma} is not positive and finite, or reduction is null
     */
    public GaussianNll(double sigma, Reduction reduction, boolean full) {
        if (!(sigma > 0) || !Double.isFinite(sigma)) {
            throw new IllegalArgumentException("GaussianNll: sigma " + sigma + " must be positive and finite");
        }
        this.sigma = sigma;
        this.reduction = Reduction.checked("GaussianNll", reduction);
        this.full = full;
    }

    /** With the fixed σ given at construction. @throws IllegalArgumentException if the shapes differ */
    @Override
    public Tensor apply(Tensor prediction, Tensor target) {
        LossSupport.sameShape("GaussianNll", prediction, target);
        Tensor terms = prediction.sub(LossSupport.like(target, prediction)).square().div(2 * sigma * sigma).add(Math.log(sigma) + (full ? HALF_LOG_2PI : 0));
        return reduction.reduce(terms);
    }

    /**
     * With a standard deviation per sample (or per element).
     *
     * @param sigma {@code [N]} for prediction {@code [N, ...]}, or a shape that broadcasts to the
     *              prediction's; every value positive
     * @throws IllegalArgumentException if prediction and target differ in shape, sigma does not fit
     *                                  the prediction, or a sigma is not positive
     */
    public Tensor apply(Tensor prediction, Tensor target, Tensor sigma) {
        LossSupport.sameShape("GaussianNll", prediction, target);
        java.util.Objects.requireNonNull(sigma, "GaussianNll: sigma is null");
        int[] p = prediction.shape();
        Tensor s = sigma;
        int[] ss = sigma.shape();
        if (ss.length == 1 && p.length > 1 && ss[0] == p[0]) {
            int[] col = new int[p.length];
            Arrays.fill(col, 1);
            col[0] = p[0];
            s = sigma.reshape(col);
        } else {
            int[] b;
            try {
                b = Shape.broadcast(ss, p);
            } catch (IllegalArgumentException e) {
                b = null;
            }
            if (b == null || !Arrays.equals(b, p)) {
                throw new IllegalArgumentException("GaussianNll: sigma " + Shape.toString(ss) + " does not fit prediction "
                    + Shape.toString(p) + "; give one sigma per sample ([" + (p.length > 0 ? p[0] : 1)
                    + "]) or a shape that broadcasts to the prediction's");
            }
        }
        LossSupport.valuesIn("GaussianNll", "sigma", sigma, Double.MIN_NORMAL, Double.MAX_VALUE, "; standard deviations must be positive and finite");
        s = LossSupport.like(s, prediction);
        Tensor terms = prediction.sub(LossSupport.like(target, prediction)).square().div(s.square().mul(2)).add(s.log());
        if (full) terms = terms.add(HALF_LOG_2PI);
        return reduction.reduce(terms);
    }

    /** The fixed standard deviation used by {@link #apply(Tensor, Tensor)}. */
    public double sigma() {
        return sigma;
    }

    /** How the terms are combined. */
    public Reduction reduction() {
        return reduction;
    }

    @Override
    public String toString() {
        return "GaussianNll(sigma=" + sigma + ", " + reduction + (full ? ", full" : "") + ")";
    }
}

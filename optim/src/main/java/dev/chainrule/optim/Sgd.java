package dev.chainrule.optim;

import dev.chainrule.autograd.Tensor;
import dev.chainrule.nn.Module;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Stochastic gradient descent, optionally with momentum (heavy-ball or Nesterov) and L2 weight decay:
 * the mini-batch form of w<sub>k+1</sub> = w<sub>k</sub> − α<sub>k</sub> ∇L(w<sub>k</sub>).
 *
 * <p>When to use: the baseline for everything; with momentum 0.9 and a decaying schedule it is still
 * the method of choice for many convex problems and large vision models. Plain SGD with
 * {@link HyperbolicDecay} (α<sub>k</sub> = C/k) is the classic convergent stochastic approximation.
 *
 * <p>Update for each parameter p with gradient g, as {@code torch.optim.SGD} (λ = weight decay,
 * μ = momentum, τ = dampening, b the momentum buffer):
 * <pre>
 *   g ← g + λ p                               (if λ ≠ 0)
 *   b ← g                                     (first step of p, if μ ≠ 0)
 *   b ← μ b + (1 − τ) g                       (later steps, if μ ≠ 0)
 *   g ← g + μ b   (Nesterov)   or   g ← b      (if μ ≠ 0)
 *   p ← p − lr · g
 * </pre>
 * Reference: Sutskever et al., "On the importance of initialization and momentum in deep learning", 2013.
 *
 * <pre>{@code Sgd opt = Sgd.builder(model).lr(0.1).momentum(0.9).nesterov(true).weightDecay(1e-4).build();}</pre>
 */
public final class Sgd extends Optimizer {

    private final double momentum;
    private final double dampening;
    private final boolean nesterov;
    private final double weightDecay;

    private Sgd(Builder b) {
        super(b.parameters, b.lr);
        this.momentum = b.momentum;
        this.dampening = b.dampening;
        this.nesterov = b.nesterov;
        this.weightDecay = b.weightDecay;
    }

    /** A builder over {@code parameters}, with PyTorch's defaults (lr 0.001, no momentum, no weight decay). */
    public static Builder builder(Iterable<Tensor> parameters) {
        return new Builder(Objects.requireNonNull(parameters, "Sgd.builder: parameters is null"));
    }

    /** A builder over every parameter of {@code model}. */
    public static Builder builder(Module model) {
        return new Builder(Objects.requireNonNull(model, "Sgd.builder: model is null").parameters());
    }

    /**
     * The update in place: {@code b.mul_(μ).add_(g, 1 − τ)} for the buffer, then {@code p.add_(b, −lr)}
     * or, with Nesterov, {@code p.add_(g, −lr).add_(b, −lr·μ)}. Allocates nothing unless the weight
     * decay is on (then one temporary g + λp, as PyTorch).
     */
    @Override
    protected void update(int index, int t, Tensor p, Tensor grad) {
        double lr = learningRate();
        Tensor g = weightDecay != 0 ? withWeightDecay(grad, p, weightDecay) : grad;
        if (momentum == 0) {
            p.addInPlace(g, -lr);
            return;
        }
        Tensor b = state(index, MOMENTUM_BUFFER);
        if (b == null) {
            b = initState(index, MOMENTUM_BUFFER, g == grad ? grad.detach() : g);
        } else {
            b.mulInPlace(momentum).addInPlace(g, 1 - dampening);
        }
        if (nesterov) {
            p.addInPlace(g, -lr).addInPlace(b, -lr * momentum);
        } else {
            p.addInPlace(b, -lr);
        }
    }

    private static final String MOMENTUM_BUFFER = "momentum_buffer";

    @Override
    protected List<String> stateNames() {
        return momentum == 0 ? List.of() : List.of(MOMENTUM_BUFFER);
    }

    @Override
    protected Map<String, String> hyperparameters() {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("momentum", Double.toString(momentum));
        h.put("dampening", Double.toString(dampening));
        h.put("nesterov", Boolean.toString(nesterov));
        h.put("weight_decay", Double.toString(weightDecay));
        return h;
    }

    public double momentum() {
        return momentum;
    }

    public double dampening() {
        return dampening;
    }

    public boolean nesterov() {
        return nesterov;
    }

    public double weightDecay() {
        return weightDecay;
    }

    @Override
    protected String describe() {
        return "lr=" + learningRate() + ", momentum=" + momentum + ", dampening=" + dampening + ", nesterov=" + nesterov
            + ", weightDecay=" + weightDecay;
    }

    /** Collects the hyperparameters; {@link #build()} validates them. */
    public static final class Builder {
        private final Iterable<Tensor> parameters;
        private double lr = 1e-3;
        private double momentum;
        private double dampening;
        private boolean nesterov;
        private double weightDecay;

        private Builder(Iterable<Tensor> parameters) {
            this.parameters = parameters;
        }

        /** Learning rate (step size) α &gt; 0; default 0.001. */
        public Builder lr(double lr) {
            this.lr = lr;
            return this;
        }

        /** Momentum μ in [0, 1); default 0 (plain SGD). */
        public Builder momentum(double momentum) {
            this.momentum = momentum;
            return this;
        }

        /** Dampening τ in [0, 1] of the gradient added to the momentum buffer; default 0. */
        public Builder dampening(double dampening) {
            this.dampening = dampening;
            return this;
        }

        /** Nesterov momentum (needs momentum &gt; 0 and dampening 0); default false. */
        public Builder nesterov(boolean nesterov) {
            this.nesterov = nesterov;
            return this;
        }

        /** L2 penalty coefficient λ ≥ 0 added to the gradient as λp; default 0. */
        public Builder weightDecay(double weightDecay) {
            this.weightDecay = weightDecay;
            return this;
        }

        /**
         * @throws IllegalArgumentException if lr is not positive and finite, momentum is outside [0, 1),
         *         dampening outside [0, 1], weight decay negative or not finite, Nesterov is asked
         *         without momentum or with dampening, or the parameter list is empty or invalid
         */
        public Sgd build() {
            Checks.positive("Sgd", "lr", lr);
            Checks.unitInterval("Sgd", "momentum", momentum);
            if (!(dampening >= 0 && dampening <= 1)) {
                throw new IllegalArgumentException("Sgd: dampening must be in [0, 1], got " + dampening);
            }
            Checks.nonNegative("Sgd", "weightDecay", weightDecay);
            if (nesterov && (momentum == 0 || dampening != 0)) {
                throw new IllegalArgumentException("Sgd: nesterov requires momentum > 0 and dampening = 0, got momentum "
                    + momentum + " and dampening " + dampening + "; set momentum(0.9) or turn nesterov off");
            }
            return new Sgd(this);
        }
    }
}

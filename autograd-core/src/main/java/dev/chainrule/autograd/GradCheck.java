package dev.chainrule.autograd;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * Finite-difference gradient checker for any function of tensors, the way PyTorch's
 * {@code gradcheck} works: every input element is perturbed by ±eps, the central difference
 * (f(x+eps) − f(x−eps)) / 2eps gives a column of the numeric Jacobian, and backward (one pass per
 * output element) gives the analytic Jacobian. They agree when every entry satisfies
 * |analytic − numeric| ≤ atol + rtol·|numeric|. Defaults: eps 1e-6, atol 1e-5, rtol 1e-3 (double).
 *
 * <p>The check always runs in FLOAT64: {@code f} receives FLOAT64 copies of the inputs whatever
 * their dtype (a step of 1e-6 is below float32's resolution). Tensors that {@code f} captures keep
 * their own dtype; to check a FLOAT32 model, check a FLOAT64 copy of it ({@code Module.to}).
 *
 * <pre>{@code
 * GradCheck.Result r = GradCheck.check(x -> x[0].tanh().mul(x[1]).sum(), a, b);
 * if (!r.passed()) System.err.println(r);
 * }</pre>
 */
public final class GradCheck {
    private GradCheck() {}

    public static final double EPS = 1e-6;
    public static final double ATOL = 1e-5;
    public static final double RTOL = 1e-3;

    /**
     * The outcome of a check. {@code input}, {@code element} and {@code outputElement} locate the
     * worst Jacobian entry (the one furthest outside, or closest to, the tolerance), with its
     * {@code analytic} and {@code numeric} values; {@code maxAbsError} is the largest absolute
     * difference over all entries and {@code entries} how many were compared.
     */
    public record Result(boolean passed, int input, int element, int outputElement,
                         double analytic, double numeric, double maxAbsError, int entries) {

        /** Throws an {@link AssertionError} with {@link #toString()} unless the check passed. */
        public Result assertPassed() {
            if (!passed) throw new AssertionError(toString());
            return this;
        }

        @Override
        public String toString() {
            return String.format(java.util.Locale.ROOT,
                "GradCheck %s: %d Jacobian entries; worst at input %d, element %d, output element %d: "
                    + "analytic %.10g vs numeric %.10g (max |error| %.3g)",
                passed ? "passed" : "FAILED", entries, input, element, outputElement, analytic, numeric, maxAbsError);
        }
    }

    /** Checks first derivatives with the default tolerances. Inputs are copied, never changed. */
    public static Result check(Function<Tensor[], Tensor> f, Tensor... inputs) {
        return check(f, EPS, ATOL, RTOL, inputs);
    }

    /** Checks first derivatives with the given step and tolerances. */
    public static Result check(Function<Tensor[], Tensor> f, double eps, double atol, double rtol, Tensor... inputs) {
        Checks.nonNull("GradCheck.check", "f", f);
        if (Checks.nonNullElements("GradCheck.check", "input", inputs).length == 0) {
            throw new IllegalArgumentException("GradCheck.check: no inputs to check");
        }
        if (!(eps > 0) || eps == Double.POSITIVE_INFINITY || !(atol >= 0) || !(rtol >= 0)) {
            throw new IllegalArgumentException("GradCheck.check: eps must be > 0 and finite, tolerances >= 0, got eps " + eps
                + ", atol " + atol + ", rtol " + rtol);
        }
        Tensor[] xs = leaves(inputs, -1, -1, 0);
        Tensor out = evaluate("GradCheck.check", f, xs, null);
        int m = out.size();
        // analytic[j][i] = d out_j / d (flattened input element i)
        long count = 0;
        for (Tensor t : inputs) count += t.size();
        Checks.elements("GradCheck.check", Checks.product(2 * m, count), null);    // the analytic and the numeric Jacobian
        int total = (int) count;
        double[][] analytic = new double[m][total];
        if (out.isGradRequired()) {
            for (int j = 0; j < m; j++) {
                double[] seed = new double[m];
                seed[j] = 1;
                List<Tensor> gs = Autograd.grad(out, Arrays.asList(xs), new Tensor(seed, out.shape), j < m - 1, false);
                int col = 0;
                for (Tensor g : gs) {
                    System.arraycopy(g.d(), 0, analytic[j], col, g.size());
                    col += g.size();
                }
            }
        }
        Result worst = null;
        double worstExcess = Double.NEGATIVE_INFINITY, maxAbs = 0;
        boolean passed = true;
        int col = 0;
        for (int i = 0; i < inputs.length; i++) {
            for (int e = 0; e < inputs[i].size(); e++, col++) {
                double[] plus = evaluate("GradCheck.check", f, leaves(inputs, i, e, eps), out).d();
                double[] minus = evaluate("GradCheck.check", f, leaves(inputs, i, e, -eps), out).d();
                for (int j = 0; j < m; j++) {
                    double numeric = (plus[j] - minus[j]) / (2 * eps);
                    double a = analytic[j][col];
                    double abs = Math.abs(a - numeric);
                    double excess = abs - (atol + rtol * Math.abs(numeric));
                    boolean ok = excess <= 0 || a == numeric;
                    if (!ok) passed = false;
                    if (!Double.isNaN(abs)) maxAbs = Math.max(maxAbs, abs);
                    if (Double.isNaN(excess)) excess = Double.POSITIVE_INFINITY;
                    if (worst == null || excess > worstExcess) {
                        worstExcess = excess;
                        worst = new Result(false, i, e, j, a, numeric, 0, 0);
                    }
                }
            }
        }
        return new Result(passed, worst.input(), worst.element(), worst.outputElement(), worst.analytic(), worst.numeric(),
            maxAbs, m * total);
    }

    /**
     * Checks second derivatives: the gradient of {@code h(x) = Σ_k ⟨∂(r·f(x))/∂x_k, w_k⟩} for fixed
     * random {@code r} and {@code w_k} — a Hessian-vector product built with
     * {@code Autograd.grad(..., createGraph = true)} — against finite differences of h.
     */
    public static Result checkSecondOrder(Function<Tensor[], Tensor> f, Tensor... inputs) {
        Checks.nonNull("GradCheck.checkSecondOrder", "f", f);
        if (Checks.nonNullElements("GradCheck.checkSecondOrder", "input", inputs).length == 0) {
            throw new IllegalArgumentException("GradCheck.checkSecondOrder: no inputs to check");
        }
        SplittableRandom rng = new SplittableRandom(0x5eed);
        Tensor probe = evaluate("GradCheck.checkSecondOrder", f, leaves(inputs, -1, -1, 0), null);
        Tensor r = random(rng, probe.shape);
        List<Tensor> w = new ArrayList<>();
        for (Tensor t : inputs) w.add(random(rng, t.shape));
        Function<Tensor[], Tensor> h = xs -> {
            Tensor scalar = evaluate("GradCheck.checkSecondOrder", f, xs, probe).mul(r).sum();
            Tensor acc = Tensor.scalar(0);
            if (!scalar.isGradRequired()) return acc;
            List<Tensor> gs = Autograd.grad(scalar, Arrays.asList(xs), true);
            for (int k = 0; k < xs.length; k++) acc = acc.add(gs.get(k).mul(w.get(k)).sum());
            return acc;
        };
        return check(h, inputs);
    }

    /** f(xs), checked: not null, and of the same shape as {@code like} (the first evaluation) when given. */
    private static Tensor evaluate(String op, Function<Tensor[], Tensor> f, Tensor[] xs, Tensor like) {
        Tensor out = f.apply(xs);
        if (out == null) throw new IllegalStateException(op + ": f returned null; it must return a tensor");
        if (like != null && !Arrays.equals(out.shape, like.shape)) {
            throw new IllegalStateException(op + ": f returned shape " + Shape.toString(out.shape) + " for a perturbed input but "
                + Shape.toString(like.shape) + " for the input itself; f must be a deterministic function of its inputs");
        }
        return out;
    }

    private static Tensor random(SplittableRandom rng, int[] shape) {
        double[] d = new double[Shape.size(shape)];
        for (int i = 0; i < d.length; i++) d[i] = rng.nextDouble(-1, 1);
        return new Tensor(d, shape.clone());
    }

    /** Fresh leaves requiring grad, copies of {@code inputs}, with element {@code e} of input {@code i} shifted by {@code delta}. */
    private static Tensor[] leaves(Tensor[] inputs, int i, int e, double delta) {
        Tensor[] xs = new Tensor[inputs.length];
        for (int k = 0; k < inputs.length; k++) {
            double[] d = inputs[k].d().clone();
            if (k == i) d[e] += delta;
            xs[k] = new Tensor(d, inputs[k].shape.clone()).requiresGrad();
        }
        return xs;
    }
}

package dev.chainrule.autograd;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Entry points that are not methods of one tensor: gradients as values ({@link #grad}), the
 * no-grad scope, and anomaly detection. Both modes are per thread.
 */
public final class Autograd {
    private Autograd() {}

    /** A mode change that is undone by {@link #close()}; use with try-with-resources. */
    public static final class Scope implements AutoCloseable {
        private final GradMode.State state;
        private final boolean enabled;
        private final boolean anomaly;
        /** Which mode this scope changed: only that one is restored, so scopes of the other kind stay independent. */
        private final boolean restoresAnomaly;
        private boolean closed;

        private Scope(GradMode.State state, boolean restoresAnomaly) {
            this.state = state;
            this.enabled = state.enabled;
            this.anomaly = state.anomaly;
            this.restoresAnomaly = restoresAnomaly;
        }

        /** Restores the mode this scope changed to what it was when the scope was opened. */
        @Override
        public void close() {
            if (closed) return;
            closed = true;
            if (restoresAnomaly) {
                state.anomaly = anomaly;
            } else {
                state.enabled = enabled;
            }
        }
    }

    /**
     * Turns graph recording off on this thread until the returned scope closes: ops compute values
     * only. In-place updates ({@code addInPlace} and friends) are allowed only inside such a scope.
     * <pre>{@code try (var s = Autograd.noGrad()) { w.addInPlace(w.grad(), -lr); }}</pre>
     */
    public static Scope noGrad() {
        GradMode.State st = GradMode.state();
        Scope scope = new Scope(st, false);
        st.enabled = false;
        return scope;
    }

    /** Turns graph recording back on inside a no-grad region, until the scope closes. */
    public static Scope enableGrad() {
        GradMode.State st = GradMode.state();
        Scope scope = new Scope(st, false);
        st.enabled = true;
        return scope;
    }

    /** Whether ops record the graph on this thread. */
    public static boolean isGradEnabled() {
        return GradMode.enabled();
    }

    /**
     * Turns anomaly detection on or off for this thread; the returned scope restores the previous
     * setting (ignore it to switch for good). While on, the first op whose forward output or
     * backward gradient contains NaN or Inf throws an {@link ArithmeticException} naming the op and
     * the stack frame where the op was created. Recording that frame costs a stack walk per op,
     * so leave it off outside debugging.
     */
    public static Scope detectAnomaly(boolean on) {
        GradMode.State st = GradMode.state();
        Scope scope = new Scope(st, true);
        st.anomaly = on;
        return scope;
    }

    /** Whether anomaly detection is on for this thread. */
    public static boolean isAnomalyEnabled() {
        return GradMode.anomaly();
    }

    /**
     * The gradients of a scalar {@code output} with respect to {@code inputs}, returned as values
     * (no {@code grad()} is changed). Inputs that {@code output} does not depend on get zeros.
     * With {@code createGraph} the backward pass is itself recorded, so the gradients can be
     * differentiated again, and the forward graph is kept; otherwise it is released.
     */
    public static List<Tensor> grad(Tensor output, List<Tensor> inputs, boolean createGraph) {
        if (Checks.nonNull("grad", "output", output).size() != 1) {
            throw new IllegalArgumentException("grad: output of shape " + Shape.toString(output.shape)
                + " is not a scalar; use grad(output, inputs, gradOutput, retainGraph, createGraph) with a seed");
        }
        return grad(output, inputs, null, createGraph, createGraph);
    }

    /**
     * Vector-Jacobian products: {@code gradOutput}ᵀ · d{@code output}/d{@code input} for each input
     * ({@code gradOutput} null means 1 for a one-element output).
     */
    public static List<Tensor> grad(Tensor output, List<Tensor> inputs, Tensor gradOutput, boolean retainGraph, boolean createGraph) {
        Checks.nonNull("grad", "output", output);
        inputs = List.of(Checks.nonNullElements("grad", "input", inputs));
        for (Tensor in : inputs) {
            if (!in.requiresGrad) {
                throw new IllegalArgumentException("grad: an input of shape " + Shape.toString(in.shape)
                    + " does not require grad; mark it with requiresGrad() before building the output");
            }
        }
        Map<Tensor, Tensor> got = Backprop.run(output, gradOutput, retainGraph, createGraph, inputs);
        List<Tensor> out = new ArrayList<>(inputs.size());
        for (Tensor in : inputs) {
            Tensor g = got.get(in);
            out.add(g != null ? g : Tensor.zeros(in.dtype(), in.shape));
        }
        return out;
    }

    // ---------------------------------------------------------------- functional transforms (torch.autograd.functional)
    // Each copies its inputs into fresh leaves, runs f with grad mode on, and returns values without graph.

    /**
     * The Jacobian d f(x) / dx, shaped {@code f(x).shape ++ x.shape} as in PyTorch (a scalar f gives
     * the gradient, shaped like x). One backward pass per output element.
     */
    public static Tensor jacobian(Function<Tensor, Tensor> f, Tensor x) {
        return FunctionalTransforms.jacobian(one("jacobian", f), new Tensor[] {x}).get(0);
    }

    /** The Jacobians d f / d x_i, one per input, shaped {@code f(xs).shape ++ xs[i].shape}. */
    public static List<Tensor> jacobian(Function<Tensor[], Tensor> f, Tensor[] xs) {
        return FunctionalTransforms.jacobian(f, xs);
    }

    /**
     * The Hessian d²f / dx² of a scalar function, shaped {@code x.shape ++ x.shape}: the Jacobian of
     * the gradient (built with createGraph), one backward pass per element of x.
     *
     * @throws IllegalArgumentException if f's output has more than one element
     */
    public static Tensor hessian(Function<Tensor, Tensor> f, Tensor x) {
        return FunctionalTransforms.hessian(one("hessian", f), new Tensor[] {x}).get(0).get(0);
    }

    /** The blocks d²f / dx_i dx_j of a scalar function of several tensors, {@code H.get(i).get(j)} shaped {@code xs[i].shape ++ xs[j].shape}. */
    public static List<List<Tensor>> hessian(Function<Tensor[], Tensor> f, Tensor[] xs) {
        return FunctionalTransforms.hessian(f, xs);
    }

    /**
     * The vector-Jacobian product vᵀ · d f(x) / dx, shaped like x, in one backward pass ({@code v}
     * has f's output shape; null means 1 for a scalar output). PyTorch's {@code vjp} also returns
     * f(x); here call f again if you need it.
     */
    public static Tensor vjp(Function<Tensor, Tensor> f, Tensor x, Tensor v) {
        return FunctionalTransforms.vjp(one("vjp", f), new Tensor[] {x}, v).get(0);
    }

    /** vᵀ · d f / d x_i for each input, shaped like that input. */
    public static List<Tensor> vjp(Function<Tensor[], Tensor> f, Tensor[] xs, Tensor v) {
        return FunctionalTransforms.vjp(f, xs, v);
    }

    /**
     * The Jacobian-vector product (d f(x) / dx) · v, shaped like f's output, by the double-backward
     * trick (two reverse passes; uᵀJ is linear in u, so J·v = d(uᵀJ · v)/du). {@code v} has x's shape.
     */
    public static Tensor jvp(Function<Tensor, Tensor> f, Tensor x, Tensor v) {
        return FunctionalTransforms.jvp(one("jvp", f), new Tensor[] {x}, new Tensor[] {v});
    }

    /** Σ_i (d f / d x_i) · vs[i], shaped like f's output. */
    public static Tensor jvp(Function<Tensor[], Tensor> f, Tensor[] xs, Tensor[] vs) {
        return FunctionalTransforms.jvp(f, xs, vs);
    }

    /**
     * The Hessian-vector product (d²f / dx²) · v of a scalar function, shaped like x, without forming
     * the Hessian: the gradient of ⟨∇f(x), v⟩.
     *
     * @throws IllegalArgumentException if f's output has more than one element or v's shape differs from x's
     */
    public static Tensor hvp(Function<Tensor, Tensor> f, Tensor x, Tensor v) {
        return FunctionalTransforms.hvp(one("hvp", f), new Tensor[] {x}, new Tensor[] {v}).get(0);
    }

    /** Σ_j (d²f / dx_i dx_j) · vs[j] for each input i. */
    public static List<Tensor> hvp(Function<Tensor[], Tensor> f, Tensor[] xs, Tensor[] vs) {
        return FunctionalTransforms.hvp(f, xs, vs);
    }

    private static Function<Tensor[], Tensor> one(String op, Function<Tensor, Tensor> f) {
        Checks.nonNull(op, "f", f);
        return xs -> f.apply(xs[0]);
    }

    /** Where the user created an op: the first frame outside Chainrule and the JDK, then the library frame (see {@link Anomaly#site}). */
    static String callSite() {
        return Anomaly.site();
    }

    /** Chainrule's own op machinery: internal kernels, Tensor, Backprop, Autograd, the {@code *Ops} op families, Linalg and CustomOp. */
    static boolean isOwn(String cls) {
        if (cls.startsWith("dev.chainrule.autograd.internal.")) return true;
        if (!cls.startsWith("dev.chainrule.autograd.")) return false;
        String name = cls.substring("dev.chainrule.autograd.".length());
        int nested = name.indexOf('$');
        if (nested >= 0) name = name.substring(0, nested);
        return name.equals("Tensor") || name.equals("Backprop") || name.equals("Autograd") || name.endsWith("Ops")
            || name.equals("Linalg") || name.equals("CustomOp");
    }
}

package dev.chainrule.autograd;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * The functional transforms behind {@link Autograd#jacobian} and friends (PyTorch's
 * {@code torch.autograd.functional}), for a function of several tensors; the one-tensor forms wrap
 * these. Each call copies the inputs into fresh leaves that require grad, evaluates the function
 * with grad mode on (also inside a no-grad scope), and returns plain values without graph. No
 * {@code grad()} is touched, neither of the inputs nor of tensors the function captures.
 *
 * <p>Reverse mode throughout: the Jacobian takes one backward pass per output element; J·v uses
 * the double-backward trick (the vector-Jacobian product uᵀJ is linear in u, so J·v = d(uᵀJ·v)/du);
 * Hessians differentiate the gradient again (one pass per input element).
 */
final class FunctionalTransforms {
    private FunctionalTransforms() {}

    /** Fresh leaves that require grad, copies of {@code xs}. */
    private static Tensor[] leaves(String op, Function<Tensor[], Tensor> f, Tensor[] xs) {
        Checks.nonNull(op, "f", f);
        Checks.nonNullElements(op, "input", xs);
        if (xs.length == 0) throw new IllegalArgumentException(op + ": no inputs; pass at least one tensor");
        Tensor[] out = new Tensor[xs.length];
        for (int i = 0; i < xs.length; i++) out[i] = xs[i].copyValues().requiresGrad();
        return out;
    }

    private static Tensor call(String op, Function<Tensor[], Tensor> f, Tensor[] xs) {
        Tensor out = f.apply(xs.clone());
        if (out == null) throw new IllegalStateException(op + ": f returned null; it must return a tensor");
        return out;
    }

    private static void scalarOutput(String op, Tensor out) {
        if (out.size() != 1) {
            throw new IllegalArgumentException(op + ": f returned shape " + Shape.toString(out.shape)
                + "; " + op + " needs a function with one output element (a scalar, e.g. a loss)");
        }
    }

    private static void sameShapes(String op, String what, Tensor[] vs, Tensor[] xs) {
        Checks.nonNullElements(op, what, vs);
        if (vs.length != xs.length) {
            throw new IllegalArgumentException(op + ": " + vs.length + " tangent" + (vs.length == 1 ? "" : "s") + " for "
                + xs.length + " input" + (xs.length == 1 ? "" : "s") + "; pass one per input");
        }
        for (int i = 0; i < vs.length; i++) {
            if (!Arrays.equals(vs[i].shape, xs[i].shape)) {
                throw new IllegalArgumentException(op + ": " + what + " " + i + " has shape "
                    + Shape.toString(vs[i].shape) + " but input " + i + " has shape "
                    + Shape.toString(xs[i].shape) + "; they must match");
            }
        }
    }

    /**
     * Checks that the dense blocks {@code m × x_i.size()} of a Jacobian fit: each in one tensor, all of
     * them in the heap, before the passes that fill them start.
     */
    private static void dense(String op, long m, Tensor[] xs) {
        long total = 0;
        for (Tensor x : xs) {
            long block = Checks.product(m, x.size());
            if (block > dev.chainrule.autograd.internal.Kernels.MAX_ELEMENTS) {
                throw new IllegalArgumentException(op + ": the result for an input of shape " + Shape.toString(x.shape) + " has " + m
                    + " x " + x.size() + " = " + block + " elements, more than one tensor holds; use vjp/jvp/hvp (products "
                    + "with a vector) instead of the dense matrix");
            }
            total += block;
        }
        Checks.elements(op, total, null);
    }

    private static int[] concat(int[] a, int[] b) {
        int[] s = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, s, a.length, b.length);
        return s;
    }

    private static List<Tensor> zerosLike(Tensor[] xs) {
        List<Tensor> out = new ArrayList<>();
        for (Tensor x : xs) out.add(Tensor.zeros(x.dtype(), x.shape));
        return out;
    }

    /** d out / d x_i, shaped {@code out.shape ++ x_i.shape}: one backward pass per output element. */
    static List<Tensor> jacobian(Function<Tensor[], Tensor> f, Tensor[] inputs) {
        try (var s = Autograd.enableGrad()) {
            Tensor[] xs = leaves("jacobian", f, inputs);
            Tensor out = call("jacobian", f, xs);
            return rows("jacobian", out, xs);
        }
    }

    /** Row j of each Jacobian is the gradient of out_j; all zeros when out does not depend on the inputs. */
    private static List<Tensor> rows(String op, Tensor out, Tensor[] xs) {
        int m = out.size();
        dense(op, m, xs);
        double[][] data = new double[xs.length][];
        for (int i = 0; i < xs.length; i++) data[i] = new double[m * xs[i].size()];
        if (out.isGradRequired()) {
            for (int j = 0; j < m; j++) {
                double[] seed = new double[m];
                seed[j] = 1;
                List<Tensor> gs = Autograd.grad(out, Arrays.asList(xs), new Tensor(seed, out.shape), true, false);
                for (int i = 0; i < xs.length; i++) {
                    System.arraycopy(gs.get(i).d(), 0, data[i], j * xs[i].size(), xs[i].size());
                }
            }
        }
        List<Tensor> result = new ArrayList<>();
        for (int i = 0; i < xs.length; i++) result.add(Tensor.of(data[i], concat(out.shape, xs[i].shape), xs[i].dtype()));   // a gradient's dtype
        return result;
    }

    /** vᵀ · d out / d x_i, shaped like x_i; {@code v} has the output's shape (null for 1 when the output is a scalar). */
    static List<Tensor> vjp(Function<Tensor[], Tensor> f, Tensor[] inputs, Tensor v) {
        try (var s = Autograd.enableGrad()) {
            Tensor[] xs = leaves("vjp", f, inputs);
            Tensor out = call("vjp", f, xs);
            if (v == null) {
                scalarOutput("vjp", out);
                v = Tensor.ones(out.shape);
            } else if (!Arrays.equals(v.shape, out.shape)) {
                throw new IllegalArgumentException("vjp: v has shape " + Shape.toString(v.shape) + " but f's output has shape "
                    + Shape.toString(out.shape) + "; v must match the output");
            }
            if (!out.isGradRequired()) return zerosLike(xs);
            return Autograd.grad(out, Arrays.asList(xs), v, false, false);
        }
    }

    /** Σ_i (d out / d x_i) · v_i, shaped like the output, by the double-backward trick. */
    static Tensor jvp(Function<Tensor[], Tensor> f, Tensor[] inputs, Tensor[] vs) {
        try (var s = Autograd.enableGrad()) {
            Tensor[] xs = leaves("jvp", f, inputs);
            sameShapes("jvp", "v", vs, xs);
            Tensor out = call("jvp", f, xs);
            if (!out.isGradRequired()) return Tensor.zeros(out.dtype(), out.shape);
            Tensor u = Tensor.zeros(out.dtype(), out.shape).requiresGrad();
            List<Tensor> uj = Autograd.grad(out, Arrays.asList(xs), u, true, true);     // uᵀJ, linear in u
            Tensor dot = dot(uj, vs);
            if (!dot.isGradRequired()) return Tensor.zeros(out.dtype(), out.shape);
            return Autograd.grad(dot, List.of(u), false).get(0);
        }
    }

    private static Tensor dot(List<Tensor> a, Tensor[] b) {
        Tensor acc = Tensor.scalar(0);
        for (int i = 0; i < b.length; i++) acc = acc.add(a.get(i).mul(b[i]).sum());
        return acc;
    }

    /** H · v for a scalar function: the gradient of ⟨∇f, v⟩ (shaped like the inputs). */
    static List<Tensor> hvp(Function<Tensor[], Tensor> f, Tensor[] inputs, Tensor[] vs) {
        try (var s = Autograd.enableGrad()) {
            Tensor[] xs = leaves("hvp", f, inputs);
            sameShapes("hvp", "v", vs, xs);
            Tensor out = call("hvp", f, xs);
            scalarOutput("hvp", out);
            if (!out.isGradRequired()) return zerosLike(xs);
            Tensor dot = dot(Autograd.grad(out, Arrays.asList(xs), true), vs);
            if (!dot.isGradRequired()) return zerosLike(xs);
            return Autograd.grad(dot, Arrays.asList(xs), false);
        }
    }

    /** H[i][j] = d² f / d x_i d x_j, shaped {@code x_i.shape ++ x_j.shape}, for a scalar function. */
    static List<List<Tensor>> hessian(Function<Tensor[], Tensor> f, Tensor[] inputs) {
        try (var s = Autograd.enableGrad()) {
            Tensor[] xs = leaves("hessian", f, inputs);
            long n = 0;
            for (Tensor x : xs) n += x.size();
            dense("hessian", n, xs);                                        // before any work: the blocks must fit
            Tensor out = call("hessian", f, xs);
            scalarOutput("hessian", out);
            List<List<Tensor>> h = new ArrayList<>();
            List<Tensor> g = out.isGradRequired() ? Autograd.grad(out, Arrays.asList(xs), true) : zerosLike(xs);
            for (Tensor gi : g) h.add(rows("hessian", gi, xs));
            return h;
        }
    }
}

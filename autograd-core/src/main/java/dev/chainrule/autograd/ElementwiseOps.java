package dev.chainrule.autograd;

import static dev.chainrule.autograd.Tensor.SAVES_INPUTS;
import static dev.chainrule.autograd.Tensor.SAVES_NONE;
import static dev.chainrule.autograd.Tensor.SAVES_OUTPUT;
import static dev.chainrule.autograd.Tensor.grads;

import dev.chainrule.autograd.internal.FloatKernels;
import dev.chainrule.autograd.internal.Kernels;

/**
 * Elementwise primitives: forward kernel and backward rule side by side, the rule in Tensor ops
 * (so that it can be differentiated again). Binary ops broadcast; the gradient reaching a broadcast
 * input is summed back to its shape with {@code sumTo}.
 */
final class ElementwiseOps {
    private ElementwiseOps() {}

    // ---------------------------------------------------------------- binary, tensor operand

    static int[] broadcastShape(String op, Tensor a, Tensor b) {
        int[] s = Kernels.broadcastShape(a.shape, Checks.nonNull(op, "other", b).shape);
        if (s == null) {
            throw new IllegalArgumentException(op + ": shapes " + Shape.toString(a.shape) + " and " + Shape.toString(b.shape)
                + " do not broadcast (aligned from the right, each pair of dimensions must be equal or 1); "
                + "reshape one operand or reduce it first");
        }
        if (s != a.shape && s != b.shape) Checks.elements(op, s);      // [n, 1] with [1, m]: the result may be huge
        return s;
    }

    /** The forward value of {@code a op b} with broadcasting, not yet recorded. */
    static Tensor binary(String op, int kernel, Tensor a, Tensor b) {
        int[] s = broadcastShape(op, a, b);
        if (Tensor.promotesToFloat(a, b)) return new Tensor(FloatKernels.binary(kernel, a.f(), a.shape, b.f(), b.shape, s), s);
        return new Tensor(Kernels.binary(kernel, a.d(), a.shape, b.d(), b.shape, s), s);
    }

    /** d(a+b) = da + db. */
    static Tensor add(Tensor a, Tensor b) {
        return binary("add", Kernels.ADD, a, b).record("add", SAVES_NONE,
            g -> grads(g.sumTo(a.shape), g.sumTo(b.shape)), a, b);
    }

    /** d(a−b) = da − db. */
    static Tensor sub(Tensor a, Tensor b) {
        return binary("sub", Kernels.SUB, a, b).record("sub", SAVES_NONE,
            g -> grads(g.sumTo(a.shape), g.neg().sumTo(b.shape)), a, b);
    }

    /** d(ab) = b da + a db. */
    static Tensor mul(Tensor a, Tensor b) {
        return binary("mul", Kernels.MUL, a, b).record("mul", SAVES_INPUTS,
            g -> grads(a.requiresGrad ? g.mul(b).sumTo(a.shape) : null, b.requiresGrad ? g.mul(a).sumTo(b.shape) : null), a, b);
    }

    /** d(a/b) = da/b − a db/b². */
    static Tensor div(Tensor a, Tensor b) {
        return binary("div", Kernels.DIV, a, b).record("div", SAVES_INPUTS,
            g -> grads(a.requiresGrad ? g.div(b).sumTo(a.shape) : null,
                b.requiresGrad ? g.mul(a).div(b.mul(b)).neg().sumTo(b.shape) : null), a, b);
    }

    // ---------------------------------------------------------------- binary, scalar operand

    static Tensor scalarOp(int kernel, Tensor x, double c) {
        if (x.isFloat()) return new Tensor(FloatKernels.scalar(kernel, x.fdata, c), x.shape);
        return new Tensor(Kernels.scalar(kernel, x.data, c), x.shape);
    }

    /** d(x+c) = dx. */
    static Tensor add(Tensor x, double c) {
        return scalarOp(Kernels.ADD, x, c).record("add", SAVES_NONE, g -> grads(g), x);
    }

    /** d(x−c) = dx. */
    static Tensor sub(Tensor x, double c) {
        return scalarOp(Kernels.SUB, x, c).record("sub", SAVES_NONE, g -> grads(g), x);
    }

    /** d(cx) = c dx. */
    static Tensor mul(Tensor x, double c) {
        return scalarOp(Kernels.MUL, x, c).record("mul", SAVES_NONE, g -> grads(g.mul(c)), x);
    }

    /** d(x/c) = dx / c. */
    static Tensor div(Tensor x, double c) {
        return scalarOp(Kernels.DIV, x, c).record("div", SAVES_NONE, g -> grads(g.div(c)), x);
    }

    // ---------------------------------------------------------------- unary

    /** The forward value of a unary kernel with parameters {@code p}, {@code q}, not yet recorded. */
    static Tensor unary(int kernel, Tensor x, double p, double q) {
        if (x.isFloat()) return new Tensor(FloatKernels.unary(kernel, x.fdata, p, q), x.shape);
        return new Tensor(Kernels.unary(kernel, x.data, p, q), x.shape);
    }

    /** A first-order backward kernel {@code op(a, b)} over two tensors of one shape; records nothing. */
    static Tensor fused(int op, Tensor a, Tensor b) {
        if (Tensor.promotesToFloat(a, b)) return new Tensor(FloatKernels.binary(op, a.f(), a.shape, b.f(), b.shape, a.shape), a.shape);
        return new Tensor(Kernels.binary(op, a.d(), a.shape, b.d(), b.shape, a.shape), a.shape);
    }

    /** d(−x) = −dx. */
    static Tensor neg(Tensor x) {
        return unary(Kernels.NEG, x, 0, 0).record("neg", SAVES_NONE, g -> grads(g.neg()), x);
    }

    /** d(x^p) = p x^(p−1) dx. */
    static Tensor pow(Tensor x, double p) {
        return unary(Kernels.POW, x, p, 0).record("pow", SAVES_INPUTS,
            g -> grads(p == 0 ? Tensor.zeros(x.shape) : p == 1 ? g : g.mul(x.pow(p - 1).mul(p))), x);
    }

    /** d(x²) = 2x dx. */
    static Tensor square(Tensor x) {
        return unary(Kernels.SQUARE, x, 0, 0).record("square", SAVES_INPUTS, g -> grads(g.mul(x).mul(2)), x);
    }

    /** d(e^x) = e^x dx (reuses the output). */
    static Tensor exp(Tensor x) {
        Tensor out = unary(Kernels.EXP, x, 0, 0);
        return out.record("exp", SAVES_OUTPUT, g -> grads(g.mul(out)), x);
    }

    /** d(log x) = dx / x. */
    static Tensor log(Tensor x) {
        return unary(Kernels.LOG, x, 0, 0).record("log", SAVES_INPUTS, g -> grads(g.div(x)), x);
    }

    /** d√x = dx / (2√x) (reuses the output). */
    static Tensor sqrt(Tensor x) {
        Tensor out = unary(Kernels.SQRT, x, 0, 0);
        return out.record("sqrt", SAVES_OUTPUT, g -> grads(g.div(out.mul(2))), x);
    }

    /** d|x| = sign(x) dx, so abs'(0) = 0. */
    static Tensor abs(Tensor x) {
        return unary(Kernels.ABS, x, 0, 0).record("abs", SAVES_INPUTS, g -> grads(g.mul(x.sign())), x);
    }

    /** dσ = σ(1−σ) dx (reuses the output). */
    static Tensor sigmoid(Tensor x) {
        Tensor out = unary(Kernels.SIGMOID, x, 0, 0);
        return out.record("sigmoid", SAVES_OUTPUT, g -> grads(GradMode.enabled()
            ? g.mul(out.mul(out.neg().add(1)))                   // createGraph: differentiable again
            : fused(Kernels.SIGMOID_GRAD, g, out)), x);          // first order: one pass
    }

    /** d tanh = (1 − tanh²) dx (reuses the output). */
    static Tensor tanh(Tensor x) {
        Tensor out = unary(Kernels.TANH, x, 0, 0);
        return out.record("tanh", SAVES_OUTPUT, g -> grads(GradMode.enabled()
            ? g.mul(out.square().neg().add(1))                   // createGraph: differentiable again
            : fused(Kernels.TANH_GRAD, g, out)), x);             // first order: one pass
    }

    /** d relu = step(x) dx, so relu'(0) = 0. */
    static Tensor relu(Tensor x) {
        return unary(Kernels.RELU, x, 0, 0).record("relu", SAVES_INPUTS, g -> grads(GradMode.enabled()
            ? g.mul(x.gt(0))                                     // createGraph: differentiable again (relu'(NaN) = 0 too)
            : fused(Kernels.RELU_GRAD, g, x)), x);               // first order: one pass
    }

    /** step' = 0 everywhere (by convention at 0); step(NaN) = NaN (NumPy's heaviside; PyTorch's gives 0). */
    static Tensor step(Tensor x) {
        return unary(Kernels.STEP, x, 0, 0).record("step", SAVES_NONE, g -> grads(Tensor.zeros(x.shape)), x);
    }

    /** sign' = 0 everywhere (by convention at 0). */
    static Tensor sign(Tensor x) {
        return unary(Kernels.SIGN, x, 0, 0).record("sign", SAVES_NONE, g -> grads(Tensor.zeros(x.shape)), x);
    }

    /** d softplus = σ(x) dx. */
    static Tensor softplus(Tensor x) {
        return unary(Kernels.SOFTPLUS, x, 0, 0).record("softplus", SAVES_INPUTS, g -> grads(g.mul(x.sigmoid())), x);
    }

    /** The gradient passes where lo &lt; x &lt; hi and is 0 elsewhere. */
    static Tensor clamp(Tensor x, double lo, double hi) {
        bounds("clamp", lo, hi, "");
        return unary(Kernels.CLAMP, x, lo, hi).record("clamp", SAVES_INPUTS,
            g -> grads(g.mul(unary(Kernels.INSIDE, x, lo, hi))), x);
    }

    // ---------------------------------------------------------------- trigonometric and friends

    /** d sin = cos x dx. */
    static Tensor sin(Tensor x) {
        return unary(Kernels.SIN, x, 0, 0).record("sin", SAVES_INPUTS, g -> grads(g.mul(x.cos())), x);
    }

    /** d cos = −sin x dx. */
    static Tensor cos(Tensor x) {
        return unary(Kernels.COS, x, 0, 0).record("cos", SAVES_INPUTS, g -> grads(g.mul(x.sin()).neg()), x);
    }

    /** d tan = (1 + tan²) dx (reuses the output). */
    static Tensor tan(Tensor x) {
        Tensor out = unary(Kernels.TAN, x, 0, 0);
        return out.record("tan", SAVES_OUTPUT, g -> grads(g.mul(out.square().add(1))), x);
    }

    /** d atan = dx / (1 + x²). */
    static Tensor atan(Tensor x) {
        return unary(Kernels.ATAN, x, 0, 0).record("atan", SAVES_INPUTS, g -> grads(g.div(x.square().add(1))), x);
    }

    /** d log(1+x) = dx / (1 + x). */
    static Tensor log1p(Tensor x) {
        return unary(Kernels.LOG1P, x, 0, 0).record("log1p", SAVES_INPUTS, g -> grads(g.div(x.add(1))), x);
    }

    /** d(e^x − 1) = e^x dx = (out + 1) dx (reuses the output). */
    static Tensor expm1(Tensor x) {
        Tensor out = unary(Kernels.EXPM1, x, 0, 0);
        return out.record("expm1", SAVES_OUTPUT, g -> grads(g.mul(out.add(1))), x);
    }

    /** d(1/x) = −dx / x² = −out² dx (reuses the output). */
    static Tensor reciprocal(Tensor x) {
        Tensor out = unary(Kernels.RECIPROCAL, x, 0, 0);
        return out.record("reciprocal", SAVES_OUTPUT, g -> grads(g.mul(out.square()).neg()), x);
    }

    /** 2/√π and 1/√2, 1/√(2π): the constants of erf's and gelu's derivatives. */
    private static final double TWO_OVER_SQRT_PI = 1.1283791670955126, INV_SQRT2 = 0.7071067811865476,
        INV_SQRT_2PI = 0.3989422804014327;

    /** A first-order backward {@code g · f'(x)} in one pass (see {@link Kernels#derivative}); records nothing. */
    private static Tensor derivative(int op, Tensor g, Tensor x, double p) {
        if (Tensor.promotesToFloat(g, x)) return new Tensor(FloatKernels.derivative(op, g.f(), x.f(), p), x.shape);
        return new Tensor(Kernels.derivative(op, g.d(), x.d(), p), x.shape);
    }

    /** d erf = (2/√π) e^(−x²) dx. */
    static Tensor erf(Tensor x) {
        return unary(Kernels.ERF, x, 0, 0).record("erf", SAVES_INPUTS, g -> grads(GradMode.enabled()
            ? g.mul(x.square().neg().exp().mul(TWO_OVER_SQRT_PI))
            : derivative(Kernels.ERF, g, x, 0)), x);
    }

    // ---------------------------------------------------------------- activations

    /**
     * gelu(x) = x Φ(x), d gelu = (Φ(x) + x φ(x)) dx. A primitive for speed: one pass each way instead
     * of five ops forward and about ten backward; Φ is evaluated through erfc, accurate in the left tail.
     */
    static Tensor gelu(Tensor x) {
        return unary(Kernels.GELU, x, 0, 0).record("gelu", SAVES_INPUTS, g -> grads(GradMode.enabled()
            ? g.mul(x.mul(INV_SQRT2).erf().add(1).mul(0.5).add(x.mul(x.square().mul(-0.5).exp().mul(INV_SQRT_2PI))))
            : derivative(Kernels.GELU, g, x, 0)), x);
    }

    /** d leakyRelu = ([x &gt; 0] + slope [x ≤ 0]) dx (slope also at 0, as PyTorch). */
    static Tensor leakyRelu(Tensor x, double slope) {
        if (!Double.isFinite(slope)) {
            throw new IllegalArgumentException("leakyRelu: slope " + slope + " must be finite (PyTorch's default is 0.01)");
        }
        return unary(Kernels.LEAKY_RELU, x, slope, 0).record("leakyRelu", SAVES_INPUTS, g -> grads(GradMode.enabled()
            ? g.mul(unary(Kernels.LEAKY_SLOPE, x, slope, 0))
            : derivative(Kernels.LEAKY_RELU, g, x, slope)), x);
    }

    /**
     * elu(x) = x for x &gt; 0, α(e^x − 1) otherwise; d elu = ([x &gt; 0] + α e^x [x ≤ 0]) dx (α also at
     * 0, as PyTorch). A primitive for speed (one pass each way); e^x is taken of min(x, 0), so that a
     * large positive x cannot overflow in the differentiable rule.
     */
    static Tensor elu(Tensor x, double alpha) {
        if (!Double.isFinite(alpha)) {
            throw new IllegalArgumentException("elu: alpha " + alpha + " must be finite (PyTorch's default is 1.0)");
        }
        return unary(Kernels.ELU, x, alpha, 0).record("elu", SAVES_INPUTS, g -> grads(GradMode.enabled()
            ? g.mul(Tensor.where(x.gt(0), Tensor.scalar(1), x.clamp(Double.NEGATIVE_INFINITY, 0).exp().mul(alpha)))
            : derivative(Kernels.ELU, g, x, alpha)), x);
    }

    /** hardtanh = clamp(lo, hi): the gradient passes strictly inside (lo, hi), as PyTorch's hardtanh. */
    static Tensor hardtanh(Tensor x, double lo, double hi) {
        bounds("hardtanh", lo, hi, " (PyTorch's defaults are -1 and 1)");
        return clamp(x, lo, hi);
    }

    /**
     * Bounds lo ≤ hi, neither NaN. PyTorch ignores a NaN bound and, for lo &gt; hi, returns hi everywhere;
     * both are more likely a bug than an intent, so they are rejected.
     */
    static void bounds(String op, double lo, double hi, String hint) {
        Checks.notNaN(op, "lower bound", lo);
        Checks.notNaN(op, "upper bound", hi);
        if (lo > hi) {
            throw new IllegalArgumentException(op + ": lower bound " + lo + " is above upper bound " + hi + hint);
        }
    }

    // ---------------------------------------------------------------- elementwise max and min

    /** The share of the gradient of max(a, b) that goes to a: 1 where a wins, 1/2 on a tie, 0 where b wins. */
    private static Tensor maxShare(Tensor a, Tensor b, int[] s) {
        return Tensor.result(Kernels.binary(Kernels.MAX_SHARE, a.d(), a.shape, b.d(), b.shape, s), s, a, b);
    }

    /** d max(a, b) = [a &gt; b] da + [b &gt; a] db, a tie splitting the gradient 1/2 each (NaN wins, as PyTorch). */
    static Tensor maximum(Tensor a, Tensor b) {
        Tensor out = binary("maximum", Kernels.MAX, a, b);
        return out.record("maximum", SAVES_INPUTS, g -> grads(
            a.requiresGrad ? g.mul(maxShare(a, b, out.shape)).sumTo(a.shape) : null,
            b.requiresGrad ? g.mul(maxShare(b, a, out.shape)).sumTo(b.shape) : null), a, b);
    }

    /** d min(a, b) = [a &lt; b] da + [b &lt; a] db, a tie splitting the gradient 1/2 each (NaN wins, as PyTorch). */
    static Tensor minimum(Tensor a, Tensor b) {
        Tensor out = binary("minimum", Kernels.MIN, a, b);
        return out.record("minimum", SAVES_INPUTS, g -> grads(
            a.requiresGrad ? g.mul(maxShare(b, a, out.shape)).sumTo(a.shape) : null,
            b.requiresGrad ? g.mul(maxShare(a, b, out.shape)).sumTo(b.shape) : null), a, b);
    }
}

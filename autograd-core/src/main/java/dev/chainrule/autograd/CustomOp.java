package dev.chainrule.autograd;

import static dev.chainrule.autograd.Tensor.SAVES_BOTH;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * A user-defined differentiable op: a forward computation and a backward rule written in tensor
 * ops (what PyTorch's {@code torch.autograd.Function} is). The forward runs without recording (its
 * internals are not part of the graph); its result is recorded as one node named after the op,
 * exactly like a built-in op: {@link Dot#of} draws it under that name, and anomaly mode names it
 * when its value or gradient is NaN or infinite (the forward's own ops are not checked one by one). Use it for a derivative that is cheaper or more
 * stable than differentiating the forward's ops (a fused kernel, a clipped or straight-through
 * gradient, an implicit function).
 *
 * <p>The rule receives the op's inputs and output ({@link Saved}) and G = dL/d(output), and returns
 * one gradient per input, in order, each of that input's shape (null for an input that needs none).
 * Because the rule is made of tensor ops, {@link Autograd#grad(Tensor, List, boolean) createGraph}
 * records it, so the op has second derivatives when its rule is itself differentiable (as here).
 *
 * <pre>{@code
 * // hypot(a, b) = √(a² + b²), with its derivative written by hand: d/da = a / out, d/db = b / out
 * CustomOp hypot = CustomOp.define("hypot",
 *     x -> x[0].square().add(x[1].square()).sqrt(),                     // forward: not recorded
 *     (saved, g) -> List.of(g.mul(saved.input(0)).div(saved.output()),   // one gradient per input
 *                           g.mul(saved.input(1)).div(saved.output())));
 * Tensor a = Tensor.of(3.0, 1.0).requiresGrad(), b = Tensor.of(4.0, -2.0).requiresGrad();
 * Tensor h = hypot.apply(a, b);                                          // [5, √5], one node "hypot"
 * GradCheck.check(x -> hypot.apply(x), a, b).assertPassed();
 * GradCheck.checkSecondOrder(x -> hypot.apply(x), a, b).assertPassed();
 * }</pre>
 *
 * (The test {@code CustomOpTest.javadocExample} runs exactly this.) An op is immutable and may be
 * shared between threads; {@code apply} builds one node per call.
 */
public final class CustomOp {

    /**
     * What the backward rule may read: the op's inputs, in order, and its output.
     *
     * @param inputs the op's inputs (copied into an unmodifiable list; none may be null)
     * @param output the op's output
     */
    public record Saved(List<Tensor> inputs, Tensor output) {
        /** Checks and copies the inputs. */
        public Saved {
            inputs = List.of(Checks.nonNullElements("CustomOp.Saved", "input", inputs));
            Checks.nonNull("CustomOp.Saved", "output", output);
        }

        /**
         * Input {@code i} of the op (the tensor itself, so that createGraph differentiates through it).
         *
         * @throws IllegalArgumentException if there is no input {@code i}
         */
        public Tensor input(int i) {
            if (i < 0 || i >= inputs.size()) {
                throw new IllegalArgumentException("CustomOp.Saved.input: index " + i + " is out of range for " + inputs.size()
                    + " input" + (inputs.size() == 1 ? "" : "s") + "; pass 0 to " + (inputs.size() - 1));
            }
            return inputs.get(i);
        }
    }

    /** The backward rule of a {@link CustomOp}. */
    @FunctionalInterface
    public interface Backward {
        /**
         * The gradients dL/d(input_i) given G = dL/d(output), one per input in order, each of its
         * input's shape (null where an input needs none), computed with tensor ops.
         */
        List<Tensor> apply(Saved saved, Tensor gradOutput);
    }

    private final String name;
    private final Function<Tensor[], Tensor> forward;
    private final Backward backward;

    private CustomOp(String name, Function<Tensor[], Tensor> forward, Backward backward) {
        this.name = name;
        this.forward = forward;
        this.backward = backward;
    }

    /**
     * Defines an op.
     *
     * @param name     the node's name in the graph (in {@link Dot} and in error and anomaly messages)
     * @param forward  computes the output from the inputs; runs without recording a graph
     * @param backward the rule: gradients of the inputs from the output's gradient, in tensor ops
     * @throws IllegalArgumentException if the name is blank
     */
    public static CustomOp define(String name, Function<Tensor[], Tensor> forward, Backward backward) {
        Objects.requireNonNull(name, "CustomOp.define: name is null");
        Objects.requireNonNull(forward, "CustomOp.define: forward is null");
        Objects.requireNonNull(backward, "CustomOp.define: backward is null");
        if (name.isBlank()) {
            throw new IllegalArgumentException("CustomOp.define: the name is blank; give the op a name to show in graphs and errors");
        }
        return new CustomOp(name, forward, backward);
    }

    /** The op's name. */
    public String name() {
        return name;
    }

    /**
     * Runs the forward without recording and records its result as one node of this op (when grad
     * mode is on and an input requires grad). The result is a fresh tensor (a copy of what the
     * forward returned), so the forward may return an input or a constant.
     *
     * @throws NullPointerException if {@code inputs} or an input is null
     * @throws IllegalStateException if the forward returns null
     */
    public Tensor apply(Tensor... inputs) {
        Tensor[] in = Checks.nonNullElements("custom op '" + name + "'", "input", inputs).clone();
        Tensor value;
        // The forward's own ops are not the user's graph: without recording, and without anomaly checks,
        // so that a NaN/Inf is reported once, by the record below, under this op's name.
        try (var g = Autograd.noGrad(); var a = Autograd.detectAnomaly(false)) {
            value = forward.apply(in.clone());
        }
        if (value == null) throw new IllegalStateException("custom op '" + name + "': forward returned null; return the output tensor");
        Tensor out = value.copyValues();
        Saved saved = new Saved(List.of(in), out);
        return out.record(name, SAVES_BOTH, g -> checked(backward.apply(saved, g), in), in);
    }

    private Tensor[] checked(List<Tensor> grads, Tensor[] in) {
        if (grads == null || grads.size() != in.length) {
            throw new IllegalStateException("custom op '" + name + "': backward returned " + (grads == null ? "null" : grads.size()
                + " gradient" + (grads.size() == 1 ? "" : "s")) + " for " + in.length + " input" + (in.length == 1 ? "" : "s")
                + "; return one gradient per input, in order (null for an input that needs none)");
        }
        Tensor[] out = grads.toArray(new Tensor[0]);
        for (int i = 0; i < out.length; i++) {
            if (out[i] != null && !Arrays.equals(out[i].shape, in[i].shape)) {
                throw new IllegalStateException("custom op '" + name + "': backward returned a gradient of shape "
                    + Shape.toString(out[i].shape) + " for input " + i + " of shape " + Shape.toString(in[i].shape)
                    + "; each gradient must have its input's shape (sum a broadcast gradient back with sumTo)");
            }
        }
        return out;
    }

    @Override
    public String toString() {
        return "CustomOp[" + name + "]";
    }
}

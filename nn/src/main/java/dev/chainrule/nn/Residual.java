package dev.chainrule.nn;

import dev.chainrule.autograd.Shape;
import dev.chainrule.autograd.Tensor;
import java.util.Arrays;
import java.util.Objects;

/**
 * A residual connection: {@code y = x + f(x)}, or {@code y = P(x) + f(x)} with a projection {@code P}
 * on the shortcut when {@code f} changes the shape (He et al., "Deep Residual Learning for Image
 * Recognition", 2016). The identity path lets the gradient reach early layers undiminished
 * ({@code dy/dx = I + df/dx}), which is what makes deep stacks trainable; the building block of
 * ResNets and of the transformer ({@code x + Attention(LayerNorm(x))}).
 *
 * <p>Children: {@code body} (f) and, if given, {@code projection} (P), so parameters are named
 * {@code body.weight}, {@code projection.weight}, .... The shapes of {@code f(x)} and of the shortcut
 * must be equal (no broadcasting, which would hide a mistake).
 *
 * <pre>{@code
 * new Residual(new Sequential(new Linear(64, 64, rng), new ReLU()))              // 64 -> 64
 * new Residual(new Sequential(new Linear(32, 64, rng), new ReLU()), new Linear(32, 64, false, rng))
 * }</pre>
 */
public final class Residual extends Module {

    private final Module body;
    private final Module projection;

    /**
     * {@code y = x + body(x)}.
     *
     * @throws NullPointerException if {@code body} is null
     */
    public Residual(Module body) {
        this(body, null);
    }

    /**
     * {@code y = projection(x) + body(x)}; a null projection is the identity.
     *
     * @throws NullPointerException if {@code body} is null
     */
    public Residual(Module body, Module projection) {
        this.body = registerModule("body", Objects.requireNonNull(body, "Residual: body is null"));
        this.projection = projection == null ? null : registerModule("projection", projection);
    }

    /**
     * {@code shortcut(x) + body(x)}.
     *
     * @throws IllegalArgumentException if the two shapes differ (the message says to add a projection)
     */
    @Override
    public Tensor forward(Tensor x) {
        Objects.requireNonNull(x, "Residual.forward: input is null");
        Tensor fx = body.forward(x);
        Tensor shortcut = projection == null ? x : projection.forward(x);
        if (!Arrays.equals(fx.shape(), shortcut.shape())) {
            throw new IllegalArgumentException("Residual: body output " + Shape.toString(fx.shape()) + " and shortcut "
                + Shape.toString(shortcut.shape()) + " (" + (projection == null ? "the input" : "projection output")
                + ") for input " + Shape.toString(x.shape()) + " differ; "
                + (projection == null ? "pass a projection (e.g. a Linear from the input width to the body's output width)"
                    : "make the projection produce the body's output shape"));
        }
        return shortcut.add(fx);
    }

    /** f. */
    public Module body() {
        return body;
    }

    /** The shortcut projection, or null for the identity. */
    public Module projection() {
        return projection;
    }
}

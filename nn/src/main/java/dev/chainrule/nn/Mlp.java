package dev.chainrule.nn;

import dev.chainrule.autograd.Tensor;
import dev.chainrule.nn.init.Initializer;
import dev.chainrule.nn.init.LeCunUniform;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * A multilayer perceptron (fully connected feed-forward network): for layer sizes
 * {@code n_0, n_1, ..., n_L}, {@code h_k = σ(h_{k−1} W_kᵀ + b_k)} with the hidden activation σ
 * after every layer but the last, and an optional output activation after the last. An L-layer
 * network has L−1 hidden layers ("3-layer" = 2 hidden + output). Without a nonlinearity the layers
 * would collapse into a single linear map.
 *
 * <p>The layers live in a {@link Sequential} registered as {@code layers}, with activations (and
 * dropout, if asked for) as their own entries, so parameters are named {@code layers.0.weight},
 * {@code layers.0.bias}, {@code layers.2.weight}, ... (with tanh, sizes 2, 8, 1:
 * {@code [Linear, Tanh, Linear]}). Input {@code [N, n_0]}, output {@code [N, n_L]}.
 *
 * <pre>{@code
 * Mlp xor = Mlp.builder()
 *     .sizes(2, 8, 1)
 *     .hiddenActivation(Tanh::new)
 *     .outputActivation(Sigmoid::new)
 *     .weightInit(new GlorotUniform())
 *     .rng(new SplittableRandom(42))
 *     .build();
 * }</pre>
 */
public final class Mlp extends Module {

    private final int[] sizes;
    private final Sequential layers;

    private Mlp(int[] sizes, List<Module> modules) {
        this.sizes = sizes;
        this.layers = registerModule("layers", new Sequential(modules));
    }

    /** A builder with defaults: ReLU hidden activation, no output activation, PyTorch's default init, bias on, no dropout. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public Tensor forward(Tensor x) {
        java.util.Objects.requireNonNull(x, "Mlp.forward: x is null");
        return forwardChild(layers, x);
    }

    /** The layer sizes {@code n_0, ..., n_L} (a copy). */
    public int[] sizes() {
        return sizes.clone();
    }

    /** The underlying chain of linear layers, activations and dropouts. */
    public Sequential layers() {
        return layers;
    }

    /** The linear layers in order (L of them). */
    public List<Linear> linearLayers() {
        List<Linear> out = new ArrayList<>();
        for (Module m : layers.layers()) if (m instanceof Linear l) out.add(l);
        return out;
    }

    /** Collects an {@link Mlp}'s configuration; {@link #build()} validates it. Not thread-safe. */
    public static final class Builder {
        private int[] sizes;
        private Supplier<? extends Module> hidden = ReLU::new;
        private Supplier<? extends Module> output;
        private Initializer weightInit = new LeCunUniform();
        private Initializer biasInit = new LeCunUniform();
        private boolean bias = true;
        private double dropout;
        private RandomGenerator rng;

        private Builder() {}

        /** Layer widths: input size, hidden sizes..., output size (at least two entries, each ≥ 1). */
        public Builder sizes(int... sizes) {
            this.sizes = sizes == null ? null : sizes.clone();
            return this;
        }

        /** A factory for the activation after each hidden layer, e.g. {@code Tanh::new}; null for none (a linear network). */
        public Builder hiddenActivation(Supplier<? extends Module> activation) {
            this.hidden = activation;
            return this;
        }

        /** A factory for the activation after the output layer, e.g. {@code Sigmoid::new}; null (the default) for none. */
        public Builder outputActivation(Supplier<? extends Module> activation) {
            this.output = activation;
            return this;
        }

        /** The weight initializer of every layer (default: U(±1/√fan_in), as PyTorch). */
        public Builder weightInit(Initializer init) {
            this.weightInit = java.util.Objects.requireNonNull(init, "Mlp.Builder.weightInit: init is null");
            return this;
        }

        /** The bias initializer of every layer (default: U(±1/√fan_in), as PyTorch), e.g. {@code new Zeros()} or {@code new Constant(0.1)}. */
        public Builder biasInit(Initializer init) {
            this.biasInit = init;
            return this;
        }

        /** Whether the layers have biases (default true). */
        public Builder bias(boolean on) {
            this.bias = on;
            return this;
        }

        /** Dropout probability after each hidden activation, in [0, 1); 0 (the default) adds no dropout module. */
        public Builder dropout(double p) {
            this.dropout = p;
            return this;
        }

        /** The generator for initialization and dropout masks. */
        public Builder rng(RandomGenerator rng) {
            this.rng = java.util.Objects.requireNonNull(rng, "Mlp.Builder.rng: rng is null");
            return this;
        }

        /** Shorthand for {@code rng(new SplittableRandom(seed))}. */
        public Builder seed(long seed) {
            this.rng = new SplittableRandom(seed);
            return this;
        }

        /**
         * Builds the network, drawing its initial weights from the generator.
         *
         * @throws IllegalArgumentException if fewer than two sizes are given or one is below 1, the
         *                                  dropout probability is outside [0, 1), the weight
         *                                  initializer or the generator is missing, or an
         *                                  activation factory returns null
         */
        public Mlp build() {
            if (sizes == null || sizes.length < 2) {
                throw new IllegalArgumentException("Mlp: needs at least an input and an output size (one layer), got "
                    + (sizes == null ? "none" : Arrays.toString(sizes)) + "; call sizes(in, hidden..., out)");
            }
            for (int i = 0; i < sizes.length; i++) {
                if (sizes[i] < 1) {
                    throw new IllegalArgumentException("Mlp: size " + sizes[i] + " at position " + i + " of "
                        + Arrays.toString(sizes) + " must be at least 1");
                }
            }
            if (!(dropout >= 0 && dropout < 1)) {
                throw new IllegalArgumentException("Mlp: dropout " + dropout + " must be in [0, 1)");
            }
            if (rng == null) {
                throw new IllegalArgumentException("Mlp: no random generator; call rng(...) or seed(...) so that initialization is reproducible");
            }
            List<Module> modules = new ArrayList<>();
            int last = sizes.length - 2;
            for (int k = 0; k <= last; k++) {
                modules.add(new Linear(sizes[k], sizes[k + 1], weightInit, bias ? biasInit : null, rng));
                if (k < last) {
                    if (hidden != null) modules.add(activation(hidden, "hidden"));
                    if (dropout > 0) modules.add(new Dropout(dropout, rng));
                } else if (output != null) {
                    modules.add(activation(output, "output"));
                }
            }
            return new Mlp(sizes.clone(), modules);
        }

        private static Module activation(Supplier<? extends Module> factory, String which) {
            Module m = factory.get();
            if (m == null) throw new IllegalArgumentException("Mlp: the " + which + " activation factory returned null");
            return m;
        }
    }
}

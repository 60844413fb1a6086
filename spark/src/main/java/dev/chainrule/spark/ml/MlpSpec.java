package dev.chainrule.spark.ml;

import dev.chainrule.nn.Mlp;
import dev.chainrule.nn.Module;
import dev.chainrule.spark.ModelFactory;

/**
 * The model {@link ChainruleClassifier} builds from its {@code layers}, {@code dropout} and
 * {@code seed} params: an {@link Mlp} with ReLU hidden layers, PyTorch's default initialization and
 * dropout after each hidden activation.
 */
record MlpSpec(int[] layers, double dropout, long seed) implements ModelFactory {
    private static final long serialVersionUID = 1L;

    @Override
    public Module create() {
        return Mlp.builder().sizes(layers).dropout(dropout).seed(seed).build();
    }
}

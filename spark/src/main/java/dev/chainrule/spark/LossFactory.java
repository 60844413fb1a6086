package dev.chainrule.spark;

import dev.chainrule.nn.loss.Loss;
import dev.chainrule.nn.loss.Reduction;
import java.io.Serializable;

/**
 * Builds the training loss with a requested {@link Reduction}, on every executor. Each partition needs
 * the {@link Reduction#SUM SUM} of the per-sample losses over its rows, so that the driver can add the
 * partitions' sums and divide by the global batch size: {@code mean = (Σ_p Σ_{i∈p} L_i) / B}, exactly
 * the {@code MEAN} loss of single-machine training. The constructors of Chainrule's losses fit as they are:
 * <pre>{@code
 * LossFactory loss = CrossEntropy::new;          // new CrossEntropy(reduction)
 * LossFactory mse = MeanSquaredError::new;
 * LossFactory hinge = r -> new Hinge(1.0, r);
 * }</pre>
 */
@FunctionalInterface
public interface LossFactory extends Serializable {

    /**
     * A loss that combines its per-sample terms with {@code reduction}.
     *
     * @param reduction {@code SUM} for training steps and evaluation
     */
    Loss create(Reduction reduction);
}

package dev.chainrule.nn.loss;

import dev.chainrule.autograd.GradCheck;
import dev.chainrule.autograd.Tensor;
import dev.chainrule.nn.Mlp;
import dev.chainrule.nn.Tanh;
import dev.chainrule.nn.TestData;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Losses are plain tensor expressions, so gradients of gradients (Hessian-vector products, gradient
 * penalties) work through them without extra code.
 */
class SecondOrderTest {

    private final SplittableRandom rng = new SplittableRandom(11);

    @Test
    void regressionLosses() {
        Tensor p = TestData.uniform(rng, -2, 2, 3, 2), y = TestData.uniform(rng, -2, 2, 3, 2);
        Tensor sigma = TestData.uniform(rng, 0.5, 2, 3);
        GradCheck.checkSecondOrder(t -> new MeanSquaredError().apply(t[0], t[1]), p, y).assertPassed();
        GradCheck.checkSecondOrder(t -> new GaussianNll(1).apply(t[0], t[1], t[2]), p, y, sigma).assertPassed();
    }

    @Test
    void binaryLosses() {
        Tensor x = TestData.uniform(rng, -3, 3, 4, 1), y = TestData.uniform(rng, 0, 1, 4, 1);
        GradCheck.checkSecondOrder(t -> new BinaryCrossEntropyWithLogits().apply(t[0], y), x).assertPassed();
        Tensor p = TestData.uniform(rng, 0.1, 0.9, 4, 1);
        GradCheck.checkSecondOrder(t -> new BinaryCrossEntropy().apply(t[0], y), p).assertPassed();
    }

    @Test
    void categoricalLosses() {
        Tensor f = TestData.uniform(rng, -2, 2, 3, 4);
        Tensor y = TestData.classes(rng, 3, 4);
        Tensor soft = TestData.uniform(rng, 0.1, 1, 3, 4);
        Tensor q = soft.div(soft.sum(1, true));
        for (Reduction r : Reduction.values()) {
            GradCheck.checkSecondOrder(t -> new CrossEntropy(r).apply(t[0], y), f).assertPassed();
        }
        GradCheck.checkSecondOrder(t -> new CrossEntropy().apply(t[0], q), f).assertPassed();
        GradCheck.checkSecondOrder(t -> new KlDivergence().apply(t[0].logSoftmax(-1), q), f).assertPassed();
    }

    @Test
    void throughAnMlp() {
        Mlp mlp = Mlp.builder().sizes(2, 3, 2).hiddenActivation(Tanh::new).seed(3).build();
        List<Tensor> ps = mlp.parameters();
        Tensor x = TestData.uniform(rng, -1, 1, 4, 2);
        Tensor y = TestData.classes(rng, 4, 2);
        // second derivatives of the loss with respect to the input, the weights held fixed
        GradCheck.checkSecondOrder(t -> new CrossEntropy().apply(mlp.forward(t[0]), y), x).assertPassed();
        // and a regularized objective with respect to the first layer's weight, via the functional form
        Tensor w0 = ps.get(0).detach(), b0 = ps.get(1).detach(), w1 = ps.get(2).detach(), b1 = ps.get(3).detach();
        GradCheck.checkSecondOrder(t -> new CrossEntropy().apply(x.linear(t[0], b0).tanh().linear(w1, b1), y)
            .add(Regularizers.l2(0.1, List.of(t[0]))), w0).assertPassed();
    }
}

package dev.chainrule.nn.loss;

import static dev.chainrule.nn.TestData.assertValues;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.chainrule.autograd.GradCheck;
import dev.chainrule.autograd.Tensor;
import dev.chainrule.nn.Mlp;
import java.util.List;
import org.junit.jupiter.api.Test;

class RegularizersTest {

    @Test
    void l2IsLambdaTimesSquaredNorm() {
        Tensor a = Tensor.of(1, -2).requiresGrad(), b = Tensor.of(new double[][] {{3}, {0.5}}).requiresGrad();
        Tensor r = Regularizers.l2(0.1, List.of(a, b));
        assertEquals(0.1 * (1 + 4 + 9 + 0.25), r.item(), 1e-15);
        r.backward();
        assertValues(new double[] {0.2, -0.4}, a.grad(), 1e-15);   // 2λw
        assertValues(new double[] {0.6, 0.1}, b.grad(), 1e-15);
        GradCheck.check(t -> Regularizers.l2(0.3, List.of(t[0], t[1])), Tensor.of(1, -2), Tensor.of(0.5, 3)).assertPassed();
    }

    @Test
    void l1IsLambdaTimesAbsoluteNorm() {
        Tensor a = Tensor.of(1, -2, 0).requiresGrad();
        Tensor r = Regularizers.l1(0.5, List.of(a));
        assertEquals(1.5, r.item(), 1e-15);
        r.backward();
        assertValues(new double[] {0.5, -0.5, 0}, a.grad(), 1e-15);   // λ sign(w), 0 at 0
        GradCheck.check(t -> Regularizers.l1(0.3, List.of(t[0])), Tensor.of(1, -2, 0.4)).assertPassed();
    }

    @Test
    void addsToALossInOneGraph() {
        Mlp mlp = Mlp.builder().sizes(2, 3, 1).seed(1).build();
        List<Tensor> weights = Regularizers.weights(mlp);
        assertEquals(2, weights.size());
        assertEquals(List.of(mlp.linearLayers().get(0).weight(), mlp.linearLayers().get(1).weight()), weights);
        Tensor x = Tensor.ones(4, 2), y = Tensor.zeros(4, 1);
        Tensor loss = new MeanSquaredError().apply(mlp.forward(x), y);
        Tensor total = loss.add(Regularizers.l2(0.01, weights));
        total.backward();
        // the bias gradient comes from the data term only; the weight gradient includes 2λW
        Tensor w = mlp.linearLayers().get(1).weight();
        Tensor gradWithout = dev.chainrule.autograd.Autograd.grad(new MeanSquaredError().apply(mlp.forward(x), y), List.of(w), false).get(0);
        assertValues(gradWithout.add(w.detach().mul(0.02)).toArray(), w.grad(), 1e-12);
    }

    @Test
    void badArguments() {
        Tensor a = Tensor.of(1).requiresGrad();
        assertThrows(IllegalArgumentException.class, () -> Regularizers.l2(-1, List.of(a)));
        assertThrows(IllegalArgumentException.class, () -> Regularizers.l1(Double.NaN, List.of(a)));
        assertThrows(IllegalArgumentException.class, () -> Regularizers.l2(1, List.of()));
    }
}

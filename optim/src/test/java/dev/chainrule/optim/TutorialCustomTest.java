package dev.chainrule.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chainrule.autograd.CustomOp;
import dev.chainrule.autograd.Dot;
import dev.chainrule.autograd.GradCheck;
import dev.chainrule.autograd.Tensor;
import dev.chainrule.nn.Linear;
import dev.chainrule.nn.Module;
import dev.chainrule.nn.Sequential;
import dev.chainrule.nn.loss.Loss;
import dev.chainrule.nn.loss.MeanSquaredError;
import java.util.List;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

/** Runs the code of docs/tutorial-custom.md (keep the two in step). */
class TutorialCustomTest {

    /** y = x + α · tanh(x Wᵀ + b), shapes [N, width] -> [N, width]; α starts at 0 (the identity). */
    public static final class GatedResidual extends Module {
        private final Linear inner;
        private final Tensor gate;

        public GatedResidual(int width, RandomGenerator rng) {
            inner = registerModule("inner", new Linear(width, width, rng));   // parameters inner.weight, inner.bias
            gate = registerParameter("gate", Tensor.zeros(1));               // parameter gate
        }

        @Override
        public Tensor forward(Tensor x) {
            return x.add(inner.forward(x).tanh().mul(gate));
        }

        @Override
        protected String extraRepr() {
            return "width=" + inner.inFeatures();
        }
    }

    @Test
    void customModule() {
        RandomGenerator rng = new SplittableRandom(1);
        Module model = new Sequential(new GatedResidual(2, rng), new Linear(2, 1, rng));
        Tensor x = Tensor.randn(rng, 64, 2);
        Tensor y = x.sum(1, true).tanh();                    // a target to fit
        Adam opt = Adam.builder(model).lr(0.05).build();
        Loss mse = new MeanSquaredError();
        double first = Double.NaN, last = Double.NaN;
        for (int step = 0; step < 200; step++) {
            opt.zeroGrad();
            Tensor loss = mse.apply(model.forward(x), y);
            loss.backward();
            opt.step();
            if (step == 0) first = loss.item();
            last = loss.item();
        }
        assertTrue(last < first / 10, "loss " + first + " -> " + last);
        assertEquals(List.of("0.gate", "0.inner.weight", "0.inner.bias", "1.weight", "1.bias"),
            List.copyOf(model.namedParameters().keySet()));
        assertTrue(model.toString().contains("width=2"), model.toString());

        GatedResidual block = new GatedResidual(3, rng);
        GradCheck.check(in -> block.forward(in[0]), Tensor.randn(rng, 4, 3)).assertPassed();
    }

    static final CustomOp LOG_COSH = CustomOp.define("logCosh",
        x -> {
            Tensor a = x[0].abs();
            return a.add(a.mul(-2).exp().add(1).log()).sub(Math.log(2));   // stable: finite for |x| = 1000
        },
        (saved, g) -> List.of(g.mul(saved.input(0).tanh())));            // d log cosh x = tanh x dx

    @Test
    void customOp() {
        Tensor x = Tensor.of(-3.0, -0.5, 0.7, 1000.0).requiresGrad();
        Tensor y = LOG_COSH.apply(x);                          // [2.3093, 0.1201, 0.2273, 999.3069]
        GradCheck.check(in -> LOG_COSH.apply(in[0]), Tensor.of(-3.0, -0.5, 0.7, 4.0)).assertPassed();
        GradCheck.checkSecondOrder(in -> LOG_COSH.apply(in[0]), Tensor.of(-3.0, -0.5, 0.7, 4.0)).assertPassed();

        double[] expected = {2.309328504577785, 0.12011450695827752, 0.2272702293585056, 999.3068528194401};
        for (int i = 0; i < 4; i++) assertEquals(expected[i], y.get(i), 1e-12);
        assertTrue(Dot.of(y.sum()).contains("label=\"logCosh\\n[4]\""));
        y.sum().backward();
        for (int i = 0; i < 4; i++) assertEquals(Math.tanh(x.get(i)), x.grad().get(i), 1e-15);
    }
}

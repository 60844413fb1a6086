package dev.chainrule.nn;

import static dev.chainrule.nn.TestData.assertValues;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.chainrule.autograd.GradCheck;
import dev.chainrule.autograd.Tensor;
import java.util.SplittableRandom;
import java.util.function.DoubleUnaryOperator;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class ActivationsTest {

    private static void check(Supplier<Module> make, DoubleUnaryOperator f) {
        TestData.props(30).forAll(integers().between(1, 4), integers().between(1, 5), longs().all()).checkAssert((n, c, seed) -> {
            Tensor x = TestData.uniform(new SplittableRandom(seed), -5, 5, n, c);
            Module m = make.get();
            Tensor y = m.forward(x);
            TestData.assertShape(y, n, c);
            double[] xs = x.toArray(), expected = new double[xs.length];
            for (int i = 0; i < xs.length; i++) expected[i] = f.applyAsDouble(xs[i]);
            assertValues(expected, y, 1e-12);
            assertEquals(0, m.parameterCount());
        });
    }

    @Test
    void elementwiseActivationsMatchTheirFormulas() {
        check(Sigmoid::new, z -> 1 / (1 + Math.exp(-z)));
        check(Tanh::new, z -> (1 - Math.exp(-2 * z)) / (1 + Math.exp(-2 * z)));
        check(ReLU::new, z -> Math.max(0, z));
        check(Step::new, z -> z > 0 ? 1 : 0);
        check(Sign::new, Math::signum);
        check(Identity::new, z -> z);
        check(Softplus::new, z -> Math.log1p(Math.exp(z)));
    }

    @Test
    void smoothActivationsPassGradCheck() {
        Tensor x = TestData.uniform(new SplittableRandom(1), -3, 3, 2, 3);
        for (Module m : new Module[] {new Sigmoid(), new Tanh(), new Softplus(), new Softmax(), new Softmax(0), new LogSoftmax()}) {
            GradCheck.check(t -> m.forward(t[0]).mul(Tensor.of(1, -2, 3)).sum(), x).assertPassed();
        }
    }

    @Test
    void hardThresholdsPassNoGradient() {
        Tensor x = Tensor.of(-1, 0.5, 2).requiresGrad();
        new Step().forward(x).add(new Sign().forward(x)).sum().backward();
        assertValues(new double[] {0, 0, 0}, x.grad(), 0);
    }

    @Test
    void softmaxOfTheNotesExample() {
        Tensor y = new Softmax().forward(Tensor.of(1.2, 5.1, 2.7));
        assertValues(new double[] {0.018, 0.90, 0.08}, y, 0.05);
        double[] v = y.toArray();
        double z = Math.exp(1.2) + Math.exp(5.1) + Math.exp(2.7);
        assertValues(new double[] {Math.exp(1.2) / z, Math.exp(5.1) / z, Math.exp(2.7) / z}, y, 1e-12);
        assertEquals(1.0, v[0] + v[1] + v[2], 1e-12);
    }

    @Test
    void softmaxAlongAChosenAxis() {
        Tensor x = Tensor.of(new double[][] {{1, 2}, {3, 5}});
        Tensor cols = new Softmax(0).forward(x);
        double a = 1 / (1 + Math.exp(2)), b = 1 / (1 + Math.exp(3));
        assertValues(new double[] {a, b, 1 - a, 1 - b}, cols, 1e-12);
        assertThrows(IllegalArgumentException.class, () -> new Softmax(2).forward(x));
        assertEquals("Softmax(axis=-1)\nTotal parameters: 0", new Softmax().toString());
    }

    @Test
    void logSoftmaxIsTheLogOfSoftmax() {
        Tensor x = TestData.uniform(new SplittableRandom(2), -3, 3, 3, 4);
        assertValues(new Softmax().forward(x).log().toArray(), new LogSoftmax().forward(x), 1e-12);
        assertValues(new Softmax(0).forward(x).log().toArray(), new LogSoftmax(0).forward(x), 1e-12);
    }

    @Test
    void identityReturnsItsInput() {
        Tensor x = Tensor.of(1, 2);
        assertSame(x, new Identity().forward(x));
    }
}

package dev.chainrule.autograd;

import static dev.chainrule.autograd.MathGens.assertThrowsWith;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Every error path of the math, reduction and factory ops of issue 8: type, op name, values and the fix. */
class MathErrorsTest {

    private static final Class<IllegalArgumentException> IAE = IllegalArgumentException.class;

    @Test
    void activationParameters() {
        Tensor x = Tensor.zeros(2);
        assertThrowsWith(IAE, () -> x.leakyRelu(Double.NaN), "leakyRelu", "slope NaN", "finite");
        assertThrowsWith(IAE, () -> x.leakyRelu(Double.NEGATIVE_INFINITY), "leakyRelu", "-Infinity");
        assertThrowsWith(IAE, () -> x.elu(Double.POSITIVE_INFINITY), "elu", "alpha Infinity", "finite");
        assertThrowsWith(IAE, () -> x.hardtanh(1, -1), "hardtanh", "1.0", "-1.0", "above");
        assertThrowsWith(IAE, () -> x.hardtanh(Double.NaN, 1), "hardtanh");
    }

    @Test
    void binaryShapes() {
        Tensor a = Tensor.zeros(2, 3), b = Tensor.zeros(4);
        assertThrowsWith(IAE, () -> a.maximum(b), "maximum", "[2, 3]", "[4]", "broadcast");
        assertThrowsWith(IAE, () -> b.minimum(a), "minimum", "[4]", "[2, 3]");
        assertThrowsWith(NullPointerException.class, () -> a.minimum(null), "minimum", "null");
    }

    @Test
    void severalAxes() {
        Tensor x = Tensor.zeros(2, 3, 4);
        for (String op : new String[] {"sum", "mean", "max", "min", "norm"}) {
            java.util.function.Function<int[], Tensor> f = switch (op) {
                case "sum" -> ax -> x.sum(ax, false);
                case "mean" -> ax -> x.mean(ax, true);
                case "max" -> ax -> x.max(ax, false);
                case "min" -> ax -> x.min(ax, false);
                default -> ax -> x.norm(2, ax, false);
            };
            assertThrowsWith(IAE, () -> f.apply(new int[0]), op, "no axes", "[2, 3, 4]", op + "()");
            assertThrowsWith(IAE, () -> f.apply(new int[] {0, -3}), op, "axes [0, -3]", "[2, 3, 4]", "repeat axis 0", "at most once");
            assertThrowsWith(IAE, () -> f.apply(new int[] {1, 3}), op, "axis 3", "[2, 3, 4]", "-3 to 2");
            assertThrowsWith(NullPointerException.class, () -> f.apply(null), op, "axes is null");
        }
        assertThrowsWith(IAE, () -> Tensor.scalar(1).sum(new int[] {0}, false), "sum", "scalar");
    }

    @Test
    void axisOutOfRange() {
        Tensor x = Tensor.zeros(2, 3);
        assertThrowsWith(IAE, () -> x.prod(2, false), "prod", "axis 2", "[2, 3]", "-2 to 1");
        assertThrowsWith(IAE, () -> x.var(-3, 1, false), "var", "axis -3", "[2, 3]");
        assertThrowsWith(IAE, () -> x.std(2, 1, false), "std", "axis 2");
        assertThrowsWith(IAE, () -> x.norm(2, 5, false), "norm", "axis 5");
        assertThrowsWith(IAE, () -> x.cumsum(2), "cumsum", "axis 2", "[2, 3]");
        assertThrowsWith(IAE, () -> x.argMin(-3), "argMin", "axis -3", "[2, 3]");
        assertThrowsWith(IAE, () -> x.sort(2, false), "sort", "axis 2", "[2, 3]");
        assertThrowsWith(IAE, () -> x.topk(1, 2), "topk", "axis 2", "[2, 3]");
        assertThrowsWith(IAE, () -> Tensor.scalar(1).cumsum(0), "cumsum", "scalar");
        assertThrowsWith(IAE, () -> Tensor.scalar(1).sort(0, true), "sort", "scalar");
    }

    @Test
    void varianceNeedsDegreesOfFreedom() {
        Tensor x = Tensor.zeros(1, 3);
        assertThrowsWith(IAE, () -> x.var(0, 1, false), "var", "axis 0 of shape [1, 3]", "1 element", "correction 1.0",
            "n - correction", "correction 0");
        assertThrowsWith(IAE, () -> x.std(1, 3, true), "std", "3 elements", "correction 3.0");
        assertThrowsWith(IAE, () -> x.var(1, Double.NaN, true), "var", "correction NaN");
        assertThrowsWith(IAE, () -> Tensor.scalar(2).var(), "var", "shape []", "1 element");
        assertThrowsWith(IAE, () -> Tensor.of(1).std(), "std", "shape [1]");
        Tensor.of(1).var(0, 0, false);            // the population variance of one element is fine (0)
    }

    @Test
    void normOrder() {
        Tensor x = Tensor.zeros(3);
        assertThrowsWith(IAE, () -> x.norm(0.5), "norm", "p = 0.5", "p >= 1", "POSITIVE_INFINITY");
        assertThrowsWith(IAE, () -> x.norm(0), "norm", "p = 0.0");
        assertThrowsWith(IAE, () -> x.norm(Double.NaN), "norm", "NaN");
        assertThrowsWith(IAE, () -> x.norm(Double.NEGATIVE_INFINITY, 0, false), "norm", "-Infinity");
    }

    @Test
    void topkRange() {
        Tensor x = Tensor.zeros(2, 3);
        assertThrowsWith(IAE, () -> x.topk(4, 1), "topk", "k = 4", "axis 1", "[2, 3]", "3 elements", "1 <= k <= 3");
        assertThrowsWith(IAE, () -> x.topk(0, -1), "topk", "k = 0", "1 <= k <= 3");
        assertThrowsWith(IAE, () -> x.topk(3, 0), "topk", "k = 3", "1 <= k <= 2");
    }

    @Test
    void factories() {
        assertThrowsWith(IAE, () -> Tensor.arange(0, 5, 0), "arange", "step must not be 0");
        assertThrowsWith(IAE, () -> Tensor.arange(0, 5, -1), "arange", "from 0.0 to 5.0 with step -1.0", "positive step");
        assertThrowsWith(IAE, () -> Tensor.arange(5, 0, 1), "arange", "negative step");
        assertThrowsWith(IAE, () -> Tensor.arange(2, 2), "arange", "[2.0, 2.0)", "empty");
        assertThrowsWith(IAE, () -> Tensor.arange(0), "arange", "empty");
        assertThrowsWith(IAE, () -> Tensor.arange(Double.NaN), "arange", "end NaN", "finite");
        assertThrowsWith(IAE, () -> Tensor.arange(0, 1, Double.POSITIVE_INFINITY), "arange", "step Infinity");
        assertThrowsWith(IAE, () -> Tensor.arange(0, 1e300, 1e-300), "arange", "more than fit");
        assertThrowsWith(IAE, () -> Tensor.linspace(0, 1, 0), "linspace", "steps 0", "at least 1");
        assertThrowsWith(IAE, () -> Tensor.linspace(Double.NEGATIVE_INFINITY, 1, 3), "linspace", "start -Infinity");
        assertThrowsWith(IAE, () -> Tensor.eye(0), "eye", "[0, 0]", "at least 1");
        assertThrowsWith(IAE, () -> Tensor.eye(2, -1), "eye", "[2, -1]");
        SplittableRandom rng = new SplittableRandom(1);
        assertThrowsWith(IAE, () -> Tensor.randint(rng, 3, 3, 2), "randint", "[3, 3)", "empty", "lo < hi");
        assertThrowsWith(IAE, () -> Tensor.randint(rng, 0, 3, 2, 0), "randint", "[2, 0]");
        assertThrowsWith(NullPointerException.class, () -> Tensor.randint(null, 0, 3, 2), "randint", "rng");
        assertThrowsWith(IAE, () -> Tensor.fromFunction(new int[] {2, 0}, i -> 0), "fromFunction", "[2, 0]");
        assertThrowsWith(NullPointerException.class, () -> Tensor.fromFunction(new int[] {2}, null), "fromFunction", "function");
        assertThrowsWith(NullPointerException.class, () -> Tensor.fromFunction(null, i -> 0), "fromFunction", "shape");
    }
}

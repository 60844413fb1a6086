package dev.chainrule.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.chainrule.autograd.Autograd;
import dev.chainrule.autograd.Dot;
import dev.chainrule.autograd.Tensor;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Deep graphs: backward and DOT export never recurse over the graph, so they work on a thread with
 * the default stack size (this build never raises {@code -Xss}) however deep the graph is. Each test
 * runs its work on a freshly created thread so that the stack it gets is the JVM default, not
 * whatever the test runner's thread happens to have.
 */
@SuppressWarnings("try") // no-grad and anomaly scopes are used only for their effect
class DepthTest {

    private static final int CHAIN_OPS = 1_000_000;
    private static final int LAYERS = 100_000;

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void backwardThroughAMillionOpChainOnADefaultStack() throws Exception {
        Figures.onFreshThread("depth-chain", () -> {
            double c = 1.000001, d = 1e-3;
            Tensor x = Tensor.scalar(0.5).requiresGrad();
            long heapBefore = SmallHeapTrainingTest.usedAfterGc();
            long t0 = System.nanoTime();
            Tensor y = x;
            for (int i = 0; i < CHAIN_OPS / 2; i++) y = y.mul(c).add(d);      // two recorded ops per step
            long t1 = System.nanoTime();
            double bytesPerOp = (double) (SmallHeapTrainingTest.usedAfterGc() - heapBefore) / CHAIN_OPS;
            // DESIGN.md: per-node memory stays small, so a 1,000,000-op scalar chain fits easily in 512 MiB.
            assertTrue(bytesPerOp < 400, "a recorded scalar op holds " + bytesPerOp + " bytes of live heap");
            long tb = System.nanoTime();
            y.backward();
            long t2 = System.nanoTime();

            // The reverse pass multiplies the seed by c once per mul node, in this order.
            double expected = 1.0;
            for (int i = 0; i < CHAIN_OPS / 2; i++) expected *= c;
            assertNotNull(x.grad(), "the leaf at the bottom of the chain got no gradient");
            assertEquals(expected, x.grad().item(), 0.0, "d y / d x through " + CHAIN_OPS + " ops");
            assertTrue(x.grad().isLeaf(), "a gradient is a leaf");
            // The graph was released: backpropagating again says so instead of recursing or returning zeros.
            IllegalStateException again = assertThrows(IllegalStateException.class, y::backward);
            assertTrue(again.getMessage().contains("retainGraph"), again.getMessage());
            Figures.report("depth", "backward through a %,d-op scalar chain on a default-stack thread: OK "
                + "(forward %.2f s, backward %.2f s; the recorded chain holds %.0f bytes of live heap per op, %.0f MiB in all)",
                CHAIN_OPS, (t1 - t0) / 1e9, (t2 - tb) / 1e9, bytesPerOp, bytesPerOp * CHAIN_OPS / (1 << 20));
        });
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void gradOfAMillionOpVectorChainWithoutTouchingGrad() throws Exception {
        Figures.onFreshThread("depth-grad", () -> {
            Tensor x = Tensor.of(0.1, -0.2, 0.3).requiresGrad();
            Tensor y = x;
            // A mixture of op kinds (unary, scalar, broadcast binary) to walk more than one rule.
            Tensor half = Tensor.of(0.5, 0.5, 0.5);
            for (int i = 0; i < CHAIN_OPS / 4; i++) y = y.mul(half).add(y.neg().mul(-0.5)).tanh().add(0.0);
            // Each step is y -> tanh(y): the gradient is the product of (1 - tanh^2) along the chain.
            List<Tensor> g = Autograd.grad(y.sum(), List.of(x), false);
            Tensor check;
            try (var s = Autograd.noGrad()) {
                double[] v = x.toArray(), dv = {1, 1, 1};
                for (int i = 0; i < CHAIN_OPS / 4; i++) {
                    for (int k = 0; k < 3; k++) {
                        v[k] = Math.tanh(v[k] * 0.5 + (-v[k]) * -0.5);
                        dv[k] *= 1 - v[k] * v[k];
                    }
                }
                check = Tensor.of(dv);
            }
            assertEquals(1, g.size());
            double[] got = g.get(0).toArray(), want = check.toArray();
            for (int k = 0; k < 3; k++) assertEquals(want[k], got[k], 1e-12 * Math.abs(want[k]) + 1e-300, "element " + k);
            assertEquals(null, x.grad(), "Autograd.grad must not accumulate into .grad");
            Figures.report("depth", "Autograd.grad through a %,d-op vector chain on a default-stack thread: OK", CHAIN_OPS + 1);
        });
    }

    /**
     * A 100,000-layer-deep composition on a vector, each layer a tiny residual module with its own
     * parameters: v ← v + 0.01 · tanh(W_i v + b_i). Analytic gradients are checked against central
     * finite differences for parameters at the bottom, middle and top of the stack.
     */
    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void backwardThroughAHundredThousandLayerCompositionOnADefaultStack() throws Exception {
        Figures.onFreshThread("depth-layers", () -> {
            SplittableRandom rng = new SplittableRandom(42);
            int width = 4;
            List<Tensor> weights = new ArrayList<>(LAYERS), biases = new ArrayList<>(LAYERS);
            for (int i = 0; i < LAYERS; i++) {
                double[] w = new double[width * width], b = new double[width];
                for (int k = 0; k < w.length; k++) w[k] = rng.nextGaussian() * 0.5;
                for (int k = 0; k < b.length; k++) b[k] = rng.nextGaussian() * 0.1;
                weights.add(Tensor.of(w, width, width).requiresGrad());
                biases.add(Tensor.of(b, width).requiresGrad());
            }
            Tensor input = Tensor.of(new double[] {0.3, -0.1, 0.2, 0.05}, 1, width);
            long t0 = System.nanoTime();
            Tensor loss = deepForward(input, weights, biases);
            long t1 = System.nanoTime();
            loss.backward();
            long t2 = System.nanoTime();

            int checked = 0;
            for (int layer : new int[] {0, 1, LAYERS / 2, LAYERS - 1}) {
                for (Tensor p : List.of(weights.get(layer), biases.get(layer))) {
                    assertNotNull(p.grad(), "layer " + layer + " got no gradient");
                    for (int e : new int[] {0, p.size() - 1}) {
                        double analytic = p.grad().toArray()[e];
                        double numeric = finiteDifference(input, weights, biases, p, e);
                        assertEquals(numeric, analytic, 1e-6 + 1e-4 * Math.abs(numeric),
                            "layer " + layer + ", element " + e + " of " + java.util.Arrays.toString(p.shape()));
                        checked++;
                    }
                }
            }
            int nonNull = 0;
            for (int i = 0; i < LAYERS; i++) if (weights.get(i).grad() != null && biases.get(i).grad() != null) nonNull++;
            assertEquals(LAYERS, nonNull, "every layer's parameters receive a gradient");
            Figures.report("depth", "backward through a %,d-layer composition (%,d recorded ops, %,d parameter tensors) on a "
                + "default-stack thread: OK, %d gradients match finite differences (forward %.2f s, backward %.2f s)",
                LAYERS, 4L * LAYERS + 1, 2 * LAYERS, checked, (t1 - t0) / 1e9, (t2 - t1) / 1e9);
        });
    }

    private static Tensor deepForward(Tensor input, List<Tensor> weights, List<Tensor> biases) {
        Tensor v = input;
        for (int i = 0; i < weights.size(); i++) v = v.add(v.linear(weights.get(i), biases.get(i)).tanh().mul(0.01));
        return v.sum();
    }

    private static double finiteDifference(Tensor input, List<Tensor> weights, List<Tensor> biases, Tensor p, int element) {
        double eps = 1e-6;
        double[] delta = new double[p.size()];
        delta[element] = eps;
        Tensor step = Tensor.of(delta, p.shape());
        try (var s = Autograd.noGrad()) {
            p.addInPlace(step, 1);
            double plus = deepForward(input, weights, biases).item();
            p.addInPlace(step, -2);
            double minus = deepForward(input, weights, biases).item();
            p.addInPlace(step, 1);
            return (plus - minus) / (2 * eps);
        }
    }

    /** A tiny module with its own parameters: v + 0.01 · tanh(v Wᵀ + b). */
    static final class TinyResidual extends dev.chainrule.nn.Module {
        private final dev.chainrule.nn.Linear inner;

        TinyResidual(SplittableRandom rng) {
            inner = registerModule("inner", new dev.chainrule.nn.Linear(4, 4, rng));
        }

        @Override
        public Tensor forward(Tensor v) {
            return v.add(inner.forward(v).tanh().mul(0.01));
        }
    }

    /**
     * The same depth built from library modules as a user would: a {@code Sequential} of 100,000
     * tiny modules, trained for two SGD steps (backward, step over 200,000 parameter tensors).
     */
    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void aSequentialOfAHundredThousandModulesTrainsOnADefaultStack() throws Exception {
        Figures.onFreshThread("depth-modules", () -> {
            SplittableRandom rng = new SplittableRandom(4);
            List<dev.chainrule.nn.Module> layers = new ArrayList<>(LAYERS);
            for (int i = 0; i < LAYERS; i++) layers.add(new TinyResidual(rng));
            dev.chainrule.nn.Sequential model = new dev.chainrule.nn.Sequential(layers);
            assertEquals(2 * LAYERS, model.namedParameters().size());
            assertTrue(model.namedParameters().containsKey((LAYERS - 1) + ".inner.bias"));
            dev.chainrule.optim.Optimizer sgd = dev.chainrule.optim.Sgd.builder(model).lr(0.005).build();
            Tensor x = Tensor.of(new double[] {0.3, -0.1, 0.2, 0.05, 0.1, 0.2, 0.3, 0.4}, 2, 4);
            Tensor target = Tensor.zeros(2, 4);
            dev.chainrule.nn.loss.Loss mse = new dev.chainrule.nn.loss.MeanSquaredError();
            double[] losses = new double[3];
            for (int step = 0; step < 3; step++) {
                Tensor loss = mse.apply(model.forward(x), target);
                losses[step] = loss.item();
                if (step == 2) break;
                sgd.zeroGrad();
                loss.backward();
                sgd.step();
            }
            assertTrue(losses[2] < losses[1] && losses[1] < losses[0], "SGD on the deep stack: " + java.util.Arrays.toString(losses));
            long reached = model.parameters().stream().filter(p -> p.grad() != null).count();
            assertEquals(2L * LAYERS, reached, "every module's parameters receive a gradient");
            String text = model.toString();
            assertTrue(text.contains("(" + (LAYERS - 1) + "): TinyResidual"), "toString lists every module");
            Figures.report("depth", "Sequential of %,d modules (%,d parameter tensors, %,d parameters): forward, backward, SGD step "
                + "and toString on a default-stack thread: OK, loss %.4f -> %.4f", LAYERS, 2 * LAYERS, model.parameterCount(),
                losses[0], losses[2]);
        });
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void secondOrderThroughAHundredThousandOpChain() throws Exception {
        Figures.onFreshThread("depth-second-order", () -> {
            int n = 100_000;
            Tensor x = Tensor.scalar(0.7).requiresGrad();
            Tensor y = x;
            for (int i = 0; i < n; i++) y = y.mul(y.mul(1e-6).add(1.0));   // y ← y (1 + 1e-6 y)
            Tensor dydx = Autograd.grad(y, List.of(x), true).get(0);
            assertTrue(dydx.isGradRequired(), "createGraph: the gradient is itself differentiable");
            dydx.backward();                                               // d²y/dx², through a graph twice as deep
            // Reference by forward-mode dual numbers (value, first, second derivative).
            double v = 0.7, d1 = 1, d2 = 0;
            for (int i = 0; i < n; i++) {
                double nv = v * (1 + 1e-6 * v);
                double f1 = 1 + 2e-6 * v, f2 = 2e-6;                       // f(v) = v + 1e-6 v²
                double nd2 = f2 * d1 * d1 + f1 * d2;
                d1 = f1 * d1;
                d2 = nd2;
                v = nv;
            }
            assertEquals(d1, dydx.item(), 1e-9 * Math.abs(d1));
            assertEquals(d2, x.grad().item(), 1e-7 * Math.abs(d2));
            Figures.report("depth", "second derivative through a %,d-op chain (double backward) on a default-stack thread: OK", n);
        });
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void dotExportOfATenThousandNodeGraph() throws Exception {
        Figures.onFreshThread("depth-dot", () -> {
            SplittableRandom rng = new SplittableRandom(7);
            int ops = 10_000;
            List<Tensor> leaves = List.of(Tensor.of(1.0, 2.0).requiresGrad(), Tensor.of(0.5, 0.25), Tensor.of(3.0, -1.0).requiresGrad());
            List<Tensor> made = new ArrayList<>(leaves);
            Tensor last = leaves.get(0);
            for (int i = 0; i < ops; i++) {
                // Each op uses the latest result (so the graph is 10,000 deep) and an earlier node (shared fan-out).
                Tensor other = made.get(rng.nextInt(made.size()));
                last = (i % 3 == 0) ? last.add(other) : (i % 3 == 1) ? last.mul(other).tanh() : last.sub(other);
                made.add(last);
            }
            int expectedNodes = made.size();                             // every op result and every leaf is reachable
            String dot = Dot.of(last);

            assertTrue(dot.startsWith("digraph"), "DOT header");
            assertTrue(dot.endsWith("}\n"), "DOT footer");
            Pattern decl = Pattern.compile("^  n(\\d+) \\[", Pattern.MULTILINE);
            Pattern edge = Pattern.compile("^  n(\\d+) -> n(\\d+);$", Pattern.MULTILINE);
            Set<String> declared = new HashSet<>();
            Matcher m = decl.matcher(dot);
            int declarations = 0;
            while (m.find()) {
                declarations++;
                assertTrue(declared.add(m.group(1)), "node n" + m.group(1) + " declared twice");
            }
            Matcher e = edge.matcher(dot);
            int edges = 0;
            while (e.find()) {
                edges++;
                assertTrue(declared.contains(e.group(1)) && declared.contains(e.group(2)), "edge to an undeclared node: " + e.group());
            }
            // Steps i % 3 == 1 record two nodes, mul (2 inputs) then tanh (1 input); the others one binary op.
            int tanhs = ops / 3 + (ops % 3 > 1 ? 1 : 0);
            assertEquals(expectedNodes + tanhs, declarations, "one declaration per distinct tensor");
            assertEquals(2 * ops + tanhs, edges, "one edge per op input");
            Figures.report("depth", "Dot export of a %,d-node, %,d-edge graph (%,d deep) on a default-stack thread: OK, %,d characters",
                declarations, edges, ops + tanhs, dot.length());
        });
    }
}

package dev.chainrule.examples;

import dev.chainrule.autograd.Autograd;
import dev.chainrule.autograd.DType;
import dev.chainrule.autograd.Dot;
import dev.chainrule.autograd.Tensor;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The backpropagation worked example of the notes: one sigmoid neuron with a ridge penalty on one
 * data point {@code (x, y)},
 * <pre>
 *   z = w x + b,   u = σ(z),   l = ½ (y − u)²,   r = w²,   L = l + λ r,
 * </pre>
 * differentiated by Chainrule and by hand:
 * ∂L/∂L = 1, ∂L/∂r = λ, ∂L/∂l = 1, ∂L/∂u = u − y, ∂L/∂z = (u − y) σ'(z) with σ'(z) = u (1 − u),
 * ∂L/∂w = ∂L/∂z · x + 2 λ w, ∂L/∂b = ∂L/∂z (and ∂L/∂x = ∂L/∂z · w).
 *
 * <p>The gradients of the intermediates come from {@link Autograd#grad} (which returns
 * gradients of any recorded tensor without touching {@code grad()}); those of the leaves
 * {@code w, b, x} from an ordinary {@link Tensor#backward()} through the same graph.
 */
public final class NeuronExample {

    private NeuronExample() {}

    /** One line of the comparison: ∂L/∂{@code variable} from autograd and from the hand formula. */
    public record Row(String variable, double autograd, double formula, String formulaText) {
        public double error() {
            return Math.abs(autograd - formula);
        }
    }

    /** The forward values and every gradient, in reverse topological order (L first). */
    public record Result(double x, double y, double w, double b, double lambda,
                         double z, double u, double l, double r, double loss, List<Row> rows, DType dtype) {
        /** {@link #TOLERANCE}, or {@link #TOLERANCE_FLOAT32} for a FLOAT32 graph. */
        public double tolerance() {
            return NeuronExample.tolerance(dtype);
        }

        public double maxError() {
            double m = 0;
            for (Row row : rows) m = Math.max(m, row.error());
            return m;
        }

        public void print(PrintWriter out) {
            out.println("Single sigmoid neuron with ridge penalty (the backpropagation worked example)");
            out.printf(Locale.ROOT, "  data and parameters: x = %s, y = %s, w = %s, b = %s, lambda = %s%n",
                fmt(x), fmt(y), fmt(w), fmt(b), fmt(lambda));
            out.println("Forward:");
            out.printf(Locale.ROOT, "  z = w*x + b        = %.15f%n", z);
            out.printf(Locale.ROOT, "  u = sigmoid(z)     = %.15f%n", u);
            out.printf(Locale.ROOT, "  l = 0.5*(y - u)^2  = %.15f%n", l);
            out.printf(Locale.ROOT, "  r = w^2            = %.15f%n", r);
            out.printf(Locale.ROOT, "  L = l + lambda*r   = %.15f%n", loss);
            out.println("Backward (reverse order; autograd vs hand-derived):");
            out.printf(Locale.ROOT, "  %-6s %20s %20s  %-10s  %s%n", "", "autograd", "by hand", "|diff|", "formula");
            for (Row row : rows) {
                out.printf(Locale.ROOT, "  %-6s %20.15f %20.15f  %-10.1e  %s%n",
                    row.variable(), row.autograd(), row.formula(), row.error(), row.formulaText());
            }
            out.printf(Locale.ROOT, "max |autograd - by hand| = %.1e (tolerance %.0e): %s%n", maxError(), tolerance(),
                maxError() <= tolerance() ? "backward reproduces the hand-derived gradients" : "MISMATCH");
        }
    }

    /** Largest difference between autograd and the formulas that counts as agreement. */
    public static final double TOLERANCE = 1e-12;
    /** The agreement asked for when the graph runs in FLOAT32 (inputs and every node rounded to float). */
    public static final double TOLERANCE_FLOAT32 = 1e-4;

    /** {@link #TOLERANCE} for FLOAT64, {@link #TOLERANCE_FLOAT32} for FLOAT32. */
    public static double tolerance(DType dtype) {
        return dtype == DType.FLOAT32 ? TOLERANCE_FLOAT32 : TOLERANCE;
    }

    /** Builds the graph, backpropagates, and compares every gradient with its formula. */
    public static Result run(double x, double y, double w, double b, double lambda) {
        return run(x, y, w, b, lambda, DType.FLOAT64);
    }

    /** {@link #run(double, double, double, double, double)} with the graph's leaves (and so every node) in {@code dtype}. */
    public static Result run(double x, double y, double w, double b, double lambda, DType dtype) {
        Tensor wt = Tensor.full(w, dtype).requiresGrad();
        Tensor bt = Tensor.full(b, dtype).requiresGrad();
        Tensor xt = Tensor.full(x, dtype).requiresGrad();
        Tensor yt = Tensor.full(y, dtype);

        // FORWARD: each line one node v_i of the graph.
        Tensor zt = wt.mul(xt).add(bt);
        Tensor ut = zt.sigmoid();
        Tensor lt = yt.sub(ut).square().mul(0.5);
        Tensor rt = wt.square();
        Tensor loss = lt.add(rt.mul(lambda));

        // BACKWARD, twice through the same graph: once for the intermediates (values only), once
        // the ordinary way, which accumulates into the leaves' grad().
        List<Tensor> intermediates = List.of(loss, rt, lt, ut, zt);
        List<Tensor> g = Autograd.grad(loss, intermediates, null, true, false);
        loss.backward();

        // By hand, in plain double arithmetic.
        double z = w * x + b;
        double u = 1.0 / (1.0 + Math.exp(-z));
        double l = 0.5 * (y - u) * (y - u);
        double r = w * w;
        double dLdz = (u - y) * u * (1 - u);

        List<Row> rows = new ArrayList<>();
        rows.add(new Row("dL/dL", g.get(0).item(), 1.0, "1"));
        rows.add(new Row("dL/dr", g.get(1).item(), lambda, "lambda"));
        rows.add(new Row("dL/dl", g.get(2).item(), 1.0, "1"));
        rows.add(new Row("dL/du", g.get(3).item(), u - y, "u - y"));
        rows.add(new Row("dL/dz", g.get(4).item(), dLdz, "dL/du * sigmoid'(z) = (u - y) * u * (1 - u)"));
        rows.add(new Row("dL/dw", wt.grad().item(), dLdz * x + lambda * 2 * w, "dL/dz * x + lambda * 2w"));
        rows.add(new Row("dL/db", bt.grad().item(), dLdz, "dL/dz"));
        rows.add(new Row("dL/dx", xt.grad().item(), dLdz * w, "dL/dz * w"));
        return new Result(x, y, w, b, lambda, zt.item(), ut.item(), lt.item(), rt.item(), loss.item(), List.copyOf(rows), dtype);
    }

    /** How many random points the CLI checks besides the given one. */
    public static final int RANDOM_POINTS = 1000;

    /**
     * The largest |autograd − formula| over {@code count} random points: x, w, b ~ N(0, 2²),
     * y ∈ {0, 1}, λ ~ U(0, 1), drawn from {@code seed}.
     */
    public static double maxErrorAtRandomPoints(long seed, int count) {
        return maxErrorAtRandomPoints(seed, count, DType.FLOAT64);
    }

    /** {@link #maxErrorAtRandomPoints(long, int)} with the graphs in {@code dtype}. */
    public static double maxErrorAtRandomPoints(long seed, int count, DType dtype) {
        SplittableRandom rng = new SplittableRandom(seed);
        double max = 0;
        for (int i = 0; i < count; i++) {
            Result r = run(2 * rng.nextGaussian(), rng.nextInt(2), 2 * rng.nextGaussian(), 2 * rng.nextGaussian(), rng.nextDouble(), dtype);
            max = Math.max(max, r.maxError());
        }
        return max;
    }

    /** The recorded graph of L for one point, as Graphviz DOT (exported before backward releases it). */
    static String graphDot(double x, double y, double w, double b, double lambda) {
        Tensor wt = Tensor.scalar(w).requiresGrad();
        Tensor bt = Tensor.scalar(b).requiresGrad();
        Tensor u = wt.mul(Tensor.scalar(x)).add(bt).sigmoid();
        Tensor loss = Tensor.scalar(y).sub(u).square().mul(0.5).add(wt.square().mul(lambda));
        return Dot.of(loss);
    }

    /** dL/dw over w ∈ [−4, 4]: autograd (markers) against the formula (line). */
    static Path plotGradientOverW(Path dir, double x, double y, double b, double lambda) throws IOException {
        int n = 41;
        double[] ws = new double[n], auto = new double[n], formula = new double[n], loss = new double[n];
        for (int i = 0; i < n; i++) {
            ws[i] = -4 + 8.0 * i / (n - 1);
            Result r = run(x, y, ws[i], b, lambda);
            auto[i] = r.rows().get(5).autograd();
            formula[i] = r.rows().get(5).formula();
            loss[i] = r.loss();
        }
        Map<String, double[]> series = new LinkedHashMap<>();
        series.put("L(w)", loss);
        series.put("dL/dw by hand: (u - y) u (1 - u) x + 2 lambda w", formula);
        series.put("*dL/dw from backward()", auto);
        return Plots.lines(dir, "neuron-gradient.png", String.format(Locale.ROOT,
            "Neuron: L(w) and dL/dw (x = %s, y = %s, b = %s, lambda = %s)",
            fmt(x), fmt(y), fmt(b), fmt(lambda)), "w", "value", ws, series);
    }

    private static String fmt(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? String.valueOf((long) v) : String.valueOf(v);
    }

    @Command(name = "neuron", mixinStandardHelpOptions = true, version = Main.VERSION,
        description = {"Backprop worked example: every dL/dv from backward vs the hand formulas.",
            "The backpropagation worked example: one sigmoid neuron with ridge penalty; prints every dL/dv "
            + "from Chainrule's backward next to the hand-derived formula, then repeats the check at random points "
            + "drawn with --seed. With --out: the graph as Graphviz DOT and a plot of L and dL/dw over w."})
    public static final class Cli implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--x", defaultValue = "1.5", description = "Input x. Default: ${DEFAULT-VALUE}.")
        double x;
        @Option(names = "--y", defaultValue = "1", description = "Target y. Default: ${DEFAULT-VALUE}.")
        double y;
        @Option(names = "--w", defaultValue = "0.8", description = "Weight w. Default: ${DEFAULT-VALUE}.")
        double w;
        @Option(names = "--b", defaultValue = "-0.3", description = "Bias b. Default: ${DEFAULT-VALUE}.")
        double b;
        @Option(names = "--lambda", defaultValue = "0.1", description = "Ridge penalty weight lambda. Default: ${DEFAULT-VALUE}.")
        double lambda;

        @Mixin
        CommonOptions common;

        @Override
        public Integer call() throws IOException {
            Result result = run(x, y, w, b, lambda, common.dtype());
            PrintWriter out = spec.commandLine().getOut();
            if (common.dtype() != DType.FLOAT64) out.println("dtype: " + common.dtype());
            result.print(out);
            double randomError = maxErrorAtRandomPoints(common.seed(), RANDOM_POINTS, common.dtype());
            out.printf(Locale.ROOT, "Same comparison at %d random points (x, w, b ~ N(0, 2^2), y in {0, 1}, lambda ~ U(0, 1); seed %d): "
                + "max |diff| = %.1e%n", RANDOM_POINTS, common.seed(), randomError);
            if (common.out() != null) {
                Path dir = common.out();
                Files.createDirectories(dir);
                Path dot = dir.resolve("neuron-graph.dot");
                Files.writeString(dot, graphDot(x, y, w, b, lambda));
                out.println("Graph: " + dot + "   (render with: dot -Tpng " + dot + " -o neuron-graph.png)");
                out.println("Plot: " + plotGradientOverW(dir, x, y, b, lambda));
            }
            out.flush();
            double tolerance = tolerance(common.dtype());
            return result.maxError() <= tolerance && randomError <= tolerance ? 0 : Main.CLAIM_FAILED;
        }
    }
}

package dev.chainrule.nn.io;

import dev.chainrule.autograd.Autograd;
import dev.chainrule.autograd.Tensor;
import dev.chainrule.nn.Module;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Test-only model with nested dotted names: {@code scale} (a scalar), {@code layers.0.weight [2, 3]},
 * {@code layers.0.bias [3]}, {@code layers.1.weight [3, 1]}, {@code layers.1.bias [1]}.
 */
final class TestNet extends Module {

    static final class Affine extends Module {
        final Tensor weight;
        final Tensor bias;

        Affine(SplittableRandom rng, int in, int out) {
            weight = registerParameter("weight", Tensor.randn(rng, in, out));
            bias = registerParameter("bias", Tensor.randn(rng, out));
        }

        @Override
        public Tensor forward(Tensor x) {
            return x.matmul(weight).add(bias);
        }
    }

    static final class Stack extends Module {
        Stack(SplittableRandom rng, int... widths) {
            for (int i = 0; i + 1 < widths.length; i++) registerModule(Integer.toString(i), new Affine(rng, widths[i], widths[i + 1]));
        }

        @Override
        public Tensor forward(Tensor x) {
            for (Module m : children().values()) x = m.forward(x).tanh();
            return x;
        }
    }

    final Tensor scale;
    final Stack layers;

    TestNet(long seed) {
        this(seed, 2, 3, 1);
    }

    TestNet(long seed, int... widths) {
        SplittableRandom rng = new SplittableRandom(seed);
        scale = registerParameter("scale", Tensor.scalar(rng.nextDouble()));
        layers = registerModule("layers", new Stack(rng, widths));
    }

    @Override
    public Tensor forward(Tensor x) {
        return layers.forward(x).mul(scale);
    }

    /** Every parameter's values, by name (copies). */
    static Map<String, double[]> values(Module m) {
        Map<String, double[]> out = new LinkedHashMap<>();
        m.namedParameters().forEach((n, t) -> out.put(n, t.toArray()));
        return out;
    }

    static List<Integer> versions(Module m) {
        List<Integer> out = new ArrayList<>();
        m.namedParameters().values().forEach(t -> out.add(t.version()));
        return out;
    }

    /** Sets every parameter of {@code m} to {@code values} (under no-grad). */
    @SuppressWarnings("try")
    static void set(Module m, Map<String, double[]> values) {
        try (var s = Autograd.noGrad()) {
            m.namedParameters().forEach((n, t) -> t.copyFrom(Tensor.of(values.get(n), t.shape())));
        }
    }

    /** Bitwise equality of two value maps (NaN matches any NaN). */
    static boolean sameBits(Map<String, double[]> a, Map<String, double[]> b) {
        if (!a.keySet().equals(b.keySet())) return false;
        for (String k : a.keySet()) {
            double[] x = a.get(k), y = b.get(k);
            if (x.length != y.length) return false;
            for (int i = 0; i < x.length; i++) {
                boolean same = Double.isNaN(x[i]) ? Double.isNaN(y[i])
                    : Double.doubleToRawLongBits(x[i]) == Double.doubleToRawLongBits(y[i]);
                if (!same) return false;
            }
        }
        return true;
    }
}

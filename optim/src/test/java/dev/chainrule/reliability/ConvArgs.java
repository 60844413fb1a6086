package dev.chainrule.reliability;

import dev.chainrule.autograd.Tensor;
import java.lang.reflect.Type;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Fitting calls of the convolution, pooling and normalization ops for {@link HostileInputTest}: their
 * arguments must match each other (channels, kernel against input size, padding against kernel), which
 * independently generated arguments almost never do. A fitting call, sometimes with one argument
 * replaced by a hostile one, reaches the kernels and the checks behind the first ones.
 */
final class ConvArgs {
    private ConvArgs() {}

    /** {@code [receiver, args...]} for Tensor method {@code name}, or null if it is not one of these ops. */
    static Object[] call(String name, Type[] types, HostileArgs g) {
        SplittableRandom r = g.rng;
        int d = name.endsWith("1d") ? 1 : name.endsWith("2d") ? 2 : r.nextInt(1, 3);
        int n = r.nextInt(1, 3), c = r.nextInt(1, 4), o = r.nextInt(1, 4);
        int k = r.nextInt(1, 4), s = r.nextInt(1, 3), p = r.nextInt(0, k / 2 + 1);
        int[] sp = new int[d];
        for (int i = 0; i < d; i++) sp[i] = r.nextInt(k, k + 5);
        Tensor x = Tensor.randn(r, concat(new int[] {n, c}, sp));
        if (g.chance(0.5)) x.requiresGrad();
        int[] kk = fill(d, k);
        Object[] call = switch (name) {
            case "conv", "conv1d", "conv2d" -> {
                Tensor w = Tensor.randn(r, concat(new int[] {o, c}, kk));
                Tensor b = g.chance(0.5) ? Tensor.randn(r, o) : null;
                yield name.equals("conv") ? new Object[] {x, w, b, new int[] {s}, new int[] {p}, new int[] {1}, 1}
                    : new Object[] {x, w, b, s, p, 1, 1};
            }
            case "convTranspose" -> new Object[] {x, Tensor.randn(r, concat(new int[] {c, o}, kk)),
                g.chance(0.5) ? Tensor.randn(r, o) : null, new int[] {s}, new int[] {p}, new int[] {0}, new int[] {1}, 1};
            case "unfold" -> new Object[] {x, kk, new int[] {1}, new int[] {p}, new int[] {s}};
            case "fold" -> {
                Tensor cols = x.unfold(kk, new int[] {1}, new int[] {p}, new int[] {s});
                yield new Object[] {cols, sp, kk, new int[] {1}, new int[] {p}, new int[] {s}};
            }
            case "maxPool", "maxPool1d", "maxPool2d" -> types.length == 4
                ? new Object[] {x, kk, new int[] {s}, new int[] {p}, new int[] {1}} : null;
            case "avgPool" -> new Object[] {x, kk, new int[] {s}, new int[] {p}, g.chance(0.5)};
            case "batchNorm" -> {
                boolean training = g.chance(0.5);
                boolean running = !training || g.chance(0.5);
                yield new Object[] {x, running ? Tensor.zeros(c) : null, running ? Tensor.ones(c) : null,
                    g.chance(0.5) ? Tensor.ones(c) : null, g.chance(0.5) ? Tensor.zeros(c) : null, training, 0.1, 1e-5};
            }
            case "layerNorm" -> {
                int[] shape = x.shape();
                int[] normalized = Arrays.copyOfRange(shape, shape.length - r.nextInt(1, 3), shape.length);
                yield new Object[] {x, normalized, g.chance(0.5) ? Tensor.ones(normalized) : null,
                    g.chance(0.5) ? Tensor.zeros(normalized) : null, 1e-5};
            }
            default -> null;
        };
        if (call == null || call.length != types.length + 1) return null;
        if (g.chance(0.3)) {                                   // one argument hostile, the others fitting
            int i = r.nextInt(types.length);
            call[i + 1] = g.gen(types[i], false).value();
        }
        return call;
    }

    private static int[] fill(int d, int v) {
        int[] a = new int[d];
        Arrays.fill(a, v);
        return a;
    }

    private static int[] concat(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}

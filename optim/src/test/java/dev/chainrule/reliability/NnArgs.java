package dev.chainrule.reliability;

import dev.chainrule.autograd.Tensor;
import dev.chainrule.nn.Linear;
import dev.chainrule.nn.Module;
import dev.chainrule.nn.ReLU;
import dev.chainrule.optim.EpochSummary;
import dev.chainrule.optim.History;
import dev.chainrule.optim.TrainingListener;
import dev.chainrule.reliability.HostileArgs.Arg;
import dev.chainrule.reliability.HostileArgs.LambdaFailure;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.lang.reflect.Type;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The generators of {@link HostileInputTest} for the parameter types of nn and optim: paths (files,
 * garbage, directories, "/", missing), maps of tensors and of strings, modules (the library's, built by
 * their public constructors and factories, and hostile ones of "the user's": forward returning null, a
 * scalar or throwing), suppliers, readers, listeners; any other type of the library from its producers.
 */
final class NnArgs {
    private NnArgs() {}

    /** A value of {@code type}, or null; {@code viaProducers}: other types of the library from their producers. */
    static Arg gen(HostileArgs g, Type type, boolean plausible, HostileInputTest.Producers producers, boolean viaProducers) {
        Class<?> c = HostileArgs.raw(type);
        if (c.isEnum()) {
            Object[] values = c.getEnumConstants();
            Object v = values[g.rng.nextInt(values.length)];
            return new Arg(v, c.getSimpleName() + "." + v);
        }
        if (c == Path.class) return path(g, plausible);
        if (c == Map.class) {
            Class<?> value = HostileArgs.raw(HostileArgs.typeArg(type, 1));
            if (value == Tensor.class) return tensorMap(g, plausible, producers);
            if (value == String.class) return stringMap(g, plausible);
        }
        if (c == Supplier.class && Module.class.isAssignableFrom(HostileArgs.raw(HostileArgs.typeArg(type, 0)))) {
            return supplier(g, plausible, producers);
        }
        if ((c == List.class || c == Iterable.class) && Module.class.isAssignableFrom(HostileArgs.raw(HostileArgs.typeArg(type, 0)))) {
            List<Module> ms = modules(g, plausible, producers);
            return new Arg(ms, "modules " + ms);
        }
        if (c == Module[].class) {
            List<Module> ms = modules(g, plausible, producers);
            return new Arg(ms.toArray(new Module[0]), "modules " + ms);
        }
        if (c == Module.class && !plausible && g.chance(0.25)) return hostileModule(g);
        if (c == Reader.class) return reader(g, plausible);
        if (c == TrainingListener.class) return listener(g, plausible);
        if (viaProducers && (c.getName().startsWith("dev.chainrule.nn") || c.getName().startsWith("dev.chainrule.optim"))) {
            return producers.produce(c, g, 1);
        }
        return null;
    }

    // ================================================================ paths

    /** Paths under the test's temporary directory (and "/"): never anything the test did not create, except "/" to read. */
    static Arg path(HostileArgs g, boolean plausible) {
        try {
            Path dir = Files.createDirectories(g.tmp.resolve("paths"));
            int k = plausible ? 0 : g.rng.nextInt(9);
            return switch (k) {
                case 0 -> new Arg(dir.resolve("new-" + g.rng.nextInt(1_000_000) + ".bin"), "a new file");
                case 1 -> new Arg(Files.createDirectories(dir.resolve("a-directory")), "a directory");
                case 2 -> new Arg(Path.of("/"), "/");
                case 3 -> new Arg(dir.resolve("missing").resolve("x.bin"), "a file in a missing directory");
                case 4 -> new Arg(Files.write(dir.resolve("garbage.bin"), garbage(g)), "a file of garbage");
                case 5 -> new Arg(Files.write(dir.resolve("empty.bin"), new byte[0]), "an empty file");
                case 6 -> new Arg(Files.write(dir.resolve("a-file"), new byte[] {1}).resolve("below"), "a path below a file");
                case 7 -> new Arg(Files.writeString(dir.resolve("text.csv"), "a,b,label\n1,2,0\n3,4,1\nx,,\n"), "a CSV file");
                default -> new Arg(dir.resolve("name with spaces and ümlauts " + "x".repeat(200)), "a 240-character name");
            };
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] garbage(HostileArgs g) {
        byte[] b = new byte[g.rng.nextInt(1, 64)];
        for (int i = 0; i < b.length; i++) b[i] = (byte) g.rng.nextInt(256);
        if (g.chance(0.5) && b.length >= 8) b[0] = (byte) 0x7f;      // a plausible-looking safetensors header length byte
        return b;
    }

    // ================================================================ maps

    static Arg tensorMap(HostileArgs g, boolean plausible, HostileInputTest.Producers producers) {
        if (plausible || g.chance(0.5)) {
            Arg m = producers.produce(Module.class, g, 1);
            if (m != null) return new Arg(new LinkedHashMap<>(((Module) m.value()).namedParameters()), "parameters of " + m.desc());
        }
        Map<String, Tensor> map = new HashMap<>();
        String desc = switch (g.rng.nextInt(4)) {
            case 0 -> "{}";
            case 1 -> { map.put("weight", null); yield "{weight=null}"; }
            case 2 -> { map.put("", (Tensor) g.tensor(false).value()); map.put(null, Tensor.ones(2)); yield "{\"\"=..., null=...}"; }
            default -> { map.put("a".repeat(5000), (Tensor) g.tensor(false).value()); yield "{5000-char name=...}"; }
        };
        return new Arg(map, desc);
    }

    static Arg stringMap(HostileArgs g, boolean plausible) {
        Map<String, String> map = new HashMap<>();
        if (plausible || g.chance(0.4)) {
            map.put("note", "x");
            return new Arg(map, "{note=x}");
        }
        String desc = switch (g.rng.nextInt(4)) {
            case 0 -> "{}";
            case 1 -> { map.put("k", null); yield "{k=null}"; }
            case 2 -> { map.put(null, "v"); yield "{null=v}"; }
            default -> { map.put("format", "\"}{\\u0000"); yield "{format=json garbage}"; }
        };
        return new Arg(map, desc);
    }

    // ================================================================ modules

    private static List<Module> modules(HostileArgs g, boolean plausible, HostileInputTest.Producers producers) {
        List<Module> out = new ArrayList<>();
        int n = plausible ? g.rng.nextInt(1, 3) : g.rng.nextInt(0, 4);
        for (int i = 0; i < n; i++) {
            Arg m = !plausible && g.chance(0.2) ? hostileModule(g) : producers.produce(Module.class, g, 1);
            out.add(m == null ? new ReLU() : (Module) m.value());
        }
        if (!plausible && g.chance(0.15)) out.add(null);
        return out;
    }

    /** "The user's own" module with a forward that misbehaves. */
    static Arg hostileModule(HostileArgs g) {
        int k = g.rng.nextInt(4);
        g.throwingLambda |= k == 2;
        Module m = switch (k) {
            case 0 -> new Module() {
                @Override public Tensor forward(Tensor x) { return null; }
                @Override public String toString() { return "ReturnsNull"; }
            };
            case 1 -> new Module() {
                @Override public Tensor forward(Tensor x) { return x.sum(); }
                @Override public String toString() { return "ReturnsScalar"; }
            };
            case 2 -> new Module() {
                @Override public Tensor forward(Tensor x) { throw new LambdaFailure(); }
                @Override public String toString() { return "Throws"; }
            };
            default -> new Module() {
                private final Linear inner = new Linear(2, 3, new java.util.SplittableRandom(1));
                @Override public Tensor forward(Tensor x) { return inner.forward(x); }   // a child it does not register
                @Override public String toString() { return "UnregisteredChild"; }
            };
        };
        return new Arg(m, "user module " + m);
    }

    static Arg supplier(HostileArgs g, boolean plausible, HostileInputTest.Producers producers) {
        int k = plausible ? 0 : g.rng.nextInt(4);
        g.throwingLambda |= k == 2;
        return switch (k) {
            case 0 -> new Arg((Supplier<Module>) ReLU::new, "ReLU::new");
            case 1 -> new Arg((Supplier<Module>) () -> null, "() -> null");
            case 2 -> new Arg((Supplier<Module>) () -> { throw new LambdaFailure(); }, "() -> throw");
            default -> {
                Module shared = new ReLU();
                yield new Arg((Supplier<Module>) () -> shared, "() -> the same instance");
            }
        };
    }

    // ================================================================ readers, listeners

    static Arg reader(HostileArgs g, boolean plausible) {
        int k = plausible ? 0 : g.rng.nextInt(5);
        return switch (k) {
            case 0 -> new Arg(new StringReader("a,b,label\n1,2,0\n3,4,1\n"), "CSV a,b,label");
            case 1 -> new Arg(new StringReader(""), "empty");
            case 2 -> new Arg(new StringReader("a,b\n1\n2,3,4\n\"unterminated\n"), "ragged CSV");
            case 3 -> new Arg(new StringReader("x,y\nNaN,Infinity\n1e400,-0\n"), "CSV of NaN, Inf, 1e400");
            default -> new Arg(new Reader() {
                @Override public int read(char[] cbuf, int off, int len) throws IOException { throw new IOException("disk on fire"); }
                @Override public void close() { }
            }, "a reader that fails");
        };
    }

    static Arg listener(HostileArgs g, boolean plausible) {
        if (plausible || g.chance(0.5)) return new Arg(new TrainingListener() { }, "no-op listener");
        g.throwingLambda = true;
        return new Arg(new TrainingListener() {
            @Override public void onEpochEnd(EpochSummary s) { throw new LambdaFailure(); }
            @Override public void onFitEnd(History h) { throw new LambdaFailure(); }
        }, "a listener that throws");
    }
}

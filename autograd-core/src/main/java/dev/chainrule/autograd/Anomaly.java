package dev.chainrule.autograd;

import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.jar.JarFile;

/**
 * What anomaly mode says, and where it says it happened: the messages of a forward anomaly (which
 * blame the input that already held NaN, and say when that input is a leaf, i.e. data or a
 * parameter), and creation sites that point at the user's code.
 *
 * <p>A creation site is the first stack frame outside Chainrule's library modules
 * ({@code dev.chainrule.autograd}, {@code .nn}, {@code .optim}, ...) and the JDK, followed by the
 * library frame that created the op when that is a different one, e.g.
 * {@code com.acme.Train.main(Train.java:42), via dev.chainrule.nn.Linear.forward(Linear.java:95)}.
 * A class belongs to a library module when its module (named, or declared by a
 * {@code module-info.class} next to it on the class path) is called {@code dev.chainrule.*}; so test
 * classes and examples in {@code dev.chainrule} packages count as user code.
 */
final class Anomaly {
    private Anomaly() {}

    /** The message of a forward anomaly of {@code op}, whose output {@code out} holds NaN or an Inf it created. */
    static String forward(String op, Tensor out, Tensor[] inputs) {
        String kind = Tensor.nonFiniteKind(out.d());
        if (kind.contains("NaN")) {
            for (int i = 0; i < inputs.length; i++) {
                Tensor in = inputs[i];
                if (!hasNaN(in.d())) continue;
                String head = "anomaly: input " + i + " of '" + op + "' already held NaN (shape " + Shape.toString(in.shape) + "); ";
                String tail = "; '" + op + "' was called at " + site();
                if (in.node == null) {
                    return head + "it is a leaf (data or a parameter, not the result of an op): check the data" + tail;
                }
                return head + "it is the result of '" + in.node.op + "' (" + in.node.where()
                    + "), which was computed before anomaly mode was on or inside a custom op" + tail;
            }
        }
        StringBuilder sb = new StringBuilder("anomaly: '" + op + "' produced " + kind + " in forward (output shape " + Shape.toString(out.shape) + ")");
        for (int i = 0; i < inputs.length; i++) {
            if (!dev.chainrule.autograd.internal.Kernels.allFinite(inputs[i].d())) {
                sb.append(" from input ").append(i).append(", which held Inf");
                break;
            }
        }
        return sb.append(" at ").append(site()).toString();
    }

    private static boolean hasNaN(double[] d) {
        for (double v : d) {
            if (v != v) return true;
        }
        return false;
    }

    /** Where the current op is being created: the user's frame, then the library frame that created it if different. */
    static String site() {
        return StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE).walk(frames -> {
            StackWalker.StackFrame first = null;
            StackWalker.StackFrame library = null;
            for (StackWalker.StackFrame f : (Iterable<StackWalker.StackFrame>) frames::iterator) {
                if (Autograd.isOwn(f.getClassName()) || f.getDeclaringClass() == Anomaly.class) continue;
                if (first == null) first = f;
                if (isLibrary(f.getDeclaringClass())) {
                    if (library == null) library = f;
                } else if (!isJdk(f.getClassName())) {
                    String user = f.toStackTraceElement().toString();
                    return library == null ? user : user + ", via " + library.toStackTraceElement();
                }
            }
            return first == null ? "an unknown site" : first.toStackTraceElement().toString();
        });
    }

    private static boolean isJdk(String cls) {
        return cls.startsWith("java.") || cls.startsWith("javax.") || cls.startsWith("jdk.") || cls.startsWith("sun.")
            || cls.startsWith("com.sun.");
    }

    private static final ClassValue<Boolean> LIBRARY = new ClassValue<>() {
        @Override
        protected Boolean computeValue(Class<?> c) {
            if (!c.getName().startsWith("dev.chainrule.")) return false;
            Module m = c.getModule();
            String name = m.isNamed() ? m.getName() : declaredModule(c).orElse(null);
            return name != null && name.startsWith("dev.chainrule.");
        }
    };

    /** Module names declared by the {@code module-info.class} of each class-path entry, by location. */
    private static final ConcurrentHashMap<URL, Optional<String>> DECLARED = new ConcurrentHashMap<>();

    static boolean isLibrary(Class<?> c) {
        return LIBRARY.get(c);
    }

    /** The module that the class-path entry holding {@code c} declares, if it has a module-info. */
    private static Optional<String> declaredModule(Class<?> c) {
        CodeSource cs = c.getProtectionDomain().getCodeSource();
        if (cs == null || cs.getLocation() == null) return Optional.empty();
        return DECLARED.computeIfAbsent(cs.getLocation(), Anomaly::readModuleName);
    }

    private static Optional<String> readModuleName(URL location) {
        try {
            Path p = Path.of(location.toURI());
            if (Files.isDirectory(p)) {
                Path mi = p.resolve("module-info.class");
                if (!Files.isRegularFile(mi)) return Optional.empty();
                try (InputStream in = Files.newInputStream(mi)) {
                    return Optional.of(ModuleDescriptor.read(in).name());
                }
            }
            try (JarFile jar = new JarFile(p.toFile())) {
                var e = jar.getEntry("module-info.class");
                if (e == null) return Optional.empty();
                try (InputStream in = jar.getInputStream(e)) {
                    return Optional.of(ModuleDescriptor.read(in).name());
                }
            }
        } catch (Exception | LinkageError e) {
            return Optional.empty();                   // unreadable: treat the class as user code
        }
    }
}

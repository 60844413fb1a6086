package dev.chainrule.reliability;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chainrule.autograd.Autograd;
import dev.chainrule.autograd.Tensor;
import dev.chainrule.reliability.HostileArgs.Arg;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Calls every public constructor and method of the exported packages of autograd-core, nn and optim,
 * found by reflection, with generated hostile arguments ({@link HostileArgs}) and fails on any outcome
 * other than the documented ones (docs/reliability.md, "Bad input"):
 * <ul>
 *   <li>allowed: a normal return whose result keeps the invariants below; a {@link NullPointerException}
 *       whose message names the op and says what is null ({@code "add: other is null"}); an
 *       {@link IllegalArgumentException} or {@link IllegalStateException} with a message; an
 *       {@link IOException} from a method that declares it; an {@link ArithmeticException} from
 *       anomaly mode (only while it is on); the test's own lambda failure, passed through unchanged;
 *       and the few exceptions listed in {@link #DOCUMENTED}, each with its reason;</li>
 *   <li>failures: any other exception (ArrayIndexOutOfBounds, NegativeArraySize, ClassCast, a JVM
 *       NullPointerException, ...), any {@link Error} (OutOfMemoryError, StackOverflowError), a call that
 *       takes longer than {@link #TIMEOUT_MS} (a hang detector with a generous bound: every generated call
 *       is cheap), and a result that breaks an invariant: a tensor with a dimension below 1 or whose size
 *       is not the product of its shape, a {@code grad()} whose shape differs from its tensor's, an input
 *       (tensor or array) changed by a call that does not document the change (or by a call that failed),
 *       a NaN in a tensor's values that a value-propagating op drops.</li>
 * </ul>
 * Seeded and reproducible: each call draws from its own generator, seeded by the method and call index;
 * a failure prints the call and how to run it alone ({@code -Dhostile.only=<method key>}).
 */
@Tag("hostile-input")
class HostileInputTest {

    static final long SEED = Long.getLong("hostile.seed", 0x5eed_12L);
    static final int CALLS_PER_METHOD = Integer.getInteger("hostile.calls", 160);
    static final String ONLY = System.getProperty("hostile.only");
    static final long TIMEOUT_MS = 2_000;

    @TempDir
    static Path tmp;

    /**
     * Members not called, each with its reason (by key): they do what they must do at a cost no fuzz can pay.
     */
    static final Map<String, String> NOT_CALLED = Map.of(
        "FashionMnist.builder()", "reads the installed 70,000-image dataset (440 MB of doubles): covered by FashionMnistTest");

    /** Methods that change their receiver's values by design (in-place updates). */
    static final Set<String> MUTATES_RECEIVER = Set.of("addInPlace", "mulInPlace", "lerpInPlace", "addcmulInPlace",
        "addcdivInPlace", "addcdivSqrtInPlace", "clampInPlace", "copyFrom", "convertInPlace");

    /** Methods that fill an argument array by design, by key prefix. */
    static final Set<String> FILLS_ARGUMENT = Set.of("Tensor.toArray(double[])");

    /** Tensor methods whose result may legitimately hold no NaN although the receiver does (see the class comment). */
    static final Set<String> NAN_MAY_VANISH = Set.of("gt", "ge", "lt", "le", "eq", "ne", "argMax", "argMin", "tril", "triu",
        "pad", "slice", "select", "indexSelect", "gather", "pick", "maskedFill", "copyFrom", "grad", "zeroGrad");

    /** Calls whose cost is superlinear in an input by nature (a dense finite-difference Jacobian): no huge tensors. */
    static final Set<String> EXPENSIVE = Set.of("GradCheck.check", "GradCheck.checkSecondOrder");
    /** Calls whose result has one block per pair of input tensors (Hessians): no lists of thousands of tensors. */
    static final Set<String> QUADRATIC_IN_INPUTS = Set.of("Autograd.hessian", "Autograd.hvp");

    /** Exceptions other than the convention's, each documented in the method's Javadoc: key prefix to types, with the reason. */
    static final Map<String, Set<Class<? extends Throwable>>> DOCUMENTED = Map.of(
        // its purpose: "Throws an AssertionError with toString() unless the check passed" (for tests)
        "GradCheck$Result.assertPassed()", Set.of(AssertionError.class));

    /** Methods whose first argument is the caller's op name, which their messages start with instead of their own. */
    static final Set<String> CALLER_NAMES_OP = Set.of("Shape.checkedSize(String,int[])");

    /** One call: filled in by the worker, read by the checker (also after a timeout, hence volatile). */
    static final class Call {
        final String key;
        final int index;
        volatile String receiverDesc;
        volatile List<String> argDescs = List.of();
        volatile boolean anomaly;
        volatile boolean noGrad;
        Object receiver;
        Object[] args;
        Object result;
        Throwable thrown;
        boolean throwingLambda;
        final Map<Object, Snapshot> before = new IdentityHashMap<>();
        String skipped;
        long start, genNanos, invokeNanos;

        Call(String key, int index) {
            this.key = key;
            this.index = index;
        }

        @Override
        public String toString() {
            return key + " call #" + index + (anomaly ? " [anomaly mode]" : "") + (noGrad ? " [noGrad]" : "")
                + (receiverDesc == null ? "" : "\n    receiver: " + receiverDesc)
                + "\n    args: " + argDescs
                + "\n    rerun: -Dhostile.only='" + key + "' -Dhostile.seed=" + SEED;
        }
    }

    /** What an argument held before the call. */
    record Snapshot(Object copy, int[] shape, int version) {}

    private final Map<String, Failure> failures = new TreeMap<>();  // guarded by this, as are the counters below
    private final Map<String, Integer> outcomes = new TreeMap<>();
    private final Set<String> noGenerator = new TreeSet<>();
    private final Set<String> returnedNormally = new TreeSet<>();
    private int calls, hangs;
    private long slowest, checkNanos, genTotal, invokeTotal;
    private String slowestCall;
    private final Map<String, Long> nanos = new TreeMap<>();

    /** A class of failure (method, what went wrong, where), with its first example and a count. */
    static final class Failure {
        final String what;
        final String example;
        int count;

        Failure(String what, String example) {
            this.what = what;
            this.example = example;
        }
    }

    @Test
    void everyPublicMethodSurvivesHostileArguments() throws Exception {
        List<Class<?>> classes = new ArrayList<>();
        classes.addAll(publicClasses(Tensor.class, "dev.chainrule.autograd"));
        classes.addAll(publicClasses(dev.chainrule.nn.Module.class, "dev.chainrule.nn", "dev.chainrule.nn.init", "dev.chainrule.nn.loss",
            "dev.chainrule.nn.data", "dev.chainrule.nn.io"));
        classes.addAll(publicClasses(dev.chainrule.optim.Optimizer.class, "dev.chainrule.optim"));
        List<Executable> members = new ArrayList<>();
        for (Class<?> c : classes) members.addAll(members(c));
        Producers producers = new Producers(classes);
        // The first BLAS and LAPACK calls load and probe the native libraries, which can take seconds on a loaded
        // machine: do it once before the hang detector starts timing.
        dev.chainrule.autograd.Linalg.eigh(Tensor.eye(3));
        Tensor.ones(64, 64).matmul(Tensor.ones(64, 64));
        long start = System.nanoTime();
        int methods = 0;
        List<Executable> selected = new ArrayList<>();
        for (Executable e : members) {
            if (ONLY == null || key(e).equals(ONLY)) selected.add(e);
        }
        methods = selected.size();
        // One worker thread makes the calls, one after another; this thread watches the clock. A call that runs past
        // the bound is a hang: it is reported, its thread abandoned (stopped where the JVM still allows that), and a
        // new worker continues with the next method.
        int next = 0;
        while (next < selected.size() && hangs < 20) {
            Worker w = new Worker(selected, next, producers);
            w.thread.start();
            while (w.thread.isAlive()) {
                w.thread.join(20);
                long began = w.started;
                Call c = w.current;
                if (c != null && w.thread.isAlive() && System.nanoTime() - began > TIMEOUT_MS * 1_000_000) {
                    w.abandoned = true;
                    synchronized (this) {
                        hangs++;
                        nanos.merge(c.key, System.nanoTime() - began, Long::sum);
                        record(c, "hang (more than " + TIMEOUT_MS + " ms)", null);
                    }
                    stop(w.thread);
                    break;
                }
            }
            if (w.failure != null) throw new AssertionError("the test's worker failed", w.failure);
            next = w.abandoned ? w.method + 1 : selected.size();
        }
        long ms = (System.nanoTime() - start) / 1_000_000;
        int failed = 0;
        for (Failure f : failures.values()) failed += f.count;
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, Failure> f : failures.entrySet()) {
            sb.append("\n").append(f.getValue().count).append(" x ").append(f.getKey()).append("\n  e.g. ").append(f.getValue().example);
        }
        Figures.report("hostile input", "%d calls of %d public methods and constructors in %d classes in %d ms: %d failed "
            + "(%d kinds); outcomes %s; no generator: %s", calls, methods, classes.size(), ms, failed, failures.size(), outcomes,
            noGenerator);
        Set<String> neverReturned = new TreeSet<>();
        for (Executable e : selected) if (!returnedNormally.contains(key(e))) neverReturned.add(key(e));
        Figures.report("hostile input", "%d members never returned normally (every call refused or threw): %s", neverReturned.size(),
            neverReturned);
        List<Map.Entry<String, Long>> slow = new ArrayList<>(nanos.entrySet());
        slow.sort((a, b) -> Long.compare(b.getValue(), a.getValue()));
        Figures.report("hostile input", "slowest call %d ms: %s", slowest / 1_000_000, slowestCall);
        Figures.report("hostile input", "time: generating %d ms, calls %d ms, checking %d ms", genTotal / 1_000_000,
            invokeTotal / 1_000_000, checkNanos / 1_000_000);
        Figures.report("hostile input", "slowest methods (ms): %s", slow.subList(0, Math.min(12, slow.size())).stream()
            .map(x -> x.getKey() + "=" + x.getValue() / 1_000_000).toList());
        Files.writeString(Path.of("target", "hostile-input-report.txt"), failed + " failed calls of " + calls + ", "
            + failures.size() + " kinds:" + sb + "\n");
        assertTrue(failures.isEmpty(), failed + " calls of " + calls + " ended badly, in " + failures.size() + " kinds:" + sb);
        assertTrue(noGenerator.isEmpty(), "methods without generators for their parameter types (add them to HostileArgs): " + noGenerator);
        assertTrue(ONLY != null || calls > 20_000, "only " + calls + " calls: did the class scan find the modules?");
    }

    /** Makes the calls of the methods from {@code first} on, on its own daemon thread. */
    final class Worker implements Runnable {
        final List<Executable> methods;
        final Producers producers;
        final Thread thread;
        volatile int method;
        volatile Call current;
        volatile long started;
        volatile boolean abandoned;
        volatile Throwable failure;

        Worker(List<Executable> methods, int first, Producers producers) {
            this.methods = methods;
            this.method = first;
            this.producers = producers;
            this.thread = new Thread(this, "hostile-input");
            thread.setDaemon(true);               // an abandoned worker must not keep the JVM alive
        }

        @Override
        public void run() {
            try {
                for (; method < methods.size(); method++) {
                    Executable e = methods.get(method);
                    String key = key(e);
                    for (int i = 0; i < CALLS_PER_METHOD; i++) {
                        Call call = new Call(key, i);
                        long seed = SEED * 0x9E3779B97F4A7C15L + key.hashCode() * 1_000_003L + i;
                        started = System.nanoTime();
                        current = call;
                        HostileInputTest.run(call, e, seed, producers);
                        current = null;
                        long took = System.nanoTime() - started;
                        synchronized (HostileInputTest.this) {
                            if (abandoned) return;
                            nanos.merge(key, took, Long::sum);
                            if (took > slowest) {
                                slowest = took;
                                slowestCall = call.toString();
                            }
                            if (call.skipped != null) {
                                noGenerator.add(key + ": " + call.skipped);
                                break;
                            }
                            calls++;
                            long c0 = System.nanoTime();
                            check(call, e);
                            checkNanos += System.nanoTime() - c0;
                            genTotal += call.genNanos;
                            invokeTotal += call.invokeNanos;
                        }
                    }
                }
            } catch (Throwable t) {
                if (!abandoned) failure = t;
            }
        }
    }

    /** Thread.stop where the JVM still has it (17; removed later): stops a hung call from burning CPU for the rest of the run. */
    private static void stop(Thread t) {
        try {
            Thread.class.getMethod("stop").invoke(t);
        } catch (ReflectiveOperationException | RuntimeException unsupported) {
            t.interrupt();                        // newer JVMs: the daemon thread runs on, but nothing reads its results
        }
    }

    // ================================================================ one call (on the worker thread)

    @SuppressWarnings("try")
    private static void run(Call call, Executable e, long seed, Producers producers) {
        call.start = System.nanoTime();
        HostileArgs gen = new HostileArgs(seed, tmp);
        gen.extra = (t, plausible) -> extra(gen, t, plausible, producers);
        resetModes();
        try {
            String simple = e.getDeclaringClass().getSimpleName() + "." + (e instanceof Constructor ? "<init>" : e.getName());
            gen.allowHuge = !EXPENSIVE.contains(simple);
            gen.manyTensors = gen.allowHuge && !QUADRATIC_IN_INPUTS.contains(simple);
            boolean isStatic = e instanceof Constructor || Modifier.isStatic(e.getModifiers());
            Object[] fitting = e.getDeclaringClass() == Tensor.class && gen.chance(0.5)
                ? ConvArgs.call(e.getName(), e.getGenericParameterTypes(), gen) : null;
            if (fitting != null) {                                // a conv/pool/norm call whose arguments fit each other
                call.receiver = fitting[0];
                call.receiverDesc = "fitting " + Arrays.toString(((Tensor) fitting[0]).shape());
                Object[] args = Arrays.copyOfRange(fitting, 1, fitting.length);
                List<String> descs = new ArrayList<>();
                for (Object x : args) descs.add(x instanceof Tensor t ? "Tensor" + Arrays.toString(t.shape())
                    : x instanceof int[] ia ? Arrays.toString(ia) : String.valueOf(x));
                call.argDescs = descs;
                call.args = args;
                snapshot(call.before, call.receiver);
                for (Object x : args) snapshot(call.before, x);
                invoke(call, e, gen);
                return;
            }
            if (!isStatic) {
                Arg r = producers.receiver(e.getDeclaringClass(), gen);
                if (r == null) {
                    call.skipped = "no receiver of " + e.getDeclaringClass().getSimpleName();
                    return;
                }
                call.receiver = r.value();
                call.receiverDesc = r.desc();
                if (r.value() instanceof dev.chainrule.nn.Module m && sequenceCostly(m)) gen.allowHuge = false;
                if (r.value() instanceof Tensor t) gen.context = t;
            }
            Type[] types = e.getGenericParameterTypes();
            Object[] args = new Object[types.length];
            List<String> descs = new ArrayList<>();
            gen.throwingLambda = false;
            for (int i = 0; i < types.length; i++) {
                Arg a = gen.gen(types[i], false);
                args[i] = a.value();
                descs.add(a.desc() != null ? a.desc() : String.valueOf(a.value()));
                if (gen.context == null && a.value() instanceof Tensor t) gen.context = t;
                call.argDescs = List.copyOf(descs);
            }
            call.args = args;
            call.throwingLambda = gen.throwingLambda;
            snapshot(call.before, call.receiver);
            for (Object a : args) snapshot(call.before, a);
            invoke(call, e, gen);
        } catch (HostileArgs.NoGenerator ng) {
            call.skipped = ng.getMessage();
        } catch (Throwable t) {
            call.thrown = new AssertionError("the test itself failed while generating or invoking", t);
        } finally {
            resetModes();
        }
    }

    @SuppressWarnings("try")
    private static void invoke(Call call, Executable e, HostileArgs gen) throws ReflectiveOperationException {
        Object[] args = call.args;
        call.genNanos = System.nanoTime() - call.start;
        call.anomaly = gen.chance(0.1);
        call.noGrad = gen.chance(MUTATES_RECEIVER.contains(e.getName()) ? 0.7 : 0.25);
        try (var a = Autograd.detectAnomaly(call.anomaly); var g = call.noGrad ? Autograd.noGrad() : Autograd.enableGrad()) {
            if (e instanceof Constructor<?> k) {
                call.result = k.newInstance(args);
            } else {
                call.result = ((Method) e).invoke(call.receiver, args);
            }
        } catch (InvocationTargetException ex) {
            call.thrown = ex.getCause();
        }
        call.invokeNanos = System.nanoTime() - call.start - call.genNanos;
    }

    /**
     * Hand-written generators for types whose public producers need tightly matched arguments (a square
     * matrix for slogdet, one of symmetric values for eigh): plausible instances, then the generic ones.
     */
    static Arg extra(HostileArgs gen, Type type, boolean plausible, Producers producers) {
        Arg a = plausible || gen.chance(0.5) ? handwritten(gen, type) : null;
        return a != null ? a : NnArgs.gen(gen, type, plausible, producers, true);
    }

    /** Plausible values of the types whose producers need matched arguments; null for other types. */
    static Arg handwritten(HostileArgs gen, Type type) {
        Class<?> c = HostileArgs.raw(type);
        if ((c == Iterable.class || c == List.class) && HostileArgs.raw(HostileArgs.typeArg(type, 0)) == Tensor.class) {
            List<Tensor> ps = new ArrayList<>();                 // parameters: leaves that require grad, some with gradients
            for (int i = 0, n = gen.rng.nextInt(1, 4); i < n; i++) {
                Tensor p = ((Tensor) gen.tensor(true).value()).detach().requiresGrad();
                if (gen.chance(0.7)) p.mul(p).sum().backward();
                ps.add(p);
            }
            return new Arg(ps, "parameters of shapes " + ps.stream().map(t -> Arrays.toString(t.shape())).toList());
        }
        if (c == dev.chainrule.nn.data.Dataset.class || c == dev.chainrule.nn.data.Batch.class) {
            int n = gen.rng.nextInt(1, 9), f = gen.rng.nextInt(1, 4);
            Tensor x = Tensor.randn(gen.rng, n, f);
            Tensor y = gen.chance(0.5) ? Tensor.randint(gen.rng, 0, 2, n) : Tensor.rand(gen.rng, n, gen.rng.nextInt(1, 3));
            String d = "(x [" + n + ", " + f + "], y " + Arrays.toString(y.shape()) + ")";
            return c == dev.chainrule.nn.data.Dataset.class ? new Arg(new dev.chainrule.nn.data.Dataset(x, y), "Dataset" + d)
                : new Arg(new dev.chainrule.nn.data.Batch(x, y), "Batch" + d);
        }
        if (c == dev.chainrule.optim.EpochSummary.class) {      // the record's constructor: plausible numbers, NaN where not computed
            double[] v = new double[5];
            for (int i = 0; i < v.length; i++) v[i] = gen.chance(0.3) ? Double.NaN : gen.rng.nextDouble(0, 3);
            var s = new dev.chainrule.optim.EpochSummary(gen.rng.nextInt(1, 6), v[0], v[1], v[2], v[3], Math.abs(v[4]) + 1e-3);
            return new Arg(s, s.toString());
        }
        if (c == dev.chainrule.optim.History.class) {           // only Trainer.fit makes one: a tiny fit (4 samples, 1 to 3 epochs)
            var rng = new java.util.SplittableRandom(gen.rng.nextLong());
            var model = new dev.chainrule.nn.Linear(2, 1, rng);
            var data = new dev.chainrule.nn.data.Dataset(Tensor.randn(rng, 4, 2), Tensor.randn(rng, 4, 1));
            int epochs = gen.rng.nextInt(1, 4);
            var b = dev.chainrule.optim.Trainer.builder(model, new dev.chainrule.nn.loss.MeanSquaredError(),
                dev.chainrule.optim.Sgd.builder(model).lr(0.1).build()).epochs(epochs).logEvery(0);
            boolean validation = gen.chance(0.5);
            if (validation && gen.chance(0.5)) b.earlyStopping(1);            // early stopping watches the validation loss
            var loader = dev.chainrule.nn.data.DataLoader.builder(data).batchSize(2).build();
            var h = validation ? b.build().fit(loader, data) : b.build().fit(loader);
            return new Arg(h, "fit(" + epochs + " epochs)");
        }
        if (c == dev.chainrule.nn.Mlp.class) {                  // its builder needs sizes first
            int n = gen.rng.nextInt(2, 5);
            int[] sizes = new int[n];
            for (int i = 0; i < n; i++) sizes[i] = gen.rng.nextInt(1, 5);
            var b = dev.chainrule.nn.Mlp.builder().sizes(sizes).seed(gen.rng.nextLong());
            if (gen.chance(0.3)) b.dropout(0.5);
            return new Arg(b.build(), "Mlp" + Arrays.toString(sizes));
        }
        if (c == dev.chainrule.autograd.Linalg.SignLogDet.class || c == dev.chainrule.autograd.Linalg.Eigh.class) {
            int n = gen.rng.nextInt(1, 4);
            Tensor a = Tensor.randn(gen.rng, n, n);
            a = a.add(a.transpose()).add(Tensor.eye(n).mul(n));
            if (gen.chance(0.5)) a.requiresGrad();
            return c == dev.chainrule.autograd.Linalg.Eigh.class ? new Arg(dev.chainrule.autograd.Linalg.eigh(a), "eigh([" + n + ", " + n + "])")
                : new Arg(dev.chainrule.autograd.Linalg.slogdet(a), "slogdet([" + n + ", " + n + "])");
        }
        if (c == dev.chainrule.autograd.ValuesAndIndices.class) {
            Arg t = gen.tensor(true);
            Tensor x = (Tensor) t.value();
            return x.rank() == 0 ? new Arg(new dev.chainrule.autograd.ValuesAndIndices(x, x), "(" + t.desc() + ", same)")
                : new Arg(x.sort(-1, gen.rng.nextBoolean()), t.desc() + ".sort(-1)");
        }
        if (c == dev.chainrule.autograd.CustomOp.Saved.class) {
            Arg t = gen.tensor(true);
            return new Arg(new dev.chainrule.autograd.CustomOp.Saved(List.of((Tensor) t.value()), ((Tensor) t.value()).mul(2)),
                "Saved([" + t.desc() + "], 2x)");
        }
        return null;
    }

    /**
     * Whether a module's forward costs a step per sequence element (recurrent layers) or a pair of them
     * (attention): a 2^17-long input is then seconds of legitimate work, not a hang, so such modules get none.
     */
    static boolean sequenceCostly(dev.chainrule.nn.Module m) {
        for (dev.chainrule.nn.Module c : m.namedModules().values()) {          // itself and every descendant
            if (c instanceof dev.chainrule.nn.RecurrentLayer || c instanceof dev.chainrule.nn.MultiheadAttention) return true;
        }
        return false;
    }

    @SuppressWarnings("try")
    private static void resetModes() {
        Autograd.detectAnomaly(false);
        Autograd.enableGrad();
    }

    // ================================================================ snapshots of inputs

    private static void snapshot(Map<Object, Snapshot> out, Object o) {
        if (o == null || out.containsKey(o)) return;
        if (o instanceof Tensor t) {
            out.put(t, new Snapshot(t.toArray(), t.shape(), t.version()));
        } else if (o instanceof int[] a) {
            out.put(o, new Snapshot(a.clone(), null, 0));
        } else if (o instanceof double[] a) {
            out.put(o, new Snapshot(a.clone(), null, 0));
        } else if (o instanceof double[][] a) {
            out.put(o, new Snapshot(deepCopy(a), null, 0));
        } else if (o instanceof Object[] a) {
            out.put(o, new Snapshot(a.clone(), null, 0));
            for (Object x : a) if (x instanceof Tensor) snapshot(out, x);
        } else if (o instanceof List<?> l) {
            out.put(o, new Snapshot(new ArrayList<>(l), null, 0));
            for (Object x : l) if (x instanceof Tensor) snapshot(out, x);
        }
    }

    private static double[][] deepCopy(double[][] a) {
        double[][] c = new double[a.length][];
        for (int i = 0; i < a.length; i++) c[i] = a[i] == null ? null : a[i].clone();
        return c;
    }

    // ================================================================ checking the outcome

    private void check(Call call, Executable e) {
        Throwable t = call.thrown;
        String name = e instanceof Constructor ? e.getDeclaringClass().getSimpleName() : e.getName();
        count(t == null ? "returned" : t.getClass().getSimpleName());
        if (t == null) returnedNormally.add(call.key);
        if (t != null && !allowed(call, e, t, name)) {
            record(call, describe(t), t);
            return;
        }
        boolean mayMutateReceiver = t == null && MUTATES_RECEIVER.contains(name);
        for (Map.Entry<Object, Snapshot> s : call.before.entrySet()) {
            Object o = s.getKey();
            if (o == call.receiver && mayMutateReceiver) continue;
            if (t == null && updatesRunningStats(call, e, o)) continue;
            String changed = changed(o, s.getValue(), t == null && FILLS_ARGUMENT.contains(keyPrefix(call.key)));
            if (changed != null) {
                record(call, (o == call.receiver ? "receiver " : "an argument ") + changed + (t == null ? "" : " by a call that threw "
                    + t.getClass().getSimpleName()), null);
                return;
            }
            if (o instanceof Tensor x) {
                String bad = gradShape(x);
                if (bad != null) {
                    record(call, "an input's " + bad, null);
                    return;
                }
            }
        }
        if (t != null) return;
        String bad = checkResult(call.result, e, 0);
        if (bad != null) {
            record(call, "result " + bad, null);
            return;
        }
        bad = nanDropped(call, e, name);
        if (bad != null) record(call, bad, null);
    }

    /** batchNorm in training mode updates its running mean and variance in place, as documented (and as PyTorch). */
    private static boolean updatesRunningStats(Call call, Executable e, Object o) {
        return e.getDeclaringClass() == Tensor.class && e.getName().equals("batchNorm") && Boolean.TRUE.equals(call.args[4])
            && o != null && (o == call.args[0] || o == call.args[1]);
    }

    private void count(String outcome) {
        outcomes.merge(outcome, 1, Integer::sum);
    }

    private static String keyPrefix(String key) {
        return key;
    }

    private static boolean allowed(Call call, Executable e, Throwable t, String name) {
        for (Map.Entry<String, Set<Class<? extends Throwable>>> d : DOCUMENTED.entrySet()) {
            if (call.key.startsWith(d.getKey()) && d.getValue().stream().anyMatch(c -> c.isInstance(t))) return true;
        }
        if (t instanceof HostileArgs.LambdaFailure) return call.throwingLambda;
        if (CALLER_NAMES_OP.contains(call.key) && call.args[0] instanceof String op && t.getMessage() != null
            && (t instanceof NullPointerException || t instanceof IllegalArgumentException)) {
            return t.getMessage().startsWith(op + ": ");
        }
        // list-like accessors (Sequential.get, ...) throw what java.util.List.get throws, with a message of ours
        if (t instanceof IndexOutOfBoundsException) return namesTheOp(t.getMessage());
        if (t instanceof UnsupportedOperationException) return namesTheOp(t.getMessage());   // e.g. ModuleList.forward
        if (t instanceof NullPointerException) return conventionalNullMessage(t.getMessage(), e, name);
        if (t instanceof IllegalArgumentException || t instanceof IllegalStateException) return namesTheOp(t.getMessage());
        if (t instanceof IOException) return Arrays.asList(e.getExceptionTypes()).stream().anyMatch(c -> c.isInstance(t));
        if (t instanceof ArithmeticException) return call.anomaly && t.getMessage() != null && t.getMessage().startsWith("anomaly");
        return false;
    }

    /** A library message: {@code "op: what went wrong ..."}, the op named before the first colon. */
    static boolean namesTheOp(String m) {
        if (m == null) return false;
        int colon = m.indexOf(": ");
        return colon > 0 && colon < 100 && !m.substring(0, colon).contains(". ");
    }

    /** {@code "op: what is null"}, written by the library (not the JVM's helpful message), naming the op. */
    static boolean conventionalNullMessage(String m, Executable e, String name) {
        if (m == null || m.startsWith("Cannot ") || m.contains("because \"") || !m.contains("null")) return false;
        int colon = m.indexOf(": ");
        if (colon <= 0) return false;
        String prefix = m.substring(0, colon).toLowerCase(java.util.Locale.ROOT).replace(" ", "");
        if (prefix.contains(name.toLowerCase(java.util.Locale.ROOT))) return true;
        for (Class<?> k = e.getDeclaringClass(); k != null; k = k.getEnclosingClass()) {     // a builder's message names its class
            if (prefix.contains(k.getSimpleName().toLowerCase(java.util.Locale.ROOT))) return true;
        }
        return false;
    }

    private static String describe(Throwable t) {
        StackTraceElement site = null;
        for (StackTraceElement f : t.getStackTrace()) {
            if (f.getClassName().startsWith("dev.chainrule.") && !f.getClassName().startsWith("dev.chainrule.reliability.")) {
                site = f;
                break;
            }
        }
        if (t instanceof AssertionError && t.getCause() != null) {     // the test's own failure: show where
            java.io.StringWriter w = new java.io.StringWriter();
            t.getCause().printStackTrace(new java.io.PrintWriter(w));
            return "the test itself failed: " + w.toString().lines().limit(12).reduce("", (a, b) -> a + "\n      " + b);
        }
        String msg = t.getMessage() == null ? "" : t.getMessage();
        if (msg.length() > 160) msg = msg.substring(0, 160) + "...";
        return t.getClass().getSimpleName() + " at " + (site == null ? "?" : site.getClassName().replace("dev.chainrule.", "")
            + "." + site.getMethodName() + ":" + site.getLineNumber()) + " (" + msg + ")";
    }

    private static String changed(Object o, Snapshot s, boolean mayFill) {
        if (o instanceof Tensor t) {
            if (!Arrays.equals(t.shape(), s.shape())) return "changed shape " + Arrays.toString(s.shape()) + " -> " + Arrays.toString(t.shape());
            if (t.version() != s.version()) return "version bumped";
            if (!Arrays.equals(t.toArray(), (double[]) s.copy())) return "tensor values changed";
            return null;
        }
        if (mayFill) return null;
        boolean same = o instanceof int[] a ? Arrays.equals(a, (int[]) s.copy())
            : o instanceof double[] a ? Arrays.equals(a, (double[]) s.copy())
            : o instanceof double[][] a ? Arrays.deepEquals(a, (double[][]) s.copy())
            : o instanceof Object[] a ? Arrays.equals(a, (Object[]) s.copy())
            : o instanceof List<?> l ? sameElements(l, (List<?>) s.copy())
            : true;
        return same ? null : "array or list contents changed";
    }

    private static boolean sameElements(List<?> a, List<?> b) {
        if (a.size() != b.size()) return false;
        for (int i = 0; i < a.size(); i++) if (a.get(i) != b.get(i)) return false;
        return true;
    }

    private static String gradShape(Tensor t) {
        Tensor g = t.grad();
        if (g != null && !Arrays.equals(g.shape(), t.shape())) {
            return "grad() has shape " + Arrays.toString(g.shape()) + " but its tensor " + Arrays.toString(t.shape());
        }
        return null;
    }

    /** The invariants of a returned value (recursing into lists, maps, records and arrays). */
    static String checkResult(Object r, Executable e, int depth) {
        if (r == null || depth > 3) return null;
        if (r instanceof Tensor t) {
            int[] s = t.shape();
            long n = 1;
            for (int d : s) {
                if (d < 1) return "tensor of shape " + Arrays.toString(s) + " has a dimension below 1";
                n *= d;
            }
            if (n != t.size()) return "tensor of shape " + Arrays.toString(s) + " has " + t.size() + " elements";
            return gradShape(t);
        }
        if (r instanceof int[] a && e.getDeclaringClass().getSimpleName().equals("Shape")) {
            for (int d : a) if (d < 1) return "shape " + Arrays.toString(a) + " has a dimension below 1";
            return null;
        }
        if (r instanceof Integer i && e.getDeclaringClass().getSimpleName().equals("Shape") && e.getName().equals("size")) {
            return i < 1 ? "size " + i + " below 1" : null;
        }
        if (r instanceof Collection<?> c) {
            int k = 0;
            for (Object x : c) {
                if (k++ > 10_000) break;
                String bad = checkResult(x, e, depth + 1);
                if (bad != null) return bad;
            }
            return null;
        }
        if (r instanceof Map<?, ?> m) return checkResult(m.values(), e, depth + 1);
        if (r instanceof Object[] a) return checkResult(Arrays.asList(a), e, depth + 1);
        if (r.getClass().isRecord()) {
            for (RecordComponent rc : r.getClass().getRecordComponents()) {
                try {
                    String bad = checkResult(rc.getAccessor().invoke(r), e, depth + 1);
                    if (bad != null) return bad;
                } catch (ReflectiveOperationException ex) {
                    return "record accessor " + rc.getName() + " failed: " + ex;
                }
            }
        }
        return null;
    }

    /**
     * An op that passes values through must keep a NaN of its input somewhere in its result: a Tensor method
     * (the receiver's NaN), a module's forward and a loss (the NaN of their first tensor argument).
     */
    private static String nanDropped(Call call, Executable e, String name) {
        Object source;
        if (e.getDeclaringClass() == Tensor.class && !NAN_MAY_VANISH.contains(name)) {
            source = call.receiver;
        } else if ((dev.chainrule.nn.Module.class.isAssignableFrom(e.getDeclaringClass()) && name.equals("forward"))
            || (dev.chainrule.nn.loss.Loss.class.isAssignableFrom(e.getDeclaringClass()) && name.equals("apply"))) {
            source = call.args.length > 0 ? call.args[0] : null;
        } else {
            return null;
        }
        if (!(source instanceof Tensor)) return null;
        Snapshot s = call.before.get(source);
        boolean had = false;
        for (double v : (double[]) s.copy()) had |= Double.isNaN(v);
        if (!had) return null;
        if (name.equals("pow") && call.args.length == 1 && call.args[0] instanceof Double p && p == 0) return null;   // NaN^0 = 1
        List<Tensor> values = new ArrayList<>();
        collectValues(call.result, values, 0);
        if (values.isEmpty()) return null;
        for (Tensor t : values) for (double v : t.toArray()) if (Double.isNaN(v)) return null;
        return "NaN swallowed: the " + (source == call.receiver ? "receiver" : "input") + " holds NaN, the result does not";
    }

    private static void collectValues(Object r, List<Tensor> out, int depth) {
        if (r == null || depth > 2) return;
        if (r instanceof Tensor t) {
            out.add(t);
        } else if (r instanceof Collection<?> c) {
            for (Object x : c) collectValues(x, out, depth + 1);
        } else if (r instanceof dev.chainrule.autograd.ValuesAndIndices vi) {
            out.add(vi.values());                  // the indices are positions, not values
        }
    }

    private void record(Call call, String what, Throwable t) {
        String k = call.key + ": " + what.replaceAll("\\(.*\\)$", "").trim();
        Failure f = failures.computeIfAbsent(k, x -> new Failure(what, call + (t == null ? "" : "\n    " + what)));
        f.count++;
    }

    // ================================================================ the API, by reflection

    static String key(Executable e) {
        StringBuilder sb = new StringBuilder(e.getDeclaringClass().getName().replaceAll("^.*\\.", ""))
            .append('.').append(e instanceof Constructor ? "<init>" : e.getName()).append('(');
        Class<?>[] ps = e.getParameterTypes();
        for (int i = 0; i < ps.length; i++) sb.append(i > 0 ? "," : "").append(ps[i].getSimpleName());
        return sb.append(')').toString();
    }

    /** Public constructors (of concrete classes) and public declared methods, in a stable order. */
    static List<Executable> members(Class<?> c) {
        List<Executable> out = new ArrayList<>();
        if (!Modifier.isAbstract(c.getModifiers()) && !c.isInterface() && !c.isEnum()) out.addAll(List.of(c.getConstructors()));
        for (Method m : c.getDeclaredMethods()) {
            if (!Modifier.isPublic(m.getModifiers()) || m.isSynthetic() || m.isBridge()) continue;
            // An interface's abstract methods are the user's to implement (callbacks such as CustomOp.Backward) or are
            // covered through the library's implementing classes, which declare them again.
            if (c.isInterface() && Modifier.isAbstract(m.getModifiers())) continue;
            if (NOT_CALLED.containsKey(key(m))) continue;
            if (c.isEnum() && (m.getName().equals("valueOf") || m.getName().equals("values"))) continue;   // the JDK's
            out.add(m);
        }
        out.sort((a, b) -> key(a).compareTo(key(b)));
        return out;
    }

    /** The public classes of {@code packages} in {@code anchor}'s module (its directory or jar). */
    static List<Class<?>> publicClasses(Class<?> anchor, String... packages) throws Exception {
        Path root = Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<String> names = new ArrayList<>();
        if (Files.isDirectory(root)) {
            try (Stream<Path> s = Files.walk(root)) {
                s.filter(p -> p.toString().endsWith(".class")).forEach(p -> names.add(root.relativize(p).toString()));
            }
        } else {
            try (FileSystem fs = FileSystems.newFileSystem(URI.create("jar:" + root.toUri()), Map.of());
                 Stream<Path> s = Files.walk(fs.getPath("/"))) {
                s.filter(p -> p.toString().endsWith(".class")).forEach(p -> names.add(p.toString().substring(1)));
            }
        }
        List<Class<?>> out = new ArrayList<>();
        for (String n : new TreeSet<>(names)) {
            String cls = n.replace('/', '.').replace('\\', '.').replaceAll("\\.class$", "");
            String pkg = cls.contains(".") ? cls.substring(0, cls.lastIndexOf('.')) : "";
            if (cls.endsWith("module-info") || cls.endsWith("package-info") || !List.of(packages).contains(pkg)) continue;
            Class<?> c = Class.forName(cls, false, anchor.getClassLoader());
            if (isPublicApi(c)) out.add(c);
        }
        return out;
    }

    private static boolean isPublicApi(Class<?> c) {
        for (Class<?> k = c; k != null; k = k.getEnclosingClass()) {
            if (!Modifier.isPublic(k.getModifiers()) || k.isAnonymousClass() || k.isSynthetic()) return false;
        }
        return true;
    }

    /**
     * Receivers for instance methods: tensors from the generator; other types from their public
     * constructors, static factories and builders ({@code build()}), called with plausible arguments.
     */
    static final class Producers {
        final Map<Class<?>, List<Executable>> byType = new LinkedHashMap<>();

        Producers(List<Class<?>> classes) {
            for (Class<?> c : classes) {
                for (Executable e : members(c)) {
                    Class<?> produced = e instanceof Constructor<?> k ? k.getDeclaringClass() : ((Method) e).getReturnType();
                    if (e.getDeclaringClass() == Tensor.class || isObjectMethod(e)) continue;   // tensors come from the generator
                    if (produced == null || produced == void.class || produced.isPrimitive()) continue;
                    for (Class<?> t : supertypes(produced)) {
                        if (t.getName().startsWith("dev.chainrule.")) byType.computeIfAbsent(t, x -> new ArrayList<>()).add(e);
                    }
                }
            }
        }

        private static boolean isObjectMethod(Executable e) {
            return e instanceof Method m && (m.getName().equals("toString") || m.getName().equals("hashCode") || m.getName().equals("equals"));
        }

        private static List<Class<?>> supertypes(Class<?> c) {
            List<Class<?>> out = new ArrayList<>();
            for (Class<?> k = c; k != null && k != Object.class; k = k.getSuperclass()) {
                out.add(k);
                out.addAll(List.of(k.getInterfaces()));
            }
            return out;
        }

        Arg receiver(Class<?> type, HostileArgs gen) {
            return produce(type, gen, 0);
        }

        Arg produce(Class<?> type, HostileArgs gen, int unusedDepth) {
            if (gen.depth > 4) return null;                       // nested producers (Sequential of Sequentials ...) stop here
            gen.depth++;
            try {
                return produceNested(type, gen);
            } finally {
                gen.depth--;
            }
        }

        private Arg produceNested(Class<?> type, HostileArgs gen) {
            if (type == Tensor.class) return gen.tensor(gen.chance(0.3));
            Arg extra = handwritten(gen, type);
            if (extra == null) extra = NnArgs.gen(gen, type, true, this, false);
            if (extra != null && extra.value() != null) return extra;
            List<Executable> ps = byType.get(type);
            if (ps == null) {
                try {
                    return gen.gen(type, true);                  // a functional interface the generator knows
                } catch (HostileArgs.NoGenerator ng) {
                    return null;
                }
            }
            for (int attempt = 0; attempt < 40; attempt++) {
                Executable p = ps.get(gen.rng.nextInt(ps.size()));
                try {
                    Object recv = null;
                    String recvDesc = "";
                    if (p instanceof Method m && !Modifier.isStatic(m.getModifiers())) {
                        Arg r = produce(m.getDeclaringClass(), gen, 0);
                        if (r == null) continue;
                        recv = r.value();
                        recvDesc = r.desc() + ".";
                    }
                    Type[] types = p.getGenericParameterTypes();
                    Object[] args = new Object[types.length];
                    List<String> descs = new ArrayList<>();
                    for (int i = 0; i < types.length; i++) {
                        Class<?> raw = HostileArgs.raw(types[i]);
                        Arg a = raw.getName().startsWith("dev.chainrule.") && raw != Tensor.class ? produce(raw, gen, 0) : gen.gen(types[i], true);
                        if (a == null) throw new HostileArgs.NoGenerator(types[i]);
                        args[i] = a.value();
                        descs.add(a.desc() != null ? a.desc() : String.valueOf(a.value()));
                    }
                    Object v = p instanceof Constructor<?> k ? k.newInstance(args) : ((Method) p).invoke(recv, args);
                    if (v != null && type.isInstance(v)) {
                        String name = p instanceof Constructor ? "new " + p.getDeclaringClass().getSimpleName() : p.getName();
                        return new Arg(v, recvDesc + name + descs);
                    }
                } catch (InvocationTargetException | IllegalArgumentException | InstantiationException | IllegalAccessException
                         | HostileArgs.NoGenerator ex) {
                    // try another producer or other arguments
                }
            }
            return null;
        }
    }
}

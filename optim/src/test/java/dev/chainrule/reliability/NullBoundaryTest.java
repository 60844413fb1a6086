package dev.chainrule.reliability;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chainrule.autograd.Tensor;
import dev.chainrule.nn.Dropout;
import dev.chainrule.nn.Embedding;
import dev.chainrule.nn.GRU;
import dev.chainrule.nn.GRUCell;
import dev.chainrule.nn.LSTM;
import dev.chainrule.nn.LSTMCell;
import dev.chainrule.nn.Linear;
import dev.chainrule.nn.Mlp;
import dev.chainrule.nn.Module;
import dev.chainrule.nn.ModuleList;
import dev.chainrule.nn.MultiheadAttention;
import dev.chainrule.nn.Perceptron;
import dev.chainrule.nn.RNN;
import dev.chainrule.nn.RNNCell;
import dev.chainrule.nn.ReLU;
import dev.chainrule.nn.Residual;
import dev.chainrule.nn.Sequential;
import dev.chainrule.nn.data.Batch;
import dev.chainrule.nn.data.CsvReader;
import dev.chainrule.nn.data.DataLoader;
import dev.chainrule.nn.data.Dataset;
import dev.chainrule.nn.data.FashionMnist;
import dev.chainrule.nn.data.Idx;
import dev.chainrule.nn.data.Standardizer;
import dev.chainrule.nn.init.Initializer;
import dev.chainrule.nn.io.SafeTensors;
import dev.chainrule.nn.init.Zeros;
import dev.chainrule.nn.loss.Loss;
import dev.chainrule.nn.loss.MeanSquaredError;
import dev.chainrule.nn.loss.Reduction;
import dev.chainrule.optim.Accuracy;
import dev.chainrule.optim.Adagrad;
import dev.chainrule.optim.Adam;
import dev.chainrule.optim.AdamW;
import dev.chainrule.optim.ConstantRate;
import dev.chainrule.optim.EpochSummary;
import dev.chainrule.optim.LearningRateSchedule;
import dev.chainrule.optim.Metric;
import dev.chainrule.optim.Optimizer;
import dev.chainrule.optim.OptimizerState;
import dev.chainrule.optim.RmsProp;
import dev.chainrule.optim.Scheduler;
import dev.chainrule.optim.Sgd;
import dev.chainrule.optim.Trainer;
import dev.chainrule.optim.TrainingListener;
import java.io.Reader;
import java.io.StringReader;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The null convention at every public boundary of {@code nn} and {@code optim}: a null passed for a
 * reference parameter of a public constructor or method is a {@link NullPointerException} thrown at
 * the boundary by {@code Objects.requireNonNull(x, "Op: x is null")}, whose message names the class
 * or op and says what is null, never a JVM one from deep inside ({@code Cannot invoke ... because ...
 * is null}) and never another exception type. Found by reflection over every public class of the two
 * modules; each call passes null for one parameter and valid values for the others.
 */
class NullBoundaryTest {

    @TempDir
    static Path tmp;

    /** Parameters documented as nullable (null selects a behaviour), by {@code Class.method#index}. */
    private static final Set<String> NULLABLE = Set.of(
        "Linear.<init>#3",                     // biasInit null: no bias
        "Mlp$Builder.hiddenActivation#0",      // null: a linear network
        "Mlp$Builder.outputActivation#0",      // null: no output activation
        "Mlp$Builder.biasInit#0",              // null: layers without bias
        "Mlp$Builder.sizes#0",                 // checked by build(), which says what is missing
        "Optimizer.loadStateDict#0",           // reaches the subclasses' own check (covered through them)
        "Residual.<init>#1",                   // projection null: the identity shortcut
        "RNNCell.forward#1",                   // state null: zeros
        "GRUCell.forward#1",
        "LSTMCell.forward#1",
        "RNN.forward#1",                       // initial state null: zeros
        "GRU.forward#1",
        "LSTM.forward#1",
        "MultiheadAttention.forward#3",        // options null: the defaults
        "MultiheadAttention$Options.<init>#1", // no attention mask
        "MultiheadAttention$Options.<init>#2", // no key padding mask
        "MultiheadAttention$Options.withAttnMask#0",
        "MultiheadAttention$Options.withKeyPaddingMask#0",
        "MultiheadAttention$Output.<init>#1"); // weights not asked for

    private static Path file;

    /** A sample value of every parameter type the public API takes. */
    private static Map<Class<?>, Supplier<Object>> samples() {
        Map<Class<?>, Supplier<Object>> m = new HashMap<>();
        m.put(int.class, () -> 1);
        m.put(long.class, () -> 1L);
        m.put(double.class, () -> 0.5);
        m.put(boolean.class, () -> false);
        m.put(char.class, () -> ',');
        m.put(int[].class, () -> new int[] {2, 2});
        m.put(long[].class, () -> new long[] {0, 1});
        m.put(double[].class, () -> new double[] {1, 2});
        m.put(String.class, () -> "x");
        m.put(String[].class, () -> new String[] {"x"});
        m.put(Tensor.class, () -> Tensor.of(new double[] {0, 1, 1, 0}, 2, 2));
        m.put(Tensor[].class, () -> new Tensor[] {Tensor.ones(2)});
        m.put(Path.class, () -> file);
        m.put(Map.class, LinkedHashMap::new);
        m.put(SafeTensors.DType.class, () -> SafeTensors.DType.F32);
        m.put(List.class, () -> List.of(new ReLU()));
        m.put(Iterable.class, () -> List.of(Tensor.ones(2).requiresGrad()));
        m.put(Module.class, () -> new Linear(2, 2, new SplittableRandom(1)));
        m.put(Module[].class, () -> new Module[] {new ReLU()});
        m.put(Optimizer.class, () -> Sgd.builder(List.of(Tensor.ones(2).requiresGrad())).build());
        m.put(Loss.class, MeanSquaredError::new);
        m.put(Metric.class, Accuracy::multiclass);
        m.put(Dataset.class, NullBoundaryTest::dataset);
        m.put(DataLoader.class, () -> DataLoader.builder(dataset()).batchSize(2).build());
        m.put(Batch.class, () -> new Batch(Tensor.ones(2, 2), Tensor.ones(2)));
        m.put(RandomGenerator.class, () -> new SplittableRandom(1));
        m.put(Initializer.class, Zeros::new);
        m.put(LearningRateSchedule.class, () -> new ConstantRate(0.1));
        m.put(Supplier.class, () -> (Supplier<Module>) ReLU::new);
        m.put(Function.class, () -> (Function<Object, Object>) x -> x);
        m.put(TrainingListener.class, () -> new TrainingListener() {});
        m.put(EpochSummary.class, () -> new EpochSummary(1, 0.5, 0.5, 0.5, 0.5, 0.1));
        m.put(OptimizerState.class, () -> Sgd.builder(List.of(Tensor.ones(2).requiresGrad())).build().stateDict());
        m.put(Reduction.class, () -> Reduction.MEAN);
        m.put(Reader.class, () -> new StringReader("a,b\n1,0\n"));
        m.put(Standardizer.class, () -> Standardizer.fit(dataset().x()));
        m.put(FashionMnist.Layout.class, () -> FashionMnist.Layout.values()[0]);
        m.put(Idx.Type.class, () -> Idx.Type.values()[0]);
        m.put(LSTM.State.class, () -> new LSTM.State(Tensor.zeros(1, 2, 2), Tensor.zeros(1, 2, 2)));
        m.put(MultiheadAttention.Options.class, MultiheadAttention.Options::defaults);
        m.put(RNN.Nonlinearity.class, () -> RNN.Nonlinearity.TANH);
        return m;
    }

    private static Dataset dataset() {
        return new Dataset(Tensor.of(new double[] {0, 1, 1, 0, 1, 1, 0, 0}, 4, 2), Tensor.of(0.0, 1.0, 1.0, 0.0));
    }

    /** A receiver for instance methods, by class (builders from their factories). */
    private static Map<Class<?>, Supplier<Object>> receivers() {
        Map<Class<?>, Supplier<Object>> m = new HashMap<>();
        SplittableRandom rng = new SplittableRandom(3);
        m.put(Linear.class, () -> new Linear(2, 2, rng));
        m.put(Sequential.class, () -> new Sequential(new Linear(2, 2, rng)));
        m.put(Mlp.class, () -> Mlp.builder().sizes(2, 2).seed(1).build());
        m.put(Mlp.Builder.class, Mlp::builder);
        m.put(Dropout.class, () -> new Dropout(0.5, 1L));
        m.put(Perceptron.class, () -> new Perceptron(2));
        m.put(Embedding.class, () -> new Embedding(3, 2, rng));
        m.put(ModuleList.class, () -> new ModuleList(new ReLU()));
        m.put(Residual.class, () -> new Residual(new ReLU()));
        m.put(RNNCell.class, () -> new RNNCell(2, 2, rng));
        m.put(GRUCell.class, () -> new GRUCell(2, 2, rng));
        m.put(LSTMCell.class, () -> new LSTMCell(2, 2, rng));
        m.put(RNN.class, () -> new RNN(2, 2, rng));
        m.put(GRU.class, () -> new GRU(2, 2, rng));
        m.put(LSTM.class, () -> new LSTM(2, 2, rng));
        m.put(RNN.Builder.class, () -> RNN.builder(2, 2));
        m.put(GRU.Builder.class, () -> GRU.builder(2, 2));
        m.put(LSTM.Builder.class, () -> LSTM.builder(2, 2));
        m.put(MultiheadAttention.class, () -> new MultiheadAttention(2, 1, rng));
        m.put(MultiheadAttention.Builder.class, () -> MultiheadAttention.builder(2, 1));
        m.put(MultiheadAttention.Options.class, MultiheadAttention.Options::defaults);
        m.put(Dataset.class, NullBoundaryTest::dataset);
        m.put(DataLoader.class, () -> DataLoader.builder(dataset()).build());
        m.put(DataLoader.Builder.class, () -> DataLoader.builder(dataset()));
        m.put(Standardizer.class, () -> Standardizer.fit(dataset().x()));
        m.put(CsvReader.class, () -> CsvReader.builder().build());
        m.put(CsvReader.Builder.class, CsvReader::builder);
        m.put(FashionMnist.Builder.class, FashionMnist::builder);
        Supplier<List<Tensor>> ps = () -> List.of(Tensor.ones(2).requiresGrad());
        m.put(Sgd.class, () -> Sgd.builder(ps.get()).build());
        m.put(Adam.class, () -> Adam.builder(ps.get()).build());
        m.put(AdamW.class, () -> AdamW.builder(ps.get()).build());
        m.put(RmsProp.class, () -> RmsProp.builder(ps.get()).build());
        m.put(Adagrad.class, () -> Adagrad.builder(ps.get()).build());
        m.put(Sgd.Builder.class, () -> Sgd.builder(ps.get()));
        m.put(Adam.Builder.class, () -> Adam.builder(ps.get()));
        m.put(AdamW.Builder.class, () -> AdamW.builder(ps.get()));
        m.put(RmsProp.Builder.class, () -> RmsProp.builder(ps.get()));
        m.put(Adagrad.Builder.class, () -> Adagrad.builder(ps.get()));
        m.put(Scheduler.class, () -> new Scheduler(Sgd.builder(ps.get()).build(), new ConstantRate(0.1)));
        Supplier<Trainer.Builder> tb = () -> {
            Linear l = new Linear(2, 2, rng);
            return Trainer.builder(l, new MeanSquaredError(), Sgd.builder(l).build());
        };
        m.put(Trainer.Builder.class, tb::get);
        m.put(Trainer.class, () -> tb.get().build());
        m.put(OptimizerState.class, () -> Sgd.builder(ps.get()).build().stateDict());
        m.put(dev.chainrule.nn.init.Constant.class, () -> new dev.chainrule.nn.init.Constant(0.5));
        m.put(dev.chainrule.nn.init.Normal.class, () -> new dev.chainrule.nn.init.Normal(0, 1));
        m.put(dev.chainrule.nn.init.Uniform.class, () -> new dev.chainrule.nn.init.Uniform(0, 1));
        m.put(dev.chainrule.nn.loss.GaussianNll.class, () -> new dev.chainrule.nn.loss.GaussianNll(1.0));
        m.put(Accuracy.class, Accuracy::multiclass);
        m.put(Reduction.class, () -> Reduction.MEAN);
        return m;
    }

    private static String key(Executable e, int index) {
        String cls = e.getDeclaringClass().getName();
        cls = cls.substring(cls.lastIndexOf('.') + 1);
        return cls + "." + (e instanceof Constructor ? "<init>" : e.getName()) + "#" + index;
    }

    /** Whether a message is one the JVM writes for an unchecked dereference (helpful NPE messages). */
    private static boolean isJvmMessage(String m) {
        return m == null || m.startsWith("Cannot ") || m.contains("\" is null") || m.contains("because");
    }

    @Test
    void everyPublicBoundaryRejectsNullsWithANamedNullPointerException() throws Exception {
        file = Files.writeString(tmp.resolve("sample.txt"), "x");
        Map<Class<?>, Supplier<Object>> samples = samples();
        Map<Class<?>, Supplier<Object>> receivers = receivers();
        List<Class<?>> classes = new ArrayList<>();
        classes.addAll(HostileInputTest.publicClasses(Module.class, "dev.chainrule.nn", "dev.chainrule.nn.init", "dev.chainrule.nn.loss",
            "dev.chainrule.nn.data", "dev.chainrule.nn.io"));
        classes.addAll(HostileInputTest.publicClasses(Optimizer.class, "dev.chainrule.optim"));
        int calls = 0;
        List<String> skipped = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        for (Class<?> c : classes) {
            List<Executable> members = new ArrayList<>();
            if (!Modifier.isAbstract(c.getModifiers()) && !c.isInterface() && !c.isEnum()) members.addAll(List.of(c.getConstructors()));
            for (Method m : c.getDeclaredMethods()) {
                if (Modifier.isPublic(m.getModifiers()) && !m.isSynthetic() && !m.isBridge()) members.add(m);
            }
            for (Executable e : members) {
                Class<?>[] types = e.getParameterTypes();
                for (int i = 0; i < types.length; i++) {
                    if (types[i].isPrimitive()) continue;
                    String key = key(e, i);
                    if (NULLABLE.contains(key)) continue;
                    if (e instanceof Method mm && mm.getName().equals("equals") && types.length == 1) continue;  // equals(null) is false
                    if (c.isEnum() && e.getName().equals("valueOf")) continue;          // the JDK's own, "Name is null"
                    if (c == TrainingListener.class) continue;                           // callbacks the library calls, with non-null values
                    Object receiver = null;
                    boolean isStatic = e instanceof Constructor || Modifier.isStatic(e.getModifiers());
                    if (!isStatic) {
                        Supplier<Object> r = receivers.get(c);
                        if (r == null) r = c.isInterface() || Modifier.isAbstract(c.getModifiers()) ? samples.get(c) : noArgConstructor(c);
                        if (r == null) {
                            skipped.add(key + " (no receiver)");
                            continue;
                        }
                        receiver = r.get();
                    }
                    Object[] args = new Object[types.length];
                    boolean ok = true;
                    for (int j = 0; j < types.length; j++) {
                        if (j == i) continue;
                        Supplier<Object> s = samples.get(types[j]);
                        if (s == null) {
                            skipped.add(key + " (no sample of " + types[j].getSimpleName() + ")");
                            ok = false;
                            break;
                        }
                        args[j] = s.get();
                    }
                    if (!ok) continue;
                    calls++;
                    Throwable thrown = invoke(e, receiver, args);
                    // The message names the class, its enclosing class (for builders) or, for an interface method, the implementation.
                    String top = c.getSimpleName();
                    String outer = c.getEnclosingClass() != null ? c.getEnclosingClass().getSimpleName()
                        : receiver != null ? receiver.getClass().getSimpleName() : top;
                    if (!(thrown instanceof NullPointerException)) {
                        failures.add(key + ": null gave " + (thrown == null ? "no exception" : thrown));
                    } else if (isJvmMessage(thrown.getMessage()) || !thrown.getMessage().contains("null")
                        || !(thrown.getMessage().contains(top) || thrown.getMessage().contains(outer))) {
                        failures.add(key + ": unclear NullPointerException \"" + thrown.getMessage() + "\"");
                    }
                }
            }
        }
        Figures.report("nulls", "%d public classes of nn and optim, %d calls with one null argument, %d failures, %d skipped (%s)",
            classes.size(), calls, failures.size(), skipped.size(), skipped);
        assertTrue(failures.isEmpty(), failures.size() + " boundaries do not follow the null convention:\n" + String.join("\n", failures));
        assertTrue(calls > 150, "only " + calls + " calls: did the class scan find the modules?");
    }

    private static Supplier<Object> noArgConstructor(Class<?> c) {
        try {
            Constructor<?> k = c.getConstructor();
            return () -> {
                try {
                    return k.newInstance();
                } catch (ReflectiveOperationException ex) {
                    throw new IllegalStateException(ex);
                }
            };
        } catch (NoSuchMethodException e) {
            return null;
        }
    }

    private static Throwable invoke(Executable e, Object receiver, Object[] args) {
        try {
            if (e instanceof Constructor<?> k) {
                k.newInstance(args);
            } else {
                ((Method) e).invoke(receiver, args);
            }
            return null;
        } catch (InvocationTargetException ex) {
            return ex.getCause();
        } catch (ReflectiveOperationException | IllegalArgumentException ex) {
            return ex;
        }
    }
}

package dev.chainrule.spark.ml;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chainrule.autograd.Tensor;
import dev.chainrule.nn.Mlp;
import dev.chainrule.nn.loss.CrossEntropy;
import dev.chainrule.optim.Accuracy;
import dev.chainrule.optim.Adam;
import dev.chainrule.spark.LossFactory;
import dev.chainrule.spark.MetricFactory;
import dev.chainrule.spark.ModelFactory;
import dev.chainrule.spark.Sample;
import dev.chainrule.spark.ShardLoader;
import dev.chainrule.spark.ShardedData;
import dev.chainrule.spark.SparkHistory;
import dev.chainrule.spark.SparkTrainer;
import dev.chainrule.spark.StepListener;
import dev.chainrule.spark.TestSpark;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.sql.Dataset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The null convention of {@code docs/reliability.md} at every public boundary of the spark module:
 * null for a reference parameter of a public constructor or method (declared in this module) is a
 * {@link NullPointerException} thrown at the boundary, whose message names the class and says what
 * is null. By reflection over the public classes of both packages; one null per call, valid values
 * for the other parameters.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SparkNullBoundaryTest {

    /** Parameters documented as nullable, by {@code Class.method#index}. */
    private static final Set<String> NULLABLE = Set.of(
        "SparkTrainer.fit#1",                        // no validation set
        "ChainruleClassifier.setModelFactory#0");    // back to the Mlp of layers

    private static final List<Class<?>> CLASSES = List.of(SparkTrainer.class, SparkTrainer.Builder.class, ShardedData.class,
        SparkHistory.class, Sample.class, ModelFactory.class, dev.chainrule.spark.StepInfo.class, dev.chainrule.spark.Evaluation.class,
        ChainruleClassifier.class, ChainruleClassificationModel.class);

    @TempDir
    Path tmp;

    private JavaSparkContext sc;
    private ShardedData data;

    @BeforeAll
    void start() {
        sc = TestSpark.context();
        data = ShardedData.fromDataset(sc, dataset(), 1);
    }

    @AfterAll
    void stop() {
        data.close();
    }

    private static dev.chainrule.nn.data.Dataset dataset() {
        return new dev.chainrule.nn.data.Dataset(Tensor.of(new double[] {0, 1, 1, 0, 1, 1, 0, 0}, 4, 2), Tensor.of(0.0, 1.0, 1.0, 0.0));
    }

    private static ModelFactory mlp() {
        return () -> Mlp.builder().sizes(2, 2).seed(1).build();
    }

    private SparkTrainer.Builder builder() {
        return SparkTrainer.builder(sc, mlp(), CrossEntropy::new, m -> Adam.builder(m).build());
    }

    private Map<Class<?>, Supplier<Object>> samples() {
        Map<Class<?>, Supplier<Object>> m = new HashMap<>();
        m.put(int.class, () -> 1);
        m.put(long.class, () -> 1L);
        m.put(double.class, () -> 0.5);
        m.put(boolean.class, () -> false);
        m.put(int[].class, () -> new int[] {2});
        m.put(double[].class, () -> new double[] {1, 2});
        m.put(byte[].class, () -> new byte[] {1, 2});
        m.put(String.class, () -> tmp.resolve("x").toString());
        m.put(Path.class, () -> tmp.resolve("checkpoint.safetensors"));
        m.put(JavaSparkContext.class, () -> sc);
        m.put(ModelFactory.class, SparkNullBoundaryTest::mlp);
        m.put(LossFactory.class, () -> (LossFactory) CrossEntropy::new);
        m.put(MetricFactory.class, () -> (MetricFactory) Accuracy::multiclass);
        m.put(ShardLoader.class, () -> (ShardLoader) i -> dataset());
        m.put(StepListener.class, () -> (StepListener) s -> { });
        m.put(Function.class, () -> (Function<dev.chainrule.nn.Module, dev.chainrule.optim.Optimizer>) mod -> Adam.builder(mod).build());
        m.put(ShardedData.class, () -> data);
        m.put(dev.chainrule.nn.data.Dataset.class, SparkNullBoundaryTest::dataset);
        m.put(JavaRDD.class, () -> sc.parallelize(List.of(Sample.of(new double[] {1, 2}, 0))));
        m.put(Vector.class, () -> Vectors.dense(1, 2));
        m.put(ParamMap.class, ParamMap::new);
        m.put(Dataset.class, () -> TestSpark.session().emptyDataFrame());
        return m;
    }

    private Map<Class<?>, Supplier<Object>> receivers() {
        Map<Class<?>, Supplier<Object>> m = new HashMap<>();
        m.put(SparkTrainer.Builder.class, this::builder);
        m.put(SparkTrainer.class, () -> builder().build());
        m.put(ShardedData.class, () -> data);
        m.put(SparkHistory.class, () -> builder().epochs(1).batchSize(4).build().fit(data));
        m.put(ChainruleClassifier.class, ChainruleClassifier::new);
        m.put(ChainruleClassificationModel.class, () -> ChainruleClassificationModel.create("m", mlp(), new double[6], 2, 2));
        return m;
    }

    private static String key(Executable e, int index) {
        String cls = e.getDeclaringClass().getSimpleName();
        return cls + "." + (e instanceof Constructor ? "<init>" : e.getName()) + "#" + index;
    }

    @Test
    void everyPublicBoundaryRejectsNullsWithANamedNullPointerException() {
        Map<Class<?>, Supplier<Object>> samples = samples();
        Map<Class<?>, Supplier<Object>> receivers = receivers();
        List<String> failures = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        int calls = 0;
        for (Class<?> c : CLASSES) {
            List<Executable> members = new ArrayList<>(List.of(c.getConstructors()));
            for (Method m : c.getDeclaredMethods()) {
                if (Modifier.isPublic(m.getModifiers()) && !m.isSynthetic() && !m.isBridge()) members.add(m);
            }
            for (Executable e : members) {
                Class<?>[] types = e.getParameterTypes();
                for (int i = 0; i < types.length; i++) {
                    String key = key(e, i);
                    if (types[i].isPrimitive() || NULLABLE.contains(key)) continue;
                    if (e instanceof Method mm && mm.getName().equals("equals")) continue;
                    Object receiver = null;
                    if (!(e instanceof Constructor) && !Modifier.isStatic(e.getModifiers())) {
                        Supplier<Object> r = receivers.get(c);
                        if (r == null) {
                            skipped.add(key + " (no receiver)");
                            continue;
                        }
                        receiver = r.get();
                    }
                    Object[] args = new Object[types.length];
                    boolean ok = true;
                    for (int j = 0; j < types.length && ok; j++) {
                        if (j == i) continue;
                        Supplier<Object> s = samples.get(types[j]);
                        if (s == null) {
                            skipped.add(key + " (no sample of " + types[j].getSimpleName() + ")");
                            ok = false;
                        } else {
                            args[j] = s.get();
                        }
                    }
                    if (!ok) continue;
                    calls++;
                    Throwable thrown = invoke(e, receiver, args);
                    String owner = c.getEnclosingClass() != null ? c.getEnclosingClass().getSimpleName() : c.getSimpleName();
                    if (!(thrown instanceof NullPointerException)) {
                        failures.add(key + ": null gave " + (thrown == null ? "no exception" : thrown));
                    } else if (thrown.getMessage() == null || !thrown.getMessage().contains(owner) || !thrown.getMessage().contains("null")
                        || thrown.getMessage().contains("because")) {
                        failures.add(key + ": unclear NullPointerException \"" + thrown.getMessage() + "\"");
                    }
                }
            }
        }
        assertTrue(failures.isEmpty(), failures.size() + " of " + calls + " calls break the null convention:\n" + String.join("\n", failures));
        assertTrue(skipped.isEmpty(), "not called: " + skipped);
        assertTrue(calls >= 30, "only " + calls + " calls: did the scan find the classes?");
    }

    private static Throwable invoke(Executable e, Object receiver, Object[] args) {
        try {
            if (e instanceof Constructor<?> k) k.newInstance(args);
            else ((Method) e).invoke(receiver, args);
            return null;
        } catch (InvocationTargetException ex) {
            return ex.getCause();
        } catch (ReflectiveOperationException | IllegalArgumentException ex) {
            return ex;
        }
    }
}

package dev.chainrule.spark;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

/**
 * The local Spark of this module's tests, shared by every test class: Surefire runs them in one JVM,
 * a JVM can run only one {@code SparkContext}, and starting one costs seconds. {@link #MASTER} is
 * {@code local[2,2]} (two task threads, two attempts per task, which {@code FaultToleranceTest}'s
 * retries need). A class that needs another master ({@code EquivalenceLocal4Test}: {@code local[4]})
 * asks for it and the shared session is replaced; {@code junit-platform.properties} runs that class
 * last, so this happens once. Spark stops the last session at JVM exit (its shutdown hook).
 * Bound to 127.0.0.1, no UI, no SQL code generation (compiling it costs more than the tiny test data).
 */
public final class TestSpark {
    private TestSpark() {}

    /** The master of the shared session. */
    public static final String MASTER = "local[2,2]";

    private static SparkSession session;
    private static String master;

    /** The shared session on {@link #MASTER}. */
    public static SparkSession session() {
        return session(MASTER);
    }

    /** The shared session on {@code master}, replacing the current one if it runs on another master. */
    public static synchronized SparkSession session(String master) {
        if (session != null && master.equals(TestSpark.master)) return session;
        if (session != null) session.stop();
        session = SparkSession.builder().config(conf(master)).getOrCreate();
        TestSpark.master = master;
        return session;
    }

    /** The shared context on {@link #MASTER}. */
    public static JavaSparkContext context() {
        return context(MASTER);
    }

    /** The shared context on {@code master} (see {@link #session(String)}). */
    public static JavaSparkContext context(String master) {
        return JavaSparkContext.fromSparkContext(session(master).sparkContext());
    }

    static SparkConf conf(String master) {
        return new SparkConf()
            .setMaster(master)
            .setAppName("chainrule-spark-tests")
            .set("spark.ui.enabled", "false")
            .set("spark.ui.showConsoleProgress", "false")
            .set("spark.driver.host", "127.0.0.1")
            .set("spark.driver.bindAddress", "127.0.0.1")
            .set("spark.sql.shuffle.partitions", "2")
            .set("spark.sql.adaptive.enabled", "false")
            .set("spark.sql.codegen.wholeStage", "false")
            .set("spark.sql.codegen.factoryMode", "NO_CODEGEN");
    }
}

package dev.chainrule.spark;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

/** Local Spark for tests: bound to 127.0.0.1, no UI, small shuffles, no code generation; one context per test class. */
final class TestSpark {
    private TestSpark() {}

    static SparkConf conf(String master, String app) {
        return new SparkConf()
            .setMaster(master)
            .setAppName(app)
            .set("spark.ui.enabled", "false")
            .set("spark.ui.showConsoleProgress", "false")
            .set("spark.driver.host", "127.0.0.1")
            .set("spark.driver.bindAddress", "127.0.0.1")
            .set("spark.sql.shuffle.partitions", "2")
            .set("spark.sql.adaptive.enabled", "false")
            // Tiny test data: compiling generated code (Janino) would cost more than interpreting it.
            .set("spark.sql.codegen.wholeStage", "false")
            .set("spark.sql.codegen.factoryMode", "NO_CODEGEN");
    }

    static JavaSparkContext context(String master, String app) {
        return new JavaSparkContext(conf(master, app));
    }

    static SparkSession session(String master, String app) {
        return SparkSession.builder().config(conf(master, app)).getOrCreate();
    }
}

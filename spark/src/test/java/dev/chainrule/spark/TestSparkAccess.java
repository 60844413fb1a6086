package dev.chainrule.spark;

import org.apache.spark.sql.SparkSession;

/** {@link TestSpark} for tests in other packages. */
public final class TestSparkAccess {
    private TestSparkAccess() {}

    public static SparkSession session(String master, String app) {
        return TestSpark.session(master, app);
    }
}

package dev.chainrule.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.chainrule.nn.data.FashionMnist;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A smoke run of the Spark example in {@code local[2]}: 400 Fashion-MNIST images read by the executors,
 * one epoch of 8 steps. The side-by-side comparison with {@code Trainer} and MLlib ({@code --compare})
 * is the benchmark of docs/spark.md, run by hand; equality with {@code Trainer} is tested in the spark
 * module. Runs in its own JVM (tag {@value #TAG}, see this module's pom).
 */
@Tag(SparkFashionMnistExampleTest.TAG)
class SparkFashionMnistExampleTest {

    /** The tag of tests that start Spark. */
    static final String TAG = "spark";

    @Test
    void trainsOnSparkAndLearns() {
        assumeTrue(FashionMnist.isAvailable(FashionMnist.DEFAULT_DIR), "Fashion-MNIST is not installed (" + FashionMnist.INSTALL_COMMAND + ")");
        SparkFashionMnistExample.Config c = new SparkFashionMnistExample.Config("local[2]", 2, FashionMnist.DEFAULT_DIR, 400, 200, 1, 50, 32,
            0.1, 0.01, 42, false, 1);
        SparkSession spark = SparkSession.builder().config(SparkFashionMnistExample.conf("local[2]")).getOrCreate();
        SparkFashionMnistExample.Result r;
        try {
            r = SparkFashionMnistExample.run(c, spark);
        } finally {
            spark.stop();
        }
        StringWriter text = new StringWriter();
        r.print(new PrintWriter(text, true));
        assertEquals(1, r.spark().size());
        assertNull(r.comparison());
        assertEquals(2, r.partitions());
        // Ten classes: an untrained or broken run stays near 10 %; 8 Adam steps on 400 images reach well above 50 %.
        assertTrue(r.finalTestAccuracy() > 0.5, text.toString());
        assertTrue(r.spark().get(0).trainLoss() < Math.log(10), "mean training loss below that of a uniform guess: " + text);
        assertTrue(text.toString().contains("Chainrule on Spark (SparkTrainer)"), text.toString());
    }
}

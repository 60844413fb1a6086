package dev.chainrule.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.chainrule.nn.data.FashionMnist;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/** The Spark example and its benchmark harness (--compare) on a small slice of Fashion-MNIST in local[2]. */
class SparkFashionMnistExampleTest {

    @Test
    void trainsOnSparkAndComparesWithTrainerAndMllib() {
        assumeTrue(FashionMnist.isAvailable(FashionMnist.DEFAULT_DIR), "Fashion-MNIST is not installed (" + FashionMnist.INSTALL_COMMAND + ")");
        SparkFashionMnistExample.Config c = new SparkFashionMnistExample.Config("local[2]", 2, FashionMnist.DEFAULT_DIR, 600, 200, 2, 100, 32,
            0.1, 0.003, 42, true, 3);
        // The example's own configuration, without code generation (compiling it costs more than the tiny data).
        SparkSession spark = SparkSession.builder().config(SparkFashionMnistExample.conf("local[2]")
            .set("spark.sql.codegen.wholeStage", "false").set("spark.sql.codegen.factoryMode", "NO_CODEGEN")).getOrCreate();
        SparkFashionMnistExample.Result r;
        try {
            r = SparkFashionMnistExample.run(c, spark);
        } finally {
            spark.stop();
        }
        StringWriter text = new StringWriter();
        r.print(new PrintWriter(text, true));
        assertEquals(2, r.spark().size());
        assertEquals(2, r.comparison().trainer().size());
        assertTrue(r.finalTestAccuracy() > 0.5, text.toString());
        // Same batches, same dropout masks: the two Chainrule runs agree up to rounding.
        assertTrue(r.comparison().parameterDifference() < 1e-10, text.toString());
        assertEquals(r.spark().get(1).testAccuracy(), r.comparison().trainer().get(1).testAccuracy(), 1e-9, text.toString());
        assertTrue(r.comparison().mllibIterations() >= 1 && r.comparison().mllibIterations() <= 3, text.toString());
        assertTrue(text.toString().contains("per-step overhead of Spark"), text.toString());
    }
}

package dev.chainrule.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class AttentionExampleTest {

    @Test
    void theTaskIsTheReversedStringAfterTheSeparator() {
        AttentionExample.Batch b = AttentionExample.batch(2, 4, new SplittableRandom(1));
        for (int s = 0; s < 2; s++) {
            int[] d = b.digits()[s];
            double[] row = b.inputs().select(0, s).toArray();
            assertArrayEquals(new double[] {d[0], d[1], d[2], d[3], AttentionExample.SEP, d[3], d[2], d[1]}, row, 0.0);
            assertArrayEquals(new int[] {d[3], d[2], d[1], d[0]}, java.util.Arrays.copyOfRange(b.targets(), 4 * s, 4 * s + 4));
        }
    }

    @Test
    void aShortRunLearnsToReverseSixDigits() {
        // 6 digits and 60 steps (the default is 8 digits, 200 steps); chance is 10 %, and with 40 steps it already reaches 100 %
        StringWriter text = new StringWriter();
        AttentionExample.Result r = AttentionExample.run(CommonOptions.DEFAULT_SEED, 6, 60, new PrintWriter(text, true));
        assertTrue(r.claimHolds(), "token accuracy " + r.tokenAccuracy() + "\n" + text);
        assertTrue(r.losses()[r.losses().length - 1] < 0.05 * r.losses()[0], "loss falls: " + r.losses()[0] + " -> "
            + r.losses()[r.losses().length - 1]);
        assertEquals(5, r.examples().size());
        assertTrue(r.examples().get(0).matches("\\d{6} -> \\d{6}  ok"), r.examples().get(0));
    }
}

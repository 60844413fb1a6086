package dev.chainrule.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.generators.SourceDSL.doubles;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.chainrule.autograd.Tensor;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class DropoutTest {

    @Test
    void evalIsTheIdentity() {
        Dropout d = new Dropout(0.5, new SplittableRandom(0));
        d.eval();
        Tensor x = Tensor.of(1, 2, 3);
        assertSame(x, d.forward(x));
    }

    @Test
    void trainingZeroesAboutPAndScalesSurvivors() {
        double p = 0.3;
        Dropout d = new Dropout(p, new SplittableRandom(42));
        Tensor y = d.forward(Tensor.ones(200, 500));
        assertArrayEquals(new int[] {200, 500}, y.shape());
        int zeros = 0;
        for (double v : y.toArray()) {
            if (v == 0) zeros++;
            else assertEquals(1 / (1 - p), v, 1e-15);
        }
        assertEquals(p, zeros / 100_000.0, 0.01);
        assertEquals(1.0, y.mean().item(), 0.01, "inverted dropout keeps the expectation");
    }

    @Test
    void expectationIsPreservedForAnyPAndInput() {
        TestData.props(20).withShrinkCycles(3).forAll(doubles().between(0, 0.9), longs().all()).checkAssert((p, seed) -> {
            var rng = new SplittableRandom(seed);
            Tensor x = TestData.uniform(rng, -1, 1, 8);
            Dropout d = new Dropout(p, rng);
            double[] sum = new double[8];
            int trials = 10_000;
            for (int t = 0; t < trials; t++) {
                double[] y = d.forward(x).toArray();
                for (int i = 0; i < 8; i++) sum[i] += y[i];
            }
            double[] xs = x.toArray();
            double sd = Math.sqrt(p / (1 - p)) / Math.sqrt(trials);   // per unit |x|
            for (int i = 0; i < 8; i++) assertEquals(xs[i], sum[i] / trials, 6 * sd * Math.abs(xs[i]) + 1e-12, "p=" + p);
        });
    }

    @Test
    void gradientIsTheScaledMask() {
        Dropout d = new Dropout(0.5, new SplittableRandom(7));
        Tensor x = Tensor.of(new double[] {1, -2, 3, 4, 5, -6, 7, 8}, 2, 4).requiresGrad();
        Tensor y = d.forward(x);
        y.sum().backward();
        double[] xs = x.toArray(), ys = y.toArray(), g = x.grad().toArray();
        for (int i = 0; i < 8; i++) assertEquals(ys[i] / xs[i], g[i], 1e-15);
    }

    @Test
    void masksAreFreshPerCallAndReproduciblePerSeed() {
        Tensor x = Tensor.ones(64);
        Dropout a = new Dropout(0.5, new SplittableRandom(1)), b = new Dropout(0.5, new SplittableRandom(1));
        double[] a1 = a.forward(x).toArray(), a2 = a.forward(x).toArray();
        assertFalse(Arrays.equals(a1, a2));
        assertArrayEquals(a1, b.forward(x).toArray());
    }

    @Test
    void zeroProbabilityIsTheIdentityAndPIsValidated() {
        Tensor x = Tensor.of(1, 2);
        assertSame(x, new Dropout(0, new SplittableRandom(0)).forward(x));
        for (double bad : new double[] {-0.1, 1, 1.5, Double.NaN}) {
            var e = assertThrows(IllegalArgumentException.class, () -> new Dropout(bad, new SplittableRandom(0)));
            assertTrue(e.getMessage().startsWith("Dropout: p="), e.getMessage());
        }
        assertThrows(NullPointerException.class, () -> new Dropout(0.5, null));
        assertThrows(IllegalArgumentException.class, () -> new Dropout(1));
        Tensor y = new Dropout(0.5).forward(Tensor.ones(1000));
        assertTrue(java.util.Arrays.stream(y.toArray()).allMatch(v -> v == 0 || v == 2));
    }

    @Test
    void keyedShardsGetTheMasksOfTheFullBatch() {
        Tensor x = TestData.uniform(new SplittableRandom(3), -1, 1, 7, 5);
        Dropout full = new Dropout(0.4, 11L), sharded = new Dropout(0.4, 11L);
        double[] whole = full.forward(x).toArray();        // step 0, rows keyed 0..6
        double[] xs = x.toArray();
        double[] parts = new double[35];
        int[][] shards = {{0, 1, 2}, {3}, {4, 5, 6}};
        for (int[] rows : shards) {
            double[] d = new double[rows.length * 5];
            long[] keys = new long[rows.length];
            for (int i = 0; i < rows.length; i++) {
                System.arraycopy(xs, rows[i] * 5, d, i * 5, 5);
                keys[i] = rows[i];
            }
            double[] y;
            try (var k = Dropout.keys(0, keys)) {
                y = sharded.forward(Tensor.of(d, rows.length, 5)).toArray();
            }
            for (int i = 0; i < rows.length; i++) System.arraycopy(y, i * 5, parts, rows[i] * 5, 5);
        }
        assertArrayEquals(whole, parts);
        var e = assertThrows(IllegalArgumentException.class, () -> {
            try (var k = Dropout.keys(0, 1, 2)) {
                sharded.forward(x);
            }
        });
        assertTrue(e.getMessage().contains("2 sample keys"), e.getMessage());
    }

    @Test
    void theCallCounterIsTheWholeRandomState() {
        Tensor x = Tensor.ones(4, 16);
        Dropout a = new Dropout(0.5, 5L);
        a.forward(x);
        a.forward(x);
        assertEquals(2, a.calls());
        double[] third = a.forward(x).toArray();
        Dropout b = new Dropout(0.5, 5L);
        b.setCalls(2);
        assertArrayEquals(third, b.forward(x).toArray());
        assertThrows(IllegalArgumentException.class, () -> b.setCalls(-1));
    }
}

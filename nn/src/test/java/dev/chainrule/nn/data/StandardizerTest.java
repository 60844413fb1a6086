package dev.chainrule.nn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chainrule.autograd.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class StandardizerTest {

    private static double colMean(Tensor t, int c) {
        int n = t.shape()[0];
        double s = 0;
        for (int r = 0; r < n; r++) s += t.get(r, c);
        return s / n;
    }

    private static double colStd(Tensor t, int c) {
        int n = t.shape()[0];
        double m = colMean(t, c), s = 0;
        for (int r = 0; r < n; r++) s += (t.get(r, c) - m) * (t.get(r, c) - m);
        return Math.sqrt(s / n);
    }

    @Test
    void trainStatisticsBecomeZeroMeanUnitStdAndTestUsesTheSameTransform() {
        SplittableRandom rng = new SplittableRandom(11);
        int n = 200;
        double[] x = new double[n * 3];
        for (int r = 0; r < n; r++) {
            x[3 * r] = 5 + 3 * rng.nextDouble();        // mean ~6.5
            x[3 * r + 1] = -1000 + 0.01 * rng.nextDouble();
            x[3 * r + 2] = 0.1;                          // constant column
        }
        Dataset.Split split = new Dataset(Tensor.of(x, n, 3), Tensor.zeros(n)).split(0.25, rng);
        Tensor train = split.train().x();
        Tensor test = split.test().x();
        Standardizer st = Standardizer.fit(train);
        assertArrayEquals(new int[] {3}, st.mean().shape());
        assertArrayEquals(new int[] {3}, st.std().shape());
        assertEquals(colMean(train, 0), st.mean().get(0), 1e-12);
        assertEquals(colStd(train, 1), st.std().get(1), 1e-15);
        assertEquals(0.1, st.mean().get(2));
        assertEquals(1.0, st.std().get(2));

        Tensor z = st.transform(train);
        for (int c = 0; c < 2; c++) {
            assertEquals(0.0, colMean(z, c), 1e-9, "column " + c);
            assertEquals(1.0, colStd(z, c), 1e-9, "column " + c);
        }
        for (int r = 0; r < train.shape()[0]; r++) assertEquals(0.0, z.get(r, 2));

        // The test split is transformed with the train statistics, not its own.
        Tensor zt = st.transform(test);
        for (int r = 0; r < test.shape()[0]; r++) {
            for (int c = 0; c < 3; c++) {
                assertEquals((test.get(r, c) - st.mean().get(c)) / st.std().get(c), zt.get(r, c), 0.0);
            }
        }
        Standardizer own = Standardizer.fit(test);
        assertTrue(Math.abs(own.mean().get(0) - st.mean().get(0)) > 0, "test statistics differ from train statistics");

        Tensor back = st.inverse(zt);
        double[] tb = test.toArray(), bb = back.toArray();
        for (int i = 0; i < tb.length; i++) assertEquals(tb[i], bb[i], 1e-9 * Math.max(1, Math.abs(tb[i])));
    }

    @Test
    void rankOneInputHasScalarStatistics() {
        Standardizer st = Standardizer.fit(Tensor.of(1, 2, 3, 4));
        assertEquals(0, st.mean().rank());
        assertEquals(2.5, st.mean().item());
        assertEquals(Math.sqrt(1.25), st.std().item(), 1e-15);
        assertArrayEquals(new double[] {-1.5 / Math.sqrt(1.25), 1.5 / Math.sqrt(1.25)},
            st.transform(Tensor.of(1, 4)).toArray(), 1e-15);
    }

    @Test
    void rejectsOtherFeatureShapes() {
        Standardizer st = Standardizer.fit(Tensor.zeros(4, 3));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> st.transform(Tensor.zeros(4, 2)));
        assertTrue(e.getMessage().contains("[4, 2]") && e.getMessage().contains("[m, 3]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> st.inverse(Tensor.zeros(3)));
        assertThrows(IllegalArgumentException.class, () -> Standardizer.fit(Tensor.scalar(2)));
    }
}

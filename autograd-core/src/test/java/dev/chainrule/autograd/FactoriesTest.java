package dev.chainrule.autograd;

import static dev.chainrule.autograd.MathGens.shape4;
import static dev.chainrule.autograd.TestGens.between;
import static dev.chainrule.autograd.TestGens.size;
import static dev.chainrule.autograd.TestGens.theory;
import static dev.chainrule.autograd.TestGens.uniform;
import static dev.chainrule.autograd.TestGens.unflatten;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/** The factories of issue 8: ranges, identity matrices, random integers, tensors from a function, *Like. */
class FactoriesTest {

    @Test
    void arangeCountsAsPyTorch() {
        Gen<double[]> ranges = rs -> {
            double start = uniform(rs, -5, 5), len = uniform(rs, 0.01, 8), step = uniform(rs, 0.05, 2);
            boolean down = TestGens.bool(rs);
            return down ? new double[] {start, start - len, -step} : new double[] {start, start + len, step};
        };
        theory(60).forAll(ranges).checkAssert(r -> {
            Tensor t = Tensor.arange(r[0], r[1], r[2]);
            int n = (int) Math.ceil((r[1] - r[0]) / r[2]);
            assertArrayEquals(new int[] {n}, t.shape());
            for (int i = 0; i < n; i++) {
                double v = t.get(i);
                assertEquals(r[0] + i * r[2], v, 0);
                assertTrue(r[2] > 0 ? v < r[1] : v > r[1], "end excluded");
            }
        });
        assertArrayEquals(new double[] {0, 1, 2, 3}, Tensor.arange(4).toArray());
        assertArrayEquals(new double[] {0, 1, 2}, Tensor.arange(2.5).toArray());
        assertArrayEquals(new double[] {-2, -1, 0}, Tensor.arange(-2, 1).toArray());
        assertArrayEquals(new double[] {3, 1}, Tensor.arange(3, 0, -2).toArray());
        assertEquals(1, Tensor.arange(0, 1e-9, 1).size());
    }

    @Test
    void linspaceHitsBothEnds() {
        theory(40).forAll(rs -> new double[] {uniform(rs, -10, 10), uniform(rs, -10, 10), between(rs, 1, 50)}).checkAssert(r -> {
            int steps = (int) r[2];
            Tensor t = Tensor.linspace(r[0], r[1], steps);
            assertEquals(steps, t.size());
            assertEquals(r[0], t.get(0), 0);
            if (steps > 1) assertEquals(r[1], t.get(steps - 1), 0);
            double step = steps > 1 ? (r[1] - r[0]) / (steps - 1) : 0;
            for (int i = 0; i < steps; i++) assertEquals(r[0] + i * step, t.get(i), 1e-13);
        });
        assertArrayEquals(new double[] {0, 0.25, 0.5, 0.75, 1}, Tensor.linspace(0, 1, 5).toArray());
        assertArrayEquals(new double[] {2}, Tensor.linspace(2, 7, 1).toArray());
    }

    @Test
    void eye() {
        assertArrayEquals(new double[] {1, 0, 0, 0, 1, 0, 0, 0, 1}, Tensor.eye(3).toArray());
        assertArrayEquals(new int[] {2, 3}, Tensor.eye(2, 3).shape());
        assertArrayEquals(new double[] {1, 0, 0, 0, 1, 0}, Tensor.eye(2, 3).toArray());
        assertArrayEquals(new double[] {1, 0, 0, 1, 0, 0}, Tensor.eye(3, 2).toArray());
        Tensor a = Tensor.randn(new SplittableRandom(1), 4, 4);
        assertArrayEquals(a.toArray(), a.matmul(Tensor.eye(4)).toArray(), 1e-15);
    }

    @Test
    void randintCoversItsRangeAndIsReproducible() {
        Tensor r = Tensor.randint(new SplittableRandom(5), -3, 4, 50, 40);
        assertArrayEquals(new int[] {50, 40}, r.shape());
        int[] counts = new int[7];
        for (double v : r.toArray()) {
            assertEquals(Math.rint(v), v, 0, "an integer");
            assertTrue(v >= -3 && v < 4, "in [lo, hi)");
            counts[(int) v + 3]++;
        }
        for (int c : counts) assertTrue(c > 200, "every value drawn about 2000/7 times: " + java.util.Arrays.toString(counts));
        assertArrayEquals(r.toArray(), Tensor.randint(new SplittableRandom(5), -3, 4, 50, 40).toArray());
        assertArrayEquals(new double[] {7, 7}, Tensor.randint(new SplittableRandom(1), 7, 8, 2).toArray());
        Tensor wide = Tensor.randint(new SplittableRandom(2), Integer.MIN_VALUE, Integer.MAX_VALUE, 100);
        for (double v : wide.toArray()) assertTrue(v >= Integer.MIN_VALUE && v < Integer.MAX_VALUE);
        assertEquals(0, Tensor.randint(new SplittableRandom(3), 0, 1).rank());
    }

    @Test
    void fromFunctionVisitsEveryIndexInRowMajorOrder() {
        theory(30).forAll(rs -> shape4(rs, 0)).checkAssert(s -> {
            List<int[]> seen = new ArrayList<>();
            Tensor t = Tensor.fromFunction(s, i -> {
                seen.add(i);
                double v = 0;
                for (int d : i) v = v * 10 + d;
                return v;
            });
            assertArrayEquals(s, t.shape());
            assertEquals(size(s), seen.size());
            for (int k = 0; k < seen.size(); k++) {
                assertArrayEquals(unflatten(k, s), seen.get(k), "index passed for element " + k);
                int[] idx = unflatten(k, s);
                assertEquals(t.toArray()[k], t.get(idx));
                if (k > 0) assertNotSame(seen.get(k), seen.get(k - 1), "a fresh index array each call");
            }
        });
        Tensor causal = Tensor.fromFunction(new int[] {3, 3}, i -> i[1] > i[0] ? 1 : 0);
        assertArrayEquals(new double[] {0, 1, 1, 0, 0, 1, 0, 0, 0}, causal.toArray());
        assertArrayEquals(Tensor.arange(3).reshape(3, 1).lt(Tensor.arange(3)).toArray(), causal.toArray());
    }

    @Test
    void likeFactoriesCopyTheShapeOnly() {
        Tensor x = Tensor.of(new double[] {1, 2, 3, 4, 5, 6}, 2, 3).requiresGrad();
        assertArrayEquals(new double[6], Tensor.zerosLike(x).toArray());
        assertArrayEquals(new double[] {1, 1, 1, 1, 1, 1}, Tensor.onesLike(x).toArray());
        assertArrayEquals(new double[] {-2, -2, -2, -2, -2, -2}, Tensor.fullLike(x, -2).toArray());
        assertArrayEquals(new int[] {2, 3}, Tensor.onesLike(x).shape());
        assertFalse(Tensor.zerosLike(x).isGradRequired());
        assertEquals(0, Tensor.onesLike(Tensor.scalar(3)).rank());
    }

    @Test
    void factoriesRecordNoGraph() {
        for (Tensor t : new Tensor[] {Tensor.arange(3), Tensor.linspace(0, 1, 3), Tensor.eye(2),
            Tensor.randint(new SplittableRandom(1), 0, 3, 2), Tensor.fromFunction(new int[] {2}, i -> i[0])}) {
            assertTrue(t.isLeaf());
            assertFalse(t.isGradRequired());
        }
    }
}

package dev.chainrule.nn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.chainrule.autograd.DType;
import dev.chainrule.autograd.Tensor;
import java.io.IOException;
import java.io.StringReader;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Datasets, batches, loaders, the CSV reader and the standardizer in FLOAT32: dtypes kept through
 * batches, subsets and splits, conversions rounding each value once, the loader's {@code dtype}
 * option converting once and giving the same batches (same order) as a FLOAT64 loader, rounded.
 */
class Float32DataTest {

    static Dataset data(DType dtype) {
        Tensor x = Tensor.randn(new SplittableRandom(1), 10, 3);
        Tensor y = Tensor.of(new double[] {0, 1, 2, 0, 1, 2, 0, 1, 2, 0}, 10);
        return new Dataset(x.to(dtype), y.to(dtype));
    }

    @Test
    void aDatasetKeepsItsDtypesInBatchesSubsetsAndSplits() {
        Dataset d = data(DType.FLOAT32);
        assertEquals(DType.FLOAT32, d.dtype());
        assertEquals(DType.FLOAT32, d.x().dtype());
        assertEquals(DType.FLOAT32, d.y().dtype());
        Batch b = d.batch(new int[] {3, 1});
        assertEquals(DType.FLOAT32, b.x().dtype());
        assertEquals(DType.FLOAT32, b.y().dtype());
        assertEquals(DType.FLOAT32, b.dtype());
        assertEquals(DType.FLOAT32, d.subset(new int[] {0, 2}).x().dtype());
        Dataset.Split s = d.split(0.3, new SplittableRandom(2));
        assertEquals(DType.FLOAT32, s.train().y().dtype());
        assertEquals(DType.FLOAT32, s.test().x().dtype());
        assertEquals("Dataset(n=10, x=[10, 3], y=[10], dtype=FLOAT32/FLOAT32)", d.toString());
        assertEquals("Dataset(n=10, x=[10, 3], y=[10])", data(DType.FLOAT64).toString());
        // Mixed: float inputs with float64 targets is allowed and kept.
        Dataset mixed = new Dataset(d.x(), data(DType.FLOAT64).y());
        assertEquals(DType.FLOAT64, mixed.batch(new int[] {0}).y().dtype());
    }

    @Test
    void toRoundsEachValueOnceAndReturnsThisWhenNothingChanges() {
        Dataset d64 = data(DType.FLOAT64);
        Dataset d32 = d64.to(DType.FLOAT32);
        assertSame(d32, d32.to(DType.FLOAT32));
        double[] a = d64.x().toArray(), b = d32.x().toArray();
        for (int i = 0; i < a.length; i++) assertEquals((float) a[i], b[i], 0.0);
        assertArrayEquals(d64.y().toArray(), d32.y().toArray(), 0.0, "class indices stay exact");
        assertArrayEquals(b, d32.to(DType.FLOAT64).x().toArray(), 0.0, "widening back is exact");
        assertThrows(NullPointerException.class, () -> d64.to(null));
        Batch batch = d64.batch(new int[] {0, 1});
        assertSame(batch, batch.to(DType.FLOAT64));
        Batch b32 = batch.to(DType.FLOAT32);
        assertEquals(DType.FLOAT32, b32.x().dtype());
        assertEquals(DType.FLOAT32, b32.y().dtype());
    }

    @Test
    void aLoaderWithDtypeGivesTheFloat64LoadersBatchesRounded() {
        Dataset d64 = data(DType.FLOAT64);
        DataLoader l64 = DataLoader.builder(d64).batchSize(4).shuffle(7L).build();
        DataLoader l32 = DataLoader.builder(d64).batchSize(4).shuffle(7L).dtype(DType.FLOAT32).build();
        assertEquals(DType.FLOAT32, l32.dataset().dtype());
        var i64 = l64.iterator();
        int batches = 0;
        for (Batch b : l32) {
            Batch ref = i64.next();
            assertEquals(DType.FLOAT32, b.x().dtype());
            assertEquals(DType.FLOAT32, b.y().dtype());
            assertArrayEquals(ref.to(DType.FLOAT32).x().toFloatArray(), b.x().toFloatArray());
            assertArrayEquals(ref.y().toArray(), b.y().toArray(), 0.0);
            batches++;
        }
        assertEquals(3, batches);
        assertThrows(NullPointerException.class, () -> DataLoader.builder(d64).dtype(null));
        assertEquals(DType.FLOAT64, DataLoader.builder(d64).build().iterator().next().x().dtype(), "default: the data set's dtype");
    }

    @Test
    void csvReaderReadsFloat32() throws IOException {
        String csv = "a,b,label\n0.1,2,1\n-3.5,1e-3,0\n";
        Dataset d = CsvReader.builder().dtype(DType.FLOAT32).build().read(new StringReader(csv), "inline");
        assertEquals(DType.FLOAT32, d.x().dtype());
        assertEquals(DType.FLOAT32, d.y().dtype());
        assertEquals((float) 0.1, d.x().get(0, 0), 0.0);
        assertArrayEquals(new double[] {1, 0}, d.y().toArray(), 0.0);
        Dataset r = CsvReader.builder().regression().dtype(DType.FLOAT32).build().read(new StringReader(csv), "inline");
        assertEquals(DType.FLOAT32, r.y().dtype());
        assertThrows(NullPointerException.class, () -> CsvReader.builder().dtype(null));
    }

    @Test
    void standardizerTransformsInTheInputsDtype() {
        Dataset d = data(DType.FLOAT64);
        Standardizer s = Standardizer.fit(d.x());
        Tensor z32 = s.transform(d.x().to(DType.FLOAT32));
        assertEquals(DType.FLOAT32, z32.dtype());
        assertEquals(DType.FLOAT32, s.inverse(z32).dtype());
        double[] z = s.transform(d.x()).toArray(), zf = z32.toArray();
        for (int i = 0; i < z.length; i++) assertEquals(z[i], zf[i], 1e-6 * (1 + Math.abs(z[i])));
    }
}

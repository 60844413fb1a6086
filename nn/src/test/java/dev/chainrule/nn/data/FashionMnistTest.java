package dev.chainrule.nn.data;

import static dev.chainrule.nn.data.IdxFiles.gzip;
import static dev.chainrule.nn.data.IdxFiles.ubytes;
import static dev.chainrule.nn.data.IdxFiles.write;
import static dev.chainrule.nn.data.IdxTest.assertIo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.chainrule.autograd.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FashionMnistTest {

    @TempDir
    Path dir;

    /** Pixel {@code p} of image {@code i} in the fake files: distinct per image and position. */
    private static int pixel(int i, int p) {
        return (i * 37 + p * 11) % 256;
    }

    private static int[] pixels(int n) {
        int[] px = new int[n * 784];
        for (int i = 0; i < n; i++) for (int p = 0; p < 784; p++) px[i * 784 + p] = pixel(i, p);
        return px;
    }

    /** Five training images (gzipped) and three test images (plain, names without .gz). */
    private void writeFakeFiles() {
        write(dir.resolve(FashionMnist.TRAIN_IMAGES), gzip(ubytes(new int[] {5, 28, 28}, pixels(5))));
        write(dir.resolve(FashionMnist.TRAIN_LABELS), gzip(ubytes(new int[] {5}, 9, 0, 3, 9, 1)));
        write(dir.resolve("t10k-images-idx3-ubyte"), ubytes(new int[] {3, 28, 28}, pixels(3)));
        write(dir.resolve("t10k-labels-idx1-ubyte"), ubytes(new int[] {3}, 2, 7, 5));
    }

    @Test
    void loadsBothSplitsFlatAndScaled() throws IOException {
        writeFakeFiles();
        assertTrue(FashionMnist.isAvailable(dir));
        Dataset.Split data = FashionMnist.load(dir);
        assertArrayEquals(new int[] {5, 784}, data.train().x().shape());
        assertArrayEquals(new int[] {5}, data.train().y().shape());
        assertArrayEquals(new double[] {9, 0, 3, 9, 1}, data.train().y().toArray());
        assertArrayEquals(new int[] {3, 784}, data.test().x().shape());
        assertArrayEquals(new double[] {2, 7, 5}, data.test().y().toArray());
        assertEquals(pixel(4, 783) / 255.0, data.train().x().get(4, 783), 1e-15);
        assertEquals(pixel(2, 100) / 255.0, data.test().x().get(2, 100), 1e-15);
    }

    @Test
    void float32PixelsAreEachScaledValueRoundedOnceAndLabelsExact() throws IOException {
        writeFakeFiles();
        Dataset.Split data = FashionMnist.builder(dir).dtype(dev.chainrule.autograd.DType.FLOAT32).load();
        for (Dataset d : new Dataset[] {data.train(), data.test()}) {
            assertEquals(dev.chainrule.autograd.DType.FLOAT32, d.x().dtype());
            assertEquals(dev.chainrule.autograd.DType.FLOAT32, d.y().dtype());
        }
        assertEquals((float) (pixel(4, 783) / 255.0), data.train().x().get(4, 783), 0.0);
        assertArrayEquals(new double[] {9, 0, 3, 9, 1}, data.train().y().toArray());
        assertEquals(dev.chainrule.autograd.DType.FLOAT32, DataLoader.builder(data.train()).batchSize(2).build().iterator().next().x().dtype());
    }

    @Test
    void nchwLayoutRawPixelsAndLimits() throws IOException {
        writeFakeFiles();
        Dataset.Split data = FashionMnist.builder(dir).layout(FashionMnist.Layout.NCHW).scale(1).trainLimit(2).load();
        Tensor x = data.train().x();
        assertArrayEquals(new int[] {2, 1, 28, 28}, x.shape());
        assertEquals(pixel(1, 28 * 3 + 5), x.get(1, 0, 3, 5));
        assertArrayEquals(new double[] {9, 0}, data.train().y().toArray());
        assertEquals(3, data.test().size());
        Dataset test = FashionMnist.builder(dir).limit(2).loadTest();
        assertArrayEquals(new double[] {2, 7}, test.y().toArray());
        assertEquals(2, FashionMnist.builder(dir).limit(2).load().train().size());
        assertThrows(IllegalArgumentException.class, () -> FashionMnist.builder(dir).limit(0));
        assertThrows(IllegalArgumentException.class, () -> FashionMnist.builder(dir).scale(Double.POSITIVE_INFINITY));
    }

    @Test
    void missingFilesNameTheDirectoryTheFilesAndTheInstallCommand() throws IOException {
        Path nowhere = dir.resolve("no-such-dir");
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> FashionMnist.load(nowhere));
        String m = e.getMessage();
        for (String s : new String[] {nowhere.toString(), "does not exist", FashionMnist.TRAIN_IMAGES, FashionMnist.TEST_LABELS,
                "apt-get install -y dataset-fashion-mnist", "--data DIR"}) {
            assertTrue(m.contains(s), "lacks '" + s + "': " + m);
        }
        assertFalse(FashionMnist.isAvailable(nowhere));

        // Only the test labels are missing: load() names that one file and reads nothing.
        writeFakeFiles();
        Files.delete(dir.resolve("t10k-labels-idx1-ubyte"));
        e = assertThrows(NoSuchFileException.class, () -> FashionMnist.load(dir));
        m = e.getMessage();
        assertTrue(m.contains(dir.toString()) && m.contains("missing " + FashionMnist.TEST_LABELS) && !m.contains(FashionMnist.TRAIN_IMAGES), m);
        assertTrue(m.contains(FashionMnist.INSTALL_COMMAND), m);
        // The training split alone does not need the test files.
        assertEquals(5, FashionMnist.builder(dir).loadTrain().size());
    }

    @Test
    void imageAndLabelCountsMustAgree() {
        writeFakeFiles();
        Path labels = write(dir.resolve(FashionMnist.TRAIN_LABELS), gzip(ubytes(new int[] {4}, 1, 2, 3, 4)));
        IOException e = assertIo(labels, () -> FashionMnist.builder(dir).limit(2).loadTrain(), "5 images", "4 labels");
        assertTrue(e.getMessage().contains(dir.resolve(FashionMnist.TRAIN_IMAGES).toString()), e.getMessage());
    }

    @Test
    void labelsOutsideTheTenClassesAreRejectedWithTheirPosition() {
        writeFakeFiles();
        Path labels = write(dir.resolve(FashionMnist.TRAIN_LABELS), gzip(ubytes(new int[] {5}, 9, 0, 10, 9, 1)));
        assertIo(labels, () -> FashionMnist.load(dir), "label 10 at byte 10 (item 2)", "0-9");
    }

    @Test
    void wrongFileKindsAndCorruptFilesAreRejected() {
        writeFakeFiles();
        // Labels where images belong.
        Path images = write(dir.resolve(FashionMnist.TRAIN_IMAGES), gzip(ubytes(new int[] {5}, 1, 2, 3, 4, 5)));
        assertIo(images, () -> FashionMnist.builder(dir).loadTrain(), "unsigned byte [5]", "images must be");
        // Images where labels belong.
        writeFakeFiles();
        Path labels = write(dir.resolve(FashionMnist.TRAIN_LABELS), ubytes(new int[] {5, 1}, 1, 2, 3, 4, 5));
        assertIo(labels, () -> FashionMnist.builder(dir).loadTrain(), "unsigned byte [5, 1]", "labels must be");
        // A truncated image file: named, with the byte where it ends, even with a limit of 1.
        writeFakeFiles();
        byte[] full = ubytes(new int[] {5, 28, 28}, pixels(5));
        Path cut = write(dir.resolve(FashionMnist.TRAIN_IMAGES), gzip(Arrays.copyOf(full, 16 + 784 * 3 + 100)));
        assertIo(cut, () -> FashionMnist.builder(dir).limit(1).loadTrain(), "truncated", "ends at byte " + (16 + 784 * 3 + 100), "item 3");
    }

    /** Needs the Debian package {@code dataset-fashion-mnist}; CI installs it (.ci/run). */
    @Test
    void realFashionMnistFirst2000TrainingImages() throws IOException {
        assumeTrue(FashionMnist.isAvailable(FashionMnist.DEFAULT_DIR),
            "Fashion-MNIST not installed in " + FashionMnist.DEFAULT_DIR + "; " + FashionMnist.INSTALL_COMMAND);
        Dataset.Split data = FashionMnist.builder().limit(2000).load();
        Dataset train = data.train();
        assertArrayEquals(new int[] {2000, 784}, train.x().shape());
        assertArrayEquals(new int[] {2000}, train.y().shape());
        double[] y = train.y().toArray();
        // First labels and the class histogram of the first 2,000, from numpy on the same files.
        assertArrayEquals(new double[] {9, 0, 0, 3, 0, 2, 7, 2, 5, 5}, Arrays.copyOf(y, 10));
        int[] histogram = new int[FashionMnist.CLASSES];
        for (double label : y) {
            assertTrue(label >= 0 && label <= 9 && label == Math.rint(label), "label " + label);
            histogram[(int) label]++;
        }
        assertArrayEquals(new int[] {194, 216, 202, 195, 186, 200, 194, 215, 198, 200}, histogram);
        double[] px = train.x().toArray();
        assertEquals(0.0, Arrays.stream(px).min().orElseThrow());
        assertEquals(1.0, Arrays.stream(px).max().orElseThrow(), 1e-15);
        assertArrayEquals(new double[] {9, 2, 1, 1, 6, 1, 4, 6, 5, 7}, Arrays.copyOf(data.test().y().toArray(), 10));
        assertEquals(2000, data.test().size());

        Dataset raw = FashionMnist.builder().layout(FashionMnist.Layout.NCHW).scale(1).trainLimit(2000).loadTrain();
        assertArrayEquals(new int[] {2000, 1, 28, 28}, raw.x().shape());
        assertEquals(113_529_887.0, raw.x().sum().item());                       // numpy: im[:2000].sum()
        assertEquals(76_247.0, Arrays.stream(raw.x().toArray(), 0, 784).sum());  // image 0
        assertEquals(193.0, raw.x().get(0, 0, 10, 13));
    }
}

package dev.chainrule.nn.data;

import dev.chainrule.autograd.DType;
import dev.chainrule.autograd.Shape;
import dev.chainrule.autograd.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads Fashion-MNIST (Zalando's 70,000 28×28 grey-scale images of clothing in 10 classes; 60,000 for
 * training, 10,000 for testing) from its four IDX files into {@link Dataset}s. The same files layout
 * serves MNIST and its other drop-in relatives.
 *
 * <p><b>Files.</b> The directory holds {@code train-images-idx3-ubyte.gz}, {@code train-labels-idx1-ubyte.gz},
 * {@code t10k-images-idx3-ubyte.gz} and {@code t10k-labels-idx1-ubyte.gz} (read by {@link Idx}; the same
 * names without {@code .gz}, uncompressed, work too). On Debian and Ubuntu
 * {@code apt-get install -y dataset-fashion-mnist} puts them in {@link #DEFAULT_DIR}.
 *
 * <p><b>Result.</b> {@code x} holds the pixels scaled to [0, 1] (divided by 255; see
 * {@link Builder#scale(double)}), either flattened to {@code [n, 784]} for a dense network
 * ({@link Layout#FLAT}, the default) or as single-channel images {@code [n, 1, 28, 28]} for a
 * convolutional one ({@link Layout#NCHW}); {@code y} holds the class indices 0–9 as {@code [n]} (the
 * form {@code CrossEntropy} takes), in the order of {@link #CLASS_NAMES}. Samples keep the files' order.
 *
 * <pre>{@code
 * Dataset.Split data = FashionMnist.builder().layout(FashionMnist.Layout.NCHW).limit(2000).load();
 * data.train().x().shape();   // [2000, 1, 28, 28]
 * }</pre>
 *
 * <p><b>Errors.</b> Missing files: a {@link NoSuchFileException} naming the directory and every missing
 * file and saying how to install them. Malformed files: an {@link IOException} naming the file and the
 * byte position (see {@link Idx}); also when the image and label files disagree on the number of items,
 * images are not unsigned bytes {@code [n, rows, cols]}, or a label is outside 0–9. Every file is checked
 * before a data set is built.
 */
public final class FashionMnist {

    private static final Logger LOG = LoggerFactory.getLogger(FashionMnist.class);

    /** Where Debian's {@code dataset-fashion-mnist} package installs the files. */
    public static final Path DEFAULT_DIR = Path.of("/usr/share/datasets/fashion-mnist");

    /** The command that installs the files into {@link #DEFAULT_DIR} on Debian and Ubuntu. */
    public static final String INSTALL_COMMAND = "apt-get install -y dataset-fashion-mnist";

    /** Training images, {@code [60000, 28, 28]} unsigned bytes. */
    public static final String TRAIN_IMAGES = "train-images-idx3-ubyte.gz";
    /** Training labels, {@code [60000]} unsigned bytes. */
    public static final String TRAIN_LABELS = "train-labels-idx1-ubyte.gz";
    /** Test images, {@code [10000, 28, 28]} unsigned bytes. */
    public static final String TEST_IMAGES = "t10k-images-idx3-ubyte.gz";
    /** Test labels, {@code [10000]} unsigned bytes. */
    public static final String TEST_LABELS = "t10k-labels-idx1-ubyte.gz";

    /** The number of classes. */
    public static final int CLASSES = 10;

    /** The class names, indexed by label. */
    public static final List<String> CLASS_NAMES = List.of(
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

    private FashionMnist() {}

    /** How the images are shaped in {@code x}. */
    public enum Layout {
        /** {@code [n, rows · cols]}: one row of 784 pixels per image, for dense networks. */
        FLAT,
        /** {@code [n, 1, rows, cols]}: batch, channel, height, width, for convolutional networks. */
        NCHW
    }

    /** A builder reading from {@link #DEFAULT_DIR}. */
    public static Builder builder() {
        return new Builder(DEFAULT_DIR);
    }

    /** A builder reading from {@code dir}: all samples, {@link Layout#FLAT}, pixels in [0, 1]. */
    public static Builder builder(Path dir) {
        return new Builder(Objects.requireNonNull(dir, "FashionMnist: dir is null"));
    }

    /**
     * The whole training and test sets from {@code dir} with the defaults (flat, pixels in [0, 1]).
     *
     * @throws IOException as {@link Builder#load()}
     */
    public static Dataset.Split load(Path dir) throws IOException {
        return builder(dir).load();
    }

    /** Whether {@code dir} holds all four files (compressed or not). */
    public static boolean isAvailable(Path dir) {
        Objects.requireNonNull(dir, "FashionMnist.isAvailable: dir is null");
        for (String name : List.of(TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS)) {
            if (find(dir, name) == null) return false;
        }
        return true;
    }

    /** {@code dir/name}, or {@code dir/name} without {@code .gz}, whichever exists; else null. */
    private static Path find(Path dir, String name) {
        Path gz = dir.resolve(name);
        if (Files.isRegularFile(gz)) return gz;
        Path plain = dir.resolve(name.substring(0, name.length() - ".gz".length()));
        return Files.isRegularFile(plain) ? plain : null;
    }

    /** Configures which part of the data to load and how; {@link #load()} reads it. */
    public static final class Builder {
        private final Path dir;
        private Layout layout = Layout.FLAT;
        private double scale = 1.0 / 255;
        private int trainLimit = Integer.MAX_VALUE;
        private int testLimit = Integer.MAX_VALUE;
        private DType dtype = DType.FLOAT64;

        private Builder(Path dir) {
            this.dir = dir;
        }

        /** The shape of {@code x}: {@link Layout#FLAT} {@code [n, 784]} (default) or {@link Layout#NCHW} {@code [n, 1, 28, 28]}. */
        public Builder layout(Layout layout) {
            this.layout = Objects.requireNonNull(layout, "FashionMnist: layout is null");
            return this;
        }

        /**
         * The factor applied to the stored pixel values 0–255: {@code 1.0 / 255} (default) for [0, 1],
         * 1 for the raw values.
         *
         * @throws IllegalArgumentException if {@code scale} is not finite
         */
        public Builder scale(double scale) {
            if (!Double.isFinite(scale)) {
                throw new IllegalArgumentException("FashionMnist: scale " + scale + " is not finite; pass 1.0 / 255 for [0, 1] or 1 for raw pixels");
            }
            this.scale = scale;
            return this;
        }

        /**
         * The dtype of the pixels and the labels: FLOAT64 (default) or FLOAT32 (for a model converted with
         * {@code model.to(DType.FLOAT32)}; the scaled pixels k/255 are rounded once, the labels stay exact).
         *
         * @throws NullPointerException if {@code dtype} is null
         */
        public Builder dtype(DType dtype) {
            this.dtype = Objects.requireNonNull(dtype, "FashionMnist: dtype is null");
            return this;
        }

        /**
         * Keeps only the first {@code n} samples of both the training and the test set (all of a set
         * that has fewer), e.g. 2,000 for a quick run.
         *
         * @throws IllegalArgumentException if {@code n < 1}
         */
        public Builder limit(int n) {
            return trainLimit(n).testLimit(n);
        }

        /**
         * Keeps only the first {@code n} training samples.
         *
         * @throws IllegalArgumentException if {@code n < 1}
         */
        public Builder trainLimit(int n) {
            this.trainLimit = checkLimit(n);
            return this;
        }

        /**
         * Keeps only the first {@code n} test samples.
         *
         * @throws IllegalArgumentException if {@code n < 1}
         */
        public Builder testLimit(int n) {
            this.testLimit = checkLimit(n);
            return this;
        }

        private static int checkLimit(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("FashionMnist: limit " + n + " must be at least 1 (Integer.MAX_VALUE keeps every sample)");
            }
            return n;
        }

        /**
         * The training and the test set. All four files are located first, so a missing one fails before
         * anything is read.
         *
         * @throws NoSuchFileException if files are missing (the message names the directory, the files and
         *     {@link #INSTALL_COMMAND})
         * @throws IOException if a file cannot be read or is malformed (see the class description)
         */
        public Dataset.Split load() throws IOException {
            Path[] files = locate(TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS);
            Dataset train = read(files[0], files[1], trainLimit);
            Dataset test = read(files[2], files[3], testLimit);
            return new Dataset.Split(train, test);
        }

        /**
         * Only the training set (the {@code train-*} files).
         *
         * @throws IOException as {@link #load()}
         */
        public Dataset loadTrain() throws IOException {
            Path[] files = locate(TRAIN_IMAGES, TRAIN_LABELS);
            return read(files[0], files[1], trainLimit);
        }

        /**
         * Only the test set (the {@code t10k-*} files).
         *
         * @throws IOException as {@link #load()}
         */
        public Dataset loadTest() throws IOException {
            Path[] files = locate(TEST_IMAGES, TEST_LABELS);
            return read(files[0], files[1], testLimit);
        }

        private Path[] locate(String... names) throws NoSuchFileException {
            Path[] found = new Path[names.length];
            List<String> missing = new ArrayList<>();
            for (int i = 0; i < names.length; i++) {
                found[i] = find(dir, names[i]);
                if (found[i] == null) missing.add(names[i]);
            }
            if (!missing.isEmpty()) {
                String why = Files.isDirectory(dir) ? "missing " + String.join(", ", missing)
                    : "the directory does not exist (looked for " + String.join(", ", missing) + ")";
                throw new NoSuchFileException(dir.toString(), null, "Fashion-MNIST files not found: " + why
                    + ". Install them with `" + INSTALL_COMMAND + "` (Debian/Ubuntu, into " + DEFAULT_DIR
                    + "), or point to a directory holding the four *-idx?-ubyte(.gz) files (e.g. --data DIR)");
            }
            return found;
        }

        private Dataset read(Path imagesFile, Path labelsFile, int limit) throws IOException {
            Idx.Header images = Idx.readHeader(imagesFile);
            Idx.Header labels = Idx.readHeader(labelsFile);
            if (images.type() != Idx.Type.UNSIGNED_BYTE || images.rank() != 3) {
                throw new IOException(imagesFile + ": holds " + images + " but images must be unsigned bytes [n, rows, cols]"
                    + " (e.g. [60000, 28, 28]); is this the right file?");
            }
            if (labels.type() != Idx.Type.UNSIGNED_BYTE || labels.rank() != 1) {
                throw new IOException(labelsFile + ": holds " + labels + " but labels must be unsigned bytes [n]"
                    + " (e.g. [60000]); is this the right file?");
            }
            if (images.items() != labels.items()) {
                throw new IOException(imagesFile + " holds " + images.items() + " images but " + labelsFile + " holds "
                    + labels.items() + " labels (item counts at byte 4 of each); the two files must belong together");
            }
            Tensor pixels = Idx.readTensor(imagesFile, scale, limit);
            int[] y = Idx.readLabels(labelsFile, limit);
            double[] targets = new double[y.length];
            for (int i = 0; i < y.length; i++) {
                if (y[i] >= CLASSES) {
                    throw new IOException(labelsFile + ": label " + y[i] + " at byte " + (labels.headerBytes() + i) + " (item " + i
                        + ") is not a class index 0-" + (CLASSES - 1));
                }
                targets[i] = y[i];
            }
            int n = y.length;
            int rows = images.dims()[1], cols = images.dims()[2];
            Tensor x = layout == Layout.FLAT ? pixels.reshape(n, rows * cols) : pixels.reshape(n, 1, rows, cols);
            Dataset d = new Dataset(x.to(dtype), Tensor.of(targets, dtype, n));
            LOG.debug("read {} samples {} from {} and {}", n, Shape.toString(x.shape()), imagesFile, labelsFile);
            return d;
        }
    }
}

package dev.chainrule.examples;

import dev.chainrule.autograd.Tensor;
import dev.chainrule.nn.data.Dataset;
import dev.chainrule.nn.data.FashionMnist;
import dev.chainrule.nn.data.Idx;
import dev.chainrule.spark.ShardLoader;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Shard {@code i} of {@code k} of the first {@code n} Fashion-MNIST training (or test) samples, read
 * on the executor that builds it: samples {@code [i·n/k, (i+1)·n/k)}, pixels scaled to [0, 1],
 * flattened to 784 features, class-index targets. Only that range is kept in memory (the gzip stream
 * is skipped up to it), so k executors together hold the data set once.
 *
 * @param dir   the directory of the four IDX files (a path every executor can read)
 * @param train the training files, else the test files
 * @param n     how many samples, from the start of the files
 * @param k     how many shards
 */
record FashionMnistShards(String dir, boolean train, int n, int k) implements ShardLoader {
    private static final long serialVersionUID = 1L;

    @Override
    public Dataset load(int shard) throws IOException {
        int from = (int) ((long) shard * n / k), to = (int) ((long) (shard + 1) * n / k);
        if (to == from) return null;
        Path images = file(train ? FashionMnist.TRAIN_IMAGES : FashionMnist.TEST_IMAGES);
        Path labels = file(train ? FashionMnist.TRAIN_LABELS : FashionMnist.TEST_LABELS);
        Idx.Header ih = Idx.readHeader(images), lh = Idx.readHeader(labels);
        if (ih.rank() != 3 || lh.rank() != 1 || ih.items() < n || lh.items() < n) {
            throw new IOException(images + " / " + labels + ": expected images [N, 28, 28] and labels [N] with N >= " + n + ", got "
                + ih + " and " + lh);
        }
        int pixels = ih.dims()[1] * ih.dims()[2];
        byte[] x = range(images, ih.headerBytes(), from, to, pixels);
        byte[] y = range(labels, lh.headerBytes(), from, to, 1);
        double[] xs = new double[x.length], ys = new double[y.length];
        for (int i = 0; i < x.length; i++) xs[i] = (x[i] & 0xff) / 255.0;
        for (int i = 0; i < y.length; i++) ys[i] = y[i] & 0xff;
        return new Dataset(Tensor.of(xs, to - from, pixels), Tensor.of(ys, to - from));
    }

    private Path file(String gz) {
        Path p = Path.of(dir).resolve(gz);
        return Files.isRegularFile(p) ? p : Path.of(dir).resolve(gz.substring(0, gz.length() - 3));
    }

    /** Items {@code [from, to)} of {@code itemBytes} bytes each, after a header of {@code header} bytes. */
    private static byte[] range(Path file, long header, int from, int to, int itemBytes) throws IOException {
        try (InputStream in = open(file)) {
            in.skipNBytes(header + (long) from * itemBytes);
            byte[] out = in.readNBytes((to - from) * itemBytes);
            if (out.length != (to - from) * itemBytes) throw new EOFException(file + ": ends before item " + to);
            return out;
        }
    }

    private static InputStream open(Path file) throws IOException {
        InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        in.mark(2);
        int b0 = in.read(), b1 = in.read();
        in.reset();
        return b0 == 0x1f && b1 == 0x8b ? new BufferedInputStream(new GZIPInputStream(in, 1 << 16), 1 << 16) : in;
    }
}

package dev.chainrule.nn.data;

import static dev.chainrule.nn.data.IdxFiles.concat;
import static dev.chainrule.nn.data.IdxFiles.gzip;
import static dev.chainrule.nn.data.IdxFiles.header;
import static dev.chainrule.nn.data.IdxFiles.ubytes;
import static dev.chainrule.nn.data.IdxFiles.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.chainrule.autograd.Tensor;
import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

class IdxTest {

    @TempDir
    Path dir;

    /** Asserts an IOException whose message names {@code file} and contains every fragment. */
    static IOException assertIo(Path file, Executable read, String... fragments) {
        IOException e = assertThrows(IOException.class, read);
        String m = e.getMessage();
        assertTrue(m.contains(file.toString()), "message does not name the file: " + m);
        for (String f : fragments) assertTrue(m.contains(f), "message lacks '" + f + "': " + m);
        return e;
    }

    // ---- positive: round trips -------------------------------------------------------------

    @Test
    void everyTypeRoundTripsPlainAndGzippedWhateverTheName() throws IOException {
        double[][] samples = {
            {0, 1, 127, 128, 254, 255},                                   // UNSIGNED_BYTE
            {-128, -1, 0, 1, 100, 127},                                   // BYTE
            {-32768, -2, 0, 3, 1000, 32767},                              // SHORT
            {Integer.MIN_VALUE, -70000, 0, 5, 70000, Integer.MAX_VALUE},  // INT
            {-1.5, 0.25, 0, 3.0e38, -1e-30, 7},                           // FLOAT (all exact in float32)
            {-1e300, 1e-300, 0, Math.PI, -Math.E, 0.1},                   // DOUBLE
        };
        Idx.Type[] types = Idx.Type.values();
        for (int t = 0; t < types.length; t++) {
            Idx.Type type = types[t];
            double[] v = samples[t].clone();
            if (type == Idx.Type.FLOAT) for (int i = 0; i < v.length; i++) v[i] = (float) v[i];
            byte[] file = IdxFiles.of(type, new int[] {2, 3}, v);
            // The names lie on purpose: compression is detected from the magic bytes.
            Path plain = write(dir.resolve(type.name() + ".gz"), file);
            Path gz = write(dir.resolve(type.name() + ".idx"), gzip(file));
            for (Path p : new Path[] {plain, gz}) {
                Tensor x = Idx.readTensor(p);
                assertArrayEquals(new int[] {2, 3}, x.shape(), type + " " + p);
                assertArrayEquals(v, x.toArray(), type + " " + p);
                assertEquals(new Idx.Header(type, new int[] {2, 3}), Idx.readHeader(p));
            }
        }
    }

    @Test
    void randomShapesAndBytesRoundTrip() {
        AtomicInteger files = new AtomicInteger();
        qt().withExamples(30).forAll(integers().between(1, 4), longs().all(), integers().between(0, 1)).checkAssert((rank, seed, zip) -> {
            SplittableRandom rng = new SplittableRandom(seed);
            int[] dims = new int[rank];
            for (int i = 0; i < rank; i++) dims[i] = 1 + rng.nextInt(5);
            int size = Arrays.stream(dims).reduce(1, (a, b) -> a * b);
            int[] values = new int[size];
            for (int i = 0; i < size; i++) values[i] = rng.nextInt(256);
            byte[] bytes = ubytes(dims, values);
            Path p = write(dir.resolve("r" + files.incrementAndGet()), zip == 1 ? gzip(bytes) : bytes);
            try {
                Tensor x = Idx.readTensor(p, 0.5);
                assertArrayEquals(dims, x.shape());
                double[] expected = Arrays.stream(values).mapToDouble(b -> b * 0.5).toArray();
                assertArrayEquals(expected, x.toArray());
                int limit = 1 + rng.nextInt(dims[0]);
                Tensor head = Idx.readTensor(p, 1, limit);
                assertEquals(limit, head.shape()[0]);
                assertArrayEquals(Arrays.stream(values).limit(head.size()).mapToDouble(b -> b).toArray(), head.toArray());
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        });
    }

    @Test
    void scaleAndLimitKeepTheFirstItemsScaled() throws IOException {
        int[] px = new int[16];
        for (int i = 0; i < px.length; i++) px[i] = i * 17;  // 0..255
        Path p = write(dir.resolve("img.gz"), gzip(ubytes(new int[] {4, 2, 2}, px)));
        Tensor x = Idx.readTensor(p, 1.0 / 255, 3);
        assertArrayEquals(new int[] {3, 2, 2}, x.shape());
        for (int i = 0; i < 12; i++) assertEquals(px[i] * (1.0 / 255), x.toArray()[i]);
        assertEquals(1.0, Idx.readTensor(p, 1.0 / 255).toArray()[15], 1e-15);
        assertArrayEquals(new int[] {4, 2, 2}, Idx.readTensor(p, 1, 1000).shape());  // a limit above n keeps all
        assertThrows(IllegalArgumentException.class, () -> Idx.readTensor(p, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> Idx.readTensor(p, Double.NaN, 1));
    }

    @Test
    void labelsAreRank1Integers() throws IOException {
        Path p = write(dir.resolve("labels"), gzip(ubytes(new int[] {5}, 9, 0, 255, 3, 1)));
        assertArrayEquals(new int[] {9, 0, 255, 3, 1}, Idx.readLabels(p));
        assertArrayEquals(new int[] {9, 0}, Idx.readLabels(p, 2));
        Path ints = write(dir.resolve("ints"), IdxFiles.of(Idx.Type.INT, new int[] {3}, -7, 0, 100000));
        assertArrayEquals(new int[] {-7, 0, 100000}, Idx.readLabels(ints));

        Path images = write(dir.resolve("images"), ubytes(new int[] {2, 2}, 1, 2, 3, 4));
        assertIo(images, () -> Idx.readLabels(images), "unsigned byte [2, 2]", "rank-1");
        Path floats = write(dir.resolve("floats"), IdxFiles.of(Idx.Type.FLOAT, new int[] {2}, 1, 2));
        assertIo(floats, () -> Idx.readLabels(floats), "float32 [2]", "integers");
    }

    // ---- corrupt files: IOException naming the file and the byte position --------------------

    @Test
    void emptyAndWrongMagicAreRejectedAtByte0() {
        Path empty = write(dir.resolve("empty"), new byte[0]);
        assertIo(empty, () -> Idx.readTensor(empty), "not an IDX file", "byte 0", "empty");
        Path png = write(dir.resolve("png"), new byte[] {(byte) 0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a});
        assertIo(png, () -> Idx.readTensor(png), "not an IDX file", "byte 0", "0x89 0x50");
        Path one = write(dir.resolve("one"), new byte[] {0});
        assertIo(one, () -> Idx.readHeader(one), "byte 0", "0x00 and then ends");
        Path gzPng = write(dir.resolve("png.gz"), gzip(new byte[] {(byte) 0x89, 0x50, 0x4e, 0x47}));
        assertIo(gzPng, () -> Idx.readLabels(gzPng), "not an IDX file", "byte 0", "gzip");
    }

    @Test
    void wrongTypeCodeAndRankAreRejectedWithTheirBytes() {
        Path type = write(dir.resolve("type"), concat(header(0x07, 2), new byte[2]));
        assertIo(type, () -> Idx.readTensor(type), "unknown IDX type code 0x07 at byte 2");
        Path type2 = write(dir.resolve("type2.gz"), gzip(concat(header(0x0A, 2), new byte[2])));
        assertIo(type2, () -> Idx.readHeader(type2), "0x0a at byte 2");
        Path rank0 = write(dir.resolve("rank0"), header(0x08));
        assertIo(rank0, () -> Idx.readTensor(rank0), "rank 0 at byte 3");
    }

    @Test
    void truncatedHeadersNameWhereTheyEnd() {
        Path magic = write(dir.resolve("magic"), new byte[] {0, 0, 8});
        assertIo(magic, () -> Idx.readTensor(magic), "truncated header", "ends at byte 3");
        byte[] h = header(0x08, 60000, 28, 28);
        Path dims = write(dir.resolve("dims"), Arrays.copyOf(h, 12));
        assertIo(dims, () -> Idx.readTensor(dims), "truncated header", "ends at byte 12", "needs 16");
        Path dimsGz = write(dir.resolve("dims.gz"), gzip(Arrays.copyOf(h, 9)));
        assertIo(dimsGz, () -> Idx.readHeader(dimsGz), "truncated header", "ends at byte 9", "gzip");
    }

    @Test
    void truncatedDataIsRejectedPlainAndGzipped() {
        byte[] full = ubytes(new int[] {3, 2, 2}, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12);  // 16 + 12 bytes
        byte[] cut = Arrays.copyOf(full, 26);
        Path plain = write(dir.resolve("cut"), cut);
        assertIo(plain, () -> Idx.readTensor(plain), "truncated", "unsigned byte [3, 2, 2]", "28 bytes", "ends at byte 26", "item 2");
        Path gz = write(dir.resolve("cut.gz"), gzip(cut));
        assertIo(gz, () -> Idx.readTensor(gz), "truncated", "ends at byte 26", "item 2", "gzip");
        // A limit does not hide it: the rest of the file is still checked.
        assertIo(gz, () -> Idx.readTensor(gz, 1, 1), "truncated", "ends at byte 26");
        assertIo(plain, () -> Idx.readTensor(plain, 1, 1), "truncated", "26 bytes");
        Path labels = write(dir.resolve("labels.gz"), gzip(Arrays.copyOf(ubytes(new int[] {10}, new int[10]), 15)));
        assertIo(labels, () -> Idx.readLabels(labels, 2), "truncated", "ends at byte 15", "item 7 of 10");
    }

    @Test
    void dimensionsThatDoNotMatchTheFileLengthAreRejected() {
        // Header says [2, 2], data holds [3, 2]: 2 extra bytes.
        byte[] longer = concat(header(0x08, 2, 2), new byte[] {1, 2, 3, 4, 5, 6});
        Path plain = write(dir.resolve("long"), longer);
        assertIo(plain, () -> Idx.readTensor(plain), "unsigned byte [2, 2]", "12 header + 4 data bytes = 16 bytes",
            "the file has 18 bytes", "2 extra bytes from byte 16");
        Path gz = write(dir.resolve("long.gz"), gzip(longer));
        assertIo(gz, () -> Idx.readTensor(gz), "2 more bytes follow from byte 16", "do not match");
        Path labels = write(dir.resolve("labels.gz"), gzip(concat(header(0x08, 3), new byte[4])));
        assertIo(labels, () -> Idx.readLabels(labels), "1 more bytes follow from byte 11");
        // int32 values: 3 values declared, 2.5 present.
        Path ints = write(dir.resolve("ints"), concat(header(0x0C, 3), new byte[10]));
        assertIo(ints, () -> Idx.readLabels(ints), "int32 [3]", "truncated: data ends at byte 18", "item 2");
    }

    @Test
    void absurdDimensionsAreRejectedBeforeAllocating() {
        // 65535^3 values: far more than any array; a plain and a gzipped 16-byte file.
        byte[] huge = header(0x08, 65535, 65535, 65535);
        Path plain = write(dir.resolve("huge"), huge);
        assertIo(plain, () -> Idx.readTensor(plain), "more than 2147483639 values");
        Path gz = write(dir.resolve("huge.gz"), gzip(huge));
        assertIo(gz, () -> Idx.readTensor(gz), "more than 2147483639 values");
        // A dimension with the top bit set (negative as a Java int).
        Path neg = write(dir.resolve("neg"), concat(header(0x08, 2, -1), new byte[8]));
        assertIo(neg, () -> Idx.readTensor(neg), "dimension 1 at byte 8 is 4294967295");
        // 2e9 float64 values (16 GB) fit the index range but not the file: rejected by the file length
        // (plain) or while reading (gzip) instead of by an OutOfMemoryError.
        byte[] big = concat(header(0x0E, 2_000_000_000), new byte[80]);
        Path bigPlain = write(dir.resolve("big"), big);
        assertSmallAllocation(() -> assertIo(bigPlain, () -> Idx.readTensor(bigPlain), "float64 [2000000000]",
            "the file has 88 bytes", "truncated"));
        Path bigGz = write(dir.resolve("big.gz"), gzip(big));
        assertSmallAllocation(() -> assertIo(bigGz, () -> Idx.readTensor(bigGz), "truncated", "ends at byte 88",
            "item 10 of 2000000000"));
        Path bigLabels = write(dir.resolve("big-labels.gz"), gzip(concat(header(0x0C, 2_000_000_000), new byte[40])));
        assertSmallAllocation(() -> assertIo(bigLabels, () -> Idx.readLabels(bigLabels), "ends at byte 48", "item 10 of 2000000000"));
    }

    /**
     * Runs {@code r} and asserts that this thread allocated less than 16 MiB meanwhile (HotSpot's
     * per-thread allocation counter; through reflection because the nn module does not read java.management).
     */
    private static void assertSmallAllocation(Runnable r) {
        LongSupplier allocatedBytes;
        try {
            Object mx = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean").invoke(null);
            Method m = Class.forName("com.sun.management.ThreadMXBean").getMethod("getCurrentThreadAllocatedBytes");
            m.invoke(mx);
            allocatedBytes = () -> {
                try {
                    return (Long) m.invoke(mx);
                } catch (ReflectiveOperationException e) {
                    throw new AssertionError(e);
                }
            };
        } catch (ReflectiveOperationException | RuntimeException e) {
            assumeTrue(false, "no per-thread allocation counter on this JVM: " + e);
            return;
        }
        long before = allocatedBytes.getAsLong();
        r.run();
        long allocated = allocatedBytes.getAsLong() - before;
        assertTrue(allocated < 16 << 20, "reading a corrupt 100-byte file allocated " + allocated + " bytes");
    }

    @Test
    void zeroItemsCannotMakeATensor() {
        Path p = write(dir.resolve("zero"), header(0x08, 0, 28, 28));
        assertEquals(new Idx.Header(Idx.Type.UNSIGNED_BYTE, new int[] {0, 28, 28}), assertDoesNotThrowHeader(p));
        assertIo(p, () -> Idx.readTensor(p), "dimension 0 (at byte 4) is 0", "cannot be empty");
    }

    private static Idx.Header assertDoesNotThrowHeader(Path p) {
        try {
            return Idx.readHeader(p);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void corruptGzipStreamsNameTheFile() {
        int[] px = new int[2000];
        for (int i = 0; i < px.length; i++) px[i] = (i * 31) % 256;
        byte[] gz = gzip(ubytes(new int[] {20, 10, 10}, px));
        Path cut = write(dir.resolve("cut.gz"), Arrays.copyOf(gz, gz.length / 2));
        assertIo(cut, () -> Idx.readTensor(cut), "corrupt or truncated gzip data");
        byte[] flipped = gz.clone();
        for (int i = 20; i < flipped.length - 8; i += 7) flipped[i] ^= 0x5a;
        Path bad = write(dir.resolve("bad.gz"), flipped);
        assertIo(bad, () -> Idx.readTensor(bad));
        byte[] crc = gz.clone();
        crc[crc.length - 6] ^= 1;  // the CRC-32 in the gzip trailer
        Path badCrc = write(dir.resolve("crc.gz"), crc);
        assertIo(badCrc, () -> Idx.readTensor(badCrc), "corrupt or truncated gzip data");
        Path header = write(dir.resolve("header.gz"), new byte[] {0x1f, (byte) 0x8b, 0x07});
        assertIo(header, () -> Idx.readTensor(header), "gzip header is corrupt or truncated");
    }

    @Test
    void aMissingFileIsAnIoExceptionNamingIt() {
        Path missing = dir.resolve("nope.gz");
        assertIo(missing, () -> Idx.readTensor(missing));
        assertThrows(NoSuchFileException.class, () -> Idx.readLabels(missing));
    }

    @Test
    void headerRejectsBadDimensions() {
        assertThrows(IllegalArgumentException.class, () -> new Idx.Header(Idx.Type.INT, new int[0]));
        assertThrows(IllegalArgumentException.class, () -> new Idx.Header(Idx.Type.INT, new int[] {2, -1}));
        Idx.Header h = new Idx.Header(Idx.Type.DOUBLE, new int[] {3, 4});
        assertEquals(96, h.dataBytes());
        assertEquals(12, h.headerBytes());
        assertEquals("float64 [3, 4]", h.toString());
        int[] d = h.dims();
        d[0] = 99;
        assertEquals(3, h.items());
    }
}

package dev.chainrule.nn.data;

import dev.chainrule.autograd.Shape;
import dev.chainrule.autograd.Tensor;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads IDX files, the format of MNIST, Fashion-MNIST and their relatives, plain or gzip-compressed.
 *
 * <p><b>Format.</b> A 4-byte magic number {@code 0x00 0x00 T R}: two zero bytes, the element type code
 * {@code T} (see {@link Type}) and the rank {@code R} (number of dimensions, at least 1). Then {@code R}
 * dimension sizes, each a 32-bit big-endian integer, outermost first. Then the values, row-major,
 * big-endian, nothing after them. The first dimension counts the items (images, labels); e.g.
 * {@code train-images-idx3-ubyte} is unsigned bytes of shape {@code [60000, 28, 28]} and
 * {@code train-labels-idx1-ubyte} unsigned bytes of shape {@code [60000]}. A file that starts with
 * gzip's magic bytes {@code 0x1f 0x8b} is decompressed on the fly, whatever its name; positions in
 * messages then count bytes of the decompressed stream.
 *
 * <p><b>Reading.</b> {@link #readTensor(Path, double, int)} returns the values as a {@link Tensor} of the
 * file's shape, each value multiplied by a scale (e.g. {@code 1.0 / 255} for pixels in [0, 1]), keeping
 * only the first {@code limit} items if asked; {@link #readLabels(Path, int)} returns a rank-1 file of
 * integers as {@code int[]}; {@link #readHeader(Path)} reads just the type and shape.
 *
 * <p><b>Errors.</b> A malformed file (wrong magic, unknown type code, rank 0, a negative or zero
 * dimension, a file shorter or longer than its header declares, corrupt gzip data) throws an
 * {@link IOException} whose message names the file and the byte position. The whole file is checked
 * before a tensor is built, also when a limit keeps only some items, so a corrupt file never yields
 * a partial result. Sizes are checked before memory is allocated: a header that declares absurd
 * dimensions is rejected against the length of a plain file, and a gzip stream is read in chunks as
 * its bytes arrive, so a few corrupt header bytes cannot make the reader allocate gigabytes.
 */
public final class Idx {

    private static final int CHUNK = 1 << 20;          // a multiple of every element size
    private static final int MAX_VALUES = Integer.MAX_VALUE - 8;  // the largest Java array

    private Idx() {}

    /** The element types of the IDX format, with their type codes and sizes in bytes. */
    public enum Type {
        /** Code {@code 0x08}: unsigned byte, 0 to 255 (MNIST's pixels and labels). */
        UNSIGNED_BYTE(0x08, 1, "unsigned byte"),
        /** Code {@code 0x09}: signed byte, −128 to 127. */
        BYTE(0x09, 1, "signed byte"),
        /** Code {@code 0x0B}: 16-bit signed integer. */
        SHORT(0x0B, 2, "int16"),
        /** Code {@code 0x0C}: 32-bit signed integer. */
        INT(0x0C, 4, "int32"),
        /** Code {@code 0x0D}: 32-bit IEEE float. */
        FLOAT(0x0D, 4, "float32"),
        /** Code {@code 0x0E}: 64-bit IEEE float. */
        DOUBLE(0x0E, 8, "float64");

        private final int code;
        private final int bytes;
        private final String description;

        Type(int code, int bytes, String description) {
            this.code = code;
            this.bytes = bytes;
            this.description = description;
        }

        /** The type code, the third byte of the magic number. */
        public int code() {
            return code;
        }

        /** Bytes per value. */
        public int bytes() {
            return bytes;
        }

        /** Whether the values are integers (so they can be read as labels). */
        public boolean isInteger() {
            return this != FLOAT && this != DOUBLE;
        }

        @Override
        public String toString() {
            return description;
        }

        static Type ofCode(int code) {
            for (Type t : values()) {
                if (t.code == code) return t;
            }
            return null;
        }
    }

    /**
     * The header of an IDX file: its element type and its dimensions.
     *
     * @param type the element type
     * @param dims the dimensions, outermost (the item count) first; never empty
     */
    public record Header(Type type, int[] dims) {

        /**
         * Validates and copies {@code dims}.
         *
         * @throws IllegalArgumentException if there are no dimensions or more than 255, or one is negative
         */
        public Header {
            Objects.requireNonNull(type, "Idx.Header: type is null");
            dims = Objects.requireNonNull(dims, "Idx.Header: dims is null").clone();
            if (dims.length == 0 || dims.length > 255) {
                throw new IllegalArgumentException("Idx.Header: " + dims.length + " dimensions; an IDX file has 1 to 255");
            }
            for (int d : dims) {
                if (d < 0) throw new IllegalArgumentException("Idx.Header: dimensions " + Shape.toString(dims) + " include a negative one");
            }
        }

        /** The dimensions (a copy). */
        @Override
        public int[] dims() {
            return dims.clone();
        }

        /** The number of items: the first dimension. */
        public int items() {
            return dims[0];
        }

        /** The rank: the number of dimensions. */
        public int rank() {
            return dims.length;
        }

        /** Bytes of the header itself: 4 for the magic number plus 4 per dimension. */
        public int headerBytes() {
            return 4 + 4 * dims.length;
        }

        /**
         * Bytes of the values the header declares: the product of the dimensions times the element size.
         *
         * @throws ArithmeticException if that does not fit in a {@code long}
         */
        public long dataBytes() {
            long n = type.bytes();
            for (int d : dims) n = Math.multiplyExact(n, d);
            return n;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Header h && h.type == type && Arrays.equals(h.dims, dims);
        }

        @Override
        public int hashCode() {
            return 31 * type.hashCode() + Arrays.hashCode(dims);
        }

        @Override
        public String toString() {
            return type + " " + Shape.toString(dims);
        }
    }

    /**
     * Reads the header of {@code file} (plain or gzip): its type and dimensions. Reads only the first
     * bytes; does not check that the values which follow are complete.
     *
     * @throws IOException if the file cannot be read or its header is malformed (the message names the
     *     file and the byte position)
     */
    public static Header readHeader(Path file) throws IOException {
        Objects.requireNonNull(file, "Idx.readHeader: file is null");
        try (Source in = Source.open(file)) {
            return in.header();
        }
    }

    /** All values of {@code file} as they are stored (scale 1). See {@link #readTensor(Path, double, int)}. */
    public static Tensor readTensor(Path file) throws IOException {
        return readTensor(file, 1.0, Integer.MAX_VALUE);
    }

    /** All values of {@code file}, each multiplied by {@code scale}. See {@link #readTensor(Path, double, int)}. */
    public static Tensor readTensor(Path file, double scale) throws IOException {
        return readTensor(file, scale, Integer.MAX_VALUE);
    }

    /**
     * The values of the first {@code min(limit, items)} items of {@code file}, each multiplied by
     * {@code scale}, as a tensor of shape {@code [min(limit, items), dims[1], ...]}. Any element type;
     * e.g. {@code readTensor(images, 1.0 / 255, 2000)} gives 2,000 MNIST images {@code [2000, 28, 28]}
     * with pixels in [0, 1]. The rest of the file is still read and checked.
     *
     * @param scale the factor applied to every value, finite (1 keeps the stored values)
     * @param limit the most items to keep, at least 1
     * @throws IllegalArgumentException if {@code scale} is not finite or {@code limit < 1}
     * @throws IOException if the file cannot be read or is malformed (see the class description); the
     *     message names the file and the byte position
     */
    public static Tensor readTensor(Path file, double scale, int limit) throws IOException {
        Objects.requireNonNull(file, "Idx.readTensor: file is null");
        if (!Double.isFinite(scale)) {
            throw new IllegalArgumentException("Idx.readTensor: scale " + scale + " is not finite; pass e.g. 1 (stored values) or 1.0 / 255");
        }
        checkLimit("Idx.readTensor", limit);
        try (Source in = Source.open(file)) {
            Header h = in.header();
            requireNonEmpty(in, h);
            int kept = Math.min(limit, h.items());
            byte[][] chunks = in.readValues(h, kept);
            int[] shape = h.dims();
            shape[0] = kept;
            return Tensor.of(toDoubles(chunks, h.type(), Shape.size(shape), scale), shape);
        }
    }

    /** All labels of {@code file}. See {@link #readLabels(Path, int)}. */
    public static int[] readLabels(Path file) throws IOException {
        return readLabels(file, Integer.MAX_VALUE);
    }

    /**
     * The first {@code min(limit, items)} values of a rank-1 file of integers (unsigned byte, byte,
     * int16 or int32), e.g. MNIST's {@code train-labels-idx1-ubyte}. The rest of the file is still read
     * and checked.
     *
     * @param limit the most labels to keep, at least 1
     * @throws IllegalArgumentException if {@code limit < 1}
     * @throws IOException if the file cannot be read, is malformed, has rank other than 1 or holds floats;
     *     the message names the file and the byte position
     */
    public static int[] readLabels(Path file, int limit) throws IOException {
        Objects.requireNonNull(file, "Idx.readLabels: file is null");
        checkLimit("Idx.readLabels", limit);
        try (Source in = Source.open(file)) {
            Header h = in.header();
            if (h.rank() != 1 || !h.type().isInteger()) {
                throw new IOException(file + ": holds " + h + " but labels must be a rank-1 file of integers"
                    + " (e.g. unsigned byte [60000]); is this an image file?");
            }
            requireNonEmpty(in, h);
            int kept = Math.min(limit, h.items());
            byte[][] chunks = in.readValues(h, kept);
            double[] v = toDoubles(chunks, h.type(), kept, 1.0);
            int[] out = new int[kept];
            for (int i = 0; i < kept; i++) out[i] = (int) v[i];
            return out;
        }
    }

    private static void checkLimit(String op, int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException(op + ": limit " + limit + " must be at least 1 (Integer.MAX_VALUE keeps every item)");
        }
    }

    private static void requireNonEmpty(Source in, Header h) throws IOException {
        for (int i = 0; i < h.rank(); i++) {
            if (h.dims[i] == 0) {
                throw new IOException(in.where() + ": dimension " + i + " (at byte " + (4 + 4 * i) + ") is 0, so the file "
                    + h + " holds no values; Chainrule tensors cannot be empty");
            }
        }
    }

    /** Decodes the big-endian values in {@code chunks} (each a multiple of 8 bytes except the last). */
    private static double[] toDoubles(byte[][] chunks, Type type, int count, double scale) {
        double[] out = new double[count];
        int k = 0;
        for (byte[] chunk : chunks) {
            ByteBuffer b = ByteBuffer.wrap(chunk).order(ByteOrder.BIG_ENDIAN);
            int n = chunk.length / type.bytes();
            switch (type) {
                case UNSIGNED_BYTE -> { for (int i = 0; i < n; i++) out[k++] = (chunk[i] & 0xff) * scale; }
                case BYTE -> { for (int i = 0; i < n; i++) out[k++] = chunk[i] * scale; }
                case SHORT -> { for (int i = 0; i < n; i++) out[k++] = b.getShort() * scale; }
                case INT -> { for (int i = 0; i < n; i++) out[k++] = b.getInt() * scale; }
                case FLOAT -> { for (int i = 0; i < n; i++) out[k++] = b.getFloat() * scale; }
                case DOUBLE -> { for (int i = 0; i < n; i++) out[k++] = b.getDouble() * scale; }
                default -> throw new AssertionError(type);
            }
        }
        return out;
    }

    /** One open IDX file: the (decompressed) byte stream and where we are in it. */
    private static final class Source implements AutoCloseable {
        private final Path file;
        private final InputStream in;
        private final boolean gzip;
        private final long fileSize;
        private long pos;

        private Source(Path file, InputStream in, boolean gzip, long fileSize) {
            this.file = file;
            this.in = in;
            this.gzip = gzip;
            this.fileSize = fileSize;
        }

        static Source open(Path file) throws IOException {
            long size = Files.size(file);
            InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
            try {
                raw.mark(2);
                int b0 = raw.read(), b1 = raw.read();
                raw.reset();
                boolean gzip = b0 == 0x1f && b1 == 0x8b;
                InputStream in = raw;
                if (gzip) {
                    try {
                        in = new GZIPInputStream(raw, 1 << 16);
                    } catch (ZipException | EOFException e) {
                        throw new IOException(file + ": starts with gzip's magic bytes 0x1f 0x8b but its gzip header is corrupt or truncated ("
                            + e.getMessage() + ")", e);
                    }
                }
                return new Source(file, in, gzip, size);
            } catch (IOException | RuntimeException e) {
                raw.close();
                throw e;
            }
        }

        /** The file name plus, for gzip, a reminder that positions are in the decompressed stream. */
        String where() {
            return gzip ? file + " (gzip; byte positions count decompressed bytes)" : file.toString();
        }

        private String hex(int b) {
            return String.format("0x%02x", b);
        }

        Header header() throws IOException {
            byte[] magic = readFully(4);
            if (magic.length < 2 || magic[0] != 0 || magic[1] != 0) {
                String got = magic.length == 0 ? "nothing (the file is empty)"
                    : magic.length == 1 ? hex(magic[0] & 0xff) + " and then ends" : hex(magic[0] & 0xff) + " " + hex(magic[1] & 0xff);
                throw new IOException(where() + ": not an IDX file: byte 0 starts with " + got
                    + "; an IDX file starts with 0x00 0x00, then the type code and the rank (a gzip file with 0x1f 0x8b)");
            }
            if (magic.length < 4) {
                throw new IOException(where() + ": truncated header: the file ends at byte " + magic.length
                    + ", inside the 4-byte magic number");
            }
            Type type = Type.ofCode(magic[2] & 0xff);
            if (type == null) {
                throw new IOException(where() + ": unknown IDX type code " + hex(magic[2] & 0xff) + " at byte 2; known codes:"
                    + " 0x08 unsigned byte, 0x09 signed byte, 0x0b int16, 0x0c int32, 0x0d float32, 0x0e float64");
            }
            int rank = magic[3] & 0xff;
            if (rank == 0) {
                throw new IOException(where() + ": rank 0 at byte 3; an IDX file has at least one dimension (the item count)");
            }
            byte[] dimBytes = readFully(4 * rank);
            if (dimBytes.length < 4 * rank) {
                throw new IOException(where() + ": truncated header: the file ends at byte " + (4 + dimBytes.length) + ", but rank "
                    + rank + " needs " + (4 + 4 * rank) + " header bytes (4 for the magic number, 4 per dimension)");
            }
            ByteBuffer b = ByteBuffer.wrap(dimBytes).order(ByteOrder.BIG_ENDIAN);
            int[] dims = new int[rank];
            for (int i = 0; i < rank; i++) {
                long d = b.getInt() & 0xffffffffL;
                if (d > Integer.MAX_VALUE) {
                    throw new IOException(where() + ": dimension " + i + " at byte " + (4 + 4 * i) + " is " + d
                        + ", more than a Java array can index (" + Integer.MAX_VALUE + "); the header is corrupt");
                }
                dims[i] = (int) d;
            }
            Header h = new Header(type, dims);
            checkSize(h);
            return h;
        }

        /** Rejects a header whose declared size cannot be right, before any value is read or allocated. */
        private void checkSize(Header h) throws IOException {
            long values = 1;
            for (int d : h.dims) {
                values *= d;
                if (values > MAX_VALUES) {
                    throw new IOException(where() + ": header declares " + h + ", more than " + MAX_VALUES
                        + " values, which no tensor can hold; the header is corrupt or the file is too large to read at once");
                }
            }
            if (gzip) return;  // checked while reading, as the decompressed bytes arrive
            long declared = h.headerBytes() + values * h.type().bytes();
            if (declared != fileSize) {
                throw new IOException(file + ": header declares " + h + ", i.e. " + h.headerBytes() + " header + "
                    + values * h.type().bytes() + " data bytes = " + declared + " bytes, but the file has " + fileSize + " bytes ("
                    + (declared > fileSize ? "truncated: data ends at byte " + fileSize + ", in item "
                        + itemAt(h, fileSize) : (fileSize - declared) + " extra bytes from byte " + declared) + ")");
            }
        }

        private static long itemAt(Header h, long offset) {
            long itemBytes = h.dataBytes() / Math.max(1, h.items());
            return itemBytes == 0 ? 0 : (offset - h.headerBytes()) / itemBytes;
        }

        /**
         * The bytes of the first {@code kept} items, in chunks of at most {@link #CHUNK} bytes; then reads the
         * rest of the stream to check that it holds exactly the declared number of bytes.
         */
        byte[][] readValues(Header h, int kept) throws IOException {
            long total = h.dataBytes();
            long keptBytes = total / h.items() * kept;
            List<byte[]> chunks = new ArrayList<>();
            long got = 0;
            while (got < keptBytes) {
                int want = (int) Math.min(CHUNK, keptBytes - got);
                byte[] c = readFully(want);
                got += c.length;
                if (c.length < want) throw truncated(h, got);
                chunks.add(c);
            }
            byte[] skip = new byte[1 << 16];
            while (got < total) {
                int n = read(skip, (int) Math.min(skip.length, total - got));
                if (n < 0) throw truncated(h, got);
                got += n;
            }
            if (read(skip, 1) > 0) {
                long extra = 1;
                int n;
                while ((n = read(skip, skip.length)) > 0) extra += n;
                throw new IOException(where() + ": header declares " + h + " (" + (h.headerBytes() + total)
                    + " bytes) but " + extra + " more bytes follow from byte " + (h.headerBytes() + total)
                    + "; the dimensions do not match the file length");
            }
            return chunks.toArray(new byte[0][]);
        }

        private IOException truncated(Header h, long dataBytesRead) {
            long end = h.headerBytes() + dataBytesRead;
            return new IOException(where() + ": truncated: header declares " + h + " (" + (h.headerBytes() + h.dataBytes())
                + " bytes) but the data ends at byte " + end + ", in item " + itemAt(h, end) + " of " + h.items());
        }

        private byte[] readFully(int n) throws IOException {
            byte[] b = new byte[n];
            int off = 0;
            while (off < n) {
                int r = read(b, off, n - off);
                if (r < 0) return Arrays.copyOf(b, off);
                off += r;
            }
            return b;
        }

        private int read(byte[] b, int len) throws IOException {
            return read(b, 0, len);
        }

        private int read(byte[] b, int off, int len) throws IOException {
            int r;
            try {
                r = in.read(b, off, len);
            } catch (ZipException | EOFException e) {
                throw new IOException(where() + ": corrupt or truncated gzip data after byte " + pos
                    + " of the decompressed stream (" + e.getMessage() + ")", e);
            }
            if (r > 0) pos += r;
            return r;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}

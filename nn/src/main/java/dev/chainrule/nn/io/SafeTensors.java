package dev.chainrule.nn.io;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import dev.chainrule.autograd.Shape;
import dev.chainrule.autograd.Tensor;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads and writes named tensors in the <a href="https://github.com/huggingface/safetensors">safetensors</a>
 * format, so files interoperate with Python's {@code safetensors} (e.g. a PyTorch
 * {@code safetensors.torch.save_file(model.state_dict(), ...)}) and plain NumPy.
 *
 * <p>Element types ({@link DType}): reading accepts {@code F64} (read as FLOAT64 tensors), {@code F32},
 * {@code F16} and {@code BF16} (read as FLOAT32 tensors: every value of these types is a float, so the
 * conversion is exact), the integer types ({@code I64} … {@code U8}, read as FLOAT64, exact up to
 * 2<sup>53</sup> in magnitude; a larger 64-bit value fails the load) and {@code BOOL} (0 or 1, FLOAT64),
 * and a file may mix them; 8-bit float tensors are rejected with an {@link IOException} that says how
 * to convert them. Writing stores each tensor in its own dtype by default ({@code F64} for FLOAT64,
 * {@code F32} for FLOAT32: exact either way), or every tensor as one requested type ({@code F64}, or
 * {@code F32} with each value rounded to the nearest float).
 *
 * <p>Layout: an 8-byte little-endian unsigned header length {@code N}; {@code N} bytes of UTF-8 JSON
 * {@code {"name": {"dtype": "F64", "shape": [..], "data_offsets": [begin, end]}, ...,
 * "__metadata__": {"key": "value"}}}, padded with trailing spaces so that the data starts at a
 * multiple of 8; then the raw little-endian values. Offsets count from the start of the data
 * section; the tensors' byte ranges are contiguous, do not overlap and cover the data section exactly,
 * and {@code end − begin = bytes(dtype) · prod(shape)} (8 for {@code F64}, 4 for {@code F32}, 2 for
 * {@code F16} and {@code BF16}).
 *
 * <p>Writing is atomic: the bytes go to a temporary file in the target's directory, are forced to
 * disk, and the temporary file is then renamed over the target, so a crash mid-save leaves the
 * previous file intact. Reading validates the whole file (every rule above, plus size limits)
 * before it returns anything and never allocates more than 8 times the file's size (the doubles
 * of a file of 1-byte {@code U8}/{@code I8}/{@code BOOL} values); any problem is an
 * {@link IOException} that says what is wrong. Zero-size dimensions are not supported (Chainrule has
 * no empty tensors).
 */
public final class SafeTensors {

    private static final Logger LOG = LoggerFactory.getLogger(SafeTensors.class);

    /** The reserved header key holding string-to-string metadata. */
    public static final String METADATA_KEY = "__metadata__";
    /** The largest header accepted (as Python's safetensors does): 100 MB. */
    public static final long MAX_HEADER_BYTES = 100_000_000L;
    /** The most dimensions a tensor in a file may have. */
    public static final int MAX_RANK = 64;

    private static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;
    private static final int CHUNK = 1 << 16;
    private static final Set<String> OTHER_DTYPES = Set.of("F8_E5M2", "F8_E4M3");
    private static final String READABLE = "F64, F32, F16, BF16 and the integer and BOOL types";
    private static final JsonFactory JSON = JsonFactory.builder()
        .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).maxNumberLength(64).build())
        .build();
    private static final SecureRandom TEMP_NAMES = new SecureRandom();

    private SafeTensors() {}

    /**
     * The element types Chainrule reads, each converted exactly to a double (the floating-point types,
     * the integer types so that PyTorch state dicts with integer buffers such as BatchNorm's
     * {@code num_batches_tracked} load as saved, and BOOL), and writes ({@link #F64} and {@link #F32}
     * only). Values are little-endian, as the format requires. The 8-bit float types are not read.
     */
    public enum DType {
        /** IEEE 754 binary64, 8 bytes: read and written exactly (the default for writing). */
        F64(8) {
            @Override
            double get(ByteBuffer b) {
                return b.getDouble();
            }

            @Override
            void put(ByteBuffer b, double v) {
                b.putDouble(v);
            }
        },
        /**
         * IEEE 754 binary32, 4 bytes: read exactly; written rounded to the nearest float (ties to
         * even, as Java's {@code (float)} cast and NumPy's {@code astype(float32)}): magnitudes beyond
         * {@code Float.MAX_VALUE} become infinities, values below the float range become (signed)
         * zeros or float subnormals, NaN stays NaN.
         */
        F32(4) {
            @Override
            double get(ByteBuffer b) {
                return b.getFloat();
            }

            @Override
            void put(ByteBuffer b, double v) {
                b.putFloat((float) v);
            }
        },
        /** IEEE 754 binary16, 2 bytes: read only, exactly (subnormals, signed zeros, infinities; NaN as NaN). */
        F16(2) {
            @Override
            double get(ByteBuffer b) {
                return halfToDouble(b.getShort());
            }
        },
        /** bfloat16, 2 bytes (the upper half of a binary32): read only, exactly. */
        BF16(2) {
            @Override
            double get(ByteBuffer b) {
                return Float.intBitsToFloat(b.getShort() << 16);
            }
        },
        /**
         * 64-bit signed integer, read only: exact when |v| &le; 2<sup>53</sup> (PyTorch's
         * {@code num_batches_tracked} is one); a larger value fails the load with an {@link IOException}.
         */
        I64(8) {
            @Override
            double get(ByteBuffer b) {
                long v = b.getLong();
                if (v > EXACT || v < -EXACT) throw new InexactValue(Long.toString(v));
                return v;
            }
        },
        /** 64-bit unsigned integer, read only: exact up to 2<sup>53</sup>, larger values fail the load. */
        U64(8) {
            @Override
            double get(ByteBuffer b) {
                long v = b.getLong();
                if (Long.compareUnsigned(v, EXACT) > 0) throw new InexactValue(Long.toUnsignedString(v));
                return v;
            }
        },
        /** 32-bit signed integer, read only, exact. */
        I32(4) {
            @Override
            double get(ByteBuffer b) {
                return b.getInt();
            }
        },
        /** 32-bit unsigned integer, read only, exact. */
        U32(4) {
            @Override
            double get(ByteBuffer b) {
                return Integer.toUnsignedLong(b.getInt());
            }
        },
        /** 16-bit signed integer, read only, exact. */
        I16(2) {
            @Override
            double get(ByteBuffer b) {
                return b.getShort();
            }
        },
        /** 16-bit unsigned integer, read only, exact. */
        U16(2) {
            @Override
            double get(ByteBuffer b) {
                return Short.toUnsignedInt(b.getShort());
            }
        },
        /** 8-bit signed integer, read only, exact. */
        I8(1) {
            @Override
            double get(ByteBuffer b) {
                return b.get();
            }
        },
        /** 8-bit unsigned integer, read only, exact. */
        U8(1) {
            @Override
            double get(ByteBuffer b) {
                return Byte.toUnsignedInt(b.get());
            }
        },
        /** Boolean, one byte, read only: 0 is 0.0 (false), any other byte 1.0 (true). */
        BOOL(1) {
            @Override
            double get(ByteBuffer b) {
                return b.get() == 0 ? 0.0 : 1.0;
            }
        };

        /** 2<sup>53</sup>: every integer up to it in magnitude is a double. */
        private static final long EXACT = 1L << 53;

        private final int bytes;

        DType(int bytes) {
            this.bytes = bytes;
        }

        /** The size of one element in bytes (8 for F64, 4 for F32, 2 for F16 and BF16, ...). */
        public int bytes() {
            return bytes;
        }

        /** Whether {@link SafeTensors#write(Map, Map, Path, DType)} can write this type ({@code F64} and {@code F32}). */
        public boolean writable() {
            return this == F64 || this == F32;
        }

        /**
         * Reads one element at the buffer's position (little-endian buffer) and converts it exactly.
         *
         * A 64-bit integer beyond 2<sup>53</sup> in magnitude throws the reader's InexactValue.
         */
        abstract double get(ByteBuffer b);

        /** Writes {@code v} as one element; only for {@link #writable()} types. */
        void put(ByteBuffer b, double v) {
            throw new UnsupportedOperationException(name() + " is read-only");
        }

        /** The binary16 {@code h} as a double: exact for every pattern; a NaN keeps its sign but not its payload. */
        static double halfToDouble(short h) {
            int exp = (h >>> 10) & 0x1f;
            int mant = h & 0x3ff;
            double mag;
            if (exp == 0x1f) {
                mag = mant == 0 ? Double.POSITIVE_INFINITY : Double.NaN;
            } else if (exp == 0) {
                mag = Math.scalb((double) mant, -24); // subnormal (or zero): mant · 2^-24
            } else {
                mag = Math.scalb((double) (mant | 0x400), exp - 25); // (1024 + mant) · 2^(exp - 15 - 10)
            }
            return h < 0 ? -mag : mag;
        }
    }

    /**
     * The tensors and metadata of a file.
     *
     * @param tensors the tensors by name, in header order (unmodifiable)
     * @param metadata the {@code __metadata__} entries, empty if absent (unmodifiable)
     */
    public record Contents(Map<String, Tensor> tensors, Map<String, String> metadata) {
        /** @throws NullPointerException if either map is null */
        public Contents {
            Objects.requireNonNull(tensors, "SafeTensors.Contents: tensors is null");
            Objects.requireNonNull(metadata, "SafeTensors.Contents: metadata is null");
        }
    }

    // ================================================================ writing

    /** Writes {@code tensors} (in map order), each in its own dtype, with no metadata; see {@link #write(Map, Map, Path)}. */
    public static void write(Map<String, Tensor> tensors, Path file) throws IOException {
        write(tensors, Map.of(), file);
    }

    /**
     * Writes {@code tensors}, in the map's iteration order, and {@code metadata} to {@code file}, each
     * tensor in its own dtype ({@code F64} for FLOAT64, {@code F32} for FLOAT32: exact), atomically: on
     * success the file holds the new contents, on failure
     * (including a crash) the previous file, if any, is untouched and no temporary file is left behind.
     *
     * @throws IllegalArgumentException if a name is empty, is {@code __metadata__}, or is not valid Unicode
     * @throws IOException if the file cannot be written
     */
    public static void write(Map<String, Tensor> tensors, Map<String, String> metadata, Path file) throws IOException {
        write(tensors, metadata, file, null, PauseHook.next());
    }

    /**
     * {@link #write(Map, Map, Path)} with every tensor stored as {@code dtype}, whatever its own:
     * {@link DType#F64} (exact; the same bytes as the three-argument form for FLOAT64 tensors) or
     * {@link DType#F32} (each value rounded to the nearest float, see {@link DType#F32}; half the size,
     * and what PyTorch's float32 models load).
     *
     * @throws IllegalArgumentException if {@code dtype} is not {@link DType#writable() writable}
     *     ({@code F16}, {@code BF16}), or a name is empty, is {@code __metadata__}, or is not valid Unicode
     * @throws IOException if the file cannot be written
     */
    public static void write(Map<String, Tensor> tensors, Map<String, String> metadata, Path file, DType dtype)
            throws IOException {
        write(tensors, metadata, file, Objects.requireNonNull(dtype, "SafeTensors.write: dtype is null"), PauseHook.next());
    }

    /** The file type of a tensor written in its own dtype: {@code F32} for FLOAT32, {@code F64} for FLOAT64. */
    public static DType fileType(dev.chainrule.autograd.DType dtype) {
        return Objects.requireNonNull(dtype, "SafeTensors.fileType: dtype is null") == dev.chainrule.autograd.DType.FLOAT32 ? DType.F32 : DType.F64;
    }

    /**
     * A test hook, not API: with {@code -Dchainrule.test.pauseInWrite=N:marker} the N-th write of this
     * JVM (counting from 1) stops half-way through its first block of bytes, creates the file
     * {@code marker} and sleeps, so that a test can kill the process in the middle of a save
     * (the reliability suite's kill test). Without the property (always, outside that test) it does nothing.
     */
    static final class PauseHook {
        private PauseHook() {}

        private static final String SPEC = System.getProperty("chainrule.test.pauseInWrite");
        private static final java.util.concurrent.atomic.AtomicInteger WRITES = new java.util.concurrent.atomic.AtomicInteger();

        static UnaryOperator<OutputStream> next() {
            if (SPEC == null) return UnaryOperator.identity();
            int colon = SPEC.indexOf(':');
            if (WRITES.incrementAndGet() != Integer.parseInt(SPEC.substring(0, colon))) return UnaryOperator.identity();
            Path marker = Path.of(SPEC.substring(colon + 1));
            return raw -> new java.io.FilterOutputStream(raw) {
                private boolean paused;

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    if (paused || len < 2) {
                        out.write(b, off, len);
                        return;
                    }
                    paused = true;
                    out.write(b, off, len / 2);
                    out.flush();
                    Files.writeString(marker, "paused mid-write");
                    try {
                        Thread.sleep(600_000);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    out.write(b, off + len / 2, len - len / 2);
                }
            };
        }
    }

    /** {@link #write(Map, Map, Path)} with {@code wrap} applied to the raw file stream (a test hook to inject failures). */
    static void write(Map<String, Tensor> tensors, Map<String, String> metadata, Path file, UnaryOperator<OutputStream> wrap)
            throws IOException {
        write(tensors, metadata, file, null, wrap);
    }

    /**
     * {@link #write(Map, Map, Path, DType)} with {@code wrap} applied to the raw file stream; a null
     * {@code dtype} stores each tensor in its own ({@link #fileType}).
     */
    static void write(Map<String, Tensor> tensors, Map<String, String> metadata, Path file, DType dtype,
            UnaryOperator<OutputStream> wrap) throws IOException {
        Objects.requireNonNull(tensors, "SafeTensors.write: tensors is null");
        Objects.requireNonNull(metadata, "SafeTensors.write: metadata is null");
        Objects.requireNonNull(file, "SafeTensors.write: file is null");
        if (dtype != null && !dtype.writable()) {
            throw new IllegalArgumentException("SafeTensors.write: dtype " + dtype + " can be read but not written;"
                + " write F64 (exact) or F32 (rounded to the nearest float)");
        }
        List<String> names = new ArrayList<>(tensors.size());
        List<int[]> shapes = new ArrayList<>(tensors.size());
        List<double[]> values = new ArrayList<>(tensors.size());
        List<DType> types = new ArrayList<>(tensors.size());
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            String name = e.getKey();
            checkString("tensor name", name);
            if (name.isEmpty() || name.equals(METADATA_KEY)) {
                throw new IllegalArgumentException("SafeTensors.write: tensor name '" + name + "' is reserved or empty; rename it");
            }
            Tensor t = Objects.requireNonNull(e.getValue(), "SafeTensors.write: tensor '" + name + "' is null");
            names.add(name);
            shapes.add(t.shape());
            types.add(dtype != null ? dtype : fileType(t.dtype()));
            values.add(t.toArray()); // snapshot before any byte is written (widening a float is exact)
        }
        for (Map.Entry<String, String> e : metadata.entrySet()) {
            checkString("metadata key", e.getKey());
            checkString("metadata value for '" + e.getKey() + "'", e.getValue());
        }
        byte[] header = encodeHeader(names, shapes, metadata, types);

        Path target = file.toAbsolutePath();
        Path dir = target.getParent();
        if (dir == null || target.getFileName() == null) {
            throw new IOException("SafeTensors.write: " + file + " names no file (it is a root directory); pass a file path such as "
                + target.resolve("model.safetensors"));
        }
        if (Files.isDirectory(target)) {
            throw new IOException("SafeTensors.write: " + file + " is a directory; pass a file path inside it, such as "
                + target.resolve("model.safetensors"));
        }
        Path tmp = dir.resolve("." + target.getFileName() + "." + Long.toHexString(TEMP_NAMES.nextLong()) + ".tmp");
        boolean moved = false;
        long bytes = 8L + header.length;
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                // The channel is closed by try-with-resources; the streams on top are only flushed.
                OutputStream out = new BufferedOutputStream(wrap.apply(Channels.newOutputStream(ch)), CHUNK);
                ByteBuffer buf = ByteBuffer.allocate(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
                buf.putLong(header.length);
                out.write(buf.array(), 0, 8);
                buf.clear();
                out.write(header);
                for (int i = 0; i < values.size(); i++) {
                    double[] v = values.get(i);
                    DType type = types.get(i);
                    for (double d : v) {
                        if (buf.remaining() < type.bytes()) {
                            out.write(buf.array(), 0, buf.position());
                            buf.clear();
                        }
                        type.put(buf, d);
                    }
                    bytes += (long) type.bytes() * v.length;
                }
                out.write(buf.array(), 0, buf.position());
                out.flush();
                ch.force(true);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException | FileAlreadyExistsException e) {
                LOG.debug("atomic rename unsupported for {} ({}); replacing non-atomically", target, e.toString());
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            moved = true;
        } finally {
            if (!moved) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException | RuntimeException e) {
                    LOG.warn("could not delete temporary file {} after a failed save: {}", tmp, e.toString());
                }
            }
        }
        syncDirectory(dir);
        LOG.debug("wrote {} tensors ({} bytes) to {}", names.size(), bytes, target);
    }

    /** Makes the rename durable where the platform allows fsync on a directory (not on Windows). */
    private static void syncDirectory(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException | RuntimeException e) {
            LOG.debug("could not fsync directory {}: {}", dir, e.toString());
        }
    }

    private static void checkString(String what, String s) {
        if (s == null) throw new IllegalArgumentException("SafeTensors.write: a " + what + " is null");
        if (!StandardCharsets.UTF_8.newEncoder().canEncode(s)) {
            throw new IllegalArgumentException("SafeTensors.write: " + what + " '" + s
                + "' is not valid Unicode (unpaired surrogate) and cannot be stored as UTF-8");
        }
    }

    /** The JSON header (metadata first, then tensors in order, contiguous offsets), space-padded to a multiple of 8. */
    static byte[] encodeHeader(List<String> names, List<int[]> shapes, Map<String, String> metadata, List<DType> dtypes)
            throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (JsonGenerator g = JSON.createGenerator(bos, JsonEncoding.UTF8)) {
            g.writeStartObject();
            if (!metadata.isEmpty()) {
                g.writeObjectFieldStart(METADATA_KEY);
                for (Map.Entry<String, String> e : metadata.entrySet()) g.writeStringField(e.getKey(), e.getValue());
                g.writeEndObject();
            }
            long offset = 0;
            for (int i = 0; i < names.size(); i++) {
                int[] shape = shapes.get(i);
                DType dtype = dtypes.get(i);
                long end = offset + (long) dtype.bytes() * Shape.size(shape);
                g.writeObjectFieldStart(names.get(i));
                g.writeStringField("dtype", dtype.name());
                g.writeArrayFieldStart("shape");
                for (int d : shape) g.writeNumber(d);
                g.writeEndArray();
                g.writeArrayFieldStart("data_offsets");
                g.writeNumber(offset);
                g.writeNumber(end);
                g.writeEndArray();
                g.writeEndObject();
                offset = end;
            }
            g.writeEndObject();
        }
        while (bos.size() % 8 != 0) bos.write(' ');
        return bos.toByteArray();
    }

    // ================================================================ reading

    /** The tensors of {@code file}, by name, in header order. Validates the whole file first; see {@link #readContents}. */
    public static Map<String, Tensor> read(Path file) throws IOException {
        return readContents(file).tensors();
    }

    /**
     * Reads and fully validates {@code file}: header length, UTF-8, JSON structure and field types,
     * dtypes ({@code F64} read as FLOAT64 tensors; {@code F32}, {@code F16} and {@code BF16} as FLOAT32,
     * exactly; integer and {@code BOOL} types as FLOAT64), shapes,
     * and that the byte ranges are contiguous, non-overlapping, match their shapes and dtypes and cover
     * the data section exactly.
     *
     * @throws IOException if the file cannot be read or breaks any rule; the message names the file and the problem
     */
    public static Contents readContents(Path file) throws IOException {
        Objects.requireNonNull(file, "SafeTensors.read: file is null");
        if (Files.isDirectory(file)) {
            throw new IOException(file + ": is a directory, not a safetensors file; pass the path of a file");
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return read(ch, file.toString());
        }
    }

    /** Reads from any seekable channel; {@code where} names the source in error messages. */
    static Contents read(SeekableByteChannel ch, String where) throws IOException {
        try {
            return new Reader(ch, where).read();
        } catch (IOException e) {
            throw e;
        } catch (RuntimeException e) {
            // Validation should catch every malformed input; this is the safety net for anything it missed.
            throw new IOException(where + ": unexpected error while reading the safetensors file (" + e
                + "); the file is probably corrupt — re-save it", e);
        }
    }

    /** The {@link DType} named exactly {@code name}, or null. */
    private static DType readable(String name) {
        for (DType t : DType.values()) {
            if (t.name().equals(name)) return t;
        }
        return null;
    }

    /** A 64-bit integer element that no double holds exactly; turned into an {@link IOException} by the reader. */
    private static final class InexactValue extends RuntimeException {
        private static final long serialVersionUID = 1L;

        InexactValue(String value) {
            super(value, null, false, false);
        }
    }

    /** One tensor's header entry. */
    private record Entry(String name, DType dtype, int[] shape, long begin, long end) {}

    private static final class Reader {
        private final SeekableByteChannel ch;
        private final String where;

        Reader(SeekableByteChannel ch, String where) {
            this.ch = ch;
            this.where = where;
        }

        private IOException corrupt(String problem) {
            return new IOException(where + ": " + problem
                + "; the file is not a valid safetensors file (truncated or corrupted?) — re-save it or restore a good copy");
        }

        Contents read() throws IOException {
            long fileSize = ch.size();
            if (fileSize < 8) {
                throw corrupt("file has " + fileSize + " bytes, fewer than the 8-byte header length every safetensors file starts with");
            }
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(lenBuf, 0);
            long n = lenBuf.getLong(0);
            if (n < 0) {
                throw corrupt("header length field is " + Long.toUnsignedString(n) + " (at least 2^63)");
            }
            if (n == 0) {
                throw corrupt("header length is 0, but the header must hold at least the JSON object '{}'");
            }
            if (n > MAX_HEADER_BYTES) {
                throw corrupt("header length " + n + " exceeds the limit of " + MAX_HEADER_BYTES + " bytes");
            }
            if (n > fileSize - 8) {
                throw corrupt("header length " + n + " runs past the end of the file (" + fileSize + " bytes leave at most "
                    + (fileSize - 8) + " for the header)");
            }
            ByteBuffer headerBuf = ByteBuffer.allocate((int) n);
            readFully(headerBuf, 8);
            byte[] header = headerBuf.array();
            checkUtf8(header);
            if (header[0] != '{') {
                throw corrupt("header does not start with '{' (first byte 0x" + Integer.toHexString(header[0] & 0xff) + ")");
            }
            long dataStart = 8 + n;
            long dataSize = fileSize - dataStart;

            Map<String, Entry> entries = new LinkedHashMap<>();
            Map<String, String> metadata = new LinkedHashMap<>();
            // Through a UTF-8 reader: byte input would let Jackson guess UTF-16/32 from NUL bytes.
            try (JsonParser p = JSON.createParser(new InputStreamReader(new ByteArrayInputStream(header), StandardCharsets.UTF_8))) {
                parseHeader(p, entries, metadata);
            } catch (JsonProcessingException e) {
                throw corrupt("header is not valid JSON (" + e.getOriginalMessage() + " at "
                    + (e.getLocation() == null ? "?" : "character " + e.getLocation().getCharOffset()) + ")");
            }
            checkLayout(entries, dataSize);

            Map<String, Tensor> tensors = new LinkedHashMap<>();
            ByteBuffer buf = ByteBuffer.allocate((int) Math.min(CHUNK, Math.max(8, dataSize))).order(ByteOrder.LITTLE_ENDIAN);
            for (Entry e : entries.values()) {
                int width = e.dtype.bytes();
                double[] values = new double[(int) ((e.end - e.begin) / width)];
                long pos = dataStart + e.begin;
                int k = 0;
                while (k < values.length) {
                    buf.clear();
                    buf.limit((int) Math.min(buf.capacity(), (long) width * (values.length - k)));
                    readFully(buf, pos);
                    pos += buf.limit();
                    buf.flip();
                    try {
                        while (buf.remaining() >= width) values[k++] = e.dtype.get(buf);
                    } catch (InexactValue x) {
                        throw new IOException(where + ": tensor '" + e.name + "' (" + e.dtype + ") element " + (k - 1)
                            + " is " + x.getMessage() + ", which a double cannot hold exactly (|v| > 2^53); convert it before saving");
                    }
                }
                // Float types of 4 bytes or less are floats exactly: FLOAT32 tensors; the rest FLOAT64.
                boolean single = e.dtype == DType.F32 || e.dtype == DType.F16 || e.dtype == DType.BF16;
                tensors.put(e.name, Tensor.of(values, single ? dev.chainrule.autograd.DType.FLOAT32 : dev.chainrule.autograd.DType.FLOAT64, e.shape));
            }
            return new Contents(Collections.unmodifiableMap(tensors), Collections.unmodifiableMap(metadata));
        }

        private void readFully(ByteBuffer buf, long position) throws IOException {
            ch.position(position);
            while (buf.hasRemaining()) {
                if (ch.read(buf) < 0) {
                    throw corrupt("file ended at byte " + (position + buf.position()) + " while "
                        + buf.remaining() + " more bytes were expected (it changed while being read?)");
                }
            }
        }

        /** Strict UTF-8 check in fixed-size steps (no char copy of the whole header), reporting the first bad byte. */
        private void checkUtf8(byte[] bytes) throws IOException {
            CharsetDecoder dec = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
            ByteBuffer in = ByteBuffer.wrap(bytes);
            CharBuffer out = CharBuffer.allocate(4096);
            CoderResult r;
            do {
                out.clear();
                r = dec.decode(in, out, true);
            } while (r.isOverflow());
            if (!r.isError()) {
                out.clear();
                r = dec.flush(out);
            }
            if (r.isError()) {
                throw corrupt("header is not valid UTF-8 (bad byte 0x" + Integer.toHexString(bytes[in.position()] & 0xff)
                    + " at header byte " + in.position() + ")");
            }
        }

        private void parseHeader(JsonParser p, Map<String, Entry> entries, Map<String, String> metadata) throws IOException {
            if (p.nextToken() != JsonToken.START_OBJECT) throw corrupt("header is not a JSON object");
            boolean sawMetadata = false;
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                if (name.equals(METADATA_KEY)) {
                    if (sawMetadata) throw corrupt("header has '" + METADATA_KEY + "' twice");
                    sawMetadata = true;
                    parseMetadata(p, metadata);
                } else {
                    if (entries.containsKey(name)) throw corrupt("header names tensor '" + name + "' twice");
                    entries.put(name, parseEntry(p, name));
                }
            }
            if (t != JsonToken.END_OBJECT) throw corrupt("header object is malformed (" + t + ")");
            if (p.nextToken() != null) throw corrupt("header has content after its JSON object (only space padding is allowed)");
        }

        private void parseMetadata(JsonParser p, Map<String, String> metadata) throws IOException {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw corrupt("'" + METADATA_KEY + "' is " + describe(p.currentToken()) + " but must be an object of strings");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String key = p.currentName();
                if (metadata.containsKey(key)) throw corrupt("metadata key '" + key + "' appears twice");
                if (p.nextToken() != JsonToken.VALUE_STRING) {
                    throw corrupt("metadata value for '" + key + "' is " + describe(p.currentToken()) + " but must be a string");
                }
                metadata.put(key, p.getText());
            }
        }

        private Entry parseEntry(JsonParser p, String name) throws IOException {
            String what = "tensor '" + name + "'";
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw corrupt(what + " is " + describe(p.currentToken())
                    + " but must be an object {\"dtype\", \"shape\", \"data_offsets\"}");
            }
            String dtype = null;
            int[] shape = null;
            long[] offsets = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                switch (field) {
                    case "dtype" -> {
                        if (dtype != null) throw corrupt(what + " has field 'dtype' twice");
                        if (p.nextToken() != JsonToken.VALUE_STRING) {
                            throw corrupt(what + ": dtype is " + describe(p.currentToken()) + " but must be a string");
                        }
                        dtype = p.getText();
                    }
                    case "shape" -> {
                        if (shape != null) throw corrupt(what + " has field 'shape' twice");
                        shape = parseShape(p, what);
                    }
                    case "data_offsets" -> {
                        if (offsets != null) throw corrupt(what + " has field 'data_offsets' twice");
                        offsets = parseOffsets(p, what);
                    }
                    default -> throw corrupt(what + " has unknown field '" + field
                        + "' (allowed: dtype, shape, data_offsets)");
                }
            }
            if (dtype == null) throw corrupt(what + " has no 'dtype'");
            if (shape == null) throw corrupt(what + " has no 'shape'");
            if (offsets == null) throw corrupt(what + " has no 'data_offsets'");
            if (OTHER_DTYPES.contains(dtype)) {
                // A valid file of another dtype: say exactly that (it is not corrupt).
                throw new IOException(where + ": " + what + " has dtype " + dtype + "; Chainrule reads " + READABLE
                    + " only: convert the tensors to a floating-point type before saving (in Python, tensor.float() or"
                    + " tensor.double(), e.g. {k: v.float() for k, v in model.state_dict().items()}, or array.astype(numpy.float64))");
            }
            DType type = readable(dtype);
            if (type == null) {
                throw corrupt(what + " has dtype '" + dtype + "', which is not a safetensors dtype (Chainrule reads " + READABLE + ")");
            }
            long elements = 1;
            for (int d : shape) elements *= d; // dims are 1..MAX_ELEMENTS and checked after each step below
            long begin = offsets[0], end = offsets[1];
            if (end < begin) throw corrupt(what + ": data_offsets [" + begin + ", " + end + "] end before they begin");
            long bytes = type.bytes() * elements;
            if (end - begin != bytes) {
                throw corrupt(what + ": shape " + Shape.toString(shape) + " needs " + elements + " " + type + " values = "
                    + bytes + " bytes, but data_offsets [" + begin + ", " + end + "] span " + (end - begin) + " bytes");
            }
            return new Entry(name, type, shape, begin, end);
        }

        private int[] parseShape(JsonParser p, String what) throws IOException {
            if (p.nextToken() != JsonToken.START_ARRAY) {
                throw corrupt(what + ": shape is " + describe(p.currentToken()) + " but must be an array of integers");
            }
            int[] dims = new int[8];
            int rank = 0;
            long elements = 1;
            while (p.nextToken() != JsonToken.END_ARRAY) {
                long d = nonNegativeLong(p, what + ": shape entry");
                if (rank == MAX_RANK) throw corrupt(what + ": shape has more than " + MAX_RANK + " dimensions");
                if (d == 0) throw corrupt(what + ": shape has a dimension 0; Chainrule does not support empty tensors");
                elements *= Math.min(d, MAX_ELEMENTS + 1);
                if (elements > MAX_ELEMENTS) {
                    throw corrupt(what + ": shape has more than " + MAX_ELEMENTS + " elements, more than one tensor can hold");
                }
                if (rank == dims.length) dims = java.util.Arrays.copyOf(dims, 2 * rank);
                dims[rank++] = (int) d;
            }
            return java.util.Arrays.copyOf(dims, rank);
        }

        private long[] parseOffsets(JsonParser p, String what) throws IOException {
            if (p.nextToken() != JsonToken.START_ARRAY) {
                throw corrupt(what + ": data_offsets is " + describe(p.currentToken()) + " but must be an array [begin, end]");
            }
            long[] o = new long[2];
            int k = 0;
            while (p.nextToken() != JsonToken.END_ARRAY) {
                long v = nonNegativeLong(p, what + ": data_offsets entry");
                if (k == 2) throw corrupt(what + ": data_offsets has more than 2 entries; it must be [begin, end]");
                o[k++] = v;
            }
            if (k != 2) throw corrupt(what + ": data_offsets has " + k + " entries; it must be [begin, end]");
            return o;
        }

        private long nonNegativeLong(JsonParser p, String what) throws IOException {
            JsonToken t = p.currentToken();
            if (t != JsonToken.VALUE_NUMBER_INT) throw corrupt(what + " is " + describe(t) + " but must be a non-negative integer");
            if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                throw corrupt(what + " " + p.getText() + " is too large");
            }
            long v = p.getLongValue();
            // "-0" is a valid JSON integer equal to 0, but no writer emits it: treat any sign as corruption.
            if (v < 0 || p.getText().startsWith("-")) throw corrupt(what + " " + p.getText() + " is negative");
            return v;
        }

        private String describe(JsonToken t) {
            if (t == null) return "missing";
            return switch (t) {
                case START_OBJECT -> "an object";
                case START_ARRAY -> "an array";
                case VALUE_STRING -> "a string";
                case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
                case VALUE_TRUE, VALUE_FALSE -> "a boolean";
                case VALUE_NULL -> "null";
                default -> t.toString();
            };
        }

        /** Byte ranges must tile [0, dataSize) exactly: sorted by begin, each starts where the previous ended. */
        private void checkLayout(Map<String, Entry> entries, long dataSize) throws IOException {
            List<Entry> sorted = new ArrayList<>(entries.values());
            sorted.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
            long expected = 0;
            Entry previous = null;
            for (Entry e : sorted) {
                if (e.end > dataSize) {
                    throw corrupt("tensor '" + e.name + "': data_offsets [" + e.begin + ", " + e.end
                        + "] reach past the end of the data section (" + dataSize + " bytes)");
                }
                if (e.begin < expected) {
                    throw corrupt("tensor '" + e.name + "': data_offsets [" + e.begin + ", " + e.end + "] overlap those of '"
                        + previous.name + "' [" + previous.begin + ", " + previous.end + "]");
                }
                if (e.begin > expected) {
                    throw corrupt("tensor '" + e.name + "': data_offsets [" + e.begin + ", " + e.end + "] leave bytes "
                        + expected + " to " + e.begin + " of the data section unused (offsets must be contiguous)");
                }
                expected = e.end;
                previous = e;
            }
            if (expected != dataSize) {
                throw corrupt("the data section has " + dataSize + " bytes but the tensors cover only " + expected
                    + " (trailing bytes, or a wrong header length)");
            }
        }
    }
}

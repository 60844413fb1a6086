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
 * format, restricted to 64-bit floats ({@code F64}), so files interoperate with Python's
 * {@code safetensors} and plain NumPy.
 *
 * <p>Layout: an 8-byte little-endian unsigned header length {@code N}; {@code N} bytes of UTF-8 JSON
 * {@code {"name": {"dtype": "F64", "shape": [..], "data_offsets": [begin, end]}, ...,
 * "__metadata__": {"key": "value"}}}, padded with trailing spaces so that the data starts at a
 * multiple of 8; then the raw little-endian doubles. Offsets count from the start of the data
 * section; the tensors' byte ranges are contiguous, do not overlap and cover the data section exactly,
 * and {@code end − begin = 8 · prod(shape)}.
 *
 * <p>Writing is atomic: the bytes go to a temporary file in the target's directory, are forced to
 * disk, and the temporary file is then renamed over the target, so a crash mid-save leaves the
 * previous file intact. Reading validates the whole file (every rule above, plus size limits)
 * before it returns anything and never allocates more than the file's size; any problem is an
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
    private static final Set<String> OTHER_DTYPES = Set.of("BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3", "I16", "U16",
        "F16", "BF16", "I32", "U32", "F32", "I64", "U64");
    private static final JsonFactory JSON = JsonFactory.builder()
        .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).maxNumberLength(64).build())
        .build();
    private static final SecureRandom TEMP_NAMES = new SecureRandom();

    private SafeTensors() {}

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

    /** Writes {@code tensors} (in map order) with no metadata; see {@link #write(Map, Map, Path)}. */
    public static void write(Map<String, Tensor> tensors, Path file) throws IOException {
        write(tensors, Map.of(), file);
    }

    /**
     * Writes {@code tensors}, in the map's iteration order, and {@code metadata} to {@code file},
     * atomically: on success the file holds the new contents, on failure (including a crash) the
     * previous file, if any, is untouched and no temporary file is left behind.
     *
     * @throws IllegalArgumentException if a name is empty, is {@code __metadata__}, or is not valid Unicode
     * @throws IOException if the file cannot be written
     */
    public static void write(Map<String, Tensor> tensors, Map<String, String> metadata, Path file) throws IOException {
        write(tensors, metadata, file, PauseHook.next());
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
        Objects.requireNonNull(tensors, "SafeTensors.write: tensors is null");
        Objects.requireNonNull(metadata, "SafeTensors.write: metadata is null");
        Objects.requireNonNull(file, "SafeTensors.write: file is null");
        List<String> names = new ArrayList<>(tensors.size());
        List<int[]> shapes = new ArrayList<>(tensors.size());
        List<double[]> values = new ArrayList<>(tensors.size());
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            String name = e.getKey();
            checkString("tensor name", name);
            if (name.isEmpty() || name.equals(METADATA_KEY)) {
                throw new IllegalArgumentException("SafeTensors.write: tensor name '" + name + "' is reserved or empty; rename it");
            }
            Tensor t = Objects.requireNonNull(e.getValue(), "SafeTensors.write: tensor '" + name + "' is null");
            names.add(name);
            shapes.add(t.shape());
            values.add(t.toArray()); // snapshot before any byte is written
        }
        for (Map.Entry<String, String> e : metadata.entrySet()) {
            checkString("metadata key", e.getKey());
            checkString("metadata value for '" + e.getKey() + "'", e.getValue());
        }
        byte[] header = encodeHeader(names, shapes, metadata);

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
                for (double[] v : values) {
                    for (double d : v) {
                        if (buf.remaining() < Double.BYTES) {
                            out.write(buf.array(), 0, buf.position());
                            buf.clear();
                        }
                        buf.putDouble(d);
                    }
                    bytes += 8L * v.length;
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
    static byte[] encodeHeader(List<String> names, List<int[]> shapes, Map<String, String> metadata) throws IOException {
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
                long end = offset + 8L * Shape.size(shape);
                g.writeObjectFieldStart(names.get(i));
                g.writeStringField("dtype", "F64");
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
     * dtype {@code F64}, shapes, and that the byte ranges are contiguous, non-overlapping, match their
     * shapes and cover the data section exactly.
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

    /** One tensor's header entry. */
    private record Entry(String name, int[] shape, long begin, long end) {}

    private static final class Reader {
        private final SeekableByteChannel ch;
        private final String where;

        Reader(SeekableByteChannel ch, String where) {
            this.ch = ch;
            this.where = where;
        }

        private IOException corrupt(String problem) {
            return new IOException(where + ": " + problem
                + "; the file is not a valid F64 safetensors file (truncated or corrupted?) — re-save it or restore a good copy");
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
                double[] values = new double[(int) ((e.end - e.begin) / 8)];
                long pos = dataStart + e.begin;
                int k = 0;
                while (k < values.length) {
                    buf.clear();
                    buf.limit((int) Math.min(buf.capacity(), 8L * (values.length - k)));
                    readFully(buf, pos);
                    pos += buf.limit();
                    buf.flip();
                    while (buf.remaining() >= 8) values[k++] = buf.getDouble();
                }
                tensors.put(e.name, Tensor.of(values, e.shape));
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
                throw new IOException(where + ": " + what + " has dtype " + dtype + "; Chainrule reads F64 only: convert the tensors"
                    + " to float64 before saving (in Python, tensor.double() or array.astype(numpy.float64))");
            }
            if (!dtype.equals("F64")) {
                throw corrupt(what + " has dtype '" + dtype + "', which is not a safetensors dtype (Chainrule reads F64)");
            }
            long elements = 1;
            for (int d : shape) elements *= d; // dims are 1..MAX_ELEMENTS and checked after each step below
            long begin = offsets[0], end = offsets[1];
            if (end < begin) throw corrupt(what + ": data_offsets [" + begin + ", " + end + "] end before they begin");
            if (end - begin != 8 * elements) {
                throw corrupt(what + ": shape " + Shape.toString(shape) + " needs " + elements + " F64 values = "
                    + 8 * elements + " bytes, but data_offsets [" + begin + ", " + end + "] span " + (end - begin) + " bytes");
            }
            return new Entry(name, shape, begin, end);
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

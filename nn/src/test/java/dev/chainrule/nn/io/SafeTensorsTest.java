package dev.chainrule.nn.io;

import static dev.chainrule.nn.io.Frames.concat;
import static dev.chainrule.nn.io.Frames.doubles;
import static dev.chainrule.nn.io.Frames.frame;
import static dev.chainrule.nn.io.Frames.frameRaw;
import static dev.chainrule.nn.io.Frames.le64;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chainrule.autograd.Tensor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SafeTensorsTest {

    @TempDir
    Path dir;

    private static final HexFormat HEX = HexFormat.of();

    // ================================================================ golden bytes

    @Test
    void goldenTinyFileMatchesTheSpecByteForByte() throws IOException {
        Path f = dir.resolve("a.safetensors");
        SafeTensors.write(Map.of("a", Tensor.of(1.0, -2.5)), f);
        byte[] expected = concat(
            HEX.parseHex("3800000000000000"),                                             // N = 56, u64 little-endian
            "{\"a\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[0,16]}} ".getBytes(StandardCharsets.US_ASCII),
            HEX.parseHex("000000000000f03f"),                                             // 1.0
            HEX.parseHex("00000000000004c0"));                                            // -2.5
        assertArrayEquals(expected, Files.readAllBytes(f));
    }

    @Test
    void goldenFileWithMetadataScalarAndMatrix() throws IOException {
        Path f = dir.resolve("b.safetensors");
        Map<String, Tensor> t = new LinkedHashMap<>();
        t.put("s", Tensor.scalar(0.1));
        t.put("m", Tensor.of(new double[] {1.0, -2.5}, 1, 2));
        SafeTensors.write(t, Map.of("k", "v"), f);
        byte[] expected = concat(
            HEX.parseHex("8800000000000000"),                                             // N = 136 (134 + 2 spaces)
            ("{\"__metadata__\":{\"k\":\"v\"},\"s\":{\"dtype\":\"F64\",\"shape\":[],\"data_offsets\":[0,8]},"
                + "\"m\":{\"dtype\":\"F64\",\"shape\":[1,2],\"data_offsets\":[8,24]}}  ").getBytes(StandardCharsets.US_ASCII),
            HEX.parseHex("9a9999999999b93f"),                                             // 0.1
            HEX.parseHex("000000000000f03f00000000000004c0"));                            // 1.0, -2.5
        byte[] actual = Files.readAllBytes(f);
        assertArrayEquals(expected, actual);
        assertEquals(0, (8 + Frames.headerLength(actual)) % 8, "data section is 8-byte aligned");
        SafeTensors.Contents c = SafeTensors.readContents(f);
        assertEquals(Map.of("k", "v"), c.metadata());
        assertEquals(List.of("s", "m"), List.copyOf(c.tensors().keySet()));
    }

    @Test
    void readsFilesFromOtherWritersWithSpacesAndDataInAnotherOrder() throws IOException {
        // As Python's json.dumps would write it (", " and ": "), metadata last, data order b then a.
        String header = "{\"a\": {\"dtype\": \"F64\", \"shape\": [2], \"data_offsets\": [8, 24]}, "
            + "\"b\": {\"dtype\": \"F64\", \"shape\": [1], \"data_offsets\": [0, 8]}, \"__metadata__\": {\"format\": \"np\"}}";
        Path f = dir.resolve("other.safetensors");
        Files.write(f, frameRaw(header.getBytes(StandardCharsets.UTF_8), doubles(7, 1, 2)));
        SafeTensors.Contents c = SafeTensors.readContents(f);
        assertEquals(List.of("a", "b"), List.copyOf(c.tensors().keySet()));
        assertArrayEquals(new double[] {1, 2}, c.tensors().get("a").toArray());
        assertArrayEquals(new double[] {7}, c.tensors().get("b").toArray());
        assertEquals("np", c.metadata().get("format"));
    }

    // ================================================================ round trip

    @Test
    void roundTripIsBitIdenticalAndKeepsNamesAndOrder() throws IOException {
        SplittableRandom rng = new SplittableRandom(5);
        Map<String, Tensor> t = new LinkedHashMap<>();
        t.put("zeta", Tensor.randn(rng, 3, 4, 2));
        t.put("alpha.weight", Tensor.of(new double[] {0.0, -0.0, Double.NaN, Double.POSITIVE_INFINITY,
            Double.NEGATIVE_INFINITY, Double.MIN_VALUE, Double.MAX_VALUE, -Double.MIN_NORMAL, 1e-310}, 3, 3));
        t.put("scalar", Tensor.scalar(Math.PI));
        t.put("ünïcode.层", Tensor.rand(rng, 7));
        t.put("big", Tensor.randn(rng, 100, 123)); // more than one 64 KiB buffer
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("epoch", "12");
        meta.put("note", "quotes \" and \\ and ✓");
        Path f = dir.resolve("rt.safetensors");
        SafeTensors.write(t, meta, f);
        SafeTensors.Contents c = SafeTensors.readContents(f);
        assertEquals(List.copyOf(t.keySet()), List.copyOf(c.tensors().keySet()));
        assertEquals(meta, c.metadata());
        for (String name : t.keySet()) {
            Tensor a = t.get(name), b = c.tensors().get(name);
            assertArrayEquals(a.shape(), b.shape(), name);
            double[] x = a.toArray(), y = b.toArray();
            for (int i = 0; i < x.length; i++) {
                assertEquals(Double.doubleToRawLongBits(x[i]), Double.doubleToRawLongBits(y[i]), name + "[" + i + "]");
            }
        }
        // Overwriting an existing file works and leaves no temporary files.
        SafeTensors.write(Map.of("only", Tensor.of(1.0)), f);
        assertEquals(List.of("only"), List.copyOf(SafeTensors.read(f).keySet()));
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of(f), s.toList());
        }
    }

    @Test
    void emptyMapRoundTrips() throws IOException {
        Path f = dir.resolve("empty.safetensors");
        SafeTensors.write(Map.of(), f);
        assertEquals(16, Files.size(f)); // 8 + "{}" padded to 8
        assertTrue(SafeTensors.read(f).isEmpty());
    }

    @Test
    void writeRejectsBadNames() {
        Path f = dir.resolve("x.safetensors");
        assertThrows(IllegalArgumentException.class, () -> SafeTensors.write(Map.of("", Tensor.of(1.0)), f));
        assertThrows(IllegalArgumentException.class, () -> SafeTensors.write(Map.of("__metadata__", Tensor.of(1.0)), f));
        assertThrows(IllegalArgumentException.class, () -> SafeTensors.write(Map.of("bad\uD800", Tensor.of(1.0)), f));
        assertTrue(Files.notExists(f));
    }

    // ================================================================ corrupt files, one per rule

    private static final String OK_A = "\"a\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[0,16]}";
    private static final byte[] DATA = doubles(1, 2, 3);

    private static byte[] withB(String b) {
        return frame("{" + OK_A + "," + b + "}", DATA);
    }

    private static byte[] withA(String a) {
        return frame("{\"a\":" + a + ",\"b\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[16,24]}}", DATA);
    }

    static Stream<Arguments> corruptFiles() {
        byte[] valid = withB("\"b\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[16,24]}");
        byte[] badUtf8 = frame("{\"a\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[0,16]},\"b\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[16,24]}}", DATA);
        badUtf8[10] = (byte) 0xC0; // inside the name "a"'s entry
        return Stream.of(
            Arguments.of("empty file", new byte[0], "fewer than the 8-byte"),
            Arguments.of("7 bytes", new byte[7], "fewer than the 8-byte"),
            Arguments.of("header length 0", concat(le64(0), valid), "header length is 0"),
            Arguments.of("header length -1", concat(le64(-1), new byte[64]), "at least 2^63"),
            Arguments.of("header length 2^63", concat(le64(Long.MIN_VALUE), new byte[64]), "at least 2^63"),
            Arguments.of("header length 2^63-1", concat(le64(Long.MAX_VALUE), new byte[64]), "exceeds the limit"),
            Arguments.of("header length 100 MB + 1", concat(le64(100_000_001), new byte[64]), "exceeds the limit"),
            Arguments.of("header length past EOF", concat(le64(valid.length), java.util.Arrays.copyOfRange(valid, 8, valid.length)), "runs past the end"),
            Arguments.of("truncated data", java.util.Arrays.copyOf(valid, valid.length - 1), "past the end of the data section"),
            Arguments.of("truncated header", java.util.Arrays.copyOf(valid, 40), "runs past the end"),
            Arguments.of("trailing data bytes", concat(valid, new byte[8]), "cover only"),
            Arguments.of("invalid UTF-8", badUtf8, "not valid UTF-8"),
            Arguments.of("overlong UTF-8 in a name", frameRaw(concat("{\"".getBytes(StandardCharsets.US_ASCII), new byte[] {(byte) 0xC0, (byte) 0xAF},
                "\":{}}".getBytes(StandardCharsets.US_ASCII)), DATA), "not valid UTF-8"),
            Arguments.of("invalid JSON", frame("{\"a\":{\"dtype\":\"F64\",", DATA), "not valid JSON"),
            Arguments.of("trailing garbage", frame("{" + OK_A + "}x", doubles(1, 2)), "not valid JSON"),
            Arguments.of("second JSON value", frame("{" + OK_A + "}{}", doubles(1, 2)), "content after"),
            Arguments.of("leading space", frame(" {" + OK_A + "}", doubles(1, 2)), "does not start with '{'"),
            Arguments.of("root is an array", frame("[1,2]", DATA), "does not start with '{'"),
            Arguments.of("NUL padding", frameRaw(("{" + OK_A + "}\0").getBytes(StandardCharsets.US_ASCII), doubles(1, 2)), "not valid JSON"),
            Arguments.of("entry is a number", withB("\"b\":3"), "must be an object"),
            Arguments.of("entry is an array", withB("\"b\":[16,24]"), "must be an object"),
            Arguments.of("entry is null", withB("\"b\":null"), "must be an object"),
            Arguments.of("dtype is a number", withA("{\"dtype\":64,\"shape\":[2],\"data_offsets\":[0,16]}"), "dtype is a number"),
            Arguments.of("shape is a string", withA("{\"dtype\":\"F64\",\"shape\":\"2\",\"data_offsets\":[0,16]}"), "shape is a string"),
            Arguments.of("shape entry is a float", withA("{\"dtype\":\"F64\",\"shape\":[2.0],\"data_offsets\":[0,16]}"), "non-negative integer"),
            Arguments.of("shape entry is negative", withA("{\"dtype\":\"F64\",\"shape\":[-2],\"data_offsets\":[0,16]}"), "negative"),
            Arguments.of("shape entry is nested", withA("{\"dtype\":\"F64\",\"shape\":[[2]],\"data_offsets\":[0,16]}"), "non-negative integer"),
            Arguments.of("shape has a 0", withA("{\"dtype\":\"F64\",\"shape\":[0],\"data_offsets\":[0,16]}"), "dimension 0"),
            Arguments.of("shape too large", withA("{\"dtype\":\"F64\",\"shape\":[65536,65536],\"data_offsets\":[0,16]}"), "more than"),
            Arguments.of("offsets have 1 entry", withA("{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[0]}"), "1 entries"),
            Arguments.of("offsets have 3 entries", withA("{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[0,8,16]}"), "more than 2"),
            Arguments.of("offsets are strings", withA("{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[\"0\",\"16\"]}"), "non-negative integer"),
            Arguments.of("offset beyond long", withA("{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[0,99999999999999999999]}"), "too large"),
            Arguments.of("offsets reversed", withA("{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[16,0]}"), "end before"),
            Arguments.of("unknown field", withA("{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[0,16],\"x\":1}"), "unknown field"),
            Arguments.of("missing shape", withA("{\"dtype\":\"F64\",\"data_offsets\":[0,16]}"), "has no 'shape'"),
            Arguments.of("missing dtype", withA("{\"shape\":[2],\"data_offsets\":[0,16]}"), "has no 'dtype'"),
            Arguments.of("missing offsets", withA("{\"dtype\":\"F64\",\"shape\":[2]}"), "has no 'data_offsets'"),
            Arguments.of("duplicate field", withA("{\"dtype\":\"F64\",\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[0,16]}"), "'dtype' twice"),
            Arguments.of("dtype F8_E4M3", withA("{\"dtype\":\"F8_E4M3\",\"shape\":[16],\"data_offsets\":[0,16]}"), "BF16 and the integer and BOOL types only"),
            Arguments.of("F32 with F64 offsets", withA("{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,16]}"), "needs 2 F32 values = 8 bytes"),
            Arguments.of("dtype unknown", withA("{\"dtype\":\"float64\",\"shape\":[2],\"data_offsets\":[0,16]}"), "not a safetensors dtype"),
            Arguments.of("shape/offset mismatch", withA("{\"dtype\":\"F64\",\"shape\":[3],\"data_offsets\":[0,16]}"), "needs 3 F64 values"),
            Arguments.of("overlapping offsets", frame("{\"a\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[0,16]},"
                + "\"b\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[8,16]}}", DATA), "overlap"),
            Arguments.of("gap between offsets", frame("{\"a\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[16,24]}}", DATA), "unused"),
            Arguments.of("offsets past the data", withB("\"b\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[16,32]}"), "past the end of the data section"),
            Arguments.of("duplicate names", frame("{" + OK_A + "," + OK_A + "}", doubles(1, 2)), "'a' twice"),
            Arguments.of("duplicate metadata", frame("{\"__metadata__\":{},\"__metadata__\":{}," + OK_A + "}", doubles(1, 2)), "'__metadata__' twice"),
            Arguments.of("duplicate metadata key", frame("{\"__metadata__\":{\"k\":\"1\",\"k\":\"2\"}," + OK_A + "}", doubles(1, 2)), "appears twice"),
            Arguments.of("metadata value is a number", frame("{\"__metadata__\":{\"k\":1}," + OK_A + "}", doubles(1, 2)), "must be a string"),
            Arguments.of("metadata is an array", frame("{\"__metadata__\":[]," + OK_A + "}", doubles(1, 2)), "must be an object of strings"),
            Arguments.of("deep nesting", frame("{\"__metadata__\":{\"k\":" + "[".repeat(5000) + "}", DATA), "must be a string"),
            Arguments.of("no tensors but data", frame("{}", DATA), "cover only"),
            Arguments.of("UTF-32 lookalike", frameRaw(new byte[] {'{', 0, 0, 0, '}', 0, 0, 0}, new byte[0]), "not valid JSON"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corruptFiles")
    void corruptFileIsAClearIOException(String what, byte[] bytes, String expected) throws IOException {
        Path f = dir.resolve("corrupt.safetensors");
        Files.write(f, bytes);
        IOException e = assertThrows(IOException.class, () -> SafeTensors.read(f), what);
        assertTrue(e.getMessage().contains(expected), what + ": message was: " + e.getMessage());
        assertTrue(e.getMessage().startsWith(f.toString()), "message names the file: " + e.getMessage());
    }

    @Test
    void validControlFileForTheCorruptCasesLoads() throws IOException {
        Path f = dir.resolve("valid.safetensors");
        Files.write(f, withB("\"b\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[16,24]}"));
        Map<String, Tensor> t = SafeTensors.read(f);
        assertArrayEquals(new double[] {1, 2}, t.get("a").toArray());
        assertArrayEquals(new double[] {3}, t.get("b").toArray());
    }

    @Test
    void unexpectedRuntimeExceptionsWhileReadingBecomeIOExceptions() {
        byte[] valid = frame("{" + OK_A + "}", doubles(1, 2));
        ByteArrayChannel failing = new ByteArrayChannel(valid) {
            @Override
            public int read(java.nio.ByteBuffer dst) throws java.nio.channels.ClosedChannelException {
                if (position() >= 8) throw new IllegalStateException("boom");
                return super.read(dst);
            }
        };
        IOException e = assertThrows(IOException.class, () -> SafeTensors.read(failing, "test channel"));
        assertTrue(e.getMessage().startsWith("test channel: unexpected error") && e.getCause() instanceof IllegalStateException,
            e.getMessage());
    }

    @Test
    void missingFileIsAnIOException() {
        assertThrows(IOException.class, () -> SafeTensors.read(dir.resolve("nope.safetensors")));
    }
}

package dev.chainrule.nn.io;

import static dev.chainrule.nn.io.Frames.concat;
import static dev.chainrule.nn.io.Frames.framePadded;
import static dev.chainrule.nn.io.Frames.le64;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.chainrule.autograd.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.AssertionFailedError;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fuzz test of the checkpoint reader (issue 5): thousands of corruptions of one small valid file,
 * each loaded with {@link Checkpoint#load} into a model. Every case states its expected outcome:
 * <ul>
 *   <li>rejected: an {@link IOException} (never another exception type) with a non-empty message, and
 *       the model's values and parameter versions exactly as before;</li>
 *   <li>accepted: only for corruptions that leave a valid file that matches the model — a changed data
 *       byte, or a change inside a metadata string that is still a valid JSON string, or a harmless
 *       re-arrangement — and then the model holds exactly the values the bytes encode.</li>
 * </ul>
 * Deterministic (seed {@value #SEED}); the case count is logged at INFO.
 */
class SafeTensorsFuzzTest {

    private static final Logger LOG = LoggerFactory.getLogger(SafeTensorsFuzzTest.class);
    private static final long SEED = 20261122L;

    @TempDir
    Path dir;

    private Path file;
    private TestNet model;
    private Map<String, double[]> sentinel;
    private List<Integer> versions;

    private byte[] base;
    private Map<String, double[]> baseValues;
    private int headerEnd;
    private String json;
    /** [start, end) of each metadata key/value string's content, in json character (= byte) coordinates. */
    private final List<int[]> metaStrings = new ArrayList<>();
    private final List<String> names = new ArrayList<>();
    private final List<int[]> shapes = new ArrayList<>();

    private final Map<String, Integer> counts = new LinkedHashMap<>();
    /** Whether cases go through a real file ({@link Checkpoint#load(dev.chainrule.nn.Module, Path)}) or memory. */
    private boolean viaFile = true;
    private int accepted;
    private int rejected;

    @Test
    void everyCorruptionEndsInAnIOExceptionAndLeavesTheModelUnchanged() throws IOException {
        long t0 = System.nanoTime();
        setUp();
        // Through real files: the length-related cases, where the file size matters.
        truncations();
        headerLengths();
        dataSectionSizes();
        // The same reader over an in-memory channel, to keep thousands of cases fast.
        viaFile = false;
        singleBitFlips();
        randomFlipsAndOverwrites();
        invalidUtf8();
        jsonTruncations();
        deletions();
        insertions();
        structural();
        int total = accepted + rejected;
        LOG.info("SafeTensors fuzz: {} corruptions tried, all passed ({} rejected with an IOException and the model unchanged, "
            + "{} still-valid files loaded exactly); per category {}; seed {}; {} ms", total, rejected, accepted, counts, SEED,
            (System.nanoTime() - t0) / 1_000_000);
        assertTrue(total > 10_000, "only " + total + " cases ran");
        assertTrue(rejected > 9_000 && accepted > 500, rejected + " rejected, " + accepted + " accepted");
    }

    private void setUp() throws IOException {
        file = dir.resolve("fuzz.safetensors");
        TestNet source = new TestNet(1);
        Checkpoint.save(source, file);
        base = Files.readAllBytes(file);
        baseValues = TestNet.values(source);
        model = new TestNet(99);
        sentinel = TestNet.values(model);
        versions = TestNet.versions(model);
        headerEnd = 8 + (int) Frames.headerLength(base);
        json = Frames.headerJson(base);
        source.namedParameters().forEach((n, t) -> {
            names.add(n);
            shapes.add(t.shape());
        });
        String meta = "\"__metadata__\":{\"format\":\"chainrule\"}";
        int m = json.indexOf(meta);
        assertTrue(m > 0 && json.indexOf("__metadata__", m + 20) < 0, "unexpected base header: " + json);
        int key = m + "\"__metadata__\":{\"".length();
        metaStrings.add(new int[] {key, key + "format".length()});
        int value = key + "format\":\"".length();
        metaStrings.add(new int[] {value, value + "chainrule".length()});
        // Sanity: the base file itself loads.
        expectAccepted("control", "the unmodified file", base, baseValues);
    }

    // ================================================================ running one case

    private void expectRejected(String category, String what, byte[] bytes) {
        run(category, what, bytes, null);
    }

    private void expectAccepted(String category, String what, byte[] bytes, Map<String, double[]> values) {
        run(category, what, bytes, values);
    }

    /** Loads {@code bytes}; {@code expected == null} means the load must fail. */
    private void run(String category, String what, byte[] bytes, Map<String, double[]> expected) {
        String id = category + ": " + what + " (seed " + SEED + ")";
        Throwable thrown = null;
        try {
            if (viaFile) {
                Files.write(file, bytes);
                Checkpoint.load(model, file);
            } else {
                Checkpoint.load(model, new ByteArrayChannel(bytes), "fuzz case");
            }
        } catch (Throwable t) {
            thrown = t;
        }
        if (expected == null) {
            if (thrown == null) fail(id + ": the corrupt file loaded without an error");
            if (!(thrown instanceof IOException)) throw new AssertionFailedError(id + ": threw " + thrown + " instead of an IOException", thrown);
            if (thrown.getMessage() == null || thrown.getMessage().isBlank()) fail(id + ": IOException without a message");
            if (!TestNet.sameBits(sentinel, TestNet.values(model)) || !versions.equals(TestNet.versions(model))) {
                fail(id + ": the model was changed by a failed load (" + thrown.getMessage() + ")");
            }
            rejected++;
        } else {
            if (thrown != null) throw new AssertionFailedError(id + ": a valid file was rejected: " + thrown, thrown);
            if (!TestNet.sameBits(expected, TestNet.values(model))) fail(id + ": loaded values differ from those in the file");
            TestNet.set(model, sentinel);
            versions = TestNet.versions(model);
            accepted++;
        }
        counts.merge(category, 1, Integer::sum);
    }

    // ================================================================ oracles

    /** The values a file with the base layout holds (its data section decoded at the base offsets). */
    private Map<String, double[]> decode(byte[] bytes, int dataStart) {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        b.position(dataStart);
        Map<String, double[]> out = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) {
            double[] v = new double[Tensor.zeros(shapes.get(i)).size()];
            for (int k = 0; k < v.length; k++) v[k] = b.getDouble();
            out.put(names.get(i), v);
        }
        return out;
    }

    /**
     * Outcome of a same-length change of the base file: accepted (with the values it encodes) exactly when every
     * changed byte is in the data section or inside a metadata string that remains a valid JSON string; otherwise
     * {@code null} (must be rejected). Changes to the length field, structure, names, dtype, shapes or offsets
     * can never give a file that matches the model.
     */
    private Map<String, double[]> sameLengthOutcome(byte[] mutated) {
        boolean[] touched = new boolean[metaStrings.size()];
        for (int i = 0; i < headerEnd; i++) {
            if (mutated[i] == base[i]) continue;
            int r = metaStringAt(i - 8, false);
            if (r < 0) return null;
            touched[r] = true;
        }
        for (int r = 0; r < touched.length; r++) {
            if (!touched[r]) continue;
            int[] s = metaStrings.get(r);
            if (!validJsonStringContent(Arrays.copyOfRange(mutated, 8 + s[0], 8 + s[1]))) return null;
        }
        return decode(mutated, headerEnd);
    }

    /** Index of the metadata string whose content holds json position {@code j} (or borders it, for insertions). */
    private int metaStringAt(int j, boolean inclusiveEnd) {
        for (int r = 0; r < metaStrings.size(); r++) {
            int[] s = metaStrings.get(r);
            if (j >= s[0] && (inclusiveEnd ? j <= s[1] : j < s[1])) return r;
        }
        return -1;
    }

    /** Whether {@code bytes} may stand between the quotes of a JSON string (RFC 8259 §7), as UTF-8. */
    static boolean validJsonStringContent(byte[] bytes) {
        String s;
        try {
            s = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c < 0x20) return false;
            if (c == '\\') {
                if (i + 1 >= s.length()) return false;
                char e = s.charAt(++i);
                if (e == 'u') {
                    for (int k = 1; k <= 4; k++) {
                        if (i + k >= s.length() || Character.digit(s.charAt(i + k), 16) < 0) return false;
                    }
                    i += 4;
                } else if ("\"\\/bfnrt".indexOf(e) < 0) {
                    return false;
                }
            }
        }
        return true;
    }

    private byte[] withHeader(String header) {
        return framePadded(header.getBytes(StandardCharsets.UTF_8), Frames.data(base));
    }

    private byte[] withHeaderBytes(byte[] header) {
        return framePadded(header, Frames.data(base));
    }

    // ================================================================ categories

    private void truncations() {
        for (int len = 0; len < base.length; len++) {
            expectRejected("truncation", "file cut to " + len + " of " + base.length + " bytes", Arrays.copyOf(base, len));
        }
    }

    private void singleBitFlips() {
        for (int i = 0; i < base.length; i++) {
            for (int bit = 0; bit < 8; bit++) {
                byte[] m = base.clone();
                m[i] ^= (byte) (1 << bit);
                run("bit flip", "byte " + i + " bit " + bit, m, sameLengthOutcome(m));
            }
        }
    }

    private void randomFlipsAndOverwrites() {
        SplittableRandom rng = new SplittableRandom(SEED);
        for (int c = 0; c < 2000; c++) {
            byte[] m = base.clone();
            int flips = 2 + rng.nextInt(5);
            StringBuilder what = new StringBuilder("bits");
            for (int f = 0; f < flips; f++) {
                // Half the cases aim at the header, where most of the structure is.
                int i = rng.nextBoolean() ? rng.nextInt(headerEnd) : rng.nextInt(base.length);
                int bit = rng.nextInt(8);
                m[i] ^= (byte) (1 << bit);
                what.append(' ').append(i).append('.').append(bit);
            }
            run("random multi-bit flip", what.toString(), m, sameLengthOutcome(m));
        }
        for (int c = 0; c < 1000; c++) {
            byte[] m = base.clone();
            int i = rng.nextInt(headerEnd);
            byte v = (byte) rng.nextInt(256);
            m[i] = v;
            run("random byte overwrite", "byte " + i + " := 0x" + Integer.toHexString(v & 0xff), m, sameLengthOutcome(m));
        }
    }

    private void headerLengths() {
        long n = headerEnd - 8;
        List<Long> values = new ArrayList<>(List.of(0L, -1L, Long.MIN_VALUE, Long.MIN_VALUE + 1, Long.MAX_VALUE, -n,
            1L << 31, 1L << 32, SafeTensors.MAX_HEADER_BYTES, SafeTensors.MAX_HEADER_BYTES + 1,
            (long) base.length - 7, (long) base.length, (long) base.length - 8 + 1));
        for (long k = 1; k <= 24; k++) {
            values.add(n + k);
            values.add(n - k);
        }
        for (long k = 1; k < 8; k++) values.add(k);
        SplittableRandom rng = new SplittableRandom(SEED + 1);
        for (int c = 0; c < 200; c++) values.add(rng.nextLong());
        for (int c = 0; c < 100; c++) values.add((long) rng.nextInt(base.length + 64));
        for (long v : values) {
            if (v == n) continue;
            byte[] m = base.clone();
            System.arraycopy(le64(v), 0, m, 0, 8);
            expectRejected("header length", "N = " + Long.toUnsignedString(v) + " (true " + n + ")", m);
        }
    }

    private void invalidUtf8() {
        byte[] bad = {(byte) 0x80, (byte) 0xBF, (byte) 0xC0, (byte) 0xC1, (byte) 0xF5, (byte) 0xF8, (byte) 0xFE, (byte) 0xFF};
        for (int j = 0; j < json.length(); j++) {
            for (byte b : bad) {
                byte[] m = base.clone();
                m[8 + j] = b;
                expectRejected("invalid UTF-8", "json byte " + j + " := 0x" + Integer.toHexString(b & 0xff), m);
            }
        }
        byte[][] sequences = {
            {(byte) 0xC0, (byte) 0xAF}, {(byte) 0xE0, (byte) 0x80, (byte) 0x80}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
            {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, {(byte) 0xE2, (byte) 0x82}, {(byte) 0xF0, (byte) 0x9F, (byte) 0x98},
            {(byte) 0xFF, (byte) 0xFE}, {(byte) 0xC3}};
        byte[] h = json.getBytes(StandardCharsets.UTF_8);
        List<Integer> stringStarts = new ArrayList<>();
        for (int j = 0; j < h.length; j++) if (h[j] == '"') stringStarts.add(j + 1);
        for (int at : stringStarts) {
            for (byte[] seq : sequences) {
                expectRejected("invalid UTF-8", "sequence " + java.util.HexFormat.of().formatHex(seq) + " at json byte " + at,
                    withHeaderBytes(concat(Arrays.copyOf(h, at), seq, Arrays.copyOfRange(h, at, h.length))));
            }
        }
        // Controls: valid multi-byte UTF-8 inside the metadata value loads; inside a name it no longer matches the model.
        for (String ok : new String[] {"é", "✓", "😀", "层"}) {
            int[] v = metaStrings.get(1);
            expectAccepted("valid UTF-8 control", "'" + ok + "' in metadata",
                withHeader(json.substring(0, v[0]) + ok + json.substring(v[0])), baseValues);
            int name = json.indexOf("\"layers.0.bias\"") + 1;
            expectRejected("valid UTF-8 control", "'" + ok + "' in a tensor name",
                withHeader(json.substring(0, name) + ok + json.substring(name)));
        }
    }

    private void jsonTruncations() {
        for (int k = 0; k < json.length(); k++) {
            expectRejected("JSON truncation", "header JSON cut to " + k + " chars", withHeader(json.substring(0, k)));
        }
    }

    private void deletions() {
        for (int j = 0; j < json.length(); j++) {
            String m = json.substring(0, j) + json.substring(j + 1);
            // Deleting a letter from a metadata string leaves valid JSON; anything else breaks the structure or a name.
            run("char deletion", "json char " + j + " '" + json.charAt(j) + "'", withHeader(m),
                metaStringAt(j, false) >= 0 ? baseValues : null);
        }
    }

    private void insertions() {
        char[] chars = {',', '{', '}', '[', ']', ':', '"', 'x', '0', '-', '\\', '1'};
        for (int j = 0; j <= json.length(); j++) {
            for (char c : chars) {
                String m = json.substring(0, j) + c + json.substring(j);
                int r = metaStringAt(j, true);
                Map<String, double[]> expected = null;
                if (r >= 0) {
                    int[] s = metaStrings.get(r);
                    String content = m.substring(s[0], s[1] + 1);
                    if (validJsonStringContent(content.getBytes(StandardCharsets.UTF_8))) expected = baseValues;
                }
                run("char insertion", "'" + c + "' at json char " + j, withHeader(m), expected);
            }
        }
    }

    // ---------------------------------------------------------------- structural rewrites of the header

    private String entry(String dtype, String shape, String offsets) {
        return "{\"dtype\":" + dtype + ",\"shape\":" + shape + ",\"data_offsets\":" + offsets + "}";
    }

    private String shapeJson(int[] s) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < s.length; i++) sb.append(i == 0 ? "" : ",").append(s[i]);
        return sb.append(']').toString();
    }

    private long[] offsets(int i) {
        long b = 0;
        for (int k = 0; k < i; k++) b += 8L * Tensor.zeros(shapes.get(k)).size();
        return new long[] {b, b + 8L * Tensor.zeros(shapes.get(i)).size()};
    }

    /** A header from a metadata member (or "") and name→entry JSON pairs, in order. */
    private static String header(String meta, List<String[]> entries) {
        StringBuilder sb = new StringBuilder("{").append(meta);
        for (String[] e : entries) {
            if (sb.length() > 1) sb.append(',');
            sb.append('"').append(e[0]).append("\":").append(e[1]);
        }
        return sb.append('}').toString();
    }

    private List<String[]> baseEntries() {
        List<String[]> out = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            long[] o = offsets(i);
            out.add(new String[] {names.get(i), entry("\"F64\"", shapeJson(shapes.get(i)), "[" + o[0] + "," + o[1] + "]")});
        }
        return out;
    }

    private static final String META = "\"__metadata__\":{\"format\":\"chainrule\"}";

    private void structural() {
        byte[] data = Frames.data(base);
        assertTrue(Arrays.equals(base, withHeader(header(META, baseEntries()))), "header rebuild differs from the writer");

        String[] dtypes = {"\"F32\"", "\"F16\"", "\"BF16\"", "\"I32\"", "\"U8\"", "\"BOOL\"", "\"F8_E4M3\"", "\"f64\"", "\"F64 \"",
            "\" F64\"", "\"\"", "\"float64\"", "\"F6\"", "64", "null", "true", "[\"F64\"]", "{\"F64\":1}"};
        for (int i = 0; i < names.size(); i++) {
            long[] o = offsets(i);
            int[] s = shapes.get(i);
            String off = "[" + o[0] + "," + o[1] + "]";
            String sh = shapeJson(s);
            List<String> bad = new ArrayList<>();
            for (String d : dtypes) bad.add(entry(d, sh, off));
            String[] badShapes = {"\"" + sh + "\"", "6", "null", "[0]", "[-1]", "[2147483648]", "[99999999999999999999]",
                "[1.0]", "[\"1\"]", "[[1]]", "[true]", "[null]", "[" + (Tensor.zeros(s).size() + 1) + "]", "[65536,65536]",
                "[46341,46341]", "[1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,"
                    + "1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]"};
            for (String b : badShapes) bad.add(entry("\"F64\"", b, off));
            // Same element count, other shape: a valid file, but it does not match the model.
            bad.add(entry("\"F64\"", s.length == 0 ? "[1]" : "[1," + sh.substring(1), off));
            if (s.length == 2 && s[0] != s[1]) bad.add(entry("\"F64\"", "[" + s[1] + "," + s[0] + "]", off));
            String[] badOffsets = {"[" + o[0] + "]", "[" + o[0] + "," + o[1] + "," + o[1] + "]", "[]", "[" + o[1] + "," + o[0] + "]",
                "[" + (o[0] + 8) + "," + (o[1] + 8) + "]", "[" + o[0] + "," + (o[1] + 8) + "]", "[" + o[0] + "," + (o[1] - 8) + "]",
                "[" + o[0] + ",9223372036854775807]", "[" + o[0] + ",1e30]", "[" + o[0] + ".0," + o[1] + "]", "[-0," + o[1] + "]",
                "[\"" + o[0] + "\",\"" + o[1] + "\"]", "null", "{\"begin\":" + o[0] + "}", "[" + o[0] + "," + o[1] + ".5]",
                "[" + o[0] + ",99999999999999999999]"};
            for (String b : badOffsets) bad.add(entry("\"F64\"", sh, b));
            if (o[0] >= 8) bad.add(entry("\"F64\"", sh, "[" + (o[0] - 8) + "," + (o[1] - 8) + "]"));
            bad.addAll(List.of("null", "1", "\"x\"", "[]", "[1,2]", "true", "{}",
                "{\"shape\":" + sh + ",\"data_offsets\":" + off + "}",
                "{\"dtype\":\"F64\",\"data_offsets\":" + off + "}",
                "{\"dtype\":\"F64\",\"shape\":" + sh + "}",
                "{\"dtype\":\"F64\",\"shape\":" + sh + ",\"data_offsets\":" + off + ",\"extra\":1}",
                "{\"dtype\":\"F64\",\"dtype\":\"F64\",\"shape\":" + sh + ",\"data_offsets\":" + off + "}",
                "{\"dtype\":\"F64\",\"shape\":" + sh + ",\"shape\":" + sh + ",\"data_offsets\":" + off + "}",
                "{\"dtype\":\"F64\",\"shape\":" + sh + ",\"data_offsets\":" + off + ",\"data_offsets\":" + off + "}"));
            for (String b : bad) {
                List<String[]> es = baseEntries();
                es.get(i)[1] = b;
                expectRejected("entry rewrite", names.get(i) + " := " + b, withHeader(header(META, es)));
            }

            List<String[]> dup = baseEntries();
            dup.add(dup.get(i).clone());
            expectRejected("duplicate name", names.get(i) + " twice", withHeader(header(META, dup)));
            List<String[]> dup2 = baseEntries();
            dup2.get((i + 1) % names.size())[0] = names.get(i);
            expectRejected("duplicate name", names.get(i) + " also names another entry", withHeader(header(META, dup2)));
            List<String[]> renamed = baseEntries();
            renamed.get(i)[0] = names.get(i) + "_renamed";
            expectRejected("name mismatch", names.get(i) + " renamed", withHeader(header(META, renamed)));
            List<String[]> removed = baseEntries();
            removed.remove(i);
            expectRejected("name mismatch", names.get(i) + " removed (data kept)", withHeader(header(META, removed)));
            // Removed together with its data, offsets shifted: a valid file that lacks one parameter.
            List<String[]> cut = new ArrayList<>();
            for (int k = 0, at = 0; k < names.size(); k++) {
                if (k == i) continue;
                int bytes = 8 * Tensor.zeros(shapes.get(k)).size();
                cut.add(new String[] {names.get(k), entry("\"F64\"", shapeJson(shapes.get(k)), "[" + at + "," + (at + bytes) + "]")});
                at += bytes;
            }
            byte[] cutData = concat(Arrays.copyOfRange(data, 0, (int) o[0]), Arrays.copyOfRange(data, (int) o[1], data.length));
            expectRejected("name mismatch", names.get(i) + " removed with its data",
                framePadded(header(META, cut).getBytes(StandardCharsets.UTF_8), cutData));

            // Controls: header order is free, and so is the order of the data.
            List<String[]> moved = baseEntries();
            moved.add(moved.remove(i));
            expectAccepted("reordering control", names.get(i) + " listed last", withHeader(header(META, moved)), baseValues);
            List<String[]> relocated = new ArrayList<>();
            byte[] reData = new byte[data.length];
            int at = 0;
            for (int k = 0; k <= names.size(); k++) {
                int idx = k < i ? k : k == names.size() ? i : k + 1;
                if (k == names.size() - 1 && i == names.size() - 1) continue;
                if (idx >= names.size()) continue;
                long[] ok = offsets(idx);
                int bytes = (int) (ok[1] - ok[0]);
                System.arraycopy(data, (int) ok[0], reData, at, bytes);
                relocated.add(new String[] {names.get(idx), entry("\"F64\"", shapeJson(shapes.get(idx)), "[" + at + "," + (at + bytes) + "]")});
                at += bytes;
            }
            if (at == data.length) {
                expectAccepted("reordering control", names.get(i) + " data moved to the end",
                    framePadded(header(META, relocated).getBytes(StandardCharsets.UTF_8), reData), baseValues);
            }
        }
        // An extra, well-formed tensor appended: a valid file with one parameter too many.
        List<String[]> extra = baseEntries();
        extra.add(new String[] {"extra", entry("\"F64\"", "[1]", "[" + data.length + "," + (data.length + 8) + "]")});
        expectRejected("name mismatch", "extra tensor", framePadded(header(META, extra).getBytes(StandardCharsets.UTF_8),
            concat(data, Frames.doubles(1.0))));

        String[] badMeta = {"\"__metadata__\":null", "\"__metadata__\":[]", "\"__metadata__\":\"x\"", "\"__metadata__\":1",
            "\"__metadata__\":{\"format\":1}", "\"__metadata__\":{\"format\":null}", "\"__metadata__\":{\"format\":[\"a\"]}",
            "\"__metadata__\":{\"format\":{\"a\":\"b\"}}", "\"__metadata__\":{\"a\":\"1\",\"a\":\"2\"}",
            META + "," + META, "\"__metadata__\":{\"format\":" + "[".repeat(3000) + "]".repeat(3000) + "}",
            "\"__metadata__\":{\"format\":\"chainrule\"", "\"__metadata__\":{\"format\":\"chain\nrule\"}"};
        for (String m : badMeta) expectRejected("metadata rewrite", m, withHeader(header(m, baseEntries())));
        String[] goodMeta = {"", "\"__metadata__\":{}", "\"__metadata__\":{\"format\":\"pt\",\"epoch\":\"7\"}",
            "\"__metadata__\":{\"ключ\":\"значение ✓\"}", "\"__metadata__\":{\"q\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u0041\"}"};
        for (String m : goodMeta) expectAccepted("metadata control", m.isEmpty() ? "no metadata" : m, withHeader(header(m, baseEntries())), baseValues);
        List<String[]> last = baseEntries();
        expectAccepted("metadata control", "metadata last", withHeader(header("", last).replaceFirst("}$", "," + META + "}")), baseValues);

        String full = header(META, baseEntries());
        String[] badRoots = {"[]", "\"x\"", "1", "null", "true", "{}", "{} {}", full + "x", full + full, full + "{}",
            full.substring(0, full.length() - 1), " " + full, "\n" + full, "\uFEFF" + full, full + "}",
            full.replace(":", " : ").replace("{\"", "{ \"").replaceFirst("^\\{ ", "{"), // spaces are fine ...
            full.replace("\"dtype\"", "'dtype'"), full.replace(",", ",,"), full.replace("[", "[,")};
        for (int k = 0; k < badRoots.length; k++) {
            String h = badRoots[k];
            if (k == 15) {
                expectAccepted("whitespace control", "spaces between tokens", withHeader(h), baseValues);
                continue;
            }
            expectRejected("root rewrite", h.length() > 60 ? h.substring(0, 60) + "..." : h, withHeader(h));
        }
        byte[] fullBytes = full.getBytes(StandardCharsets.UTF_8);
        String[] pads = {"\t", "\n", "\r\n", "  \n\t "};
        for (String p : pads) {
            expectAccepted("whitespace control", "JSON whitespace padding " + p.replace("\n", "\\n").replace("\t", "\\t").replace("\r", "\\r"),
                withHeaderBytes(concat(fullBytes, p.getBytes(StandardCharsets.US_ASCII))), baseValues);
        }
        byte[][] badPads = {{0}, {0, 0, 0}, {(byte) 0xC2, (byte) 0xA0}, {0x0B}, {0x0C}, {'#'}, {'/', '/'}};
        for (byte[] p : badPads) {
            byte[] h = concat(fullBytes, p);
            // Pad to 8 with the same bad byte(s) instead of spaces, so nothing but the bad padding is present.
            byte[] padded = Arrays.copyOf(h, (h.length + 7) / 8 * 8);
            for (int k = h.length; k < padded.length; k++) padded[k] = p[0];
            expectRejected("bad padding", "padding 0x" + java.util.HexFormat.of().formatHex(p), Frames.frameRaw(padded, data));
        }
    }

    private void dataSectionSizes() {
        SplittableRandom rng = new SplittableRandom(SEED + 2);
        for (int extra = 1; extra <= 32; extra++) {
            byte[] tail = new byte[extra];
            for (int k = 0; k < extra; k++) tail[k] = (byte) rng.nextInt(256);
            expectRejected("data size", extra + " trailing bytes", concat(base, tail));
            int at = headerEnd + rng.nextInt(base.length - headerEnd);
            expectRejected("data size", extra + " bytes inserted at " + at,
                concat(Arrays.copyOf(base, at), tail, Arrays.copyOfRange(base, at, base.length)));
        }
        TreeMap<Integer, Integer> cuts = new TreeMap<>();
        for (int k = 1; k <= 16; k++) cuts.put(headerEnd + rng.nextInt(base.length - headerEnd - k), k);
        cuts.forEach((at, k) -> expectRejected("data size", k + " bytes removed at " + at,
            concat(Arrays.copyOf(base, at), Arrays.copyOfRange(base, at + k, base.length))));
    }
}

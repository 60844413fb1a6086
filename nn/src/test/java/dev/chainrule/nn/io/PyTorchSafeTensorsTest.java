package dev.chainrule.nn.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.chainrule.autograd.Autograd;
import dev.chainrule.autograd.Tensor;
import dev.chainrule.nn.BatchNorm1d;
import dev.chainrule.nn.Linear;
import dev.chainrule.nn.Module;
import dev.chainrule.nn.ReLU;
import dev.chainrule.nn.Sequential;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Checkpoints across dtypes and across PyTorch.
 *
 * <p>PyTorch to Chainrule: {@code src/test/python/gen_safetensors_fixtures.py} (Debian's PyTorch 1.13)
 * saves a float32 {@code Sequential(Linear(4, 8), BatchNorm1d(8), ReLU(), Linear(8, 3))} state dict
 * as F32, F16 and BF16 files laid out byte for byte as {@code safetensors.torch.save_file} does, and
 * records the stored values (as float64) and the eval-mode output on a fixed input.
 *
 * <p>Chainrule to NumPy: {@link #chainruleWritesTheCommittedFilesByteForByte()} pins
 * {@code fixtures/chainrule_f64.safetensors} and {@code chainrule_f32.safetensors}, which
 * {@code src/test/python/check_chainrule_safetensors.py} reads with plain NumPy ({@code np.frombuffer} on
 * the header's offsets), compares with the same value formula ({@link #goldenValue}), and loads with
 * {@code load_state_dict(strict=True)} into the PyTorch model. None of these tests needs Python.
 */
@SuppressWarnings("try") // no-grad scopes are used only for their effect
class PyTorchSafeTensorsTest {

    private static final String FIXTURES = "/fixtures/";
    private static JsonNode fix;

    @TempDir
    Path dir;

    @BeforeAll
    static void readFixtures() throws IOException {
        try (InputStream in = PyTorchSafeTensorsTest.class.getResourceAsStream(FIXTURES + "safetensors_fixtures.json")) {
            fix = new ObjectMapper().readTree(in);
        }
    }

    /** The Chainrule counterpart of the generator's PyTorch model: the same state_dict names and shapes. */
    static Sequential model(long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        return new Sequential(new Linear(4, 8, rng), new BatchNorm1d(8), new ReLU(), new Linear(8, 3, rng));
    }

    static Path resource(String name) {
        try {
            return Path.of(PyTorchSafeTensorsTest.class.getResource(FIXTURES + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static double[] doubles(JsonNode array) {
        double[] out = new double[array.size()];
        for (int i = 0; i < out.length; i++) out[i] = array.get(i).doubleValue();
        return out;
    }

    static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) out[i] = array.get(i).intValue();
        return out;
    }

    /** Every parameter's and buffer's values, by name (copies). */
    static Map<String, double[]> state(Module m) {
        Map<String, double[]> out = new LinkedHashMap<>();
        Checkpoint.tensors(m).forEach((n, t) -> out.put(n, t.toArray()));
        return out;
    }

    static List<Integer> versions(Module m) {
        List<Integer> out = new ArrayList<>();
        Checkpoint.tensors(m).values().forEach(t -> out.add(t.version()));
        return out;
    }

    // ================================================================ PyTorch files into Chainrule

    /**
     * Every stored value arrives exactly (tolerance 0: each F32/F16/BF16 value is a double), and the
     * eval-mode output equals PyTorch's float64 output from the same stored values to 1e-12
     * (same formula, other summation order; outputs are O(1)). For F32, the output of PyTorch's own
     * float32 model agrees to 1e-5 (float32 rounding through two layers and a BatchNorm).
     */
    @ParameterizedTest
    @ValueSource(strings = {"pytorch_f32.safetensors", "pytorch_f16.safetensors", "pytorch_bf16.safetensors"})
    void aPyTorchSaveFileLoadsExactlyAndGivesPyTorchsOutput(String file) throws IOException {
        JsonNode f = fix.get("files").get(file);
        Sequential m = model(1);
        Map<String, String> meta = Checkpoint.load(m, resource(file));
        Map<String, String> expectedMeta = new LinkedHashMap<>();
        f.get("metadata").properties().forEach(e -> expectedMeta.put(e.getKey(), e.getValue().asText()));
        assertEquals(expectedMeta, meta);

        Map<String, Tensor> loaded = Checkpoint.tensors(m);
        assertEquals(loaded.keySet(), new java.util.HashSet<>(iterable(f.get("tensors").fieldNames())));
        f.get("tensors").properties().forEach(e -> {
            Tensor t = loaded.get(e.getKey());
            assertArrayEquals(ints(e.getValue().get("shape")), t.shape(), e.getKey());
            assertArrayEquals(doubles(e.getValue().get("data")), t.toArray(), 0.0, e.getKey());
        });
        assertEquals(3.0, loaded.get("1.num_batches_tracked").item(), "BatchNorm's counter, stored as I64 as PyTorch does");

        JsonNode in = fix.get("input");
        m.eval();
        Tensor out;
        try (var s = Autograd.noGrad()) {
            out = m.forward(Tensor.of(doubles(in.get("data")), ints(in.get("shape"))));
        }
        assertArrayEquals(ints(f.get("output").get("shape")), out.shape());
        assertArrayEquals(doubles(f.get("output").get("data")), out.toArray(), 1e-12, "PyTorch float64 output");
        if (f.has("outputFloat32")) {
            assertArrayEquals(doubles(f.get("outputFloat32").get("data")), out.toArray(), 1e-5, "PyTorch float32 output");
        }
    }

    private static <T> List<T> iterable(java.util.Iterator<T> it) {
        List<T> out = new ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }

    /** Signed zeros, subnormals, extremes, infinities and NaN of BF16, F16 and F32, bit for bit as PyTorch converts them. */
    @Test
    void specialValuesOfEachDtypeConvertExactly() throws IOException {
        SafeTensors.Contents c = SafeTensors.readContents(resource("specials.safetensors"));
        // save_file's order: descending dtype (F32 before BF16 before F16), then name.
        assertEquals(List.of("f32", "bf16", "f16"), List.copyOf(c.tensors().keySet()));
        assertEquals(Map.of(), c.metadata());
        fix.get("specials").properties().forEach(e -> {
            Tensor t = c.tensors().get(e.getKey());
            assertArrayEquals(ints(e.getValue().get("shape")), t.shape(), e.getKey());
            double[] v = t.toArray();
            JsonNode bits = e.getValue().get("bits");
            assertEquals(bits.size(), v.length);
            for (int i = 0; i < v.length; i++) {
                double expected = Double.longBitsToDouble(Long.parseUnsignedLong(bits.get(i).asText(), 16));
                String what = e.getKey() + "[" + i + "]: expected " + expected + ", got " + v[i];
                if (Double.isNaN(expected)) {
                    assertTrue(Double.isNaN(v[i]), what);
                } else {
                    assertEquals(Double.doubleToRawLongBits(expected), Double.doubleToRawLongBits(v[i]), what);
                }
            }
        });
    }

    /** sign · 2^(e − bias) · (1 + m / 2^mantBits), or sign · 2^(1 − bias) · m / 2^mantBits for e = 0; computed by Math.pow. */
    private static double reference(int bits, int expBits, int mantBits) {
        int bias = (1 << (expBits - 1)) - 1;
        int e = (bits >>> mantBits) & ((1 << expBits) - 1);
        int mant = bits & ((1 << mantBits) - 1);
        double sign = (bits >>> (expBits + mantBits)) != 0 ? -1 : 1;
        if (e == (1 << expBits) - 1) return mant == 0 ? sign * Double.POSITIVE_INFINITY : Double.NaN;
        double frac = mant / Math.pow(2, mantBits);
        return e == 0 ? sign * Math.pow(2, 1 - bias) * frac : sign * Math.pow(2, e - bias) * (1 + frac);
    }

    /** All 65,536 bit patterns of F16 and of BF16, read through the file path, against the IEEE formula. */
    @Test
    void everyF16AndBf16BitPatternReadsAsItsExactValue() throws IOException {
        ByteBuffer data = ByteBuffer.allocate(2 * 2 * 65536).order(ByteOrder.LITTLE_ENDIAN);
        for (int dtype = 0; dtype < 2; dtype++) {
            for (int p = 0; p < 65536; p++) data.putShort((short) p);
        }
        String header = "{\"h\":{\"dtype\":\"F16\",\"shape\":[256,256],\"data_offsets\":[0,131072]},"
            + "\"b\":{\"dtype\":\"BF16\",\"shape\":[65536],\"data_offsets\":[131072,262144]}}";
        Map<String, Tensor> t = SafeTensors.read(new ByteArrayChannel(Frames.frame(header, data.array())), "all16").tensors();
        double[] h = t.get("h").toArray(), b = t.get("b").toArray();
        for (int p = 0; p < 65536; p++) {
            double eh = reference(p, 5, 10), eb = reference(p, 8, 7);
            String hex = Integer.toHexString(p);
            if (Double.isNaN(eh)) assertTrue(Double.isNaN(h[p]), "F16 0x" + hex);
            else assertEquals(Double.doubleToRawLongBits(eh), Double.doubleToRawLongBits(h[p]), "F16 0x" + hex + ": " + h[p]);
            if (Double.isNaN(eb)) assertTrue(Double.isNaN(b[p]), "BF16 0x" + hex);
            else assertEquals(Double.doubleToRawLongBits(eb), Double.doubleToRawLongBits(b[p]), "BF16 0x" + hex + ": " + b[p]);
        }
        assertEquals(65504.0, h[0x7bff], 0.0);
        assertEquals(Math.pow(2, -24), h[0x0001], 0.0);
        assertEquals(-0.0, h[0x8000], 0.0);
        assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits(h[0x8000]));
    }

    /**
     * Every byte-length truncation and a set of header rewrites of the PyTorch F32 file are rejected
     * with an {@link IOException}, before anything in the model changes (values and versions).
     */
    @Test
    void truncatedOrCorruptF32FilesAreRejectedAndTheModelUnchanged() throws IOException {
        byte[] good = Files.readAllBytes(resource("pytorch_f32.safetensors"));
        Sequential m = model(3);
        Map<String, double[]> before = state(m);
        List<Integer> versions = versions(m);
        List<byte[]> bad = new ArrayList<>();
        for (int n = 0; n < good.length; n++) bad.add(java.util.Arrays.copyOf(good, n));
        bad.add(Frames.concat(good, new byte[] {0}));
        bad.add(Frames.concat(good, new byte[4]));
        String header = Frames.headerJson(good);
        byte[] data = Frames.data(good);
        String[][] rewrites = {
            {"\"0.weight\":{\"dtype\":\"F32\"", "\"0.weight\":{\"dtype\":\"F16\""},  // size no longer matches
            {"\"0.weight\":{\"dtype\":\"F32\"", "\"0.weight\":{\"dtype\":\"F64\""},
            {"\"0.weight\":{\"dtype\":\"F32\"", "\"0.weight\":{\"dtype\":\"F8_E4M3\""},  // unread type (and size)
            {"\"shape\":[8,4]", "\"shape\":[4,8]"},                                  // valid file, wrong shape for the model
            {"\"shape\":[8,4]", "\"shape\":[8,5]"},
            {"\"data_offsets\":[40,168]", "\"data_offsets\":[40,172]"},
            {"\"data_offsets\":[8,40]", "\"data_offsets\":[8,36]"},
            {"\"data_offsets\":[0,8]", "\"data_offsets\":[0,4]"},
            {"\"3.bias\"", "\"3.biax\""},
            {"\"shape\":[]", "\"shape\":[1]"}};
        for (String[] r : rewrites) {
            assertTrue(header.contains(r[0]), r[0]);
            bad.add(Frames.frame(header.replace(r[0], r[1]), data));
        }
        byte[] shorter = Frames.data(good);
        bad.add(Frames.frame(header, java.util.Arrays.copyOf(shorter, shorter.length - 4)));
        for (byte[] b : bad) {
            IOException e = assertThrows(IOException.class, () -> Checkpoint.load(m, new ByteArrayChannel(b), "bad.safetensors"));
            assertTrue(e.getMessage().startsWith("bad.safetensors"), e.getMessage());
            assertTrue(TestNet.sameBits(before, state(m)), "model unchanged after: " + e.getMessage());
            assertEquals(versions, versions(m));
        }
        // The control: the untouched bytes load, and change the model.
        Checkpoint.load(m, new ByteArrayChannel(good), "good");
        assertFalse(TestNet.sameBits(before, state(m)));
    }

    // ================================================================ writing F32 and F64

    /** Values that exercise float rounding: ties, overflow, underflow, subnormals, signed zeros, NaN. */
    private static final double[] AWKWARD = {1.0 / 3, -2.0 / 3, Math.PI, 1e300, -1e300, 1e-300, -1e-300, Double.MIN_VALUE,
        Float.MIN_VALUE, Float.MIN_VALUE * 1.5, Float.MAX_VALUE, Math.nextUp((double) Float.MAX_VALUE),
        Float.MAX_VALUE * (1 + 0x1p-24), 1 + 0x1p-24, 1 + 3 * 0x1p-24, 0.0, -0.0, Double.NaN, Double.POSITIVE_INFINITY,
        Double.NEGATIVE_INFINITY, 123456789.123, -7.5};

    @Test
    void f32WriteThenReadGivesEachValueRoundedToTheNearestFloat() throws IOException {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("awkward", Tensor.of(AWKWARD, 2, AWKWARD.length / 2));
        tensors.put("scalar", Tensor.scalar(0.1));
        Path f = dir.resolve("f32.safetensors");
        SafeTensors.write(tensors, Map.of("k", "v"), f, SafeTensors.DType.F32);
        byte[] bytes = Files.readAllBytes(f);
        assertEquals(8 + Frames.headerLength(bytes) + 4L * (AWKWARD.length + 1), bytes.length, "4 bytes per value");
        assertTrue(Frames.headerJson(bytes).contains("\"awkward\":{\"dtype\":\"F32\",\"shape\":[2,11],\"data_offsets\":[0,88]}"),
            Frames.headerJson(bytes));
        SafeTensors.Contents c = SafeTensors.readContents(f);
        assertEquals(Map.of("k", "v"), c.metadata());
        double[] back = c.tensors().get("awkward").toArray();
        for (int i = 0; i < AWKWARD.length; i++) {
            double expected = (float) AWKWARD[i];
            if (Double.isNaN(expected)) assertTrue(Double.isNaN(back[i]));
            else assertEquals(Double.doubleToRawLongBits(expected), Double.doubleToRawLongBits(back[i]), "value " + AWKWARD[i]);
        }
        assertEquals((double) 0.1f, c.tensors().get("scalar").item(), 0.0);
        // Round to nearest, ties to even; beyond the float range: infinities and signed zeros.
        assertEquals(1.0, back[13], 0.0);
        assertEquals(1 + 4 * 0x1p-24, back[14], 0.0);
        assertEquals(Float.MAX_VALUE, back[11], 0.0);
        assertEquals(Double.POSITIVE_INFINITY, back[12], 0.0);
        assertEquals(Double.POSITIVE_INFINITY, back[3], 0.0);
        assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits(back[6]));
        assertEquals(Float.MIN_VALUE * 2.0, back[9], 0.0);
    }

    @Test
    void checkpointF32RoundTripGivesTheFloatRoundedModel() throws IOException {
        Sequential a = model(5);
        Path f = dir.resolve("model.safetensors");
        Checkpoint.save(a, f, Map.of("epoch", "3"), SafeTensors.DType.F32);
        Path g = dir.resolve("model2.safetensors");
        Checkpoint.save(a, g, SafeTensors.DType.F32);
        Sequential b = model(6);
        assertEquals(Map.of("format", "chainrule", "epoch", "3"), Checkpoint.load(b, f));
        Map<String, double[]> rounded = new LinkedHashMap<>();
        state(a).forEach((n, v) -> {
            double[] r = new double[v.length];
            for (int i = 0; i < v.length; i++) r[i] = (float) v[i];
            rounded.put(n, r);
        });
        assertTrue(TestNet.sameBits(rounded, state(b)));
        assertFalse(TestNet.sameBits(state(a), state(b)), "the model's doubles are not all floats");
        assertEquals(Map.of("format", "chainrule"), Checkpoint.load(b, g));
        // Saving the float-valued model again as F32, or as F64 and back, changes nothing.
        Path h = dir.resolve("again.safetensors");
        Checkpoint.save(b, h, SafeTensors.DType.F32);
        assertArrayEquals(Files.readAllBytes(g), Files.readAllBytes(h));
    }

    @Test
    void f64IsTheDefaultAndItsBytesAreUnchanged() throws IOException {
        Sequential a = model(7);
        Path p = dir.resolve("default.safetensors"), q = dir.resolve("f64.safetensors"), r = dir.resolve("meta.safetensors");
        Checkpoint.save(a, p);
        Checkpoint.save(a, q, SafeTensors.DType.F64);
        Checkpoint.save(a, r, Map.of(), SafeTensors.DType.F64);
        byte[] bytes = Files.readAllBytes(p);
        assertArrayEquals(bytes, Files.readAllBytes(q));
        assertArrayEquals(bytes, Files.readAllBytes(r));
        assertFalse(Frames.headerJson(bytes).contains("F32"));
        // The F64 layout, as earlier versions wrote it: 8 bytes per value, doubles as stored.
        Sequential b = model(8);
        Checkpoint.load(b, p);
        assertTrue(TestNet.sameBits(state(a), state(b)));
        Path s = dir.resolve("resaved.safetensors");
        Checkpoint.save(b, s);
        assertArrayEquals(bytes, Files.readAllBytes(s));
        long values = state(a).values().stream().mapToLong(v -> v.length).sum();
        assertEquals(8 + Frames.headerLength(bytes) + 8 * values, bytes.length);
    }

    @Test
    void f16AndBf16AreReadOnly() {
        Sequential a = model(1);
        Path f = dir.resolve("half.safetensors");
        for (SafeTensors.DType t : List.of(SafeTensors.DType.F16, SafeTensors.DType.BF16)) {
            assertFalse(t.writable());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Checkpoint.save(a, f, t));
            assertEquals("SafeTensors.write: dtype " + t + " can be read but not written; write F64 (exact) or F32"
                + " (rounded to the nearest float)", e.getMessage());
            assertFalse(Files.exists(f));
        }
        assertThrows(NullPointerException.class, () -> Checkpoint.save(a, f, (SafeTensors.DType) null));
        assertEquals(List.of(8, 4, 2, 2), List.of(SafeTensors.DType.F64.bytes(), SafeTensors.DType.F32.bytes(),
            SafeTensors.DType.F16.bytes(), SafeTensors.DType.BF16.bytes()));
    }

    // ================================================================ Chainrule files for NumPy

    /**
     * Value {@code k} (row-major) of tensor {@code j} (in {@link Checkpoint#tensors} order) of the
     * golden model: {@code ((7919·k + 101·j) mod 1000 − 500) / 3}, a correctly rounded division that
     * NumPy computes identically. check_chainrule_safetensors.py uses the same formula.
     */
    static double goldenValue(int j, int k) {
        return ((7919L * k + 101L * j) % 1000 - 500) / 3.0;
    }

    static Sequential goldenModel() {
        Sequential m = model(1);
        try (var s = Autograd.noGrad()) {
            int j = 0;
            for (Tensor t : Checkpoint.tensors(m).values()) {
                double[] v = new double[t.size()];
                for (int k = 0; k < v.length; k++) v[k] = goldenValue(j, k);
                t.copyFrom(Tensor.of(v, t.shape()));
                j++;
            }
        }
        return m;
    }

    /**
     * The writer's output for the golden model is pinned byte for byte to the committed files that
     * check_chainrule_safetensors.py read with NumPy. To regenerate them after an intended format
     * change, run this test with {@code -Dchainrule.goldenDir=$PWD/nn/src/test/resources/fixtures}
     * and rerun the Python check.
     */
    @Test
    void chainruleWritesTheCommittedFilesByteForByte() throws IOException {
        Sequential m = goldenModel();
        String regenerate = System.getProperty("chainrule.goldenDir");
        for (SafeTensors.DType t : List.of(SafeTensors.DType.F64, SafeTensors.DType.F32)) {
            String name = "chainrule_" + t.name().toLowerCase(java.util.Locale.ROOT) + ".safetensors";
            Path f = dir.resolve(name);
            Checkpoint.save(m, f, t);
            if (regenerate != null) {
                Files.copy(f, Path.of(regenerate, name), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                continue; // the classpath copy is refreshed by the next build
            }
            assertArrayEquals(Files.readAllBytes(resource(name)), Files.readAllBytes(f),
                name + " differs from what Checkpoint.save writes; see this test's Javadoc to regenerate it");
            Sequential back = model(2);
            Checkpoint.load(back, resource(name));
            String header = new String(Frames.header(Files.readAllBytes(f)), StandardCharsets.UTF_8);
            assertTrue(header.startsWith("{\"__metadata__\":{\"format\":\"chainrule\"},\"0.weight\":{\"dtype\":\"" + t + "\""), header);
        }
    }
}

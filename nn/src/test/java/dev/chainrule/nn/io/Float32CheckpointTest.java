package dev.chainrule.nn.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.chainrule.autograd.Autograd;
import dev.chainrule.autograd.DType;
import dev.chainrule.autograd.Tensor;
import dev.chainrule.nn.Module;
import dev.chainrule.nn.Sequential;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checkpoints of FLOAT32 models: PyTorch's float32 {@code save_file} fixture (see
 * {@code src/test/python/gen_safetensors_fixtures.py}) loads into a FLOAT32 model bit for bit and
 * gives PyTorch's float32 output; saving writes each tensor in its own dtype (F32 for a FLOAT32 model,
 * 4 bytes a value) with the explicit file type still honoured; F64 files load into FLOAT32 models
 * (each value rounded once) and F32 files into FLOAT64 models (exactly); a failed load leaves a
 * FLOAT32 model unchanged, values and dtype.
 */
@SuppressWarnings("try") // no-grad scopes are used only for their effect
class Float32CheckpointTest {

    private static JsonNode fix;

    @TempDir
    Path dir;

    @BeforeAll
    static void readFixtures() throws IOException {
        try (InputStream in = Float32CheckpointTest.class.getResourceAsStream("/fixtures/safetensors_fixtures.json")) {
            fix = new ObjectMapper().readTree(in);
        }
    }

    static Sequential model32(long seed) {
        Sequential m = PyTorchSafeTensorsTest.model(seed);
        m.to(DType.FLOAT32);
        return m;
    }

    static void assertAllDtype(Module m, DType dtype) {
        Checkpoint.tensors(m).forEach((n, t) -> assertEquals(dtype, t.dtype(), n));
    }

    /** Every parameter's and buffer's values as float bits (FLOAT32 models only). */
    static Map<String, float[]> floats(Module m) {
        Map<String, float[]> out = new LinkedHashMap<>();
        Checkpoint.tensors(m).forEach((n, t) -> out.put(n, t.toFloatArray()));
        return out;
    }

    static void assertSameFloats(Map<String, float[]> a, Map<String, float[]> b) {
        assertEquals(a.keySet(), b.keySet());
        a.forEach((n, v) -> {
            float[] w = b.get(n);
            assertEquals(v.length, w.length, n);
            for (int i = 0; i < v.length; i++) {
                assertEquals(Float.floatToRawIntBits(v[i]), Float.floatToRawIntBits(w[i]), n + "[" + i + "]");
            }
        });
    }

    @Test
    void pyTorchsFloat32FileLoadsBitExactlyIntoAFloat32ModelAndGivesItsFloat32Output() throws IOException {
        JsonNode f = fix.get("files").get("pytorch_f32.safetensors");
        Sequential m = model32(1);
        Checkpoint.load(m, PyTorchSafeTensorsTest.resource("pytorch_f32.safetensors"));
        assertAllDtype(m, DType.FLOAT32);
        Map<String, Tensor> loaded = Checkpoint.tensors(m);
        f.get("tensors").properties().forEach(e -> {
            double[] want = PyTorchSafeTensorsTest.doubles(e.getValue().get("data"));
            float[] got = loaded.get(e.getKey()).toFloatArray();
            assertEquals(want.length, got.length, e.getKey());
            for (int i = 0; i < got.length; i++) {
                assertEquals(Float.floatToRawIntBits((float) want[i]), Float.floatToRawIntBits(got[i]), e.getKey() + "[" + i + "]");
                assertEquals(want[i], got[i], 0.0, e.getKey() + ": the stored value is a float");
            }
        });
        JsonNode in = fix.get("input");
        m.eval();
        Tensor out;
        try (var s = Autograd.noGrad()) {
            out = m.forward(Tensor.of(PyTorchSafeTensorsTest.doubles(in.get("data")), DType.FLOAT32, PyTorchSafeTensorsTest.ints(in.get("shape"))));
        }
        assertEquals(DType.FLOAT32, out.dtype());
        // PyTorch's float32 model on the same stored values: float32 rounding through two layers and a BatchNorm, O(1) outputs.
        assertArrayEquals(PyTorchSafeTensorsTest.doubles(f.get("outputFloat32").get("data")), out.toArray(), 2e-6, "PyTorch float32 output");
        assertArrayEquals(PyTorchSafeTensorsTest.doubles(f.get("output").get("data")), out.toArray(), 1e-5, "PyTorch float64 output");
    }

    @Test
    void aFloat32ModelIsSavedAsF32ByDefaultAndRoundTripsBitExactly() throws IOException {
        Sequential a = model32(3);
        Path p = dir.resolve("a.safetensors");
        Checkpoint.save(a, p, Map.of("epoch", "2"));
        byte[] bytes = Files.readAllBytes(p);
        String header = Frames.headerJson(bytes);
        assertTrue(header.contains("\"F32\"") && !header.contains("\"F64\""), header);
        long values = floats(a).values().stream().mapToLong(v -> v.length).sum();
        assertEquals(8 + Frames.headerLength(bytes) + 4 * values, bytes.length, "4 bytes a value");
        for (Tensor t : SafeTensors.read(p).values()) assertEquals(DType.FLOAT32, t.dtype(), "F32 reads as FLOAT32");

        Sequential b = model32(4);
        assertEquals(Map.of("format", "chainrule", "epoch", "2"), Checkpoint.load(b, p));
        assertAllDtype(b, DType.FLOAT32);
        assertSameFloats(floats(a), floats(b));
        // The explicit F32 type gives the same bytes; the explicit F64 type still writes F64 (exact widening).
        Path q = dir.resolve("explicit32.safetensors"), r = dir.resolve("explicit64.safetensors");
        Checkpoint.save(a, q, Map.of("epoch", "2"), SafeTensors.DType.F32);
        assertArrayEquals(bytes, Files.readAllBytes(q));
        Checkpoint.save(a, r, SafeTensors.DType.F64);
        assertTrue(Frames.headerJson(Files.readAllBytes(r)).contains("\"F64\""));
        Sequential c = model32(5);
        Checkpoint.load(c, r);
        assertAllDtype(c, DType.FLOAT32);
        assertSameFloats(floats(a), floats(c));
        // Saving the loaded model again writes the same bytes.
        Path s = dir.resolve("resaved.safetensors");
        Checkpoint.save(b, s, Map.of("epoch", "2"));
        assertArrayEquals(bytes, Files.readAllBytes(s));
    }

    @Test
    void filesConvertToTheModelsDtypeInBothDirections() throws IOException {
        // F64 file (a FLOAT64 model) into a FLOAT32 model: each value rounded once to the nearest float.
        Sequential m64 = PyTorchSafeTensorsTest.model(6);
        Path p64 = dir.resolve("f64.safetensors");
        Checkpoint.save(m64, p64);
        assertTrue(Frames.headerJson(Files.readAllBytes(p64)).contains("\"F64\""), "a FLOAT64 model is still saved as F64");
        Sequential into32 = model32(7);
        Checkpoint.load(into32, p64);
        assertAllDtype(into32, DType.FLOAT32);
        Map<String, Tensor> src = Checkpoint.tensors(m64), dst = Checkpoint.tensors(into32);
        src.forEach((n, t) -> {
            double[] v = t.toArray();
            float[] w = dst.get(n).toFloatArray();
            for (int i = 0; i < v.length; i++) assertEquals((float) v[i], w[i], 0.0f, n + "[" + i + "]");
        });
        // F32 file (a FLOAT32 model) into a FLOAT64 model: exact.
        Sequential m32 = model32(8);
        Path p32 = dir.resolve("f32.safetensors");
        Checkpoint.save(m32, p32);
        Sequential into64 = PyTorchSafeTensorsTest.model(9);
        Checkpoint.load(into64, p32);
        assertAllDtype(into64, DType.FLOAT64);
        Map<String, Tensor> s32 = Checkpoint.tensors(m32), d64 = Checkpoint.tensors(into64);
        s32.forEach((n, t) -> assertArrayEquals(t.toArray(), d64.get(n).toArray(), 0.0, n));
    }

    @Test
    void aModelMixingDtypesSavesEachTensorInItsOwn() throws IOException {
        Sequential m = PyTorchSafeTensorsTest.model(10);
        m.children().get("0").to(DType.FLOAT32);                  // the first Linear only
        Path p = dir.resolve("mixed.safetensors");
        Checkpoint.save(m, p);
        Map<String, Tensor> read = SafeTensors.read(p);
        assertEquals(DType.FLOAT32, read.get("0.weight").dtype());
        assertEquals(DType.FLOAT64, read.get("3.weight").dtype());
        Sequential back = PyTorchSafeTensorsTest.model(11);
        back.children().get("0").to(DType.FLOAT32);
        Checkpoint.load(back, p);
        Map<String, Tensor> a = Checkpoint.tensors(m), b = Checkpoint.tensors(back);
        a.forEach((n, t) -> {
            assertEquals(t.dtype(), b.get(n).dtype(), n);
            assertArrayEquals(t.toArray(), b.get(n).toArray(), 0.0, n);
        });
    }

    @Test
    void aFailedLoadLeavesAFloat32ModelUnchanged() throws IOException {
        Sequential m = model32(12);
        Map<String, float[]> before = floats(m);
        Path wrong = dir.resolve("wrong.safetensors");
        SafeTensors.write(Map.of("0.weight", Tensor.zeros(DType.FLOAT32, 8, 4)), wrong);
        IOException e = assertThrows(IOException.class, () -> Checkpoint.load(m, wrong));
        assertTrue(e.getMessage().contains("missing from the file"), e.getMessage());
        Path truncated = dir.resolve("truncated.safetensors");
        byte[] good = Files.readAllBytes(PyTorchSafeTensorsTest.resource("pytorch_f32.safetensors"));
        Files.write(truncated, java.util.Arrays.copyOf(good, good.length - 3));
        assertThrows(IOException.class, () -> Checkpoint.load(m, truncated));
        assertAllDtype(m, DType.FLOAT32);
        assertSameFloats(before, floats(m));
    }

    @Test
    void halfPrecisionFilesReadAsFloat32() throws IOException {
        for (String f : List.of("pytorch_f16.safetensors", "pytorch_bf16.safetensors")) {
            Map<String, Tensor> t = SafeTensors.read(PyTorchSafeTensorsTest.resource(f));
            assertEquals(DType.FLOAT32, t.get("0.weight").dtype(), f);
            assertEquals(DType.FLOAT64, t.get("1.num_batches_tracked").dtype(), f + ": integer tensors read as FLOAT64");
            Sequential m = model32(13);
            Checkpoint.load(m, PyTorchSafeTensorsTest.resource(f));
            assertAllDtype(m, DType.FLOAT32);
            assertNotEquals(0.0, Checkpoint.tensors(m).get("0.weight").toArray()[0]);
        }
        assertEquals(SafeTensors.DType.F32, SafeTensors.fileType(DType.FLOAT32));
        assertEquals(SafeTensors.DType.F64, SafeTensors.fileType(DType.FLOAT64));
        assertThrows(NullPointerException.class, () -> SafeTensors.fileType(null));
    }
}

package dev.chainrule.nn.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chainrule.autograd.Tensor;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class CheckpointTest {

    @TempDir
    Path dir;

    /** A stream that fails (as a crash or a full disk would) once {@code limit} bytes have gone through. */
    static final class FailAfter extends FilterOutputStream {
        private long left;

        FailAfter(OutputStream out, long limit) {
            super(out);
            this.left = limit;
        }

        @Override
        public void write(int b) throws IOException {
            if (left-- <= 0) throw new IOException("simulated crash");
            out.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            for (int i = 0; i < len; i++) write(b[off + i]);
        }
    }

    @Test
    void saveThenLoadRestoresEveryParameterBitForBit() throws IOException {
        TestNet a = new TestNet(1);
        TestNet b = new TestNet(2);
        Path f = dir.resolve("net.safetensors");
        Checkpoint.save(a, f, Map.of("epoch", "3"));
        assertEquals(List.of("scale", "layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias"),
            List.copyOf(SafeTensors.read(f).keySet()));
        assertFalse(TestNet.sameBits(TestNet.values(a), TestNet.values(b)));
        Map<String, String> meta = Checkpoint.load(b, f);
        assertEquals(Map.of("format", "chainrule", "epoch", "3"), meta);
        assertTrue(TestNet.sameBits(TestNet.values(a), TestNet.values(b)));
        // Loaded parameters are still trainable leaves.
        Tensor x = Tensor.of(new double[] {0.5, -1}, 1, 2);
        b.forward(x).sum().backward();
        assertTrue(b.layers.children().get("0").namedParameters().get("weight").grad() != null);
        assertArrayEquals(a.forward(x).toArray(), b.forward(x).toArray());
    }

    @Test
    void mismatchedModelsAreRejectedListingEveryProblemAndLeftUnchanged() throws IOException {
        Path f = dir.resolve("net.safetensors");
        Checkpoint.save(new TestNet(1), f);
        // Different hidden width: layers.0.weight [2,4] vs [2,3], etc.
        TestNet wider = new TestNet(2, 2, 4, 1);
        assertRejectedUnchanged(wider, f, "shape mismatch", "layers.0.weight (file [2, 3], model [2, 4])");
        // One more layer: layers.2.* missing from the file.
        TestNet deeper = new TestNet(2, 2, 3, 1, 1);
        assertRejectedUnchanged(deeper, f, "missing from the file: layers.2.weight, layers.2.bias");
        // One fewer layer: layers.1.* in the file but not in the model.
        TestNet shallower = new TestNet(2, 2, 3);
        assertRejectedUnchanged(shallower, f, "in the file but not in the model: layers.1.weight, layers.1.bias");
    }

    static void assertRejectedUnchanged(TestNet model, Path f, String... fragments) {
        Map<String, double[]> before = TestNet.values(model);
        List<Integer> versions = TestNet.versions(model);
        IOException e = assertThrows(IOException.class, () -> Checkpoint.load(model, f));
        for (String s : fragments) assertTrue(e.getMessage().contains(s), "'" + s + "' not in: " + e.getMessage());
        assertTrue(TestNet.sameBits(before, TestNet.values(model)), "model changed by a failed load");
        assertEquals(versions, TestNet.versions(model), "a parameter was written by a failed load");
    }

    static Stream<Arguments> corruptFiles() {
        return SafeTensorsTest.corruptFiles();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corruptFiles")
    void corruptFileLeavesTheModelUnchanged(String what, byte[] bytes, String expected) throws IOException {
        Path f = dir.resolve("c.safetensors");
        Files.write(f, bytes);
        assertRejectedUnchanged(new TestNet(4), f, expected);
    }

    @Test
    void aCorruptCheckpointOfTheRightModelLeavesItUnchanged() throws IOException {
        Path f = dir.resolve("net.safetensors");
        Checkpoint.save(new TestNet(1), f);
        byte[] good = Files.readAllBytes(f);
        byte[] bad = good.clone();
        bad[bad.length - 1] ^= 0; // unchanged data ...
        Files.write(f, java.util.Arrays.copyOf(bad, bad.length - 3)); // ... but the last value is cut short
        assertRejectedUnchanged(new TestNet(2), f, "past the end of the data section");
    }

    @Test
    void interruptedSaveKeepsThePreviousCheckpointAndLeavesNoTempFile() throws IOException {
        TestNet first = new TestNet(1);
        TestNet second = new TestNet(2);
        Path f = dir.resolve("net.safetensors");
        Checkpoint.save(first, f);
        byte[] good = Files.readAllBytes(f);
        for (long k : new long[] {0, 1, 7, 8, 9, 100, good.length - 9, good.length - 1}) {
            IOException e = assertThrows(IOException.class, () -> SafeTensors.write(second.namedParameters(), Map.of("format", "chainrule"), f,
                out -> new FailAfter(out, k)), "crash after " + k + " bytes");
            assertEquals("simulated crash", e.getMessage());
            assertArrayEquals(good, Files.readAllBytes(f), "previous checkpoint changed by a save that failed after " + k + " bytes");
            try (Stream<Path> s = Files.list(dir)) {
                assertEquals(List.of(f), s.toList(), "temporary file left behind after a crash at " + k);
            }
            TestNet check = new TestNet(3);
            Checkpoint.load(check, f);
            assertTrue(TestNet.sameBits(TestNet.values(first), TestNet.values(check)));
        }
        // Same names, shapes and metadata, so the new file is exactly as long as the old one.
        // The hook is transparent when it does not fail: a limit of exactly the file size succeeds.
        SafeTensors.write(second.namedParameters(), Map.of("format", "chainrule"), f, out -> new FailAfter(out, good.length));
        TestNet check = new TestNet(3);
        Checkpoint.load(check, f);
        assertTrue(TestNet.sameBits(TestNet.values(second), TestNet.values(check)));
    }

    @Test
    void interruptedFirstSaveCreatesNoFile() {
        Path f = dir.resolve("new.safetensors");
        assertThrows(IOException.class, () -> SafeTensors.write(new TestNet(1).namedParameters(), Map.of(), f,
            out -> new FailAfter(out, 20)));
        assertTrue(Files.notExists(f));
        assertThrows(IOException.class, () -> Checkpoint.save(new TestNet(1), dir.resolve("no/such/dir/x.safetensors")));
    }
}

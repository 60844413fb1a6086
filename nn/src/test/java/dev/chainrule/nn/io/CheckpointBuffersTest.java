package dev.chainrule.nn.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chainrule.autograd.Autograd;
import dev.chainrule.autograd.Tensor;
import dev.chainrule.nn.Module;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Checkpoints carry buffers next to parameters; files of models without buffers are unchanged. */
@SuppressWarnings("try") // no-grad scopes are used only for their effect
class CheckpointBuffersTest {

    @TempDir
    Path dir;

    /** {@link TestNet} plus a buffer {@code stats} of {@code width} elements. */
    static final class WithStats extends Module {
        final TestNet net;
        final Tensor stats;

        WithStats(long seed, int width) {
            net = registerModule("net", new TestNet(seed));
            stats = registerBuffer("stats", Tensor.full(seed, width));
        }

        @Override
        public Tensor forward(Tensor x) {
            return net.forward(x).add(stats.sum());
        }
    }

    @Test
    void buffersAreSavedAfterTheParametersAndRestored() throws IOException {
        WithStats a = new WithStats(1, 3);
        try (var s = Autograd.noGrad()) {
            a.stats.copyFrom(Tensor.of(0.25, -1.5, 7.0));
        }
        Path f = dir.resolve("a.safetensors");
        Checkpoint.save(a, f);
        assertEquals(List.of("net.scale", "net.layers.0.weight", "net.layers.0.bias", "net.layers.1.weight", "net.layers.1.bias",
            "stats"), List.copyOf(SafeTensors.read(f).keySet()));
        WithStats b = new WithStats(2, 3);
        Tensor stats = b.stats;
        Checkpoint.load(b, f);
        assertArrayEquals(new double[] {0.25, -1.5, 7.0}, b.stats.toArray(), 0.0);
        assertTrue(stats == b.stats && b.stats.version() == 1, "loaded in place");
        assertTrue(TestNet.sameBits(TestNet.values(a), TestNet.values(b)));
    }

    @Test
    void aBufferOfAnotherShapeOrAParametersOnlyFileIsRejectedAndTheModelUnchanged() throws IOException {
        Path f = dir.resolve("a.safetensors");
        Checkpoint.save(new WithStats(1, 3), f);
        WithStats wider = new WithStats(2, 4);
        IOException e = assertThrows(IOException.class, () -> Checkpoint.load(wider, f));
        assertTrue(e.getMessage().contains("shape mismatch: stats (file [3], model [4])"), e.getMessage());
        assertArrayEquals(new double[] {2, 2, 2, 2}, wider.stats.toArray(), 0.0);
        assertEquals(0, wider.stats.version());
        assertEquals(0, wider.net.scale.version());

        // A file written from the parameters alone (as before buffers existed) lacks the buffer.
        Path old = dir.resolve("old.safetensors");
        SafeTensors.write(new WithStats(1, 3).namedParameters(), Map.of("format", "chainrule"), old);
        WithStats m = new WithStats(3, 3);
        e = assertThrows(IOException.class, () -> Checkpoint.load(m, old));
        assertTrue(e.getMessage().contains("missing from the file: stats;"), e.getMessage());
        assertEquals(0, m.stats.version());
        // ... while a model without buffers reads it as it always did.
        TestNet plain = new TestNet(5);
        SafeTensors.write(new TestNet(1).namedParameters(), Map.of("format", "chainrule"), old);
        Checkpoint.load(plain, old);
        assertTrue(TestNet.sameBits(TestNet.values(new TestNet(1)), TestNet.values(plain)));
    }
}

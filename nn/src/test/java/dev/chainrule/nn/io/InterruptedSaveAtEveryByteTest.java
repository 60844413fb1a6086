package dev.chainrule.nn.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.chainrule.autograd.Tensor;
import dev.chainrule.nn.Mlp;
import dev.chainrule.nn.Module;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Part of the reliability suite (docs/reliability.md): a save that dies after any number of bytes,
 * from the first to the last, with a checked or an unchecked exception, leaves the previous
 * checkpoint byte-identical and loadable, and leaves no temporary file behind.
 */
class InterruptedSaveAtEveryByteTest {

    private static final Logger FIGURES = LoggerFactory.getLogger("dev.chainrule.reliability");

    @TempDir
    Path dir;

    /** Passes {@code limit} bytes through, then fails the way a full disk or a crash would. */
    static final class Dying extends FilterOutputStream {
        private long left;
        private final boolean unchecked;

        Dying(OutputStream out, long limit, boolean unchecked) {
            super(out);
            this.left = limit;
            this.unchecked = unchecked;
        }

        @Override
        public void write(int b) throws IOException {
            if (left-- <= 0) {
                if (unchecked) throw new UncheckedIOException(new IOException("simulated crash"));
                throw new IOException("simulated crash");
            }
            out.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            for (int i = 0; i < len; i++) write(b[off + i]);
        }
    }

    static double[] flat(Module m) {
        return m.parameters().stream().flatMapToDouble(t -> java.util.Arrays.stream(t.toArray())).toArray();
    }

    @Test
    void aSaveInterruptedAfterAnyByteKeepsThePreviousCheckpoint() throws IOException {
        Mlp first = Mlp.builder().sizes(3, 4, 2).seed(1).build();
        Mlp second = Mlp.builder().sizes(3, 4, 2).seed(2).build();
        Path f = dir.resolve("model.safetensors");
        Checkpoint.save(first, f);
        byte[] good = Files.readAllBytes(f);
        Map<String, Tensor> next = second.namedParameters();
        Map<String, String> meta = Map.of(Checkpoint.FORMAT_KEY, Checkpoint.FORMAT);
        int cases = 0;
        for (long k = 0; k < good.length; k++) {
            for (boolean unchecked : new boolean[] {false, true}) {
                long limit = k;
                Class<? extends Exception> type = unchecked ? UncheckedIOException.class : IOException.class;
                assertThrows(type, () -> SafeTensors.write(next, meta, f, out -> new Dying(out, limit, unchecked)),
                    "save dying after " + k + " bytes");
                assertArrayEquals(good, Files.readAllBytes(f), "previous checkpoint changed by a save that died after " + k + " bytes");
                try (Stream<Path> s = Files.list(dir)) {
                    assertEquals(List.of(f), s.toList(), "temporary file left behind by a save that died after " + k + " bytes");
                }
                cases++;
            }
        }
        Mlp check = Mlp.builder().sizes(3, 4, 2).seed(3).build();
        Checkpoint.load(check, f);
        assertArrayEquals(flat(first), flat(check), 0.0, "the previous checkpoint no longer loads to the saved values");
        FIGURES.info("RELIABILITY checkpoints: {} interrupted saves (after every byte 0..{} of a {}-byte checkpoint, checked and "
            + "unchecked failures): previous checkpoint byte-identical and loadable every time, no temporary file left", cases,
            good.length - 1, good.length);
    }
}

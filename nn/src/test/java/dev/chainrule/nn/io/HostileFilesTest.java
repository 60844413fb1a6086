package dev.chainrule.nn.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Paths that are roots or directories, and files of another dtype: clear IOExceptions that name the file. */
class HostileFilesTest {

    @TempDir
    Path dir;

    @Test
    void savingToTheRootOrADirectoryIsAClearIOException() throws IOException {
        TestNet net = new TestNet(1);
        IOException e = assertThrows(IOException.class, () -> Checkpoint.save(net, Path.of("/")));
        assertEquals("SafeTensors.write: / names no file (it is a root directory); pass a file path such as /model.safetensors",
            e.getMessage());
        e = assertThrows(IOException.class, () -> Checkpoint.save(net, dir));
        assertEquals("SafeTensors.write: " + dir + " is a directory; pass a file path inside it, such as "
            + dir.resolve("model.safetensors"), e.getMessage());
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of(), s.toList(), "nothing was written");
        }
    }

    @Test
    void readingADirectoryNamesIt() {
        IOException e = assertThrows(IOException.class, () -> Checkpoint.load(new TestNet(1), dir));
        assertEquals(dir + ": is a directory, not a safetensors file; pass the path of a file", e.getMessage());
        assertThrows(IOException.class, () -> SafeTensors.read(Path.of("/")));
    }

    @Test
    void aFileOfAnotherDtypeSaysExactlyThat() throws IOException {
        // A valid F32 safetensors file, as Python's safetensors writes one: one [2] tensor, 8 bytes of data.
        String header = "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";
        while ((header.length() + 8) % 8 != 0) header += " ";
        byte[] h = header.getBytes(StandardCharsets.US_ASCII);
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(8 + h.length + 8).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h).putFloat(1f).putFloat(2f);
        Path f = dir.resolve("f32.safetensors");
        Files.write(f, b.array());
        IOException e = assertThrows(IOException.class, () -> SafeTensors.read(f));
        assertEquals(f + ": tensor 'w' has dtype F32; Chainrule reads F64 only: convert the tensors to float64 before saving"
            + " (in Python, tensor.double() or array.astype(numpy.float64))", e.getMessage());
        assertFalse(e.getMessage().contains("corrupt") || e.getMessage().contains("truncated"), e.getMessage());
        // An unknown dtype is still reported as a broken file.
        Files.write(f, new String(b.array(), StandardCharsets.ISO_8859_1).replace("F32", "X32").getBytes(StandardCharsets.ISO_8859_1));
        e = assertThrows(IOException.class, () -> SafeTensors.read(f));
        assertTrue(e.getMessage().contains("'X32', which is not a safetensors dtype"), e.getMessage());
    }
}

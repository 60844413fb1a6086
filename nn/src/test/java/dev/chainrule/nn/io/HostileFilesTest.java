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
    void aFileOfAnIntegerDtypeSaysExactlyThat() throws IOException {
        // What a raw PyTorch save_file(model.state_dict()) holds for BatchNorm's counter: an I64 scalar.
        String header = "{\"num_batches_tracked\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[0,8]}}";
        while ((header.length() + 8) % 8 != 0) header += " ";
        byte[] h = header.getBytes(StandardCharsets.US_ASCII);
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(8 + h.length + 8).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h).putLong(3);
        Path f = dir.resolve("i64.safetensors");
        Files.write(f, b.array());
        IOException e = assertThrows(IOException.class, () -> SafeTensors.read(f));
        assertEquals(f + ": tensor 'num_batches_tracked' has dtype I64; Chainrule reads F64, F32, F16 and BF16 only:"
            + " convert the tensors to a floating-point type before saving (in Python, tensor.float() or tensor.double(),"
            + " e.g. {k: v.float() for k, v in model.state_dict().items()}, or array.astype(numpy.float64))", e.getMessage());
        assertFalse(e.getMessage().contains("corrupt") || e.getMessage().contains("truncated"), e.getMessage());
        // An unknown dtype is still reported as a broken file.
        Files.write(f, new String(b.array(), StandardCharsets.ISO_8859_1).replace("I64", "X64").getBytes(StandardCharsets.ISO_8859_1));
        e = assertThrows(IOException.class, () -> SafeTensors.read(f));
        assertTrue(e.getMessage().contains("'X64', which is not a safetensors dtype (Chainrule reads F64, F32, F16 and BF16)"),
            e.getMessage());
    }
}

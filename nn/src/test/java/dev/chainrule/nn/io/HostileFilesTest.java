package dev.chainrule.nn.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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

    /** One tensor {@code t} of the given dtype and shape [n] over {@code data}. */
    private Path oneTensor(String name, String dtype, int n, byte[] data) throws IOException {
        String header = "{\"t\":{\"dtype\":\"" + dtype + "\",\"shape\":[" + n + "],\"data_offsets\":[0," + data.length + "]}}";
        while ((header.length() + 8) % 8 != 0) header += " ";
        byte[] h = header.getBytes(StandardCharsets.US_ASCII);
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(8 + h.length + data.length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h).put(data);
        Path f = dir.resolve(name);
        Files.write(f, b.array());
        return f;
    }

    private static byte[] longs(long... v) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(8 * v.length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (long x : v) b.putLong(x);
        return b.array();
    }

    @Test
    void integerAndBoolTensorsLoadExactlyAndBeyondTwoToThe53Fail() throws IOException {
        // What a raw PyTorch save_file(model.state_dict()) holds for BatchNorm's counter: an I64.
        long big = 1L << 53;
        assertArrayEquals(new double[] {3, -7, big, -big},
            SafeTensors.read(oneTensor("i64.safetensors", "I64", 4, longs(3, -7, big, -big))).get("t").toArray());
        assertArrayEquals(new double[] {0, 255, 1, 0},
            SafeTensors.read(oneTensor("u8.safetensors", "U8", 4, new byte[] {0, (byte) 255, 1, 0})).get("t").toArray());
        assertArrayEquals(new double[] {0, 1, 1, 0},
            SafeTensors.read(oneTensor("bool.safetensors", "BOOL", 4, new byte[] {0, 1, 7, 0})).get("t").toArray());
        assertArrayEquals(new double[] {-1, 1},
            SafeTensors.read(oneTensor("i8.safetensors", "I8", 2, new byte[] {-1, 1})).get("t").toArray());
        assertArrayEquals(new double[] {65535, 1},
            SafeTensors.read(oneTensor("u16.safetensors", "U16", 2, new byte[] {-1, -1, 1, 0})).get("t").toArray());
        assertArrayEquals(new double[] {4294967295.0},
            SafeTensors.read(oneTensor("u32.safetensors", "U32", 1, new byte[] {-1, -1, -1, -1})).get("t").toArray());
        assertArrayEquals(new double[] {-2},
            SafeTensors.read(oneTensor("i32.safetensors", "I32", 1, new byte[] {-2, -1, -1, -1})).get("t").toArray());
        assertArrayEquals(new double[] {-3},
            SafeTensors.read(oneTensor("i16.safetensors", "I16", 1, new byte[] {-3, -1})).get("t").toArray());

        Path tooBig = oneTensor("i64big.safetensors", "I64", 2, longs(1, big + 1));
        IOException e = assertThrows(IOException.class, () -> SafeTensors.read(tooBig));
        assertEquals(tooBig + ": tensor 't' (I64) element 1 is " + (big + 1)
            + ", which a double cannot hold exactly (|v| > 2^53); convert it before saving", e.getMessage());
        Path u64 = oneTensor("u64big.safetensors", "U64", 1, longs(-1));
        e = assertThrows(IOException.class, () -> SafeTensors.read(u64));
        assertTrue(e.getMessage().contains("element 0 is 18446744073709551615"), e.getMessage());
    }

    @Test
    void aFileOfAnEightBitFloatDtypeSaysExactlyThat() throws IOException {
        Path f = oneTensor("f8.safetensors", "F8_E4M3", 8, new byte[8]);
        IOException e = assertThrows(IOException.class, () -> SafeTensors.read(f));
        assertEquals(f + ": tensor 't' has dtype F8_E4M3; Chainrule reads F64, F32, F16, BF16 and the integer and BOOL types only:"
            + " convert the tensors to a floating-point type before saving (in Python, tensor.float() or tensor.double(),"
            + " e.g. {k: v.float() for k, v in model.state_dict().items()}, or array.astype(numpy.float64))", e.getMessage());
        assertFalse(e.getMessage().contains("corrupt") || e.getMessage().contains("truncated"), e.getMessage());
        // An unknown dtype is still reported as a broken file.
        Path x = oneTensor("x64.safetensors", "X64", 1, new byte[8]);
        e = assertThrows(IOException.class, () -> SafeTensors.read(x));
        assertTrue(e.getMessage().contains("'X64', which is not a safetensors dtype (Chainrule reads F64, F32, F16, BF16 and the integer and BOOL types)"),
            e.getMessage());
    }
}

package dev.chainrule.reliability;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.chainrule.autograd.Tensor;
import dev.chainrule.nn.Mlp;
import dev.chainrule.nn.io.Checkpoint;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile checkpoints whose header claims far more memory than the file holds, loaded in a 64 MiB
 * heap: had the reader allocated what the header claims (a 100 MB header, a 512 MiB or 16 GiB
 * tensor) instead of validating against the file's size first, these would end in an
 * OutOfMemoryError. Each must be an {@link IOException} with a message that names the problem,
 * and the model must be unchanged. (The exhaustive corruption fuzzing, ~17,000 cases, is
 * {@code nn}'s {@code SafeTensorsFuzzTest}; this adds the memory bound.)
 */
@Tag(SmallHeapTrainingTest.TAG)
class HostileCheckpointSmallHeapTest {

    @TempDir
    Path dir;

    private Mlp model;
    private List<double[]> before;
    private List<Integer> versions;
    private int cases;
    private long largest;

    static byte[] frame(long headerLength, byte[] header, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(8 + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(headerLength).put(header).put(data);
        return b.array();
    }

    static byte[] padded(String json) {
        StringBuilder sb = new StringBuilder(json);
        while (sb.length() % 8 != 0) sb.append(' ');
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** A frame with a correct header length field. */
    static byte[] file(String json, int dataBytes) {
        byte[] h = padded(json);
        return frame(h.length, h, new byte[dataBytes]);
    }

    void expectRejected(String what, byte[] bytes, String... fragments) throws IOException {
        Path f = dir.resolve("hostile-" + cases + ".safetensors");
        Files.write(f, bytes);
        largest = Math.max(largest, bytes.length);
        try {
            Checkpoint.load(model, f);
            fail(what + ": loaded without an error");
        } catch (IOException e) {
            String m = e.getMessage();
            assertTrue(m != null && m.contains(f.toString()), what + ": message does not name the file: " + m);
            for (String frag : fragments) assertTrue(m.contains(frag), what + ": message lacks '" + frag + "': " + m);
        } catch (Throwable t) {
            throw new AssertionError(what + ": threw " + t + " instead of an IOException", t);
        }
        List<Tensor> ps = model.parameters();
        for (int i = 0; i < ps.size(); i++) {
            assertArrayEquals(before.get(i), ps.get(i).toArray(), 0.0, what + ": parameter " + i + " changed");
            assertEquals(versions.get(i), ps.get(i).version(), what + ": parameter " + i + " was written");
        }
        Files.delete(f);
        cases++;
    }

    @Test
    void headersClaimingMoreMemoryThanTheFileHoldsAreRejectedWithoutAllocating() throws IOException {
        SmallHeapTrainingTest.assertSmallHeap();
        model = Mlp.builder().sizes(784, 256, 128, 10).seed(3).build();
        before = new ArrayList<>();
        versions = new ArrayList<>();
        for (Tensor p : model.parameters()) {
            before.add(p.toArray());
            versions.add(p.version());
        }
        // A good checkpoint of this model loads in this heap (1.9 MB of parameters) and round-trips exactly.
        Path good = dir.resolve("good.safetensors");
        Checkpoint.save(model, good);
        Mlp copy = Mlp.builder().sizes(784, 256, 128, 10).seed(4).build();
        Checkpoint.load(copy, good);
        for (int i = 0; i < before.size(); i++) assertArrayEquals(before.get(i), copy.parameters().get(i).toArray(), 0.0);
        long goodSize = Files.size(good);

        byte[] small = padded("{\"__metadata__\":{\"format\":\"chainrule\"}}");
        // Header length fields: the limit itself (100 MB, more than this heap), 2^31 - 1, 2^62, 2^63 (negative as signed), 0.
        expectRejected("header length 100,000,000", frame(100_000_000L, small, new byte[0]), "runs past the end");
        expectRejected("header length 2^31 - 1", frame(Integer.MAX_VALUE, small, new byte[0]), "exceeds the limit");
        expectRejected("header length 2^62", frame(1L << 62, small, new byte[0]), "exceeds the limit");
        expectRejected("header length 2^63", frame(Long.MIN_VALUE, small, new byte[0]), "2^63");
        expectRejected("header length 0", frame(0, small, new byte[0]), "header length is 0");
        expectRejected("header length past EOF", frame(small.length + 1, small, new byte[0]), "past the end");

        // Valid JSON whose tensors would need far more memory than the file has.
        String w0 = "\"layers.0.weight\":{\"dtype\":\"F64\",\"shape\":";
        expectRejected("a 512 MiB tensor in a tiny file", file("{" + w0 + "[8192,8192],\"data_offsets\":[0,536870912]}}", 64),
            "past the end of the data section");
        expectRejected("a 16 GiB tensor (2^31 - 9 elements)", file("{" + w0 + "[2147483639],\"data_offsets\":[0,17179869112]}}", 64),
            "past the end of the data section");
        expectRejected("more elements than a tensor can hold", file("{" + w0 + "[65536,65536,65536],\"data_offsets\":[0,8]}}", 8),
            "elements");
        expectRejected("offsets near 2^63", file("{" + w0 + "[1],\"data_offsets\":[9223372036854775800,9223372036854775807]}}", 8),
            "data_offsets");
        expectRejected("offsets beyond 2^63", file("{" + w0 + "[1],\"data_offsets\":[0,99999999999999999999]}}", 8), "too large");
        expectRejected("shape/offset mismatch", file("{" + w0 + "[256,784],\"data_offsets\":[0,8]}}", 8), "span 8 bytes");
        expectRejected("a negative dimension", file("{" + w0 + "[-256,784],\"data_offsets\":[0,8]}}", 8), "negative");

        // Deep nesting and a long run of entries: bounded parser work, no StackOverflowError.
        String deep = "[".repeat(100_000) + "]".repeat(100_000);
        expectRejected("JSON nested 100,000 deep", file("{\"__metadata__\":{\"k\":" + deep + "}}", 0), "must be a string");
        StringBuilder many = new StringBuilder("{");
        for (int i = 0; i < 20_000; i++) {
            if (i > 0) many.append(',');
            many.append("\"t").append(i).append("\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[").append(8L * i).append(',')
                .append(8L * i + 8).append("]}");
        }
        expectRejected("20,000 entries that are not the model's", file(many.append('}').toString(), 8 * 20_000),
            "does not match", "not changed");

        Figures.report("checkpoints", "%d hostile checkpoints claiming up to 2^63-byte headers and 16 GiB tensors, loaded in a %d MiB heap: "
            + "each an IOException naming the file and the problem, model unchanged, no allocation beyond the file (largest file %,d bytes); "
            + "a real %,d-byte checkpoint of a 784-256-128-10 Mlp round-trips in the same heap",
            cases, Runtime.getRuntime().maxMemory() >> 20, largest, goodSize);
    }

}

package dev.chainrule.nn.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/** Writes IDX bytes for tests, independently of the reader: magic 00 00 type rank, big-endian dims, values. */
final class IdxFiles {
    private IdxFiles() {}

    /** Header bytes for {@code typeCode} and {@code dims}. */
    static byte[] header(int typeCode, int... dims) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length);  // big-endian by default
        b.put((byte) 0).put((byte) 0).put((byte) typeCode).put((byte) dims.length);
        for (int d : dims) b.putInt(d);
        return b.array();
    }

    /** A whole file of unsigned bytes: header plus {@code values} (each 0..255). */
    static byte[] ubytes(int[] dims, int... values) {
        byte[] data = new byte[values.length];
        for (int i = 0; i < values.length; i++) data[i] = (byte) values[i];
        return concat(header(0x08, dims), data);
    }

    /** A whole file of {@code values} stored as {@code type}. */
    static byte[] of(Idx.Type type, int[] dims, double... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * type.bytes());
        for (double v : values) {
            switch (type) {
                case UNSIGNED_BYTE, BYTE -> b.put((byte) (int) v);
                case SHORT -> b.putShort((short) v);
                case INT -> b.putInt((int) v);
                case FLOAT -> b.putFloat((float) v);
                case DOUBLE -> b.putDouble(v);
                default -> throw new AssertionError(type);
            }
        }
        return concat(header(type.code(), dims), b.array());
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) out.writeBytes(p);
        return out.toByteArray();
    }

    static byte[] gzip(byte[] plain) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(plain);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static Path write(Path file, byte[] bytes) {
        try {
            return Files.write(file, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

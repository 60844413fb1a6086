package dev.chainrule.nn.io;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Test helpers that assemble safetensors bytes by hand: 8-byte LE length, header, data. */
final class Frames {
    private Frames() {}

    /** Length prefix + header bytes (as given, no padding) + data. */
    static byte[] frameRaw(byte[] header, byte[] data) {
        return concat(le64(header.length), header, data);
    }

    /** Header text encoded as UTF-8, padded with spaces to a multiple of 8, framed with its length and the data. */
    static byte[] frame(String headerJson, byte[] data) {
        return framePadded(headerJson.getBytes(StandardCharsets.UTF_8), data);
    }

    static byte[] framePadded(byte[] header, byte[] data) {
        int pad = (8 - header.length % 8) % 8;
        byte[] h = new byte[header.length + pad];
        System.arraycopy(header, 0, h, 0, header.length);
        for (int i = header.length; i < h.length; i++) h[i] = ' ';
        return frameRaw(h, data);
    }

    static byte[] le64(long v) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array();
    }

    static byte[] doubles(double... v) {
        ByteBuffer b = ByteBuffer.allocate(8 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (double d : v) b.putDouble(d);
        return b.array();
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) out.writeBytes(p);
        return out.toByteArray();
    }

    /** The header length field of a file. */
    static long headerLength(byte[] file) {
        return ByteBuffer.wrap(file, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    /** The header bytes (with padding) of a well-formed file. */
    static byte[] header(byte[] file) {
        int n = (int) headerLength(file);
        byte[] h = new byte[n];
        System.arraycopy(file, 8, h, 0, n);
        return h;
    }

    /** The header JSON text without trailing padding. */
    static String headerJson(byte[] file) {
        return new String(header(file), StandardCharsets.UTF_8).stripTrailing();
    }

    /** The data section of a well-formed file. */
    static byte[] data(byte[] file) {
        int start = 8 + (int) headerLength(file);
        byte[] d = new byte[file.length - start];
        System.arraycopy(file, start, d, 0, d.length);
        return d;
    }
}

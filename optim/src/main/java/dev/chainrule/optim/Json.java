package dev.chainrule.optim;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import java.io.IOException;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON of checkpoint metadata, on Jackson's streaming API: values are maps (key order kept),
 * lists, strings, longs, doubles, booleans and null. Doubles are written as numbers when finite
 * (Jackson prints the shortest decimal that reads back to the same double) and as the strings
 * {@code "NaN"}, {@code "Infinity"}, {@code "-Infinity"} otherwise, so every value round-trips bit for bit.
 * Reading is strict: duplicate keys, trailing content, numbers out of range and wrong types are
 * {@link IOException}s that name the file and the field.
 */
final class Json {
    private Json() {}

    private static final JsonFactory FACTORY = JsonFactory.builder()
        .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(32).maxNumberLength(64).build())
        .build();

    static String write(Map<String, ?> value) {
        StringWriter w = new StringWriter();
        try (JsonGenerator g = FACTORY.createGenerator(w)) {
            write(g, value);
        } catch (IOException e) {
            throw new IllegalStateException("Json.write: cannot fail on a StringWriter", e);
        }
        return w.toString();
    }

    private static void write(JsonGenerator g, Object v) throws IOException {
        if (v == null) {
            g.writeNull();
        } else if (v instanceof Map<?, ?> m) {
            g.writeStartObject();
            for (Map.Entry<?, ?> e : m.entrySet()) {
                g.writeFieldName((String) e.getKey());
                write(g, e.getValue());
            }
            g.writeEndObject();
        } else if (v instanceof List<?> l) {
            g.writeStartArray();
            for (Object o : l) write(g, o);
            g.writeEndArray();
        } else if (v instanceof String s) {
            g.writeString(s);
        } else if (v instanceof Boolean b) {
            g.writeBoolean(b);
        } else if (v instanceof Double d) {
            if (Double.isFinite(d)) g.writeNumber(d);
            else g.writeString(d.isNaN() ? "NaN" : d > 0 ? "Infinity" : "-Infinity");
        } else if (v instanceof Long || v instanceof Integer) {
            g.writeNumber(((Number) v).longValue());
        } else {
            throw new IllegalArgumentException("Json.write: unsupported value " + v.getClass());
        }
    }

    /** Parses {@code text}, which must be one JSON object; {@code where} names the source in messages. */
    static Obj parse(String text, String where) throws IOException {
        try (JsonParser p = FACTORY.createParser(text)) {
            if (p.nextToken() != JsonToken.START_OBJECT) throw new IOException(where + ": metadata is not a JSON object");
            Object v = read(p, where);
            if (p.nextToken() != null) throw new IOException(where + ": metadata has content after its JSON object");
            @SuppressWarnings("unchecked")
            Map<String, Object> m = (Map<String, Object>) v;
            return new Obj(m, where, "");
        } catch (JsonProcessingException e) {
            throw new IOException(where + ": metadata is not valid JSON (" + e.getOriginalMessage() + ")");
        }
    }

    private static Object read(JsonParser p, String where) throws IOException {
        JsonToken t = p.currentToken();
        switch (t) {
            case START_OBJECT: {
                Map<String, Object> m = new LinkedHashMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String k = p.currentName();
                    if (m.containsKey(k)) throw new IOException(where + ": metadata key '" + k + "' appears twice");
                    p.nextToken();
                    m.put(k, read(p, where));
                }
                return Collections.unmodifiableMap(m);
            }
            case START_ARRAY: {
                List<Object> l = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) l.add(read(p, where));
                return Collections.unmodifiableList(l);
            }
            case VALUE_STRING:
                return p.getText();
            case VALUE_NUMBER_INT:
                if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) throw new IOException(where + ": number " + p.getText() + " is too large");
                return p.getLongValue();
            case VALUE_NUMBER_FLOAT:
                return p.getDoubleValue();
            case VALUE_TRUE:
                return Boolean.TRUE;
            case VALUE_FALSE:
                return Boolean.FALSE;
            case VALUE_NULL:
                return null;
            default:
                throw new IOException(where + ": unexpected JSON token " + t);
        }
    }

    /** A parsed JSON object with typed accessors that fail with an {@link IOException} naming the field. */
    static final class Obj {
        private final Map<String, Object> m;
        private final String where;
        private final String path;

        Obj(Map<String, Object> m, String where, String path) {
            this.m = m;
            this.where = where;
            this.path = path;
        }

        private IOException bad(String key, String expected) {
            Object v = m.get(key);
            return new IOException(where + ": metadata field '" + path + key + "' is " + (m.containsKey(key) ? describe(v) : "missing")
                + " but must be " + expected);
        }

        private static String describe(Object v) {
            if (v == null) return "null";
            if (v instanceof Map) return "an object";
            if (v instanceof List) return "an array";
            if (v instanceof String s) return "the string \"" + (s.length() > 40 ? s.substring(0, 40) + "..." : s) + "\"";
            return v.toString();
        }

        boolean has(String key) {
            return m.containsKey(key) && m.get(key) != null;
        }

        Object raw(String key) {
            return m.get(key);
        }

        String str(String key) throws IOException {
            if (m.get(key) instanceof String s) return s;
            throw bad(key, "a string");
        }

        boolean bool(String key) throws IOException {
            if (m.get(key) instanceof Boolean b) return b;
            throw bad(key, "true or false");
        }

        long integer(String key, long min, long max) throws IOException {
            if (m.get(key) instanceof Long v && v >= min && v <= max) return v;
            throw bad(key, "an integer in [" + min + ", " + max + "]");
        }

        int integer(String key, int min, int max) throws IOException {
            return (int) integer(key, (long) min, (long) max);
        }

        double number(String key) throws IOException {
            return number(m.get(key), key);
        }

        private double number(Object v, String key) throws IOException {
            if (v instanceof Double d) return d;
            if (v instanceof Long l && Math.abs(l) <= (1L << 53)) return l;
            if ("NaN".equals(v)) return Double.NaN;
            if ("Infinity".equals(v)) return Double.POSITIVE_INFINITY;
            if ("-Infinity".equals(v)) return Double.NEGATIVE_INFINITY;
            throw bad(key, "a number");
        }

        Obj obj(String key) throws IOException {
            if (m.get(key) instanceof Map<?, ?> o) {
                @SuppressWarnings("unchecked")
                Map<String, Object> mm = (Map<String, Object>) o;
                return new Obj(mm, where, path + key + ".");
            }
            throw bad(key, "an object");
        }

        /** The object's keys, in file order. */
        List<String> keys() {
            return List.copyOf(m.keySet());
        }

        List<Obj> objects(String key) throws IOException {
            List<Obj> out = new ArrayList<>();
            int i = 0;
            for (Object o : list(key)) {
                if (!(o instanceof Map<?, ?> mm)) throw bad(key, "an array of objects");
                @SuppressWarnings("unchecked")
                Map<String, Object> cast = (Map<String, Object>) mm;
                out.add(new Obj(cast, where, path + key + "[" + i++ + "]."));
            }
            return out;
        }

        List<Object> list(String key) throws IOException {
            if (m.get(key) instanceof List<?> l) return Collections.unmodifiableList(l);
            throw bad(key, "an array");
        }

        /** An array of arrays of positive ints (shapes). */
        List<int[]> shapes(String key) throws IOException {
            List<int[]> out = new ArrayList<>();
            for (Object o : list(key)) {
                if (!(o instanceof List<?> dims)) throw bad(key, "an array of shapes");
                int[] s = new int[dims.size()];
                for (int i = 0; i < s.length; i++) {
                    if (!(dims.get(i) instanceof Long d) || d < 1 || d > Integer.MAX_VALUE) throw bad(key, "an array of shapes of positive ints");
                    s[i] = (int) (long) d;
                }
                out.add(s);
            }
            return out;
        }

        /** An array of ints in [min, max]. */
        int[] ints(String key, int min, int max) throws IOException {
            List<Object> l = list(key);
            int[] out = new int[l.size()];
            for (int i = 0; i < out.length; i++) {
                if (!(l.get(i) instanceof Long v) || v < min || v > max) throw bad(key, "an array of integers in [" + min + ", " + max + "]");
                out[i] = (int) (long) v;
            }
            return out;
        }

        /** An object whose values are all strings. */
        Map<String, String> strings(String key) throws IOException {
            Obj o = obj(key);
            Map<String, String> out = new LinkedHashMap<>();
            for (String k : o.keys()) out.put(k, o.str(k));
            return out;
        }
    }
}

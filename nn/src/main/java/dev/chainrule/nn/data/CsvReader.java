package dev.chainrule.nn.data;

import dev.chainrule.autograd.DType;
import dev.chainrule.autograd.Tensor;
import java.io.IOException;
import java.io.PushbackReader;
import java.io.StringReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a table of numbers from a CSV file into a {@link Dataset}: one sample per row, one column as
 * the label, numeric columns as the features. Parsing (quotes, delimiters, line endings) is done by
 * Apache Commons CSV.
 *
 * <p><b>Format.</b> RFC 4180 CSV, UTF-8 (a byte-order mark is skipped): an optional header row of
 * column names, then one row per sample, every row with as many values as the first. Values are
 * trimmed; blank lines are skipped. Feature values and regression targets are decimal numbers
 * ({@code 3}, {@code -0.5}, {@code 1e-3}); class labels are non-negative integers ({@code 2} or
 * {@code 2.0}). {@code NaN}, infinities and empty values are errors, not missing data.
 *
 * <p><b>Result.</b> {@code x} is {@code [n, features]} with the features in the order chosen (by
 * default every column but the label, left to right); {@code y} is {@code [n]} of class indices for
 * {@link Builder#classification() classification} (the default, the form {@code CrossEntropy} takes)
 * or {@code [n, 1]} for {@link Builder#regression() regression} (the form {@code MeanSquaredError}
 * takes with a {@code [n, 1]} prediction).
 *
 * <pre>{@code
 * Dataset iris = CsvReader.builder().label("species").build().read(Path.of("iris.csv"));
 * }</pre>
 *
 * <p><b>Errors.</b> Malformed input (an empty file, a header without the chosen column, a row with the
 * wrong number of values, a value that is not a number or not a class index, a quote left open, bytes
 * that are not UTF-8) throws
 * an {@link IOException} naming the file, the line (1-based, as a text editor counts; for a quoted value
 * spanning lines, the line where its row starts) and the column (by name when there is a header, and
 * by 0-based index, as {@link Builder#label(int)} takes it). The whole file is parsed before the data
 * set is built, so an error leaves nothing half-loaded.
 *
 * <p>Immutable and thread-safe once built; one reader may read many files.
 */
public final class CsvReader {

    private static final Logger LOG = LoggerFactory.getLogger(CsvReader.class);

    /** A decimal number: no hex, no {@code NaN}/{@code Infinity}, no Java suffixes such as {@code 1d}. */
    private static final Pattern DECIMAL = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");

    private final boolean header;
    private final char delimiter;
    private final String labelName;
    private final int labelIndex;
    private final String[] featureNames;
    private final int[] featureIndices;
    private final boolean classification;
    private final DType dtype;

    private CsvReader(Builder b) {
        this.header = b.header;
        this.delimiter = b.delimiter;
        this.labelName = b.labelName;
        this.labelIndex = b.labelIndex;
        this.featureNames = b.featureNames;
        this.featureIndices = b.featureIndices;
        this.classification = b.classification;
        this.dtype = b.dtype;
    }

    /** A builder: header row, comma-separated, label = last column, features = all others, classification. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Reads {@code file} (UTF-8).
     *
     * @throws IOException if the file cannot be read or is malformed (see the class description); the
     *     message names the file, the line and the column
     */
    public Dataset read(Path file) throws IOException {
        Objects.requireNonNull(file, "CsvReader.read: file is null");
        return read(new StringReader(decodeUtf8(Files.readAllBytes(file), file.toString())), file.toString());
    }

    /** The text of {@code bytes}; bytes that are not UTF-8 are an error naming their line and byte offset. */
    private static String decodeUtf8(byte[] bytes, String source) throws IOException {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);  // UTF-8 never needs more chars than bytes
        CoderResult r = decoder.decode(in, out, true);
        if (!r.isError()) r = decoder.flush(out);
        if (r.isError()) {
            int at = in.position();
            long line = 1;
            for (int i = 0; i < at; i++) {
                if (bytes[i] == '\n') line++;
            }
            throw new IOException(source + ": line " + line + ": not valid UTF-8 text: malformed byte "
                + String.format("0x%02x", bytes[at] & 0xff) + " at byte offset " + at + "; save the file as UTF-8");
        }
        return out.flip().toString();
    }

    /**
     * Reads CSV text from {@code in} (e.g. a class-path resource); {@code source} names it in messages.
     * Does not close {@code in}.
     *
     * @throws IOException as {@link #read(Path)}
     */
    public Dataset read(Reader in, String source) throws IOException {
        Objects.requireNonNull(in, "CsvReader.read: reader is null");
        Objects.requireNonNull(source, "CsvReader.read: source is null");
        CSVFormat format = CSVFormat.RFC4180.builder()
            .setDelimiter(delimiter)
            .setIgnoreEmptyLines(false)  // blank lines come as records, so that line numbers stay exact
            .setTrim(true)
            .get();
        Parse p = new Parse(source);
        CSVParser parser;
        try {
            PushbackReader text = new PushbackReader(in, 1);
            int first = text.read();
            if (first >= 0 && first != '\uFEFF') text.unread(first);  // skip a UTF-8 byte-order mark
            parser = CSVParser.parse(text, format);
        } catch (IOException e) {
            throw new IOException(source + ": " + e.getMessage(), e);
        }
        Iterator<CSVRecord> rows = parser.iterator();
        while (true) {
            long line = parser.getCurrentLineNumber() + 1;
            CSVRecord r;
            try {
                if (!rows.hasNext()) break;
                r = rows.next();
            } catch (UncheckedIOException e) {
                IOException cause = e.getCause();
                String why = cause instanceof CharacterCodingException ? "not valid text in the reader's charset (" + cause + ")"
                    : "malformed CSV: " + cause.getMessage();
                throw new IOException(source + ": line " + line + ": " + why, cause);
            }
            p.accept(r, line);
        }
        return p.finish();
    }

    /** The state of one read: the columns once known, and the values seen so far. */
    private final class Parse {
        private final String source;
        private String[] names;      // null without a header
        private long headerLine;
        private int columns = -1;    // values per row, from the header or the first row
        private long firstLine;
        private int label = -1;
        private int[] features;
        private double[] x = new double[1024];
        private double[] y = new double[128];
        private int rows;

        Parse(String source) {
            this.source = source;
        }

        void accept(CSVRecord r, long line) throws IOException {
            if (r.size() == 1 && r.get(0).isEmpty()) return;     // a blank line
            if (columns < 0) {
                columns = r.size();
                firstLine = line;
                if (header) {
                    names = new String[columns];
                    for (int c = 0; c < columns; c++) names[c] = r.get(c);
                    headerLine = line;
                    resolveColumns(line);
                    return;
                }
                resolveColumns(line);
            }
            if (r.size() != columns) {
                throw new IOException(source + ": line " + line + ": " + r.size() + " value" + (r.size() == 1 ? "" : "s") + " but "
                    + (header ? "the header (line " + headerLine + ") has " : "the first row (line " + firstLine + ") has ")
                    + columns + " columns; every row needs one value per column");
            }
            if ((long) (rows + 1) * features.length > Integer.MAX_VALUE - 8) {
                throw new IOException(source + ": line " + line + ": more than " + (Integer.MAX_VALUE - 8)
                    + " feature values, which no tensor can hold; read a part of the file");
            }
            if (x.length < (rows + 1) * features.length) x = Arrays.copyOf(x, (int) Math.min(Integer.MAX_VALUE - 8, 2L * x.length + features.length));
            if (y.length <= rows) y = Arrays.copyOf(y, (int) Math.min(Integer.MAX_VALUE - 8, 2L * y.length));
            int base = rows * features.length;
            for (int f = 0; f < features.length; f++) {
                x[base + f] = number(r.get(features[f]), line, features[f], "a feature");
            }
            y[rows] = classification ? classIndex(r.get(label), line) : number(r.get(label), line, label, "the regression target");
            rows++;
        }

        private void resolveColumns(long line) throws IOException {
            label = labelName != null ? byName(labelName, "label", line)
                : labelIndex == Integer.MIN_VALUE ? columns - 1 : byIndex(labelIndex, "label", line);
            if (featureNames != null) {
                features = new int[featureNames.length];
                for (int i = 0; i < features.length; i++) features[i] = byName(featureNames[i], "feature", line);
            } else if (featureIndices != null) {
                features = new int[featureIndices.length];
                for (int i = 0; i < features.length; i++) features[i] = byIndex(featureIndices[i], "feature", line);
            } else {
                features = new int[columns - 1];
                for (int c = 0, k = 0; c < columns; c++) {
                    if (c != label) features[k++] = c;
                }
            }
            if (features.length == 0) {
                throw new IOException(source + ": line " + line + ": only " + columns + " column" + (columns == 1 ? "" : "s")
                    + (names == null ? "" : " " + Arrays.toString(names)) + ", all of it the label; a data set needs at least one feature column");
            }
            for (int f : features) {
                if (f == label) {
                    throw new IOException(source + ": line " + line + ": column " + describe(f) + " is chosen as both the label and a feature");
                }
            }
        }

        private int byName(String name, String role, long line) throws IOException {
            int found = -1;
            for (int c = 0; c < columns; c++) {
                if (names[c].equals(name)) {
                    if (found >= 0) {
                        throw new IOException(source + ": line " + line + ": the header has two columns named '" + name
                            + "' (indices " + found + " and " + c + "); choose the " + role + " by index instead");
                    }
                    found = c;
                }
            }
            if (found < 0) {
                throw new IOException(source + ": line " + line + ": no column named '" + name + "' for the " + role
                    + "; the header has " + Arrays.toString(names));
            }
            return found;
        }

        private int byIndex(int index, String role, long line) throws IOException {
            if (index >= columns) {
                throw new IOException(source + ": line " + line + ": no column with index " + index + " for the " + role + "; "
                    + (header ? "the header" : "the first row") + " has " + columns + " columns (indices 0 to " + (columns - 1) + ")");
            }
            return index;
        }

        private String describe(int column) {
            return names == null ? "index " + column : "'" + names[column] + "' (index " + column + ")";
        }

        private double number(String value, long line, int column, String role) throws IOException {
            if (DECIMAL.matcher(value).matches()) {
                double v = Double.parseDouble(value);
                if (Double.isFinite(v)) return v;
                throw new IOException(where(line, column) + ": '" + value + "' overflows a double; " + role + " must be a finite number");
            }
            throw new IOException(where(line, column) + ": " + (value.isEmpty() ? "empty value" : "'" + value + "' is not a number")
                + "; " + role + " must be a decimal number such as 3, -0.5 or 1e-3");
        }

        private double classIndex(String value, long line) throws IOException {
            double v = DECIMAL.matcher(value).matches() ? Double.parseDouble(value) : Double.NaN;
            if (v >= 0 && v <= Integer.MAX_VALUE && v == Math.rint(v)) return v;
            throw new IOException(where(line, label) + ": " + (value.isEmpty() ? "empty value" : "'" + value + "' is not a class index")
                + "; class labels must be integers 0, 1, 2, ... (use regression() for a numeric target)");
        }

        private String where(long line, int column) {
            return source + ": line " + line + ", column " + describe(column);
        }

        Dataset finish() throws IOException {
            if (columns < 0) {
                throw new IOException(source + ": line 1: empty file; expected " + (header ? "a header row and then " : "") + "one row per sample");
            }
            if (rows == 0) {
                throw new IOException(source + ": line " + (headerLine + 1) + ": no data rows after the header (line " + headerLine
                    + "); expected one row per sample");
            }
            Tensor xs = Tensor.of(Arrays.copyOf(x, rows * features.length), dtype, rows, features.length);
            Tensor ys = classification ? Tensor.of(Arrays.copyOf(y, rows), dtype, rows) : Tensor.of(Arrays.copyOf(y, rows), dtype, rows, 1);
            LOG.debug("read {} rows of {} features from {}", rows, features.length, source);
            return new Dataset(xs, ys);
        }
    }

    /** Configures a {@link CsvReader}; {@link #build()} checks the combination. */
    public static final class Builder {
        private boolean header = true;
        private char delimiter = ',';
        private String labelName;
        private int labelIndex = Integer.MIN_VALUE;  // MIN_VALUE: the last column
        private String[] featureNames;
        private int[] featureIndices;
        private boolean classification = true;
        private DType dtype = DType.FLOAT64;

        private Builder() {}

        /**
         * The dtype of the features and labels: FLOAT64 (default) or FLOAT32 (each parsed value rounded once).
         *
         * @throws NullPointerException if {@code dtype} is null
         */
        public Builder dtype(DType dtype) {
            this.dtype = Objects.requireNonNull(dtype, "CsvReader: dtype is null");
            return this;
        }

        /** Whether the first non-blank row holds column names (default true) or is already a sample. */
        public Builder header(boolean header) {
            this.header = header;
            return this;
        }

        /**
         * The character between values: {@code ','} (default), {@code ';'}, {@code '\t'}, ...
         *
         * @throws IllegalArgumentException for a line break or the quote character
         */
        public Builder delimiter(char delimiter) {
            if (delimiter == '\n' || delimiter == '\r' || delimiter == '"') {
                throw new IllegalArgumentException("CsvReader: delimiter " + (int) delimiter + " cannot be a line break or the quote character");
            }
            this.delimiter = delimiter;
            return this;
        }

        /** The label column by header name (needs a header). Default: the last column. */
        public Builder label(String name) {
            this.labelName = Objects.requireNonNull(name, "CsvReader: label name is null");
            this.labelIndex = Integer.MIN_VALUE;
            return this;
        }

        /**
         * The label column by 0-based index. Default: the last column.
         *
         * @throws IllegalArgumentException if {@code index < 0}
         */
        public Builder label(int index) {
            if (index < 0) throw new IllegalArgumentException("CsvReader: label index " + index + " is negative; columns count from 0");
            this.labelIndex = index;
            this.labelName = null;
            return this;
        }

        /** The feature columns by header name, in this order (needs a header). Default: every column but the label. */
        public Builder features(String... names) {
            this.featureNames = Objects.requireNonNull(names, "CsvReader: feature names are null").clone();
            for (String n : featureNames) Objects.requireNonNull(n, "CsvReader: a feature name is null");
            this.featureIndices = null;
            return this;
        }

        /**
         * The feature columns by 0-based index, in this order. Default: every column but the label.
         *
         * @throws IllegalArgumentException if an index is negative
         */
        public Builder features(int... indices) {
            this.featureIndices = Objects.requireNonNull(indices, "CsvReader: feature indices are null").clone();
            for (int i : featureIndices) {
                if (i < 0) throw new IllegalArgumentException("CsvReader: feature index " + i + " is negative; columns count from 0");
            }
            this.featureNames = null;
            return this;
        }

        /** The label is a class index, an integer 0, 1, 2, ...; {@code y} is {@code [n]} (the default). */
        public Builder classification() {
            this.classification = true;
            return this;
        }

        /** The label is a numeric target; {@code y} is {@code [n, 1]}. */
        public Builder regression() {
            this.classification = false;
            return this;
        }

        /**
         * The reader.
         *
         * @throws IllegalArgumentException if columns are chosen by name without a header, no feature or
         *     the same feature twice is chosen, or the label is also chosen as a feature
         */
        public CsvReader build() {
            if (!header && (labelName != null || featureNames != null)) {
                throw new IllegalArgumentException("CsvReader: columns chosen by name ("
                    + (labelName != null ? "label '" + labelName + "'" : "features " + Arrays.toString(featureNames))
                    + ") but header(false) says the file has no names; choose them by index");
            }
            int count = featureNames != null ? featureNames.length : featureIndices != null ? featureIndices.length : -1;
            if (count == 0) throw new IllegalArgumentException("CsvReader: no feature columns chosen; choose at least one or omit features(...) for all");
            Set<Object> seen = new HashSet<>();
            List<Object> chosen = new ArrayList<>();
            if (featureNames != null) chosen.addAll(Arrays.asList(featureNames));
            if (featureIndices != null) for (int i : featureIndices) chosen.add(i);
            for (Object f : chosen) {
                if (!seen.add(f)) throw new IllegalArgumentException("CsvReader: feature column " + f + " is chosen twice");
                if (f.equals(labelName) || f.equals(labelIndex)) {
                    throw new IllegalArgumentException("CsvReader: column " + f + " is chosen as both the label and a feature");
                }
            }
            return new CsvReader(this);
        }
    }
}

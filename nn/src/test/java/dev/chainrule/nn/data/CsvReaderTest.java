package dev.chainrule.nn.data;

import static dev.chainrule.nn.data.IdxTest.assertIo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvReaderTest {

    @TempDir
    Path dir;

    private int files;

    private Path csv(String text) throws IOException {
        return Files.writeString(dir.resolve("data" + (++files) + ".csv"), text, StandardCharsets.UTF_8);
    }

    private static final CsvReader DEFAULT = CsvReader.builder().build();

    // ---- positive ------------------------------------------------------------------------------

    @Test
    void defaultsUseTheLastColumnAsClassLabelAndTheRestAsFeatures() throws IOException {
        Dataset d = DEFAULT.read(csv("x1,x2,label\n1,2,0\n-0.5,1e-3,2\n+3,.25,1\n"));
        assertArrayEquals(new int[] {3, 2}, d.x().shape());
        assertArrayEquals(new double[] {1, 2, -0.5, 1e-3, 3, 0.25}, d.x().toArray());
        assertArrayEquals(new int[] {3}, d.y().shape());
        assertArrayEquals(new double[] {0, 2, 1}, d.y().toArray());
    }

    @Test
    void labelAndFeaturesByNameInTheChosenOrderForRegression() throws IOException {
        Path p = csv("id,height,price,width\n7,1.5,100.25,3\n8,2.5,-4,4\n");
        Dataset d = CsvReader.builder().label("price").features("width", "height").regression().build().read(p);
        assertArrayEquals(new int[] {2, 2}, d.x().shape());
        assertArrayEquals(new double[] {3, 1.5, 4, 2.5}, d.x().toArray());
        assertArrayEquals(new int[] {2, 1}, d.y().shape());
        assertArrayEquals(new double[] {100.25, -4}, d.y().toArray());
        // All other columns, left to right, when no features are chosen.
        Dataset all = CsvReader.builder().label("price").regression().build().read(p);
        assertArrayEquals(new double[] {7, 1.5, 3, 8, 2.5, 4}, all.x().toArray());
    }

    @Test
    void withoutHeaderColumnsAreChosenByIndex() throws IOException {
        Path p = csv("1,10,20,30\n0,11,21,31\n");
        Dataset d = CsvReader.builder().header(false).label(0).features(3, 1).build().read(p);
        assertArrayEquals(new double[] {30, 10, 31, 11}, d.x().toArray());
        assertArrayEquals(new double[] {1, 0}, d.y().toArray());
    }

    @Test
    void quotesCrlfBlankLinesSpacesBomAndOtherDelimiters() throws IOException {
        Path p = csv("\uFEFF\"a\"; b ;label\r\n\r\n\" 1.5 \";2;\"3.0\"\r\n   \r\n4 ; 5 ; 0");
        Dataset d = CsvReader.builder().delimiter(';').label("label").build().read(p);
        assertArrayEquals(new double[] {1.5, 2, 4, 5}, d.x().toArray());
        assertArrayEquals(new double[] {3, 0}, d.y().toArray());
        Dataset bom = CsvReader.builder().delimiter(';').label("label").features("a").build().read(p);
        assertArrayEquals(new double[] {1.5, 4}, bom.x().toArray());
        Dataset tabs = CsvReader.builder().delimiter('\t').build().read(new StringReader("f\ty\n1\t1\n"), "inline");
        assertArrayEquals(new double[] {1}, tabs.x().toArray());
    }

    // ---- malformed input: IOException naming the file, line and column ------------------------

    @Test
    void badNumbersNameLineAndColumn() throws IOException {
        Path p = csv("a,b,y\n1,2,0\n3,x,1\n");
        assertIo(p, () -> DEFAULT.read(p), "line 3, column 'b' (index 1)", "'x' is not a number");
        for (String bad : new String[] {"NaN", "Infinity", "-inf", "1d", "0x10", "1,5", "1.2.3", "e5", "1e999"}) {
            Path q = csv("a,b,y\n1,\"" + bad + "\",0\n");
            assertIo(q, () -> DEFAULT.read(q), "line 2, column 'b' (index 1)", bad.equals("1e999") ? "overflows" : "'" + bad + "'");
        }
        Path empty = csv("a,b,y\n1,2,0\n1, ,0\n");
        assertIo(empty, () -> DEFAULT.read(empty), "line 3, column 'b' (index 1)", "empty value");
        Path noHeader = csv("1,2,0\n1,?,0\n");
        assertIo(noHeader, () -> CsvReader.builder().header(false).build().read(noHeader), "line 2, column index 1", "'?'");
    }

    @Test
    void badClassLabelsAreNamedAndPointToRegression() throws IOException {
        for (String bad : new String[] {"2.5", "-1", "cat", ""}) {
            Path p = csv("a,label\n1,0\n2," + bad + "\n");
            assertIo(p, () -> DEFAULT.read(p), "line 3, column 'label' (index 1)", "class", "regression()");
        }
        Path fine = csv("a,label\n1,2.5\n");
        assertArrayEquals(new double[] {2.5}, CsvReader.builder().regression().build().read(fine).y().toArray());
    }

    @Test
    void raggedRowsAreRejected() throws IOException {
        Path shortRow = csv("a,b,y\n1,2,0\n3,1\n");
        assertIo(shortRow, () -> DEFAULT.read(shortRow), "line 3: 2 values", "the header (line 1) has 3 columns");
        Path longRow = csv("a,b,y\n1,2,0,9\n");
        assertIo(longRow, () -> DEFAULT.read(longRow), "line 2: 4 values", "has 3 columns");
        Path noHeader = csv("1,2\n\n3,4,5\n");
        assertIo(noHeader, () -> CsvReader.builder().header(false).build().read(noHeader), "line 3: 3 values",
            "the first row (line 1) has 2 columns");
    }

    @Test
    void missingColumnsAreNamedWithTheHeader() throws IOException {
        Path p = csv("a,b,y\n1,2,0\n");
        assertIo(p, () -> CsvReader.builder().label("quality").build().read(p), "line 1", "no column named 'quality' for the label",
            "[a, b, y]");
        assertIo(p, () -> CsvReader.builder().features("a", "c").build().read(p), "line 1", "no column named 'c' for the feature");
        assertIo(p, () -> CsvReader.builder().label(5).build().read(p), "line 1", "no column with index 5", "3 columns");
        assertIo(p, () -> CsvReader.builder().features(0, 2).build().read(p), "column 'y' (index 2)", "both the label and a feature");
        Path dup = csv("a,a,y\n1,2,0\n");
        assertIo(dup, () -> CsvReader.builder().features("a").build().read(dup), "two columns named 'a' (indices 0 and 1)");
        Path labelOnly = csv("y\n1\n");
        assertIo(labelOnly, () -> DEFAULT.read(labelOnly), "line 1", "at least one feature");
    }

    @Test
    void emptyFilesAndHeaderOnlyFiles() throws IOException {
        Path empty = csv("");
        assertIo(empty, () -> DEFAULT.read(empty), "line 1: empty file");
        Path blank = csv("\n  \n\n");
        assertIo(blank, () -> DEFAULT.read(blank), "empty file");
        Path headerOnly = csv("a,b,y\n");
        assertIo(headerOnly, () -> DEFAULT.read(headerOnly), "line 2: no data rows after the header (line 1)");
        Path headerAfterBlanks = csv("\n\na,y\n\n");
        assertIo(headerAfterBlanks, () -> DEFAULT.read(headerAfterBlanks), "no data rows after the header (line 3)");
    }

    @Test
    void lineNumbersCountBlankLinesAndQuotedLineBreaks() throws IOException {
        // Line 1 header, lines 2-3 one row with a quoted line break, line 4 blank, line 5 the bad row.
        Path p = csv("a,note,y\n1,\"two\nlines\",0\n\n2,x,z\n");
        assertIo(p, () -> CsvReader.builder().features("a").build().read(p), "line 5, column 'y' (index 2)", "'z'");
        Path quote = csv("a,y\n1,0\n2,\"1\n3,0\n");
        assertIo(quote, () -> DEFAULT.read(quote), "line 3: malformed CSV");
        Path latin1 = dir.resolve("latin1.csv");
        Files.write(latin1, new byte[] {'a', ',', 'y', '\n', '1', ',', '0', '\n', (byte) 0xe9, ',', '1', '\n'});
        assertIo(latin1, () -> DEFAULT.read(latin1), "line 3", "not valid UTF-8", "0xe9 at byte offset 8");
    }

    @Test
    void aReaderIsReusableAfterAnError() throws IOException {
        Path bad = csv("a,y\n1,0\nx,1\n");
        Path good = csv("a,y\n1,0\n2,1\n");
        assertThrows(IOException.class, () -> DEFAULT.read(bad));
        assertEquals(2, DEFAULT.read(good).size());
    }

    @Test
    void builderRejectsImpossibleChoices() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> CsvReader.builder().header(false).label("y").build());
        assertTrue(e.getMessage().contains("by name") && e.getMessage().contains("'y'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> CsvReader.builder().header(false).features("a").build());
        assertThrows(IllegalArgumentException.class, () -> CsvReader.builder().features(new int[0]).build());
        assertThrows(IllegalArgumentException.class, () -> CsvReader.builder().features(1, 1).build());
        assertThrows(IllegalArgumentException.class, () -> CsvReader.builder().label("a").features("a", "b").build());
        assertThrows(IllegalArgumentException.class, () -> CsvReader.builder().label(2).features(0, 2).build());
        assertThrows(IllegalArgumentException.class, () -> CsvReader.builder().label(-1));
        assertThrows(IllegalArgumentException.class, () -> CsvReader.builder().features(0, -2));
        assertThrows(IllegalArgumentException.class, () -> CsvReader.builder().delimiter('"'));
    }
}

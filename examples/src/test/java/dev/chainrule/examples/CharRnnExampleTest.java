package dev.chainrule.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class CharRnnExampleTest {

    private static String corpus() throws IOException {
        Path p = Path.of(CharRnnExample.DEFAULT_CORPUS);
        assumeTrue(Files.exists(p), p + " missing (Debian's base-files ships it)");
        return Files.readString(p);
    }

    @Test
    void unigramEntropyOfAKnownText() {
        CharRnnExample.Corpus c = CharRnnExample.Corpus.of("aab");
        assertEquals(-(2.0 / 3 * Math.log(2.0 / 3) + 1.0 / 3 * Math.log(1.0 / 3)), c.unigramEntropy(), 1e-15);
        assertEquals(2, c.vocab().length);
    }

    @Test
    void aShortRunBeatsTheUnigramEntropyClearly() throws IOException {
        // 100 steps instead of the default 600 (claim 0.65 x H1). An untrained model scores ln 76 = 1.37 x H1, and the
        // character frequencies of the training part score 1.10 x H1 on the held-out part: below 0.9 needs context.
        StringWriter text = new StringWriter();
        CharRnnExample.Result r = CharRnnExample.run(CharRnnExample.DEFAULT_CORPUS, corpus(), CommonOptions.DEFAULT_SEED, 100, 50,
            new PrintWriter(text, true));
        assertTrue(r.ratio() < 0.9, "validation loss " + r.finalValLoss() + " vs unigram entropy " + r.unigramEntropy() + "\n" + text);
        assertTrue(r.valLoss()[1] < r.valLoss()[0], "the validation loss falls");
        assertEquals(2, r.samples().size());
        assertEquals(CharRnnExample.SAMPLE_LEN, r.samples().get(1).length());
        assertTrue(text.toString().contains("sample: The "), text.toString());
    }

    @Test
    void commandLineErrors(@TempDir Path dir) throws IOException {
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setErr(new PrintWriter(err, true));
        cl.setOut(new PrintWriter(new StringWriter(), true));
        assertEquals(2, cl.execute("char-rnn", "--corpus", dir.resolve("none.txt").toString()));
        assertTrue(err.toString().contains("none.txt does not exist"), err.toString());
        Path tiny = Files.writeString(dir.resolve("tiny.txt"), "too short");
        assertEquals(2, cl.execute("char-rnn", "--corpus", tiny.toString()));
        assertTrue(err.toString().contains("the corpus has 9 characters; it needs at least 650"), err.toString());
        assertEquals(2, cl.execute("char-rnn", "--steps", "0"));
        assertTrue(err.toString().contains("--steps must be at least 1, got 0"), err.toString());
        assertThrows(IllegalArgumentException.class, () -> CharRnnExample.run("x", "abc", 1, 1, 1, new PrintWriter(new StringWriter())));
    }
}

package dev.chainrule.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class MainTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    static final List<String> EXAMPLES = List.of("xor", "logistic-regression", "linear-regression", "neuron", "spirals", "init", "mle",
        "char-rnn", "attention", "fashion-mnist");

    @Test
    void helpListsEveryExampleAndExitsZero() {
        assertEquals(0, run("--help"));
        for (String name : EXAMPLES) assertTrue(out.toString().contains(name), name + " missing from:\n" + out);
    }

    @Test
    void everyExampleHasItsOwnHelp() {
        for (String name : EXAMPLES) {
            out.getBuffer().setLength(0);
            assertEquals(0, run(name, "--help"), name);
            assertTrue(out.toString().contains("Usage: chainrule-examples " + name), out.toString());
            assertTrue(err.toString().isEmpty(), "picocli complained about " + name + "'s help: " + err);
        }
    }

    @Test
    void unknownExampleFailsWithAClearMessage() {
        int code = run("xro");
        assertNotEquals(0, code);
        assertEquals(2, code);
        assertTrue(err.toString().contains("Unknown example 'xro'"), err.toString());
        assertTrue(err.toString().contains("xor"), "lists the available examples: " + err);
    }

    @Test
    void missingExampleNameIsAUsageError() {
        assertEquals(2, run());
        assertTrue(err.toString().contains("Missing example name"), err.toString());
    }

    @Test
    void badOptionValueIsAUsageError() {
        assertEquals(2, run("mle", "--epochs", "many"));
        assertTrue(err.toString().contains("--epochs"), err.toString());
    }

    @Test
    void nonPositiveEpochsAreAUsageError() {
        assertEquals(2, run("spirals", "--epochs", "0"));
        assertTrue(err.toString().contains("--epochs must be at least 1, got 0"), err.toString());
    }

    @Test
    void neuronPrintsEveryGradientThroughTheCli() {
        assertEquals(0, run("neuron"));
        for (String v : List.of("dL/dL", "dL/dr", "dL/dl", "dL/du", "dL/dz", "dL/dw", "dL/db")) {
            assertTrue(out.toString().contains(v), v + " missing from:\n" + out);
        }
    }

    @Test
    void readmeCommandPrintsTheXorTruthTableWithFullAccuracy() {
        assertEquals(0, run("xor"));
        String text = out.toString();
        assertTrue(text.contains(" x1 x2 | y |"), text);
        assertTrue(text.contains("MLP 2-2-1 (tanh hidden): accuracy 100 %"), text);
        assertTrue(text.contains("MLP 2-4-1 (tanh hidden): accuracy 100 %"), text);
        assertTrue(text.contains("not linearly separable"), text);
    }

    @Test
    void outWritesPngPlots(@TempDir Path dir) throws IOException {
        assertEquals(0, run("linear-regression", "--epochs", "300", "--out", dir.toString()));
        Path png = dir.resolve("linear-regression-loss.png");
        assertTrue(Files.size(png) > 1000);
        byte[] head = Files.readAllBytes(png);
        assertEquals((byte) 0x89, head[0]);
        assertEquals('P', head[1]);
        assertEquals('N', head[2]);
        assertEquals('G', head[3]);

        out.getBuffer().setLength(0);
        assertEquals(0, run("xor", "--seed", "42", "--epochs", "1000", "--out", dir.toString()));
        for (String name : List.of("xor-loss.png", "xor-mlp2-boundary.png", "xor-mlp4-boundary.png", "xor-logistic-boundary.png")) {
            assertTrue(Files.size(dir.resolve(name)) > 1000, name);
            assertTrue(out.toString().contains(name), "the CLI names the plots it wrote: " + out);
        }
    }
}

package dev.chainrule.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every transcript of program output in the repository's Markdown (README.md, examples/README.md,
 * docs/) matches what the program prints; the markers are described in {@link Transcripts} and
 * docs/contributing.md.
 */
class TranscriptsTest {

    private static final Path ROOT = Transcripts.root();

    private static List<Transcripts.Block> allBlocks() {
        List<Transcripts.Block> all = new ArrayList<>();
        for (Path md : Transcripts.markdownFiles(ROOT)) all.addAll(Transcripts.blocks(ROOT.relativize(md), Transcripts.read(md)));
        return all;
    }

    @TestFactory
    List<DynamicTest> everyMarkedBlockMatchesItsProgram() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Transcripts.Block b : allBlocks()) {
            if (b.kind() == null) continue;
            tests.add(dynamicTest(b.where() + " " + b.kind() + ": " + b.argument(), () -> Transcripts.check(ROOT, b)));
        }
        return tests;
    }

    @Test
    void theDocumentsThatShowOutputAreScannedAndMarked() {
        List<Transcripts.Block> all = allBlocks();
        List<String> files = all.stream().filter(b -> b.kind() != null).map(b -> b.file().toString().replace('\\', '/'))
            .distinct().collect(Collectors.toList());
        for (String f : List.of("README.md", "examples/README.md", "docs/getting-started.md", "docs/benchmarks.md")) {
            assertTrue(files.contains(f), f + " has no marked block; marked: " + files);
        }
        List<Transcripts.Block> unmarked = Transcripts.unmarkedTranscripts(all);
        assertTrue(unmarked.isEmpty(), "blocks that start with a prompt but have no transcript marker: "
            + unmarked.stream().map(Transcripts.Block::where).collect(Collectors.toList()));
    }

    // The checker itself, on small documents.

    private static List<Transcripts.Block> parse(String markdown) {
        return Transcripts.blocks(Path.of("doc.md"), markdown);
    }

    @Test
    void aMarkerBindsToTheFenceRightAfterIt() {
        List<Transcripts.Block> bs = parse("text\n<!-- transcript: jshell -->\n```\njshell> 1 + 1\n$1 ==> 2\n```\n\n"
            + "<!-- file: pom.xml -->\n\n```xml\n<project/>\n```\n");
        assertEquals(2, bs.size());
        assertEquals("transcript", bs.get(0).kind());
        assertEquals("jshell", bs.get(0).argument());
        assertEquals(3, bs.get(0).line());
        assertEquals(List.of("jshell> 1 + 1", "$1 ==> 2"), bs.get(0).lines());
        assertEquals(null, bs.get(1).kind(), "a blank line between marker and fence detaches the marker");
        assertEquals("xml", bs.get(1).language());
    }

    @Test
    void aPromptBlockWithoutMarkerIsReported() {
        List<Transcripts.Block> bs = parse("```\n$ java -jar x.jar\nout\n```\n```\nmvn verify\n```\n");
        List<Transcripts.Block> bad = Transcripts.unmarkedTranscripts(bs);
        assertEquals(1, bad.size());
        assertEquals(1, bad.get(0).line());
    }

    @Test
    void aWrongCliTranscriptFailsWithADiff() {
        Transcripts.Block b = parse("<!-- transcript: java -jar examples/target/chainrule-examples.jar neuron -->\n```\n"
            + "$ java -jar examples/target/chainrule-examples.jar neuron\nSingle sigmoid neuron, but not as printed\n```\n").get(0);
        AssertionError e = assertThrows(AssertionError.class, () -> Transcripts.check(ROOT, b));
        assertTrue(e.getMessage().contains("- Single sigmoid neuron, but not as printed"), e.getMessage());
        assertTrue(e.getMessage().contains("+ Single sigmoid neuron with ridge penalty"), e.getMessage());
    }

    @Test
    void theShownCommandMustBeTheMarkersCommand() {
        Transcripts.Block b = parse("<!-- transcript: java -jar examples/target/chainrule-examples.jar neuron -->\n```\n"
            + "$ java -jar examples/target/chainrule-examples.jar xor\n```\n").get(0);
        AssertionError e = assertThrows(AssertionError.class, () -> Transcripts.check(ROOT, b));
        assertTrue(e.getMessage().contains("is not the marker's command"), e.getMessage());
    }

    @Test
    void jshellSessionsAndJavaBlocksAreEvaluated() throws Exception {
        Transcripts.check(ROOT, parse("<!-- transcript: jshell -->\n```\njshell> int a = 6 * 7\na ==> 42\n"
            + "jshell> System.out.println(\"hi\")\nhi\njshell> a + 1\n$3 ==> 43\n```\n").get(0));
        Transcripts.Block wrong = parse("<!-- transcript: jshell -->\n```\njshell> int a = 6 * 7\na ==> 41\n```\n").get(0);
        assertThrows(AssertionError.class, () -> Transcripts.check(ROOT, wrong));
        Transcripts.Block out = parse("```java\nimport java.util.List;\nvar xs = List.of(1, 2);\n"
            + "System.out.println(xs);\n```\nprints\n<!-- transcript: java block above -->\n```\n[1, 2]\n```\n").get(1);
        Transcripts.check(ROOT, out);
    }

    @Test
    void recordedOutputMustBeConsecutiveLinesOfTheRecording() {
        assertEquals(1, Transcripts.indexOfRun(List.of("a", "b", "c"), List.of("b", "c")));
        assertEquals(-1, Transcripts.indexOfRun(List.of("a", "b", "c"), List.of("a", "c")));
        assertEquals(-1, Transcripts.indexOfRun(List.of("a"), List.of()));
    }

    @Test
    void diffMarksRemovedAndAddedLines() {
        assertEquals("  a\n- b\n+ B\n  c\n", Transcripts.diff(List.of("a", "b", "c"), List.of("a", "B", "c")));
    }
}

package dev.chainrule.examples;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import jdk.jshell.JShell;
import jdk.jshell.Snippet;
import jdk.jshell.SnippetEvent;
import jdk.jshell.SourceCodeAnalysis;
import jdk.jshell.VarSnippet;
import picocli.CommandLine;

/**
 * Finds the transcripts in the repository's Markdown and checks each against what the program really
 * prints. The rules are documented for contributors in {@code docs/contributing.md} ("Transcripts in
 * docs"); in short, the line right before a fenced block is a marker:
 *
 * <ul>
 *   <li>{@code <!-- transcript: java -jar examples/target/chainrule-examples.jar ARGS -->}: the block is
 *       what that command prints on stdout; it runs in-process through {@link Main#commandLine()}.
 *       The block may start with the command itself as {@code $ java -jar ...}.</li>
 *   <li>{@code <!-- transcript: java block above -->}: the block is what the nearest {@code java}
 *       block above it prints on {@code System.out}, run as JShell snippets (imports and statements).</li>
 *   <li>{@code <!-- transcript: jshell -->}: the block is a jshell session; each {@code jshell> } line is
 *       evaluated and the lines up to the next prompt must be jshell's feedback ({@code name ==> value});
 *       empty lines do not count.</li>
 *   <li>{@code <!-- transcript: java path/To.java -->}: the block is what that source file's
 *       {@code main} prints (compiled against the library modules, run in-process).</li>
 *   <li>{@code <!-- transcript: recorded path/to/output.txt -->}: the block is a run of consecutive lines
 *       of that recorded output (benchmark figures, which no test can reproduce).</li>
 *   <li>{@code <!-- transcript: test TestClassName -->}: another test checks this block; the test's
 *       source file must exist and name the Markdown file.</li>
 *   <li>{@code <!-- file: path/in/repo -->}: the block is that file's content (a listing).</li>
 * </ul>
 *
 * <p>Lines are compared exactly after trailing white space is removed from each line and trailing
 * empty lines from the whole. A block whose first line is a shell or jshell prompt ({@code $ },
 * {@code jshell> }) must have a marker.
 */
final class Transcripts {

    private Transcripts() {}

    static final String CLI = "java -jar examples/target/chainrule-examples.jar";

    private static final Pattern MARKER = Pattern.compile("^<!--\\s*(transcript|file):\\s*(.*?)\\s*-->\\s*$");
    private static final Pattern FENCE = Pattern.compile("^(```+|~~~+)\\s*([\\w+-]*)\\s*$");
    private static final Set<String> SKIPPED_DIRECTORIES = Set.of("target", "node_modules", "build", "out");

    /**
     * A fenced block: where it starts (1-based line of the opening fence), its language and lines, the
     * marker right before it ({@code kind} "transcript" or "file" and its argument, both null without one),
     * and the nearest {@code java} block above it.
     */
    record Block(Path file, int line, String language, List<String> lines, String kind, String argument, Block javaAbove) {
        String where() {
            return file + ":" + line;
        }
    }

    /** The repository root: the nearest directory up from the working directory that has examples/pom.xml. */
    static Path root() {
        Path dir = Path.of("").toAbsolutePath();
        for (Path d = dir; d != null; d = d.getParent()) {
            if (Files.exists(d.resolve("examples/pom.xml")) && Files.exists(d.resolve("pom.xml"))) return d;
        }
        throw new IllegalStateException("no repository root (a directory with examples/pom.xml) above " + dir);
    }

    /** Every Markdown file of the repository, outside build output and hidden directories, sorted. */
    static List<Path> markdownFiles(Path root) {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(p -> p.toString().endsWith(".md") && !skipped(root.relativize(p).getParent()))
                .sorted().collect(Collectors.toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean skipped(Path directory) {
        if (directory == null) return false;
        for (Path part : directory) {
            String n = part.toString();
            if (n.startsWith(".") || SKIPPED_DIRECTORIES.contains(n)) return true;
        }
        return false;
    }

    /** The fenced blocks of a Markdown text, each with its marker (if any). */
    static List<Block> blocks(Path file, String text) {
        List<String> lines = text.lines().collect(Collectors.toList());
        List<Block> blocks = new ArrayList<>();
        Block lastJava = null;
        for (int i = 0; i < lines.size(); i++) {
            Matcher open = FENCE.matcher(lines.get(i));
            if (!open.matches()) continue;
            String fence = open.group(1);
            int start = i;
            List<String> body = new ArrayList<>();
            for (i = i + 1; i < lines.size() && !lines.get(i).startsWith(fence); i++) body.add(lines.get(i));
            String kind = null, argument = null;
            if (start > 0) {
                Matcher m = MARKER.matcher(lines.get(start - 1));
                if (m.matches()) {
                    kind = m.group(1);
                    argument = m.group(2);
                }
            }
            Block b = new Block(file, start + 1, open.group(2), List.copyOf(body), kind, argument, lastJava);
            blocks.add(b);
            if (b.language().equals("java")) lastJava = b;
        }
        return blocks;
    }

    /** Blocks that look like a transcript (a prompt on the first line) but carry no marker. */
    static List<Block> unmarkedTranscripts(List<Block> blocks) {
        List<Block> bad = new ArrayList<>();
        for (Block b : blocks) {
            if (b.kind() != null || b.lines().isEmpty()) continue;
            String first = b.lines().get(0);
            if (first.startsWith("$ ") || first.startsWith("jshell> ")) bad.add(b);
        }
        return bad;
    }

    /**
     * Checks one marked block.
     *
     * @throws AssertionError with a diff when the block is not what the program prints
     */
    static void check(Path root, Block b) throws Exception {
        String arg = b.argument();
        if (b.kind().equals("file")) {
            compare(b, b.lines(), read(root.resolve(arg)).lines().collect(Collectors.toList()));
        } else if (arg.startsWith(CLI + " ") || arg.equals(CLI)) {
            String args = arg.substring(CLI.length()).trim();
            List<String> expected = b.lines();
            if (!expected.isEmpty() && expected.get(0).startsWith("$ ")) {
                if (!expected.get(0).equals("$ " + arg)) {
                    throw new AssertionError(b.where() + ": the block's first line '" + expected.get(0)
                        + "' is not the marker's command '$ " + arg + "'");
                }
                expected = expected.subList(1, expected.size());
            }
            compare(b, expected, runCli(args.isEmpty() ? new String[0] : args.split("\\s+")));
        } else if (arg.equals("java block above")) {
            if (b.javaAbove() == null) throw new AssertionError(b.where() + ": no java block above this transcript");
            compare(b, b.lines(), runJShell(String.join("\n", b.javaAbove().lines())));
        } else if (arg.equals("jshell")) {
            compare(b, withoutBlankLines(b.lines()), withoutBlankLines(replayJShell(b.lines())));
        } else if (arg.startsWith("java ") && arg.endsWith(".java")) {
            compare(b, b.lines(), runSourceFile(root.resolve(arg.substring(5).trim())));
        } else if (arg.startsWith("recorded ")) {
            List<String> recorded = read(root.resolve(arg.substring(9).trim())).lines().collect(Collectors.toList());
            if (indexOfRun(strip(recorded), strip(b.lines())) < 0) {
                throw new AssertionError(b.where() + ": the block is not a run of consecutive lines of " + arg.substring(9)
                    + "\n" + diff(strip(b.lines()), strip(recorded)));
            }
        } else if (arg.startsWith("test ")) {
            String name = arg.substring(5).trim();
            String mdName = b.file().getFileName().toString();
            try (Stream<Path> s = Files.walk(root)) {
                List<Path> sources = s.filter(p -> p.getFileName().toString().equals(name + ".java"))
                    .filter(p -> p.toString().contains("src" + java.io.File.separator + "test")).collect(Collectors.toList());
                if (sources.isEmpty()) throw new AssertionError(b.where() + ": no test source " + name + ".java");
                for (Path p : sources) if (read(p).contains(mdName)) return;
                throw new AssertionError(b.where() + ": " + sources + " does not mention " + mdName);
            }
        } else {
            throw new AssertionError(b.where() + ": unknown transcript command '" + arg + "'; see docs/contributing.md");
        }
    }

    static List<String> runCli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        if (code != 0) {
            throw new AssertionError("chainrule-examples " + String.join(" ", args) + " exited with " + code + ":\n" + err);
        }
        return out.toString().lines().collect(Collectors.toList());
    }

    /** Runs Java snippets (imports, declarations, statements) in JShell and returns what they print. */
    static List<String> runJShell(String code) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream capture = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        PrintStream stdout = System.out;
        try (JShell js = newJShell(capture)) {
            System.setOut(capture);
            SourceCodeAnalysis sca = js.sourceCodeAnalysis();
            String remaining = code;
            while (!remaining.isBlank()) {
                SourceCodeAnalysis.CompletionInfo ci = sca.analyzeCompletion(remaining);
                if (!ci.completeness().isComplete()) throw new AssertionError("incomplete Java snippet: " + remaining);
                eval(js, ci.source());
                remaining = ci.remaining();
            }
        } finally {
            System.setOut(stdout);
        }
        return bytes.toString(StandardCharsets.UTF_8).lines().collect(Collectors.toList());
    }

    /**
     * Replays a jshell session: evaluates each {@code jshell> } line (the lines of a transcript other than
     * prompts are jshell's feedback) and returns the session as jshell prints it in its normal feedback
     * mode: the prompt lines, then {@code name ==> value} for every value a snippet declares (variables,
     * and the {@code $n} of a bare expression), nothing for imports and void calls.
     */
    static List<String> replayJShell(List<String> transcript) {
        List<String> session = new ArrayList<>();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream capture = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        PrintStream stdout = System.out;
        try (JShell js = newJShell(capture)) {
            System.setOut(capture);
            for (String line : transcript) {
                if (line.startsWith("$ ")) {
                    session.add(line);   // the command that started jshell, shown for the reader
                    continue;
                }
                if (!line.startsWith("jshell> ")) continue;
                session.add(line);
                bytes.reset();
                // As the jshell tool does: complete the line (a missing semicolon is added) and evaluate it.
                SourceCodeAnalysis.CompletionInfo ci = js.sourceCodeAnalysis().analyzeCompletion(line.substring("jshell> ".length()));
                if (!ci.completeness().isComplete() || !ci.remaining().isBlank()) {
                    throw new AssertionError("not one complete jshell snippet: " + line);
                }
                for (SnippetEvent e : eval(js, ci.source())) {
                    if (e.snippet() instanceof VarSnippet v && e.value() != null) {
                        session.addAll(bytes.toString(StandardCharsets.UTF_8).lines().collect(Collectors.toList()));
                        bytes.reset();
                        session.addAll((v.name() + " ==> " + e.value()).lines().collect(Collectors.toList()));
                    }
                }
                session.addAll(bytes.toString(StandardCharsets.UTF_8).lines().collect(Collectors.toList()));
            }
        } finally {
            System.setOut(stdout);
        }
        return session;
    }

    private static JShell newJShell(PrintStream out) {
        // "local": snippets run in this JVM, so they see the library classes on the test class path.
        // The jshell tool names the value of a bare expression after the snippet's id ($4 for the fourth
        // snippet); the API's default counts temporary variables only ($1), so name them as the tool does.
        JShell[] self = new JShell[1];
        JShell js = JShell.builder().executionEngine("local").out(out).err(out)
            .tempVariableNameGenerator(() -> "$" + (self[0].snippets().count() + 1))
            .build();
        self[0] = js;
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            if (!entry.isEmpty()) js.addToClasspath(entry);
        }
        return js;
    }

    private static List<SnippetEvent> eval(JShell js, String source) {
        List<SnippetEvent> events = js.eval(source);
        for (SnippetEvent e : events) {
            if (e.status() == Snippet.Status.REJECTED) {
                String why = js.diagnostics(e.snippet()).map(d -> d.getMessage(null)).collect(Collectors.joining("; "));
                throw new AssertionError("JShell rejected `" + source.strip() + "`: " + why);
            }
            if (e.exception() != null) {
                throw new AssertionError("`" + source.strip() + "` threw " + e.exception(), e.exception());
            }
        }
        return events;
    }

    /** Compiles one source file against the test class path and runs its main, returning what it prints. */
    static List<String> runSourceFile(Path source) throws Exception {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        Path classes = Files.createTempDirectory("transcript-classes");
        StringWriter diagnostics = new StringWriter();
        boolean ok = javac.getTask(diagnostics, null, null,
            List.of("-d", classes.toString(), "-classpath", System.getProperty("java.class.path"), "-proc:none"),
            null, javac.getStandardFileManager(null, null, StandardCharsets.UTF_8).getJavaFileObjects(source)).call();
        if (!ok) throw new AssertionError("javac " + source + ":\n" + diagnostics);
        String text = read(source);
        Matcher pkg = Pattern.compile("(?m)^package\\s+([\\w.]+)\\s*;").matcher(text);
        String name = source.getFileName().toString().replaceFirst("\\.java$", "");
        String className = pkg.find() ? pkg.group(1) + "." + name : name;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream stdout = System.out;
        try (URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()}, Transcripts.class.getClassLoader())) {
            Method main = loader.loadClass(className).getMethod("main", String[].class);
            System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
            main.invoke(null, (Object) new String[0]);
        } finally {
            System.setOut(stdout);
        }
        return bytes.toString(StandardCharsets.UTF_8).lines().collect(Collectors.toList());
    }

    static void compare(Block b, List<String> documented, List<String> actual) {
        List<String> d = strip(documented), a = strip(actual);
        if (!d.equals(a)) {
            throw new AssertionError(b.where() + " (" + b.argument() + "): the document differs from what the program prints "
                + "(- document, + program):\n" + diff(d, a));
        }
    }

    /** jshell separates some answers by an empty line and others not; a session transcript may do either. */
    static List<String> withoutBlankLines(List<String> lines) {
        return lines.stream().filter(l -> !l.isBlank()).collect(Collectors.toList());
    }

    /** Trailing white space off every line, trailing empty lines off the end. */
    static List<String> strip(List<String> lines) {
        List<String> out = new ArrayList<>();
        for (String l : lines) out.add(l.stripTrailing());
        while (!out.isEmpty() && out.get(out.size() - 1).isEmpty()) out.remove(out.size() - 1);
        return out;
    }

    /** A line diff (longest common subsequence): " " same, "-" only in {@code a}, "+" only in {@code b}. */
    static String diff(List<String> a, List<String> b) {
        int[][] lcs = new int[a.size() + 1][b.size() + 1];
        for (int i = a.size() - 1; i >= 0; i--) {
            for (int j = b.size() - 1; j >= 0; j--) {
                lcs[i][j] = a.get(i).equals(b.get(j)) ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
            }
        }
        StringBuilder sb = new StringBuilder();
        int i = 0, j = 0;
        while (i < a.size() || j < b.size()) {
            if (i < a.size() && j < b.size() && a.get(i).equals(b.get(j))) {
                sb.append("  ").append(a.get(i++)).append('\n');
                j++;
            } else if (i < a.size() && (j == b.size() || lcs[i + 1][j] >= lcs[i][j + 1])) {
                sb.append("- ").append(a.get(i++)).append('\n');
            } else {
                sb.append("+ ").append(b.get(j++)).append('\n');
            }
        }
        return sb.toString();
    }

    static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The index where {@code run} occurs as consecutive elements of {@code list}, or -1 (also for an empty run). */
    static int indexOfRun(List<String> list, List<String> run) {
        if (run.isEmpty()) return -1;
        for (int i = 0; i + run.size() <= list.size(); i++) {
            if (list.subList(i, i + run.size()).equals(run)) return i;
        }
        return -1;
    }
}

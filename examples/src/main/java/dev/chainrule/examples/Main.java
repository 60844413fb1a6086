package dev.chainrule.examples;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The command line over the examples:
 * {@code java -jar examples/target/chainrule-examples.jar <name> [--seed N] [--epochs N] [--out DIR]}.
 * Exit code 0 when the example ran and its claim held, 1 when it ran but the claim failed
 * (e.g. XOR below 100 %), 2 for a command-line error such as an unknown example name.
 */
@Command(name = "chainrule-examples",
    mixinStandardHelpOptions = true,
    version = Main.VERSION,
    description = "Runs one of Chainrule's example programs. Each makes its own data or reads a data set installed by a Debian package (nothing is downloaded), "
        + "trains with Chainrule, prints its results to stdout and logs progress to stderr.",
    synopsisSubcommandLabel = "<example>",
    subcommands = {
        XorExample.Cli.class,
        LogisticRegressionExample.Cli.class,
        LinearRegressionExample.Cli.class,
        NeuronExample.Cli.class,
        SpiralsExample.Cli.class,
        InitExample.Cli.class,
        MleExample.Cli.class,
        CharRnnExample.Cli.class,
        AttentionExample.Cli.class,
        FashionMnistExample.Cli.class,
    },
    footer = {"", "Run 'chainrule-examples <example> --help' for an example's options.",
        "Example: java -jar examples/target/chainrule-examples.jar xor --out plots"})
public final class Main implements Callable<Integer> {

    static {
        System.setProperty("java.awt.headless", "true");
    }

    /** What {@code --version} prints, for the CLI and every example. */
    public static final String VERSION = "Chainrule examples 0.1.0-SNAPSHOT";

    /** Exit code when an example ran but its claim (accuracy, agreement) did not hold. */
    public static final int CLAIM_FAILED = 1;

    @Spec
    CommandSpec spec;

    /** Without an example name: the usage, on stderr, as a usage error. */
    @Override
    public Integer call() {
        CommandLine cl = spec.commandLine();
        cl.getErr().println("Missing example name. Available examples: " + String.join(", ", cl.getSubcommands().keySet()));
        cl.usage(cl.getErr());
        return cl.getCommandSpec().exitCodeOnInvalidInput();
    }

    /** The configured command line (unknown example names get a clear message). */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        // Spark is provided (not in the shaded jar): the Spark example is there when Spark is on the class path.
        cl.addSubcommand(sparkAvailable() ? new SparkFashionMnistExample.Cli() : new SparkMissing());
        cl.setParameterExceptionHandler(Main::handleParameterException);
        return cl;
    }

    static boolean sparkAvailable() {
        try {
            Class.forName("org.apache.spark.SparkConf", false, Main.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /** Stands in for {@code spark-fashion-mnist} when Spark's jars are not on the class path. */
    @Command(name = "spark-fashion-mnist", description = "Fashion-MNIST MLP trained on Spark (needs Spark on the class path; see examples/README.md).")
    static final class SparkMissing implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @picocli.CommandLine.Unmatched
        List<String> ignored;

        @Override
        public Integer call() {
            spec.commandLine().getErr().println("spark-fashion-mnist needs Spark, which the examples jar does not contain (Spark is provided"
                + " by a cluster). Run it with Spark's jars from the local Maven repository:\n"
                + "  java @examples/target/spark-example.args dev.chainrule.examples.Main spark-fashion-mnist [options]\n"
                + "or on a cluster: spark-submit --class dev.chainrule.examples.Main examples/target/chainrule-examples.jar spark-fashion-mnist");
            return spec.exitCodeOnExecutionException();
        }
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    private static int handleParameterException(ParameterException ex, String[] args) {
        CommandLine cl = ex.getCommandLine();
        PrintWriter err = cl.getErr();
        boolean topLevel = cl.getParent() == null;
        if (topLevel && ex instanceof UnmatchedArgumentException u) {
            List<String> unmatched = u.getUnmatched();
            String first = unmatched.isEmpty() ? "" : unmatched.get(0);
            if (!first.startsWith("-")) {
                err.println("Unknown example '" + first + "'. Available examples: "
                    + String.join(", ", cl.getSubcommands().keySet()) + ".");
                err.println("Run with --help for usage.");
                err.flush();
                return cl.getCommandSpec().exitCodeOnInvalidInput();
            }
        }
        err.println(ex.getMessage());
        UnmatchedArgumentException.printSuggestions(ex, err);
        cl.usage(err);
        err.flush();
        return cl.getCommandSpec().exitCodeOnInvalidInput();
    }
}

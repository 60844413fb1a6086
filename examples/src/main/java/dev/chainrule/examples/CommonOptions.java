package dev.chainrule.examples;

import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** Options every example takes: the random seed and an optional directory for PNG plots. */
public final class CommonOptions {

    /** The seed used when {@code --seed} is not given; every example's claim holds for it. */
    public static final long DEFAULT_SEED = 42;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "42",
        description = "Seed of every random generator the example uses (data, initialization, shuffling). Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--out", paramLabel = "DIR",
        description = "Write PNG plots (loss curves; decision boundaries for 2-D problems) into DIR, creating it if needed.")
    Path out;

    public long seed() {
        return seed;
    }

    /** The plot directory, or null when no plots were asked for. */
    public Path out() {
        return out;
    }

    /**
     * Checks an {@code --epochs} value.
     *
     * @throws ParameterException (a usage error, exit code 2) if {@code epochs} is below 1
     */
    static int checkEpochs(CommandSpec spec, int epochs) {
        if (epochs < 1) {
            throw new ParameterException(spec.commandLine(), "--epochs must be at least 1, got " + epochs);
        }
        return epochs;
    }
}

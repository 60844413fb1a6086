package dev.chainrule.examples;

import dev.chainrule.autograd.DType;
import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** Options every example takes: the random seed, the dtype, and an optional directory for PNG plots. */
public final class CommonOptions {

    /** The seed used when {@code --seed} is not given; every example's claim holds for it. */
    public static final long DEFAULT_SEED = 42;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "42",
        description = "Seed of every random generator the example uses (data, initialization, shuffling). Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--dtype", paramLabel = "TYPE", defaultValue = "float64", converter = DTypeConverter.class,
        description = "Precision of the model and data: float32 (model.to(DType.FLOAT32), data converted) or float64. Default: ${DEFAULT-VALUE}.")
    DType dtype = DType.FLOAT64;

    @Option(names = "--out", paramLabel = "DIR",
        description = "Write PNG plots (loss curves; decision boundaries for 2-D problems) into DIR, creating it if needed.")
    Path out;

    public long seed() {
        return seed;
    }

    /** The dtype of the model and the data ({@code --dtype}). */
    public DType dtype() {
        return dtype;
    }

    /** Parses {@code float32} / {@code float64} (any case; {@code f32}, {@code f64} too). */
    static final class DTypeConverter implements picocli.CommandLine.ITypeConverter<DType> {
        @Override
        public DType convert(String value) {
            return switch (value.toLowerCase(java.util.Locale.ROOT)) {
                case "float32", "f32" -> DType.FLOAT32;
                case "float64", "f64" -> DType.FLOAT64;
                default -> throw new picocli.CommandLine.TypeConversionException("'" + value + "' is not a dtype; use float32 or float64");
            };
        }
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

package dev.chainrule.examples;

import dev.chainrule.autograd.Autograd;
import dev.chainrule.autograd.DType;
import dev.chainrule.autograd.Tensor;
import dev.chainrule.nn.Embedding;
import dev.chainrule.nn.Linear;
import dev.chainrule.nn.Module;
import dev.chainrule.nn.ModuleList;
import dev.chainrule.nn.MultiheadAttention;
import dev.chainrule.nn.ReLU;
import dev.chainrule.nn.Residual;
import dev.chainrule.nn.Sequential;
import dev.chainrule.optim.Adam;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * A small decoder-only transformer learns to reverse a string of digits. The input is
 * {@code d_1 … d_n | r_1 … r_{n−1}} and the model predicts each next token after the separator
 * {@code |} ({@code r = reversed(d)}), so a causal mask keeps every position from seeing what it has
 * to predict. Evaluation decodes greedily, one token at a time, on strings it never saw.
 *
 * <p>The network: token and position {@link Embedding}s, {@value #BLOCKS} pre-norm blocks
 * {@code x + Attention(LayerNorm(x))}, {@code x + MLP(LayerNorm(x))} (causal {@link MultiheadAttention}
 * with {@value #HEADS} heads, {@link Residual}, an MLP of width 4·d), a final LayerNorm and a linear
 * read-out; trained with Adam on fresh random strings each step. Claim: token accuracy ≥ 99 %.
 */
public final class AttentionExample {

    private AttentionExample() {}

    public static final int DEFAULT_STEPS = 200;
    public static final int DEFAULT_LENGTH = 8;
    public static final double CLAIM = 0.99;
    static final int DIGITS = 10;
    static final int SEP = 10;
    static final int VOCAB = 11;
    static final int D_MODEL = 64;
    static final int HEADS = 4;
    static final int BLOCKS = 2;
    static final int BATCH = 64;
    static final double LR = 2e-3;
    static final int EVAL_STRINGS = 1000;

    /** Layer normalization over the last dimension with learned scale and shift (PyTorch's nn.LayerNorm(d)). */
    static final class Norm extends Module {
        private final Tensor weight = registerParameter("weight", Tensor.ones(D_MODEL));
        private final Tensor bias = registerParameter("bias", Tensor.zeros(D_MODEL));

        @Override
        public Tensor forward(Tensor x) {
            Tensor centred = x.sub(x.mean(-1, true));
            Tensor var = centred.square().mean(-1, true);
            return centred.div(var.add(1e-5).sqrt()).mul(weight).add(bias);
        }
    }

    /** Token + position embeddings, pre-norm transformer blocks, a final norm and the read-out. */
    static final class Transformer extends Module {
        final Embedding tokens;
        final Embedding positions;
        final ModuleList blocks;
        final Norm norm;
        final Linear head;
        final int maxLen;

        Transformer(int maxLen, SplittableRandom rng) {
            this.maxLen = maxLen;
            tokens = registerModule("tokens", new Embedding(VOCAB, D_MODEL, rng.split()));
            positions = registerModule("positions", new Embedding(maxLen, D_MODEL, rng.split()));
            blocks = registerModule("blocks", new ModuleList());
            for (int i = 0; i < BLOCKS; i++) {
                blocks.add(new Sequential(
                    new Residual(new Sequential(new Norm(), MultiheadAttention.builder(D_MODEL, HEADS).causal(true).build(rng.split()))),
                    new Residual(new Sequential(new Norm(), new Linear(D_MODEL, 4 * D_MODEL, rng.split()), new ReLU(),
                        new Linear(4 * D_MODEL, D_MODEL, rng.split())))));
            }
            norm = registerModule("norm", new Norm());
            head = registerModule("head", new Linear(D_MODEL, VOCAB, rng.split()));
        }

        /** Logits {@code [B, L, VOCAB]} for token ids {@code [B, L]}. */
        @Override
        public Tensor forward(Tensor ids) {
            int len = ids.shape()[1];
            int[] at = new int[len];
            for (int i = 0; i < len; i++) at[i] = i;
            Tensor h = tokens.forward(ids).add(positions.forward(at));                     // [B, L, d]
            for (Module b : blocks) h = b.forward(h);
            return head.forward(norm.forward(h));
        }
    }

    /** A batch of the task: inputs {@code [B, 2n]} and the targets of positions n … 2n−1 (row-major {@code [B, n]}). */
    record Batch(Tensor inputs, int[] targets, int[][] digits) {}

    static Batch batch(int size, int n, SplittableRandom rng) {
        double[] x = new double[size * 2 * n];
        int[] y = new int[size * n];
        int[][] digits = new int[size][n];
        for (int b = 0; b < size; b++) {
            for (int i = 0; i < n; i++) digits[b][i] = rng.nextInt(DIGITS);
            for (int i = 0; i < n; i++) x[b * 2 * n + i] = digits[b][i];
            x[b * 2 * n + n] = SEP;
            for (int i = 0; i < n; i++) {
                int r = digits[b][n - 1 - i];
                y[b * n + i] = r;
                if (i < n - 1) x[b * 2 * n + n + 1 + i] = r;
            }
        }
        return new Batch(Tensor.of(x, size, 2 * n), y, digits);
    }

    /**
     * What a run measured.
     *
     * @param tokenAccuracy    fraction of output digits right when decoding greedily
     * @param sequenceAccuracy fraction of strings reversed without a single mistake
     * @param examples         a few decoded strings, "input -&gt; output" with a mark
     */
    public record Result(long seed, int length, int steps, double[] losses, double tokenAccuracy, double sequenceAccuracy,
                         List<String> examples, long parameters, double seconds) {
        public boolean claimHolds() {
            return tokenAccuracy >= CLAIM;
        }

        public void print(PrintWriter out) {
            for (String e : examples) out.println("  " + e);
            out.printf(Locale.ROOT, "token accuracy %.2f %% (claim: >= %.0f %%), whole strings %.2f %%, on %d new strings; %d steps in %.1f s%n",
                100 * tokenAccuracy, 100 * CLAIM, 100 * sequenceAccuracy, EVAL_STRINGS, steps, seconds);
            out.println(claimHolds()
                ? "Result: causal self-attention learned to look up the mirrored position."
                : "Result: the claim did NOT hold (train longer: --steps).");
        }
    }

    public static Result run(long seed, int n, int steps, PrintWriter out) {
        return run(seed, n, steps, out, DType.FLOAT64);
    }

    /** {@link #run(long, int, int, PrintWriter)} with the model in {@code dtype} (token ids are read as values in either). */
    public static Result run(long seed, int n, int steps, PrintWriter out, DType dtype) {
        SplittableRandom rng = new SplittableRandom(seed);
        Transformer model = new Transformer(2 * n, rng.split());
        model.to(dtype);
        Adam opt = Adam.builder(model).lr(LR).build();
        SplittableRandom data = rng.split();
        out.printf(Locale.ROOT, "Reverse %d digits: transformer with %d blocks (d=%d, %d heads, causal), %,d parameters; Adam lr %.0e, "
            + "batch %d, %d steps%n", n, BLOCKS, D_MODEL, HEADS, model.parameterCount(), LR, BATCH, steps);
        out.flush();
        double[] losses = new double[steps];
        long t0 = System.nanoTime();
        try (Progress progress = Progress.start("attention", steps)) {
            for (int step = 0; step < steps; step++) {
                Batch b = batch(BATCH, n, data);
                opt.zeroGrad();
                Tensor logits = model.forward(b.inputs()).slice(1, n, 2 * n).reshape(BATCH * n, VOCAB);
                Tensor loss = logits.crossEntropy(b.targets());
                loss.backward();
                opt.step();
                losses[step] = loss.item();
                progress.step();
                if ((step + 1) % Math.max(1, steps / 5) == 0) {
                    out.printf(Locale.ROOT, "step %5d  loss %.4f%n", step + 1, losses[step]);
                    out.flush();
                }
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        model.eval();
        Batch test = batch(EVAL_STRINGS, n, data);
        int[][] decoded = decode(model, test, n);
        int right = 0, whole = 0;
        List<String> examples = new ArrayList<>();
        for (int s = 0; s < EVAL_STRINGS; s++) {
            int ok = 0;
            for (int i = 0; i < n; i++) if (decoded[s][i] == test.targets()[s * n + i]) ok++;
            right += ok;
            if (ok == n) whole++;
            if (s < 5) {
                StringBuilder in = new StringBuilder(), o = new StringBuilder();
                for (int i = 0; i < n; i++) {
                    in.append(test.digits()[s][i]);
                    o.append(decoded[s][i]);
                }
                examples.add(in + " -> " + o + (ok == n ? "  ok" : "  (" + (n - ok) + " wrong)"));
            }
        }
        return new Result(seed, n, steps, losses, right / (double) (EVAL_STRINGS * n), whole / (double) EVAL_STRINGS, examples,
            model.parameterCount(), seconds);
    }

    /** Greedy decoding: after {@code d |}, append the most likely token n times, each step seeing only its own outputs. */
    static int[][] decode(Transformer model, Batch test, int n) {
        int count = test.digits().length;
        int[][] out = new int[count][n];
        double[] prefix = new double[count * (n + 1)];
        for (int s = 0; s < count; s++) {
            for (int i = 0; i < n; i++) prefix[s * (n + 1) + i] = test.digits()[s][i];
            prefix[s * (n + 1) + n] = SEP;
        }
        try (var g = Autograd.noGrad()) {
            for (int i = 0; i < n; i++) {
                int len = n + 1 + i;
                Tensor last = model.forward(Tensor.of(prefix, count, len)).select(1, len - 1);   // [count, VOCAB]
                double[] next = last.argMax(-1).toArray();
                double[] grown = new double[count * (len + 1)];
                for (int s = 0; s < count; s++) {
                    System.arraycopy(prefix, s * len, grown, s * (len + 1), len);
                    grown[s * (len + 1) + len] = next[s];
                    out[s][i] = (int) next[s];
                }
                prefix = grown;
            }
        }
        return out;
    }

    @Command(name = "attention", mixinStandardHelpOptions = true, version = Main.VERSION,
        description = {"A small causal transformer learns to reverse digit strings (token accuracy >= 99 %%).",
            "Token and position embeddings, " + BLOCKS + " pre-norm blocks of causal multi-head self-attention and an MLP with "
            + "residual connections learn to reverse strings of digits; greedy decoding on new strings reaches >= 99 %% token accuracy."})
    public static final class Cli implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        CommonOptions common;
        @Option(names = "--steps", paramLabel = "N", defaultValue = "" + DEFAULT_STEPS,
            description = "Training steps (batches of " + BATCH + " fresh strings). Default: ${DEFAULT-VALUE}.")
        int steps;
        @Option(names = "--length", paramLabel = "N", defaultValue = "" + DEFAULT_LENGTH,
            description = "Digits per string. Default: ${DEFAULT-VALUE}.")
        int length;

        @Override
        public Integer call() throws IOException {
            if (steps < 1) throw new ParameterException(spec.commandLine(), "--steps must be at least 1, got " + steps);
            if (length < 2 || length > 32) throw new ParameterException(spec.commandLine(), "--length must be in [2, 32], got " + length);
            PrintWriter out = spec.commandLine().getOut();
            if (common.dtype() != DType.FLOAT64) out.println("dtype: " + common.dtype());
            Result r = run(common.seed(), length, steps, out, common.dtype());
            r.print(out);
            if (common.out() != null) {
                Map<String, double[]> curves = new LinkedHashMap<>();
                curves.put("training loss", r.losses());
                out.println("Plot: " + Plots.lossCurves(common.out(), "attention-loss.png", "attention: cross-entropy per step",
                    "loss", curves, true));
            }
            out.flush();
            return r.claimHolds() ? 0 : Main.CLAIM_FAILED;
        }
    }
}

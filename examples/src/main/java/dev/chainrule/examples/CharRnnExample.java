package dev.chainrule.examples;

import dev.chainrule.autograd.Autograd;
import dev.chainrule.autograd.DType;
import dev.chainrule.autograd.Tensor;
import dev.chainrule.nn.Dropout;
import dev.chainrule.nn.Embedding;
import dev.chainrule.nn.LSTM;
import dev.chainrule.nn.Linear;
import dev.chainrule.nn.Sequential;
import dev.chainrule.optim.Adam;
import dev.chainrule.optim.GradientClipping;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * A character-level LSTM language model (Karpathy's char-rnn, small): {@code Embedding → LSTM →
 * Dropout → Linear} in a {@link Sequential}, trained with softmax cross-entropy to predict each next character
 * of a plain-text corpus, on random windows of the first 90 % of the text; the last 10 % is held out.
 *
 * <p>The default corpus is the GNU GPL version 3, {@value #DEFAULT_CORPUS}, which Debian's
 * {@code base-files} package (essential, so present on every Debian system) ships: 35 KB of English
 * prose with 76 distinct characters. Any UTF-8 text works ({@code --corpus FILE}).
 *
 * <p>The yardstick is the corpus' unigram entropy H₁ = −Σ_c p(c) ln p(c): the loss of the best model
 * that ignores context. The claim: the validation loss per character ends at most
 * {@value #CLAIM_RATIO} × H₁ (at the defaults, about 1.9 against 3.17 nats per character; a smoothed 4-gram model of
 * the same text gets 2.1). Samples are printed as it learns.
 */
public final class CharRnnExample {

    private CharRnnExample() {}

    /** Where Debian's base-files puts the GPL-3 text. */
    public static final String DEFAULT_CORPUS = "/usr/share/common-licenses/GPL-3";
    /** The package that ships it. */
    public static final String CORPUS_PACKAGE = "base-files";
    public static final int DEFAULT_STEPS = 600;
    /** Claim: final validation loss ≤ this fraction of the unigram entropy. */
    public static final double CLAIM_RATIO = 0.65;
    static final int EMBED = 32;
    static final int HIDDEN = 128;
    static final int SEQ_LEN = 64;
    static final int BATCH = 32;
    static final double LR = 3e-3;
    static final double CLIP = 5.0;
    static final double DROPOUT = 0.3;
    static final int SAMPLE_LEN = 160;
    static final String PROMPT = "The ";

    /** The corpus as token ids over its sorted distinct characters. */
    record Corpus(String text, char[] vocab, int[] ids) {
        static Corpus of(String text) {
            TreeSet<Character> set = new TreeSet<>();
            for (char c : text.toCharArray()) set.add(c);
            char[] vocab = new char[set.size()];
            int k = 0;
            for (char c : set) vocab[k++] = c;
            int[] ids = new int[text.length()];
            for (int i = 0; i < ids.length; i++) ids[i] = java.util.Arrays.binarySearch(vocab, text.charAt(i));
            return new Corpus(text, vocab, ids);
        }

        int id(char c) {
            int i = java.util.Arrays.binarySearch(vocab, c);
            return Math.max(i, 0);
        }

        /** H₁ = −Σ_c p(c) ln p(c) over the whole text, in nats. */
        double unigramEntropy() {
            double[] count = new double[vocab.length];
            for (int i : ids) count[i]++;
            double h = 0;
            for (double n : count) {
                if (n > 0) h -= n / ids.length * Math.log(n / ids.length);
            }
            return h;
        }
    }

    /**
     * What a run measured.
     *
     * @param steps          the training steps run
     * @param evalSteps      the steps at which the losses were measured
     * @param trainLoss      mean training loss since the previous evaluation (nats/char)
     * @param valLoss        validation loss at each evaluation (nats/char)
     * @param samples        a sample after each evaluation
     * @param stepsPerSecond training steps per second (forward, backward, clipping and update)
     */
    public record Result(String corpusName, int chars, int vocab, double unigramEntropy, int steps, int[] evalSteps,
                         double[] trainLoss, double[] valLoss, List<String> samples, double stepsPerSecond, double seconds) {
        public double finalValLoss() {
            return valLoss[valLoss.length - 1];
        }

        public double ratio() {
            return finalValLoss() / unigramEntropy;
        }

        public boolean claimHolds() {
            return ratio() <= CLAIM_RATIO;
        }

        public void print(PrintWriter out) {
            out.printf(Locale.ROOT, "unigram entropy of the corpus: %.3f nats/char (%.3f bits)%n", unigramEntropy, unigramEntropy / Math.log(2));
            out.printf(Locale.ROOT, "final validation loss:         %.3f nats/char (%.3f bits) = %.2f x unigram entropy (claim: <= %.2f)%n",
                finalValLoss(), finalValLoss() / Math.log(2), ratio(), CLAIM_RATIO);
            out.printf(Locale.ROOT, "%d steps in %.1f s: %.1f steps/s (batch %d x %d characters)%n", steps, seconds, stepsPerSecond, BATCH, SEQ_LEN);
            out.println(claimHolds()
                ? "Result: the LSTM predicts characters far better than their frequencies alone."
                : "Result: the claim did NOT hold (train longer: --steps).");
        }
    }

    /** The model: Embedding(V, 32) → LSTM(32, 128) → Dropout(0.3) → Linear(128, V); the dropout curbs overfitting of the 32 K characters. */
    static Sequential model(int vocab, SplittableRandom rng) {
        return new Sequential(new Embedding(vocab, EMBED, rng.split()), new LSTM(EMBED, HIDDEN, rng.split()),
            new Dropout(DROPOUT, rng.split()), new Linear(HIDDEN, vocab, rng.split()));
    }

    public static Result run(String corpusName, String text, long seed, int steps, int evalEvery, PrintWriter out) {
        return run(corpusName, text, seed, steps, evalEvery, out, DType.FLOAT64);
    }

    /** {@link #run(String, String, long, int, int, PrintWriter)} with the model in {@code dtype}. */
    public static Result run(String corpusName, String text, long seed, int steps, int evalEvery, PrintWriter out, DType dtype) {
        Corpus corpus = Corpus.of(text);
        int split = (int) (corpus.ids().length * 0.9);
        if (split < SEQ_LEN + 2 || corpus.ids().length - split < SEQ_LEN + 1) {
            throw new IllegalArgumentException("char-rnn: the corpus has " + corpus.ids().length + " characters; it needs at least "
                + 10 * (SEQ_LEN + 1) + " (10 % of them are held out for validation)");
        }
        SplittableRandom rng = new SplittableRandom(seed);
        Sequential lm = model(corpus.vocab().length, rng);
        lm.to(dtype);
        Adam opt = Adam.builder(lm).lr(LR).build();
        double h1 = corpus.unigramEntropy();
        out.printf(Locale.ROOT, "char-rnn on %s: %,d characters, %d distinct; %,d for training, %,d held out%n",
            corpusName, corpus.ids().length, corpus.vocab().length, split, corpus.ids().length - split);
        out.printf(Locale.ROOT, "model: Embedding(%d, %d) -> LSTM(%d, %d) -> Dropout(%.1f) -> Linear(%d, %d), %,d parameters; "
            + "Adam lr %.0e, gradient norm clipped at %.0f, batches of %d x %d characters%n", corpus.vocab().length, EMBED, EMBED, HIDDEN,
            DROPOUT, HIDDEN, corpus.vocab().length, lm.parameterCount(), LR, CLIP, BATCH, SEQ_LEN);
        out.printf(Locale.ROOT, "unigram entropy %.3f nats/char; an untrained model scores ln %d = %.3f%n", h1, corpus.vocab().length,
            Math.log(corpus.vocab().length));
        out.flush();

        List<Integer> at = new ArrayList<>();
        List<Double> train = new ArrayList<>(), val = new ArrayList<>();
        List<String> samples = new ArrayList<>();
        SplittableRandom data = rng.split(), sampling = rng.split();
        double sum = 0;
        int count = 0;
        long trainingNanos = 0;
        try (Progress progress = Progress.start("char-rnn", steps)) {
            for (int step = 1; step <= steps; step++) {
                long t0 = System.nanoTime();
                double[] x = new double[BATCH * SEQ_LEN];
                int[] y = new int[BATCH * SEQ_LEN];
                for (int b = 0; b < BATCH; b++) {
                    int start = data.nextInt(split - SEQ_LEN - 1);
                    for (int t = 0; t < SEQ_LEN; t++) {
                        x[b * SEQ_LEN + t] = corpus.ids()[start + t];
                        y[b * SEQ_LEN + t] = corpus.ids()[start + t + 1];
                    }
                }
                opt.zeroGrad();
                Tensor logits = lm.forward(Tensor.of(x, BATCH, SEQ_LEN));
                Tensor loss = logits.reshape(BATCH * SEQ_LEN, corpus.vocab().length).crossEntropy(y);
                loss.backward();
                GradientClipping.clipNorm(lm.parameters(), CLIP);
                opt.step();
                trainingNanos += System.nanoTime() - t0;
                sum += loss.item();
                count++;
                progress.step();
                if (step % evalEvery == 0 || step == steps) {
                    lm.eval();
                    double v = validationLoss(lm, corpus, split);
                    String sample = sample(lm, corpus, PROMPT, SAMPLE_LEN, 0.8, sampling);
                    lm.train();
                    at.add(step);
                    train.add(sum / count);
                    val.add(v);
                    samples.add(sample);
                    out.printf(Locale.ROOT, "step %5d  train %.3f  validation %.3f nats/char (%.2f x unigram)%n", step, sum / count, v, v / h1);
                    out.println("  sample: " + PROMPT + sample.replace("\n", "\n          "));
                    out.flush();
                    sum = 0;
                    count = 0;
                }
            }
        }
        double seconds = trainingNanos / 1e9;
        return new Result(corpusName, corpus.ids().length, corpus.vocab().length, h1, steps, at.stream().mapToInt(Integer::intValue).toArray(),
            train.stream().mapToDouble(Double::doubleValue).toArray(), val.stream().mapToDouble(Double::doubleValue).toArray(), samples,
            steps / seconds, seconds);
    }

    /** Mean cross-entropy over the held-out text, in windows of SEQ_LEN + 1 characters, each from a zero state. */
    static double validationLoss(Sequential lm, Corpus corpus, int split) {
        int[] ids = corpus.ids();
        int windows = (ids.length - split - 1) / SEQ_LEN;
        double[] x = new double[windows * SEQ_LEN];
        int[] y = new int[windows * SEQ_LEN];
        for (int w = 0; w < windows; w++) {
            for (int t = 0; t < SEQ_LEN; t++) {
                x[w * SEQ_LEN + t] = ids[split + w * SEQ_LEN + t];
                y[w * SEQ_LEN + t] = ids[split + w * SEQ_LEN + t + 1];
            }
        }
        try (var s = Autograd.noGrad()) {
            return lm.forward(Tensor.of(x, windows, SEQ_LEN)).reshape(windows * SEQ_LEN, corpus.vocab().length).crossEntropy(y).item();
        }
    }

    /**
     * {@code length} characters after {@code prompt}, drawn one at a time from softmax(logits / temperature),
     * carrying the LSTM state from step to step ({@link LSTM#forward(Tensor, LSTM.State)}).
     */
    static String sample(Sequential lm, Corpus corpus, String prompt, int length, double temperature, SplittableRandom rng) {
        Embedding emb = (Embedding) lm.get(0);
        LSTM lstm = (LSTM) lm.get(1);
        Linear head = (Linear) lm.get(3);
        StringBuilder sb = new StringBuilder();
        try (var s = Autograd.noGrad()) {
            LSTM.State state = null;
            int[] ids = new int[prompt.length()];
            for (int i = 0; i < ids.length; i++) ids[i] = corpus.id(prompt.charAt(i));
            LSTM.Output o = lstm.forward(emb.forward(ids).unsqueeze(0), state);     // the prompt in one pass: [1, P, H]
            state = o.state();
            Tensor last = o.output().select(1, ids.length - 1);                        // [1, H]
            for (int i = 0; i < length; i++) {
                double[] p = head.forward(last).div(temperature).softmax(-1).toArray();
                double u = rng.nextDouble(), acc = 0;
                int next = p.length - 1;
                for (int c = 0; c < p.length; c++) {
                    acc += p[c];
                    if (u < acc) {
                        next = c;
                        break;
                    }
                }
                sb.append(corpus.vocab()[next]);
                o = lstm.forward(emb.forward(next).unsqueeze(0), state);
                state = o.state();
                last = o.output().select(1, 0);
            }
        }
        return sb.toString();
    }

    @Command(name = "char-rnn", mixinStandardHelpOptions = true, version = Main.VERSION,
        description = {"An LSTM character language model on a Debian-shipped text (validation loss <= " + CLAIM_RATIO
            + " x unigram entropy).",
            "Trains Embedding -> LSTM(" + HIDDEN + ") -> Linear to predict the next character of a plain-text corpus, "
            + "printing samples as it learns. Default corpus: " + DEFAULT_CORPUS + " (the GNU GPL v3, from the Debian package "
            + CORPUS_PACKAGE + ", present on every Debian system). Claim: the final loss on the held-out 10 %% is at most "
            + CLAIM_RATIO + " x the corpus' unigram entropy."})
    public static final class Cli implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        CommonOptions common;
        @Option(names = "--corpus", paramLabel = "FILE", defaultValue = DEFAULT_CORPUS,
            description = "A UTF-8 plain-text file. Default: ${DEFAULT-VALUE} (Debian package " + CORPUS_PACKAGE + ").")
        Path corpus;
        @Option(names = "--steps", paramLabel = "N", defaultValue = "" + DEFAULT_STEPS,
            description = "Training steps (mini-batches of " + BATCH + " windows of " + SEQ_LEN + " characters). Default: ${DEFAULT-VALUE}.")
        int steps;
        @Option(names = "--sample-every", paramLabel = "N", defaultValue = "100",
            description = "Measure the validation loss and print a sample every N steps. Default: ${DEFAULT-VALUE}.")
        int every;

        @Override
        public Integer call() throws IOException {
            if (steps < 1) throw new ParameterException(spec.commandLine(), "--steps must be at least 1, got " + steps);
            if (every < 1) throw new ParameterException(spec.commandLine(), "--sample-every must be at least 1, got " + every);
            String text;
            try {
                text = Files.readString(corpus, StandardCharsets.UTF_8);
            } catch (NoSuchFileException e) {
                throw new ParameterException(spec.commandLine(), "--corpus " + corpus + " does not exist"
                    + (corpus.toString().equals(DEFAULT_CORPUS) ? " (Debian's " + CORPUS_PACKAGE + " package ships it; pass another text with --corpus FILE)" : ""));
            }
            PrintWriter out = spec.commandLine().getOut();
            Result r;
            try {
                if (common.dtype() != DType.FLOAT64) out.println("dtype: " + common.dtype());
                r = run(corpus.toString(), text, common.seed(), steps, every, out, common.dtype());
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage());
            }
            r.print(out);
            if (common.out() != null) {
                double[] x = java.util.Arrays.stream(r.evalSteps()).asDoubleStream().toArray();
                Map<String, double[]> curves = new LinkedHashMap<>();
                curves.put("training (mean since last point)", r.trainLoss());
                curves.put("validation", r.valLoss());
                double[] unigram = new double[x.length];
                java.util.Arrays.fill(unigram, r.unigramEntropy());
                curves.put("unigram entropy", unigram);
                out.println("Plot: " + Plots.lines(common.out(), "char-rnn-loss.png", "char-rnn: cross-entropy per character",
                    "step", "nats/char", x, curves));
            }
            out.flush();
            return r.claimHolds() ? 0 : Main.CLAIM_FAILED;
        }
    }
}

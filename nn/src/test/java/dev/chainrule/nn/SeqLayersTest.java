package dev.chainrule.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chainrule.autograd.Autograd;
import dev.chainrule.autograd.GradCheck;
import dev.chainrule.autograd.Tensor;
import dev.chainrule.nn.io.Checkpoint;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedding, recurrent, residual and attention layers: gradients with respect to inputs, states
 * and every parameter against central differences on small shapes, second derivatives, PyTorch's
 * initialization ranges and parameter names, the API for several tensors (states, masks, weights),
 * containers, checkpoints, and errors that name the layer and the shapes.
 */
@SuppressWarnings("try") // no-grad and anomaly scopes used for their effect only
class SeqLayersTest {

    private static final SplittableRandom RNG = new SplittableRandom(21);

    static Tensor randn(int... shape) {
        return Tensor.randn(RNG, shape);
    }

    /**
     * d/dθ of {@code loss(m)} for every parameter θ of {@code m}: backward against central
     * differences, each parameter element perturbed in place under no-grad.
     */
    static void checkParameters(Module m, Function<Module, Tensor> loss) {
        checkParameters(m, loss, (name, i) -> false);
    }

    /** The same, skipping the parameter elements for which {@code skip} holds. */
    static void checkParameters(Module m, Function<Module, Tensor> loss, java.util.function.BiPredicate<String, Integer> skip) {
        m.zeroGrad();
        loss.apply(m).backward();
        double eps = 1e-6;
        for (Map.Entry<String, Tensor> e : m.namedParameters().entrySet()) {
            Tensor p = e.getValue();
            double[] analytic = p.grad() == null ? new double[p.size()] : p.grad().toArray(), v = p.toArray();
            for (int i = 0; i < v.length; i++) {
                if (skip.test(e.getKey(), i)) continue;
                double lp = perturbed(m, p, v, i, eps, loss), lm = perturbed(m, p, v, i, -eps, loss);
                double numeric = (lp - lm) / (2 * eps);
                int at = i;
                assertTrue(Math.abs(numeric - analytic[i]) <= 1e-5 + 1e-3 * Math.abs(numeric),
                    () -> m.getClass().getSimpleName() + ": d/d" + e.getKey() + "[" + at + "] analytic " + analytic[at] + " vs numeric " + numeric);
            }
        }
    }

    private static double perturbed(Module m, Tensor p, double[] v, int i, double delta, Function<Module, Tensor> loss) {
        double[] w = v.clone();
        w[i] += delta;
        try (var s = Autograd.noGrad()) {
            p.copyFrom(w);
            double l = loss.apply(m).item();
            p.copyFrom(v);
            return l;
        }
    }

    /** A fixed random linear functional of a tensor, so every output element matters. */
    static Tensor project(Tensor t, long seed) {
        return t.mul(Tensor.rand(new SplittableRandom(seed), t.shape()).sub(0.5)).sum();
    }

    // ================================================================ Embedding

    @Test
    void embeddingLooksUpRowsOfAnyIndexShape() {
        Embedding emb = new Embedding(5, 3, RNG);
        double[] w = emb.weight().toArray();
        Tensor y = emb.forward(Tensor.of(new double[] {4, 0, 4, 2, 1, 3}, 2, 1, 3));
        assertArrayEquals(new int[] {2, 1, 3, 3}, y.shape());
        assertArrayEquals(java.util.Arrays.copyOfRange(w, 12, 15), y.select(0, 0).select(0, 0).select(0, 0).toArray(), 0.0);
        assertArrayEquals(new int[] {3}, emb.forward(Tensor.scalar(2)).shape());
        assertArrayEquals(emb.forward(Tensor.of(1, 2)).toArray(), emb.forward(1, 2).toArray(), 0.0);
        assertEquals(List.of("weight"), List.copyOf(emb.namedParameters().keySet()));
        assertTrue(emb.paddingIdx().isEmpty());
    }

    @Test
    void embeddingGradientSumsOverRepeatedIndices() {
        Embedding emb = new Embedding(4, 2, RNG);
        Tensor idx = Tensor.of(new double[] {1, 3, 1, 1}, 2, 2);
        checkParameters(emb, m -> project(m.forward(idx), 1));
        emb.zeroGrad();
        emb.forward(idx).sum().backward();
        assertArrayEquals(new double[] {0, 0, 3, 3, 0, 0, 1, 1}, emb.weight().grad().toArray(), 0.0);
    }

    @Test
    void paddingRowStartsAtZeroAndGetsNoGradient() {
        Embedding emb = new Embedding(5, 3, -2, RNG);            // −2 is row 3, as PyTorch
        assertEquals(3, emb.paddingIdx().getAsInt());
        assertArrayEquals(new double[3], emb.weight().select(0, 3).toArray(), 0.0);
        Tensor idx = Tensor.of(new double[] {3, 1, 3, 0, 4, 3}, 3, 2);
        emb.forward(idx).square().sum().add(emb.forward(3, 3).sum()).backward();
        assertArrayEquals(new double[3], emb.weight().grad().select(0, 3).toArray(), 0.0);
        // every other row's gradient is the true derivative (row 3's is zero by design, not by calculus)
        checkParameters(emb, m -> project(m.forward(idx), 2).add(project(m.forward(idx).square(), 3)), (n, i) -> i / 3 == 3);
        // a padding row set to other values is returned as it is, still without gradient
        try (var s = Autograd.noGrad()) {
            double[] w = emb.weight().toArray();
            w[9] = 7;
            emb.weight().copyFrom(w);
        }
        assertEquals(7, emb.forward(3).get(0, 0), 0.0);
        emb.zeroGrad();
        emb.forward(3, 1).sum().backward();
        assertArrayEquals(new double[] {0, 0, 0}, emb.weight().grad().select(0, 3).toArray(), 0.0);
        assertArrayEquals(new double[] {1, 1, 1}, emb.weight().grad().select(0, 1).toArray(), 0.0);
    }

    @Test
    void embeddingInitializationIsStandardNormal() {
        Embedding emb = new Embedding(400, 50, new SplittableRandom(5));
        double[] w = emb.weight().toArray();
        double mean = 0, sq = 0;
        for (double v : w) {
            mean += v;
            sq += v * v;
        }
        mean /= w.length;
        double sd = Math.sqrt(sq / w.length - mean * mean);
        assertEquals(0, mean, 0.02);
        assertEquals(1, sd, 0.02);
    }

    @Test
    void embeddingErrorsNameTheLayerAndTheIndex() {
        Embedding emb = new Embedding(4, 2, RNG);
        assertMessage(IllegalArgumentException.class, () -> emb.forward(Tensor.of(new double[] {0, 1, 2, 4}, 2, 2)),
            "Embedding(num=4, dim=2): index 4.0 at position [1, 1] of indices [2, 2] is out of range [0, 4)");
        assertMessage(IllegalArgumentException.class, () -> emb.forward(Tensor.of(0.5)), "index 0.5 at position [0]", "is not an integer");
        assertMessage(IllegalArgumentException.class, () -> emb.forward(Tensor.of(-1)), "is out of range [0, 4)");
        assertMessage(IllegalArgumentException.class, () -> emb.forward(2, 9), "index 9 at position 1 is out of range [0, 4)");
        assertMessage(IllegalArgumentException.class, () -> emb.forward(new int[0]), "no indices given");
        assertMessage(IllegalArgumentException.class, () -> new Embedding(0, 2, RNG), "Embedding: num=0 and dim=2 must both be at least 1");
        assertMessage(IllegalArgumentException.class, () -> new Embedding(4, 2, 4, RNG), "paddingIdx 4 must be in [-4, 4)");
        assertMessage(NullPointerException.class, () -> new Embedding(4, 2, null), "Embedding: random generator is null");
    }

    // ================================================================ containers and Residual

    @Test
    void moduleListRegistersChildrenByPosition() {
        ModuleList list = new ModuleList(new Linear(2, 3, RNG));
        list.add(new Tanh()).add(new Linear(3, 1, false, RNG));
        assertEquals(3, list.size());
        assertEquals(List.of("0.weight", "0.bias", "2.weight"), List.copyOf(list.namedParameters().keySet()));
        assertSame(list.get(2), list.get(-1));
        List<Module> seen = new ArrayList<>();
        for (Module m : list) seen.add(m);
        assertEquals(list.modules(), seen);
        list.eval();
        assertFalse(list.get(0).isTraining());

        // inside a model, the list's name prefixes its children's
        class Net extends Module {
            final ModuleList blocks = registerModule("blocks", new ModuleList());

            @Override
            public Tensor forward(Tensor x) {
                Tensor h = x;
                for (Module b : blocks) h = b.forward(h);
                return h;
            }
        }
        Net net = new Net();
        net.blocks.add(new Residual(new Linear(2, 2, RNG))).add(new Residual(new Linear(2, 4, RNG), new Linear(2, 4, false, RNG)));
        assertEquals(List.of("blocks.0.body.weight", "blocks.0.body.bias", "blocks.1.body.weight", "blocks.1.body.bias",
            "blocks.1.projection.weight"), List.copyOf(net.namedParameters().keySet()));
        assertArrayEquals(new int[] {3, 4}, net.forward(randn(3, 2)).shape());

        assertMessage(UnsupportedOperationException.class, () -> list.forward(randn(1, 2)), "ModuleList has no forward");
        assertMessage(IndexOutOfBoundsException.class, () -> list.get(3), "index 3 is out of range for 3 modules");
        assertMessage(NullPointerException.class, () -> list.add(null), "ModuleList: module 3 is null");
        assertThrows(UnsupportedOperationException.class, () -> list.modules().add(new Tanh()));
    }

    @Test
    void residualAddsTheShortcutAndItsGradient() {
        Linear f = new Linear(3, 3, RNG);
        Residual r = new Residual(f);
        Tensor x = randn(4, 3);
        assertArrayEquals(x.add(f.forward(x)).toArray(), r.forward(x).toArray(), 0.0);
        GradCheck.check(t -> r.forward(t[0]).tanh(), x).assertPassed();
        checkParameters(r, m -> project(m.forward(x).tanh(), 4));

        Residual p = new Residual(new Sequential(new Linear(3, 5, RNG), new Tanh()), new Linear(3, 5, false, RNG));
        assertArrayEquals(new int[] {4, 5}, p.forward(x).shape());
        GradCheck.check(t -> p.forward(t[0]).square(), x).assertPassed();
        checkParameters(p, m -> project(m.forward(x).square(), 5));
        assertNull(r.projection());

        assertMessage(IllegalArgumentException.class, () -> new Residual(new Linear(3, 5, RNG)).forward(x),
            "Residual: body output [4, 5] and shortcut [4, 3] (the input) for input [4, 3] differ; pass a projection");
        assertMessage(IllegalArgumentException.class, () -> new Residual(new Linear(3, 5, RNG), new Linear(3, 4, RNG)).forward(x),
            "make the projection produce the body's output shape");
        assertMessage(NullPointerException.class, () -> new Residual(null), "Residual: body is null");
    }

    // ================================================================ cells

    @Test
    void cellGradientsForInputsStatesAndParameters() {
        Tensor x = randn(2, 3), h = randn(2, 4), c = randn(2, 4);
        RNNCell rnn = new RNNCell(3, 4, RNG);
        GRUCell gru = new GRUCell(3, 4, RNG);
        LSTMCell lstm = new LSTMCell(3, 4, RNG);
        RNNCell relu = new RNNCell(3, 4, false, RNN.Nonlinearity.RELU, RNG);
        GradCheck.check(t -> rnn.forward(t[0], t[1]), x, h).assertPassed();
        GradCheck.check(t -> gru.forward(t[0], t[1]), x, h).assertPassed();
        GradCheck.check(t -> lstm.forward(t[0], new LSTM.State(t[1], t[2])).h().add(lstm.forward(t[0], new LSTM.State(t[1], t[2])).c().mul(0.5)),
            x, h, c).assertPassed();
        GradCheck.check(t -> relu.forward(t[0], t[1]), x, h).assertPassed();
        checkParameters(rnn, m -> project(rnn.forward(x, h), 1));
        checkParameters(gru, m -> project(gru.forward(x, h), 2));
        checkParameters(lstm, m -> project(lstm.forward(x, new LSTM.State(h, c)).c(), 3).add(project(lstm.forward(x), 4)));
        checkParameters(relu, m -> project(relu.forward(x, h), 5));
        assertEquals(List.of("weight_ih", "weight_hh"), List.copyOf(relu.namedParameters().keySet()));
        assertEquals(RNN.Nonlinearity.RELU, relu.nonlinearity());
    }

    @Test
    void cellsTakeUnbatchedInputsAndStartFromZeros() {
        LSTMCell cell = new LSTMCell(3, 2, RNG);
        Tensor x = randn(3);
        LSTM.State s = cell.forward(x, null);
        assertArrayEquals(new int[] {2}, s.h().shape());
        LSTM.State b = cell.forward(x.unsqueeze(0), new LSTM.State(Tensor.zeros(1, 2), Tensor.zeros(1, 2)));
        assertArrayEquals(b.h().toArray(), s.h().toArray(), 0.0);
        assertArrayEquals(b.c().toArray(), cell.forward(x, s).c().sub(cell.forward(x, s).c()).add(s.c()).toArray(), 0.0);
        assertArrayEquals(b.h().squeeze(0).toArray(), cell.forward(x).toArray(), 0.0);
        GRUCell g = new GRUCell(3, 2, RNG);
        assertArrayEquals(g.forward(x.unsqueeze(0)).squeeze(0).toArray(), g.forward(x, Tensor.zeros(2)).toArray(), 0.0);
    }

    @Test
    void cellInitializationIsUniformOverOneOverSqrtHidden() {
        LSTMCell cell = new LSTMCell(30, 25, new SplittableRandom(3));
        for (Tensor p : cell.parameters()) {
            double max = 0;
            for (double v : p.toArray()) max = Math.max(max, Math.abs(v));
            assertTrue(max <= 0.2 && max > 0.19, "max |w| " + max + " should approach 1/sqrt(25) = 0.2");
        }
        assertArrayEquals(new int[] {100, 30}, cell.namedParameters().get("weight_ih").shape());
        assertArrayEquals(new int[] {75, 25}, new GRUCell(30, 25, RNG).namedParameters().get("weight_hh").shape());
    }

    // ================================================================ multi-step layers

    @Test
    void layerGradientsForInputsAndInitialStates() {
        Tensor x = randn(2, 3, 2);
        LSTM lstm = LSTM.builder(2, 3).numLayers(2).build(RNG);
        Tensor h0 = randn(2, 2, 3), c0 = randn(2, 2, 3);
        GradCheck.check(t -> {
            LSTM.Output o = lstm.forward(t[0], new LSTM.State(t[1], t[2]));
            return Tensor.cat(1, o.output().reshape(2, 9), o.state().h().reshape(2, 6), o.state().c().reshape(2, 6));
        }, x, h0, c0).assertPassed();
        GRU gru = GRU.builder(2, 3).bidirectional(true).build(RNG);
        GradCheck.check(t -> {
            GRU.Output o = gru.forward(t[0], t[1]);
            return o.output().sum(1, false).add(o.hidden().sum(0, false).repeat(1, 2));
        }, x, randn(2, 2, 3)).assertPassed();
        RNN rnn = RNN.builder(2, 3).numLayers(2).bidirectional(true).nonlinearity(RNN.Nonlinearity.TANH).build(RNG);
        GradCheck.check(t -> rnn.forward(t[0]), x).assertPassed();
    }

    @Test
    void layerGradientsForEveryParameter() {
        Tensor x = randn(2, 3, 2);
        LSTM lstm = LSTM.builder(2, 2).numLayers(2).bidirectional(true).build(RNG);
        checkParameters(lstm, m -> {
            LSTM.Output o = lstm.forward(x, null);
            return project(o.output(), 1).add(project(o.state().c(), 2));
        });
        GRU gru = GRU.builder(2, 2).numLayers(2).build(RNG);
        checkParameters(gru, m -> project(gru.forward(x), 3));
        RNN rnn = RNN.builder(2, 3).nonlinearity(RNN.Nonlinearity.RELU).bias(false).build(RNG);
        checkParameters(rnn, m -> project(rnn.forward(x.mul(0.5), null).hidden(), 4).add(project(rnn.forward(x), 5)));
    }

    @Test
    void secondDerivativesThroughAnLstmAndAttention() {
        LSTM lstm = new LSTM(2, 2, RNG);
        GradCheck.checkSecondOrder(t -> lstm.forward(t[0]), randn(1, 3, 2)).assertPassed();
        MultiheadAttention mha = MultiheadAttention.builder(4, 2).causal(true).build(RNG);
        GradCheck.checkSecondOrder(t -> mha.forward(t[0]), randn(1, 3, 4)).assertPassed();
    }

    @Test
    void aLayerIsItsCellRunAlongTheSequence() {
        LSTM lstm = new LSTM(3, 4, RNG);
        LSTMCell cell = new LSTMCell(3, 4, RNG);
        try (var s = Autograd.noGrad()) {
            for (String n : List.of("weight_ih", "weight_hh", "bias_ih", "bias_hh")) {
                cell.namedParameters().get(n).copyFrom(lstm.namedParameters().get(n + "_l0"));
            }
        }
        Tensor x = randn(2, 5, 3);
        LSTM.State st = new LSTM.State(randn(2, 4), randn(2, 4));
        LSTM.Output o = lstm.forward(x, new LSTM.State(st.h().unsqueeze(0), st.c().unsqueeze(0)));
        for (int t = 0; t < 5; t++) {
            st = cell.forward(x.select(1, t), st);
            assertArrayEquals(st.h().toArray(), o.output().select(1, t).toArray(), 1e-15);
        }
        assertArrayEquals(st.c().toArray(), o.state().c().squeeze(0).toArray(), 1e-15);

        // the backward direction of a bidirectional layer reads the sequence reversed
        GRU bi = GRU.builder(3, 2).bidirectional(true).build(RNG);
        GRU fwd = new GRU(3, 2, RNG);
        try (var s = Autograd.noGrad()) {
            for (String n : List.of("weight_ih", "weight_hh", "bias_ih", "bias_hh")) {
                fwd.namedParameters().get(n + "_l0").copyFrom(bi.namedParameters().get(n + "_l0_reverse"));
            }
        }
        Tensor back = bi.forward(x).slice(2, 2, 4);
        assertArrayEquals(fwd.forward(x.flip(1)).flip(1).toArray(), back.toArray(), 1e-15);
    }

    @Test
    void unbatchedSequencesAndZeroStates() {
        GRU gru = GRU.builder(3, 2).numLayers(2).build(RNG);
        Tensor x = randn(4, 3);
        GRU.Output o = gru.forward(x, null);
        assertArrayEquals(new int[] {4, 2}, o.output().shape());
        assertArrayEquals(new int[] {2, 2}, o.hidden().shape());
        GRU.Output b = gru.forward(x.unsqueeze(0), Tensor.zeros(2, 1, 2));
        assertArrayEquals(b.output().squeeze(0).toArray(), o.output().toArray(), 0.0);
        assertArrayEquals(b.hidden().squeeze(1).toArray(), gru.forward(x, Tensor.zeros(2, 2)).hidden().toArray(), 0.0);
        LSTM lstm = new LSTM(3, 2, RNG);
        assertArrayEquals(new int[] {1, 2}, lstm.forward(x, null).state().c().shape());
    }

    @Test
    void parameterNamesAreTorchs() {
        assertEquals(List.of("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0", "weight_ih_l0_reverse", "weight_hh_l0_reverse",
                "bias_ih_l0_reverse", "bias_hh_l0_reverse", "weight_ih_l1", "weight_hh_l1", "bias_ih_l1", "bias_hh_l1",
                "weight_ih_l1_reverse", "weight_hh_l1_reverse", "bias_ih_l1_reverse", "bias_hh_l1_reverse"),
            List.copyOf(LSTM.builder(3, 4).numLayers(2).bidirectional(true).build(RNG).namedParameters().keySet()));
        LSTM l = LSTM.builder(3, 4).numLayers(2).bidirectional(true).build(RNG);
        assertArrayEquals(new int[] {16, 8}, l.namedParameters().get("weight_ih_l1").shape());
        assertArrayEquals(new int[] {12, 3}, new GRU(3, 4, RNG).namedParameters().get("weight_ih_l0").shape());
        assertEquals(List.of("weight_ih_l0", "weight_hh_l0"), List.copyOf(RNN.builder(3, 4).bias(false).build(RNG).namedParameters().keySet()));
        assertEquals(List.of("in_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias"),
            List.copyOf(new MultiheadAttention(4, 2, RNG).namedParameters().keySet()));
        assertEquals(List.of("in_proj_weight", "out_proj.weight"),
            List.copyOf(MultiheadAttention.builder(4, 2).bias(false).build(RNG).namedParameters().keySet()));
    }

    @Test
    void dropoutBetweenLayersOnlyInTraining() {
        LSTM lstm = LSTM.builder(3, 8).numLayers(2).dropout(0.5).build(RNG);
        Tensor x = randn(4, 3, 3);
        Tensor a = lstm.forward(x), b = lstm.forward(x);
        assertNotEquals(a.get(0, 0, 0), b.get(0, 0, 0), "fresh masks per call in training");
        lstm.eval();
        assertArrayEquals(lstm.forward(x).toArray(), lstm.forward(x).toArray(), 0.0);
        LSTM plain = LSTM.builder(3, 8).numLayers(2).build(RNG);
        try (var s = Autograd.noGrad()) {
            lstm.namedParameters().forEach((n, p) -> plain.namedParameters().get(n).copyFrom(p));
        }
        assertArrayEquals(plain.forward(x).toArray(), lstm.forward(x).toArray(), 0.0);
        assertEquals(0.5, lstm.dropout());
        assertTrue(lstm.toString().contains("LSTM(input=3, hidden=8, layers=2, dropout=0.5"), lstm.toString());
    }

    @Test
    void sequentialCharacterModelAndStatefulSampling() {
        // Embedding -> LSTM -> Linear in a Sequential: the single-tensor forwards compose
        Sequential lm = new Sequential(new Embedding(6, 4, RNG), LSTM.builder(4, 5).numLayers(2).build(RNG), new Linear(5, 6, RNG));
        assertEquals("1.weight_ih_l0", List.copyOf(lm.namedParameters().keySet()).get(1));
        Tensor tokens = Tensor.of(new double[] {0, 1, 2, 3, 4, 5, 0, 1}, 2, 4);
        Tensor logits = lm.forward(tokens);
        assertArrayEquals(new int[] {2, 4, 6}, logits.shape());
        // running the LSTM step by step with its state gives the same outputs as the whole sequence
        LSTM lstm = (LSTM) lm.get(1);
        Tensor emb = lm.get(0).forward(tokens);
        LSTM.State s = null;
        for (int t = 0; t < 4; t++) {
            LSTM.Output o = lstm.forward(emb.slice(1, t, t + 1), s);
            s = o.state();
            assertArrayEquals(lstm.forward(emb).select(1, t).toArray(), o.output().select(1, 0).toArray(), 1e-14);
        }
        assertFalse(s.detach().h().isGradRequired());
    }

    @Test
    void lstmModelCheckpointRoundTrip(@TempDir Path dir) throws IOException {
        Sequential a = new Sequential(new Embedding(5, 3, 0, new SplittableRandom(1)),
            LSTM.builder(3, 4).numLayers(2).bidirectional(true).build(new SplittableRandom(2)), new Linear(8, 5, new SplittableRandom(3)));
        Sequential b = new Sequential(new Embedding(5, 3, 0, new SplittableRandom(4)),
            LSTM.builder(3, 4).numLayers(2).bidirectional(true).build(new SplittableRandom(5)), new Linear(8, 5, new SplittableRandom(6)));
        Tensor tokens = Tensor.of(new double[] {1, 2, 0, 4, 3, 3}, 2, 3);
        assertFalse(java.util.Arrays.equals(a.forward(tokens).toArray(), b.forward(tokens).toArray()));
        Path f = dir.resolve("lm.safetensors");
        Checkpoint.save(a, f);
        Checkpoint.load(b, f);
        assertArrayEquals(a.forward(tokens).toArray(), b.forward(tokens).toArray(), 0.0);
        assertTrue(b.namedParameters().containsKey("1.weight_hh_l1_reverse"));
        // a model of another shape is refused
        Sequential c = new Sequential(new Embedding(5, 3, new SplittableRandom(7)), new LSTM(3, 4, new SplittableRandom(8)),
            new Linear(4, 5, new SplittableRandom(9)));
        assertThrows(IOException.class, () -> Checkpoint.load(c, f));
    }

    @Test
    void recurrentErrorsNameTheLayerAndShapes() {
        LSTM lstm = LSTM.builder(3, 4).numLayers(2).build(RNG);
        assertMessage(IllegalArgumentException.class, () -> lstm.forward(randn(2, 5, 2)),
            "LSTM(input=3, hidden=4, layers=2): input shape [2, 5, 2] is not [batch, time, 3] (or unbatched [time, 3])");
        assertMessage(IllegalArgumentException.class, () -> lstm.forward(randn(2, 5, 3), new LSTM.State(randn(1, 2, 4), randn(2, 2, 4))),
            "LSTM(input=3, hidden=4, layers=2): initial state h has shape [1, 2, 4] but the input needs [2, 2, 4] ([layers·directions, batch, hidden])");
        assertMessage(IllegalArgumentException.class, () -> lstm.forward(randn(2, 5, 3), new LSTM.State(randn(2, 2, 4), randn(2, 3, 4))),
            "initial state c has shape [2, 3, 4] but the input needs [2, 2, 4]");
        assertMessage(NullPointerException.class, () -> new LSTM.State(randn(1), null), "LSTM.State: c is null");
        assertMessage(IllegalArgumentException.class, () -> GRU.builder(3, 4).bidirectional(true).build(RNG).forward(randn(5, 3), randn(1, 4)),
            "GRU(input=3, hidden=4, bidirectional): initial state h has shape [1, 4] but the input needs [2, 4] ([layers·directions, hidden])");
        assertMessage(IllegalArgumentException.class, () -> LSTM.builder(3, 4).numLayers(0).build(RNG), "LSTM: numLayers=0 must be at least 1");
        assertMessage(IllegalArgumentException.class, () -> GRU.builder(0, 4).build(RNG), "GRU: inputSize=0 and hiddenSize=4 must both be at least 1");
        assertMessage(IllegalArgumentException.class, () -> RNN.builder(3, 4).dropout(1).build(RNG), "RNN: dropout=1.0 must be in [0, 1)");
        assertMessage(NullPointerException.class, () -> new RNN(3, 4, null), "RNN: random generator is null");
        assertMessage(NullPointerException.class, () -> RNN.builder(3, 4).nonlinearity(null).build(RNG), "RNN.Builder: nonlinearity is null");
        LSTMCell cell = new LSTMCell(3, 4, RNG);
        assertMessage(IllegalArgumentException.class, () -> cell.forward(randn(2, 4)),
            "LSTMCell(input=3, hidden=4): input shape [2, 4] is not [batch, 3] or [3]");
        assertMessage(IllegalArgumentException.class, () -> cell.forward(randn(2, 3), new LSTM.State(randn(2, 4), randn(4))),
            "LSTMCell(input=3, hidden=4): state c has shape [4] but the input needs [2, 4]");
        assertMessage(IllegalArgumentException.class, () -> new GRUCell(3, 4, RNG).forward(randn(3), randn(1, 4)),
            "GRUCell(input=3, hidden=4): state h has shape [1, 4] but the input needs [4]");
        assertMessage(IllegalArgumentException.class, () -> new RNNCell(3, -1, RNG), "RNNCell: inputSize=3 and hiddenSize=-1 must both be at least 1");
        assertMessage(NullPointerException.class, () -> new GRU(3, 4, RNG).forward(null), "GRU.forward: input is null");
    }

    // ================================================================ MultiheadAttention

    @Test
    void attentionGradientsWithMasksForInputsAndParameters() {
        MultiheadAttention mha = MultiheadAttention.builder(4, 2).build(RNG);
        Tensor q = randn(2, 3, 4), k = randn(2, 4, 4), v = randn(2, 4, 4);
        Tensor pad = Tensor.of(new double[] {0, 0, 1, 1, 0, 0, 0, 1}, 2, 4);
        var opts = MultiheadAttention.Options.defaults().withKeyPaddingMask(pad).withCausal(true);
        GradCheck.check(t -> mha.forward(t[0], t[1], t[2], opts).output(), q, k, v).assertPassed();
        GradCheck.check(t -> mha.forward(t[0], t[1], t[2], opts.withAverageWeights(false)).weights(), q, k, v).assertPassed();
        checkParameters(mha, m -> {
            MultiheadAttention.Output o = mha.forward(q, k, v, opts);
            return project(o.output(), 1).add(project(o.weights(), 2));
        });
        MultiheadAttention self = MultiheadAttention.builder(4, 1).bias(false).causal(true).build(RNG);
        GradCheck.check(t -> self.forward(t[0]), q).assertPassed();
        checkParameters(self, m -> project(self.forward(q), 3));
    }

    @Test
    void causalAndPaddingMasksHideTheRightKeys() {
        MultiheadAttention mha = new MultiheadAttention(6, 3, RNG);
        Tensor x = randn(2, 4, 6);
        Tensor pad = Tensor.of(new double[] {0, 0, 0, 1, 0, 1, 0, 0}, 2, 4);
        var o = mha.forward(x, x, x, MultiheadAttention.Options.defaults().withCausal(true).withKeyPaddingMask(pad).withAverageWeights(false));
        assertArrayEquals(new int[] {2, 3, 4, 4}, o.weights().shape());
        for (int b = 0; b < 2; b++) for (int h = 0; h < 3; h++) for (int i = 0; i < 4; i++) {
            double rowSum = 0;
            for (int j = 0; j < 4; j++) {
                double w = o.weights().get(b, h, i, j);
                rowSum += w;
                if (j > i || pad.get(b, j) == 1) assertEquals(0.0, w, 0.0, "masked weight " + b + h + i + j);
                else assertTrue(w > 0);
            }
            assertEquals(1, rowSum, 1e-12);
        }
        // the output at position i does not depend on inputs after i
        Tensor changed = Tensor.cat(1, x.slice(1, 0, 2), randn(2, 2, 6));
        var causal = MultiheadAttention.Options.defaults().withCausal(true).withNeedWeights(false);
        assertArrayEquals(mha.forward(x, x, x, causal).output().slice(1, 0, 2).toArray(),
            mha.forward(changed, changed, changed, causal).output().slice(1, 0, 2).toArray(), 1e-14);
        assertNull(mha.forward(x, x, x, causal).weights());
        // averaged weights are the mean over heads; forward(x) is self-attention without mask here
        var all = mha.forward(x, x, x, null);
        assertArrayEquals(new int[] {2, 4, 4}, all.weights().shape());
        assertArrayEquals(all.output().toArray(), mha.forward(x).toArray(), 0.0);
    }

    @Test
    void causalMaskWorksUnderAnomalyModeButAFullyMaskedRowIsReported() {
        MultiheadAttention mha = MultiheadAttention.builder(4, 2).causal(true).build(RNG);
        Tensor x = randn(2, 3, 4).requiresGrad();
        try (var a = Autograd.detectAnomaly(true)) {
            mha.forward(x).sum().backward();
        }
        assertTrue(java.util.Arrays.stream(x.grad().toArray()).allMatch(Double::isFinite));
        Tensor everything = Tensor.ones(2, 3);
        var opts = MultiheadAttention.Options.defaults().withKeyPaddingMask(everything);
        assertTrue(Double.isNaN(mha.forward(x, x, x, opts).output().get(0, 0, 0)), "a row with no visible key is NaN, as PyTorch");
        try (var a = Autograd.detectAnomaly(true)) {
            ArithmeticException e = assertThrows(ArithmeticException.class, () -> mha.forward(x, x, x, opts));
            assertTrue(e.getMessage().contains("NaN"), e.getMessage());
        }
    }

    @Test
    void attentionTakesUnbatchedInputs() {
        MultiheadAttention mha = new MultiheadAttention(4, 2, RNG);
        Tensor q = randn(3, 4), k = randn(5, 4);
        var opts = MultiheadAttention.Options.defaults().withKeyPaddingMask(Tensor.of(0, 0, 1, 0, 0))
            .withAttnMask(Tensor.of(new double[] {0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1}, 3, 5));
        var o = mha.forward(q, k, k, opts);
        var b = mha.forward(q.unsqueeze(0), k.unsqueeze(0), k.unsqueeze(0),
            opts.withKeyPaddingMask(opts.keyPaddingMask().unsqueeze(0)));
        assertArrayEquals(new int[] {3, 4}, o.output().shape());
        assertArrayEquals(b.output().squeeze(0).toArray(), o.output().toArray(), 1e-15);
        assertArrayEquals(b.weights().squeeze(0).toArray(), o.weights().toArray(), 1e-15);
        assertEquals(0.0, o.weights().get(0, 1), 0.0);
        assertEquals(0.0, o.weights().get(1, 2), 0.0);
    }

    @Test
    void attentionDropoutActsOnTheWeightsInTrainingOnly() {
        MultiheadAttention mha = MultiheadAttention.builder(4, 2).dropout(0.5).build(RNG);
        Tensor x = randn(2, 5, 4);
        var perHead = MultiheadAttention.Options.defaults().withAverageWeights(false);
        double[] dropped = mha.forward(x, x, x, perHead).weights().toArray();
        mha.eval();
        double[] full = mha.forward(x, x, x, perHead).weights().toArray();
        int zeros = 0;
        for (int i = 0; i < full.length; i++) {
            if (dropped[i] == 0) zeros++;
            else assertEquals(2 * full[i], dropped[i], 1e-15, "a kept weight is scaled by 1/(1-p)");
        }
        assertTrue(zeros > full.length / 4 && zeros < 3 * full.length / 4, zeros + " of " + full.length + " dropped");
        for (int b = 0; b < 2; b++) for (int i = 0; i < 5; i++) {
            assertEquals(1, mha.forward(x, x, x, null).weights().select(0, b).select(0, i).sum().item(), 1e-12);
        }
    }

    @Test
    void attentionInitializationAsPyTorch() {
        MultiheadAttention mha = new MultiheadAttention(64, 4, new SplittableRandom(9));
        double bound = Math.sqrt(6.0 / (64 + 192)), max = 0;
        for (double v : mha.inProjWeight().toArray()) max = Math.max(max, Math.abs(v));
        assertTrue(max <= bound && max > 0.95 * bound, "xavier uniform bound " + bound + ", max " + max);
        assertArrayEquals(new double[192], mha.inProjBias().toArray(), 0.0);
        assertArrayEquals(new double[64], mha.outProj().bias().toArray(), 0.0);
        max = 0;
        for (double v : mha.outProj().weight().toArray()) max = Math.max(max, Math.abs(v));
        assertTrue(max <= 0.125 && max > 0.12, "out_proj U(±1/sqrt(64)): " + max);
        assertEquals(64, mha.embedDim());
        assertEquals(4, mha.numHeads());
    }

    @Test
    void attentionErrorsNameTheLayerAndShapes() {
        MultiheadAttention mha = new MultiheadAttention(4, 2, RNG);
        Tensor x = randn(2, 3, 4);
        assertMessage(IllegalArgumentException.class, () -> mha.forward(randn(2, 3, 5)),
            "MultiheadAttention(embedDim=4, numHeads=2): query [2, 3, 5], key [2, 3, 5], value [2, 3, 5] do not fit; expected [B, L, 4]");
        assertMessage(IllegalArgumentException.class, () -> mha.forward(x, randn(2, 4, 4), randn(2, 5, 4), null), "value [2, 5, 4] do not fit");
        assertMessage(IllegalArgumentException.class, () -> mha.forward(x, randn(3, 4, 4), randn(3, 4, 4), null), "key [3, 4, 4]");
        var o = MultiheadAttention.Options.defaults();
        assertMessage(IllegalArgumentException.class, () -> mha.forward(x, x, x, o.withKeyPaddingMask(Tensor.zeros(2, 4))),
            "MultiheadAttention(embedDim=4, numHeads=2): keyPaddingMask has shape [2, 4] but this call needs [2, 3] ([batch, S], 1 at padded keys)");
        assertMessage(IllegalArgumentException.class, () -> mha.forward(x, x, x, o.withAttnMask(Tensor.zeros(2, 3, 3))),
            "attnMask has shape [2, 3, 3] but this call needs [3, 3] or [4, 3, 3] ([L, S] or [batch·heads, L, S])");
        assertMessage(IllegalArgumentException.class, () -> mha.forward(x, x, x, o.withAttnMask(Tensor.full(0.5, 3, 3))),
            "attnMask value 0.5 at flat position 0 is not 0 or 1 (1 = masked, as PyTorch's True)");
        assertMessage(IllegalArgumentException.class, () -> new MultiheadAttention(6, 4, RNG),
            "MultiheadAttention: embedDim=6 and numHeads=4 must be at least 1, with embedDim divisible by numHeads");
        assertMessage(IllegalArgumentException.class, () -> MultiheadAttention.builder(4, 2).dropout(-0.1).build(RNG), "dropout=-0.1 must be in [0, 1)");
        assertMessage(NullPointerException.class, () -> mha.forward(x, null, x, null), "MultiheadAttention.forward: key is null");
    }

    static void assertMessage(Class<? extends Throwable> type, Executable call, String... parts) {
        Throwable e = assertThrows(type, call);
        for (String p : parts) assertTrue(e.getMessage() != null && e.getMessage().contains(p), "message '" + e.getMessage() + "' lacks '" + p + "'");
    }
}

package dev.chainrule.autograd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Graphviz export of a graph. */
class DotTest {

    private static int count(String text, String needle) {
        int n = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) n++;
        return n;
    }

    @Test
    void namesOpsAndShapesAndMarksParametersAndLeaves() {
        Tensor w = Tensor.zeros(2, 3).requiresGrad(), b = Tensor.zeros(2).requiresGrad(), x = Tensor.ones(3, 4);
        Tensor y = w.matmul(x).add(b.reshape(2, 1)).tanh();
        String dot = Dot.of(y);
        assertTrue(dot.startsWith("digraph"), dot);
        assertTrue(dot.trim().endsWith("}"), dot);
        for (String op : new String[] {"matmul", "add", "tanh", "reshape"}) assertTrue(dot.contains("label=\"" + op), op + " in\n" + dot);
        assertTrue(dot.contains("[2, 3]"), dot);
        assertTrue(dot.contains("leaf\\n[3, 4]"), dot);
        assertTrue(dot.contains("param\\n[2]"), dot);
        assertTrue(dot.contains("reshape\\n[2, 1]"), dot);
        assertEquals(2, count(dot, "label=\"param"), "w and b are parameters:\n" + dot);
        assertTrue(count(dot, "label=\"leaf") >= 1, "x is a plain leaf:\n" + dot);
        assertEquals(2, count(dot, "peripheries=2"), dot);
        // every node is declared once and every edge points at a declared node
        int nodes = count(dot, "[shape=");
        assertEquals(count(dot, "shape=box") + count(dot, "shape=ellipse"), nodes);
        assertTrue(count(dot, "->") >= nodes - 1, dot);
    }

    @Test
    void aReusedTensorIsOneNodeWithTwoEdges() {
        Tensor a = Tensor.scalar(3).requiresGrad();
        String dot = Dot.of(a.mul(a));
        assertEquals(2, count(dot, "[shape="), dot);
        assertEquals(2, count(dot, "n1 -> n0"), dot);
    }

    @Test
    void aLeafAloneAndAReleasedGraph() {
        String leaf = Dot.of(Tensor.scalar(1));
        assertTrue(leaf.contains("label=\"leaf\\n[]\""), leaf);
        Tensor x = Tensor.scalar(2).requiresGrad();
        Tensor y = x.exp();
        y.backward();
        String dot = Dot.of(y);
        assertTrue(dot.contains("exp") && dot.contains("(released)"), dot);
    }

    @Test
    void exportsATenThousandNodeGraph() {
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            Tensor x = Tensor.of(1, 2).requiresGrad();
            Tensor y = x;
            for (int i = 0; i < 9_999; i++) y = i % 2 == 0 ? y.mul(1.0001) : y.tanh();
            String dot = Dot.of(y);
            assertEquals(10_000, count(dot, "[shape="));
            assertEquals(9_999, count(dot, "->"));
            assertEquals(4_999, count(dot, "label=\"tanh"));
            assertEquals(1, count(dot, "label=\"param"));
        });
    }

    @Test
    void exportsAWideGraph() {
        Tensor x = Tensor.scalar(1).requiresGrad();
        Tensor acc = Tensor.scalar(0);
        for (int i = 0; i < 5_000; i++) acc = acc.add(x.mul(i));
        String dot = Dot.of(acc);
        assertEquals(1 + 5_000 + 5_000 + 1, count(dot, "[shape="), "x, 5000 muls, 5000 adds, the constant 0");
    }
}

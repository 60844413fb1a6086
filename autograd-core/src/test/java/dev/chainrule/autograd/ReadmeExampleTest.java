package dev.chainrule.autograd;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The README's snippet, line for line, and the output the README says it prints. */
class ReadmeExampleTest {

    @Test
    void readmeSnippetPrintsWhatTheReadmeSays() {
        Tensor w = Tensor.of(new double[][] {{0.5, -1.0}, {2.0, 0.25}}).requiresGrad();
        Tensor x = Tensor.of(1.0, 2.0);
        Tensor y = w.matmul(x).tanh();          // forward: every op records its parents
        Tensor loss = y.sub(Tensor.of(0.0, 1.0)).square().sum();
        loss.backward();                        // reverse pass: dloss/dw into w.grad()

        assertEquals("tensor([-0.90514825,  0.98661430])", y.toString());
        assertEquals("tensor(0.81947254)", loss.toString());
        assertEquals("tensor([[-0.32713260, -0.65426519],\n        [-0.00071191, -0.00142382]])", w.grad().toString());
    }
}

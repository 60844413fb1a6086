package dev.chainrule.autograd;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Exports the graph behind a tensor as Graphviz DOT: one box per leaf (parameters, i.e. leaves
 * that require grad, drawn doubled), one ellipse per op labelled with its name and output shape,
 * edges from inputs to results. Iterative, so graphs of any depth export.
 * Render with {@code dot -Tpng graph.dot -o graph.png}.
 */
public final class Dot {
    private Dot() {}

    /** The DOT text for the graph that produced {@code root}. */
    public static String of(Tensor root) {
        Checks.nonNull("Dot.of", "root", root);
        StringBuilder sb = new StringBuilder("digraph chainrule {\n  rankdir=BT;\n  node [fontname=\"Helvetica\"];\n");
        Map<Tensor, Integer> ids = new IdentityHashMap<>();
        Deque<Tensor> todo = new ArrayDeque<>();
        ids.put(root, 0);
        todo.push(root);
        while (!todo.isEmpty()) {
            Tensor t = todo.pop();
            int id = ids.get(t);
            String shape = Shape.toString(t.shape);
            if (t.node == null) {
                boolean param = t.requiresGrad;
                sb.append("  n").append(id).append(" [shape=box").append(param ? ", peripheries=2, style=filled, fillcolor=\"#dbe9f6\"" : "")
                    .append(", label=\"").append(param ? "param" : "leaf").append("\\n").append(shape).append("\"];\n");
                continue;
            }
            Tensor[] in = t.node.inputs;
            sb.append("  n").append(id).append(" [shape=ellipse, label=\"").append(escape(t.node.op)).append("\\n").append(shape)
                .append(in == null ? "\\n(released)" : "").append("\"];\n");
            if (in == null) continue;
            for (Tensor p : in) {
                Integer pid = ids.get(p);
                if (pid == null) {
                    pid = ids.size();
                    ids.put(p, pid);
                    todo.push(p);
                }
                sb.append("  n").append(pid).append(" -> n").append(id).append(";\n");
            }
        }
        return sb.append("}\n").toString();
    }

    private static String escape(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"");
    }
}

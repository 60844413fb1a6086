package dev.chainrule.autograd;

import dev.chainrule.autograd.internal.LayoutKernels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * {@code einsum} as a composite of layout ops, elementwise products, sums and {@code matmul}; it has
 * no backward rule of its own (the gradient comes from the ops it composes, to any order).
 *
 * <p>Plan, as PyTorch's (operands are contracted left to right, without reordering):
 * <ol>
 *   <li>per operand: a label repeated within it takes the diagonal (a strided view), and a label
 *       that appears nowhere else (no other operand, not the output) is summed out at once;</li>
 *   <li>each pair (the running result, the next operand) is one batched product: labels in both
 *       that are still needed are the batch, labels in both that are not are contracted, the rest
 *       are the rows and the columns; both operands are permuted and reshaped to
 *       {@code [batch, rows, k]} and {@code [batch, k, cols]} and multiplied by {@code matmul}
 *       (BLAS for large products), or by a broadcast product when there is nothing to contract;
 *       an operand that already is {@code [batch..., m, k]} or its transpose (attention's
 *       {@code "bhqd,bhkd->bhqk"}) goes to the GEMM as it is, transposed in place by BLAS;</li>
 *   <li>the result is permuted into the output's label order.</li>
 * </ol>
 * Labels are the letters a–z and A–Z; {@code ...} stands for the broadcast dimensions (aligned from
 * the right, as NumPy). A dimension of size 1 broadcasts against the same label's size elsewhere.
 * Without {@code ->} the output is {@code ...} followed by the labels that occur exactly once, in
 * alphabetical (ASCII) order, as in PyTorch.
 */
final class Einsum {
    private Einsum() {}

    /** First label code of the ellipsis dimensions; letters use their char codes, all below 128. */
    private static final int ELLIPSIS = 128;

    /** One operand on its way through the plan: its tensor and one label per dimension. */
    private record Term(Tensor t, int[] labels) { }

    static Tensor einsum(String spec, Tensor[] operands) {
        Objects.requireNonNull(spec, "einsum: spec is null");
        Objects.requireNonNull(operands, "einsum: operands is null");
        for (int i = 0; i < operands.length; i++) Objects.requireNonNull(operands[i], "einsum: operand " + i + " is null");
        String eq = spec.replaceAll("\\s", "");
        int arrow = eq.indexOf("->");
        if (arrow != eq.lastIndexOf("->")) throw bad(spec, "it has more than one '->'");
        String lhs = arrow < 0 ? eq : eq.substring(0, arrow);
        String[] inputs = lhs.split(",", -1);
        if (inputs.length != operands.length) {
            throw new IllegalArgumentException("einsum: spec '" + spec + "' has " + inputs.length + " operand"
                + (inputs.length == 1 ? "" : "s") + " but " + operands.length + " tensor" + (operands.length == 1 ? " was" : "s were")
                + " given; pass one tensor per comma-separated term");
        }

        // ---- parse the terms, expanding each ellipsis to its operand's broadcast dimensions
        int[][] parsed = new int[inputs.length][];
        int ellipsisRank = 0;
        for (int i = 0; i < inputs.length; i++) {
            int[] raw = parseTerm(spec, inputs[i], "operand " + i);
            int named = 0;
            boolean hasEllipsis = false;
            for (int l : raw) {
                if (l == ELLIPSIS) hasEllipsis = true;
                else named++;
            }
            int rank = operands[i].rank();
            if (hasEllipsis ? named > rank : named != rank) {
                throw new IllegalArgumentException("einsum: operand " + i + " '" + inputs[i] + "' of spec '" + spec + "' names "
                    + named + " dimension" + (named == 1 ? "" : "s") + " but its tensor has shape " + Shape.toString(operands[i].shape)
                    + " (rank " + rank + ")" + (hasEllipsis ? "" : "; use '...' for dimensions you do not name"));
            }
            parsed[i] = raw;
            if (hasEllipsis) ellipsisRank = Math.max(ellipsisRank, rank - named);
        }
        int[][] labels = new int[inputs.length][];
        for (int i = 0; i < inputs.length; i++) labels[i] = expand(parsed[i], operands[i].rank(), ellipsisRank);

        // ---- every label's size (1 broadcasts), checked across and within operands
        int[] size = new int[ELLIPSIS + ellipsisRank];
        int[] where = new int[size.length];
        for (int i = 0; i < labels.length; i++) {
            for (int d = 0; d < labels[i].length; d++) {
                int l = labels[i][d], s = operands[i].shape[d];
                for (int e = 0; e < d; e++) {
                    if (labels[i][e] == l && operands[i].shape[e] != s) {
                        throw new IllegalArgumentException("einsum: label " + name(l) + " is repeated in operand " + i + " '" + inputs[i]
                            + "' (shape " + Shape.toString(operands[i].shape) + ") with sizes " + operands[i].shape[e] + " and " + s
                            + "; a repeated label takes a diagonal, which needs equal sizes");
                    }
                }
                if (size[l] == 0 || size[l] == 1) {
                    size[l] = Math.max(size[l], s);
                    if (s != 1) where[l] = i;
                } else if (s != 1 && s != size[l]) {
                    throw new IllegalArgumentException("einsum: label " + name(l) + " has size " + size[l] + " in operand " + where[l]
                        + " (shape " + Shape.toString(operands[where[l]].shape) + ") but " + s + " in operand " + i + " (shape "
                        + Shape.toString(operands[i].shape) + "); sizes of one label must be equal (or 1, which broadcasts)");
                }
            }
        }

        // ---- the output labels
        int[] output;
        if (arrow >= 0) {
            int[] raw = parseTerm(spec, eq.substring(arrow + 2), "the output");
            output = expand(raw, -1, ellipsisRank);
            for (int k = 0; k < output.length; k++) {
                int l = output[k];
                if (size[l] == 0) {
                    throw bad(spec, "output label " + name(l) + " appears in no operand");
                }
                for (int e = 0; e < k; e++) {
                    if (output[e] == l) throw bad(spec, "output label " + name(l) + " appears more than once");
                }
            }
        } else {
            int[] count = new int[size.length];
            for (int[] ls : labels) for (int l : ls) count[l]++;
            List<Integer> out = new ArrayList<>();
            for (int e = 0; e < ellipsisRank; e++) if (size[ELLIPSIS + e] > 0) out.add(ELLIPSIS + e);
            for (int l = 0; l < ELLIPSIS; l++) if (count[l] == 1) out.add(l);
            output = out.stream().mapToInt(Integer::intValue).toArray();
        }

        // ---- contract left to right
        List<Term> terms = new ArrayList<>();
        for (int i = 0; i < operands.length; i++) terms.add(new Term(operands[i], labels[i]));
        int nl = size.length;
        Term acc = reduce(terms.get(0), needed(terms, 1, output, nl));
        for (int i = 1; i < terms.size(); i++) {
            boolean[] later = needed(terms, i + 1, output, nl);
            Term next = reduce(terms.get(i), union(later, acc.labels));
            acc = reduce(acc, union(later, next.labels));
            acc = contract(acc, next, later, size);
        }
        acc = reduce(acc, needed(terms, terms.size(), output, nl));

        // ---- into the output's order; labels broadcast from size 1 to a larger size elsewhere stretch here
        int[] perm = new int[output.length];
        int[] target = new int[output.length];
        for (int k = 0; k < output.length; k++) {
            perm[k] = indexOf(acc.labels, output[k]);
            target[k] = size[output[k]];
        }
        return acc.t.permute(perm).broadcastTo(target);
    }

    /** Labels of a term: letter codes and {@link #ELLIPSIS} for '...'; checks the characters. */
    private static int[] parseTerm(String spec, String term, String what) {
        List<Integer> out = new ArrayList<>();
        boolean ellipsis = false;
        for (int c = 0; c < term.length(); c++) {
            char ch = term.charAt(c);
            if (ch == '.') {
                if (!term.startsWith("...", c)) throw bad(spec, what + " '" + term + "' has a '.' that is not part of '...'");
                if (ellipsis) throw bad(spec, what + " '" + term + "' has more than one '...'");
                ellipsis = true;
                out.add(ELLIPSIS);
                c += 2;
            } else if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z')) {
                out.add((int) ch);
            } else {
                throw bad(spec, what + " '" + term + "' has the character '" + ch + "'; labels are the letters a-z and A-Z"
                    + (ch == '-' || ch == '>' ? " (the output follows a single '->')" : ""));
            }
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    /** The term's labels with '...' replaced by the last {@code rank − named} ellipsis labels (all of them when rank is −1). */
    private static int[] expand(int[] raw, int rank, int ellipsisRank) {
        int at = -1;
        for (int k = 0; k < raw.length; k++) if (raw[k] == ELLIPSIS) at = k;
        if (at < 0) return raw;
        int e = rank < 0 ? ellipsisRank : rank - (raw.length - 1);
        int[] out = new int[raw.length - 1 + e];
        int j = 0;
        for (int k = 0; k < raw.length; k++) {
            if (k != at) {
                out[j++] = raw[k];
            } else {
                for (int q = 0; q < e; q++) out[j++] = ELLIPSIS + ellipsisRank - e + q;
            }
        }
        return out;
    }

    /** Which labels the output or the terms from {@code from} on use. */
    private static boolean[] needed(List<Term> terms, int from, int[] output, int labelCount) {
        boolean[] need = new boolean[labelCount];
        for (int l : output) need[l] = true;
        for (int i = from; i < terms.size(); i++) for (int l : terms.get(i).labels) need[l] = true;
        return need;
    }

    private static boolean[] union(boolean[] need, int[] labels) {
        boolean[] u = need.clone();
        for (int l : labels) u[l] = true;
        return u;
    }

    /** Takes the diagonal of repeated labels, then sums out labels that are not {@code keep}. */
    private static Term reduce(Term term, boolean[] keep) {
        Tensor t = term.t;
        int[] ls = term.labels;
        int[] unique = Arrays.stream(ls).distinct().toArray();
        if (unique.length < ls.length) {                    // diagonal: one dim per label, strides summed
            int[] xs = LayoutKernels.strides(t.shape);
            int[] shape = new int[unique.length], strides = new int[unique.length];
            for (int k = 0; k < unique.length; k++) {
                for (int d = 0; d < ls.length; d++) {
                    if (ls[d] == unique[k]) {
                        shape[k] = t.shape[d];
                        strides[k] += xs[d];
                    }
                }
            }
            t = LayoutOps.view("diagonal", t, shape, 0, strides);
            ls = unique;
        }
        for (int d = ls.length - 1; d >= 0; d--) {
            if (!keep[ls[d]]) {
                t = t.sum(d, false);
                ls = dropAt(ls, d);
            }
        }
        return new Term(t, ls);
    }

    /**
     * One batched product of two diagonal-free terms whose labels are all needed by either the
     * other term or {@code later}. Batch labels (in both, needed later) lead the result, then a's
     * own labels, then b's own; labels in both that are not needed later are summed over.
     */
    private static Term contract(Term a, Term b, boolean[] later, int[] size) {
        List<Integer> batch = new ArrayList<>(), rows = new ArrayList<>(), cols = new ArrayList<>(), sum = new ArrayList<>();
        for (int l : a.labels) {
            if (indexOf(b.labels, l) < 0) rows.add(l);
            else if (later[l]) batch.add(l);
            else sum.add(l);
        }
        for (int l : b.labels) if (indexOf(a.labels, l) < 0) cols.add(l);
        int nb = product(batch, size), k = product(sum, size);
        Tensor c = null;
        if (rows.size() == 1 && sum.size() == 1 && cols.size() == 1 && k > 1) {
            // [batch..., m, k] x [batch..., k, n], each operand as it is or with its last two axes swapped:
            // one flagged GEMM per batch matrix (BLAS reads the transpose in place), no copy at all
            int r = rows.get(0), s = sum.get(0), q = cols.get(0);
            int la = layout(a, batch, r, s, s, size), lb = layout(b, batch, s, q, s, size);
            if (la >= 0 && lb >= 0) c = MatmulOps.mm(a.t, b.t, la == 1, lb == 1);
        }
        if (c == null) {
            Tensor ta = arrange(a, batch, rows, sum, size, true), tb = arrange(b, batch, sum, cols, size, false);
            int m = ta.size() / (nb * k), n = tb.size() / (nb * k);
            if (rows.size() == 1 && sum.size() == 1 && cols.size() == 1 && k > 1) {
                c = ta.matmul(tb);                          // already [batch..., m, k] x [batch..., k, n]: no reshapes (they copy)
            } else if (k == 1) {                            // nothing to contract: a broadcast (outer) product
                c = ta.reshape(nb, m, 1).mul(tb.reshape(nb, 1, n));
            } else if (m == 1 && n == 1) {                  // a dot product per batch element
                c = ta.reshape(nb, k).mul(tb.reshape(nb, k)).sum(1, false);
            } else {
                c = nb == 1 ? ta.reshape(m, k).matmul(tb.reshape(k, n)) : ta.reshape(nb, m, k).matmul(tb.reshape(nb, k, n));
            }
        }
        List<Integer> labels = new ArrayList<>(batch);
        labels.addAll(rows);
        labels.addAll(cols);
        int[] shape = new int[labels.size()];
        for (int q = 0; q < shape.length; q++) {
            int l = labels.get(q);
            shape[q] = q < batch.size() ? size[l] : q < batch.size() + rows.size() ? a.t.shape[indexOf(a.labels, l)]
                : b.t.shape[indexOf(b.labels, l)];
        }
        return new Term(c.reshape(shape), labels.stream().mapToInt(Integer::intValue).toArray());
    }

    /**
     * 0 when the term is {@code [batch..., x, y]} as it stands, 1 when it is {@code [batch..., y, x]}
     * (a transposed GEMM operand), −1 otherwise; the batch and the contracted ({@code shared})
     * dimensions must have their full size (no size-1 broadcasting).
     */
    private static int layout(Term t, List<Integer> batch, int x, int y, int shared, int[] size) {
        int nb = batch.size();
        if (t.labels.length != nb + 2) return -1;
        for (int q = 0; q < nb; q++) {
            if (t.labels[q] != batch.get(q) || t.t.shape[q] != size[batch.get(q)]) return -1;
        }
        if (t.t.shape[indexOf(t.labels, shared)] != size[shared]) return -1;
        if (t.labels[nb] == x && t.labels[nb + 1] == y) return 0;
        if (t.labels[nb] == y && t.labels[nb + 1] == x) return 1;
        return -1;
    }

    /**
     * The term's tensor permuted to the label groups' order, with the shared (batch and contracted)
     * labels of size 1 stretched to their full size; the term's own labels ({@code g2} of the left
     * term, {@code g3} of the right) keep their size.
     */
    private static Tensor arrange(Term term, List<Integer> g1, List<Integer> g2, List<Integer> g3, int[] size, boolean left) {
        List<Integer> order = new ArrayList<>(g1);
        order.addAll(g2);
        order.addAll(g3);
        int own = left ? g1.size() : g1.size() + g2.size(), ownEnd = own + (left ? g2.size() : g3.size());
        int[] perm = new int[order.size()], target = new int[order.size()];
        for (int q = 0; q < perm.length; q++) {
            perm[q] = indexOf(term.labels, order.get(q));
            target[q] = q >= own && q < ownEnd ? term.t.shape[perm[q]] : size[order.get(q)];
        }
        Tensor t = term.t.permute(perm);
        return Arrays.equals(t.shape, target) ? t : t.broadcastTo(target);
    }

    private static int product(List<Integer> labels, int[] size) {
        int p = 1;
        for (int l : labels) p *= size[l];
        return p;
    }

    private static int indexOf(int[] a, int v) {
        for (int i = 0; i < a.length; i++) if (a[i] == v) return i;
        return -1;
    }

    private static int[] dropAt(int[] a, int at) {
        int[] out = new int[a.length - 1];
        for (int i = 0, j = 0; i < a.length; i++) if (i != at) out[j++] = a[i];
        return out;
    }

    private static String name(int label) {
        return label >= ELLIPSIS ? "'...' (dimension " + (label - ELLIPSIS) + ")" : "'" + (char) label + "'";
    }

    private static IllegalArgumentException bad(String spec, String why) {
        return new IllegalArgumentException("einsum: malformed spec '" + spec + "': " + why);
    }
}

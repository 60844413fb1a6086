package dev.chainrule.autograd;

import static dev.chainrule.autograd.TestGens.between;
import static dev.chainrule.autograd.TestGens.bool;
import static dev.chainrule.autograd.TestGens.uniform;

import java.util.Arrays;
import org.quicktheories.core.RandomnessSource;

/**
 * Generators for the linear-algebra tests: batch shapes (rank 0–2, so matrices up to rank 4) and
 * well-conditioned matrices of each kind the ops need. Draws come from QuickTheories'
 * {@link RandomnessSource} (reproducible from its seed), through {@link TestGens}.
 */
final class LinalgGens {
    private LinalgGens() {}

    /** A batch shape of rank 0–{@code maxRank}, dimensions 1–2 (the matrices themselves are small). */
    static int[] batch(RandomnessSource rs, int maxRank) {
        int r = between(rs, 0, maxRank);
        int[] s = new int[r];
        for (int i = 0; i < r; i++) s[i] = between(rs, 1, 2);
        return s;
    }

    static int[] matrixShape(int[] batch, int rows, int cols) {
        int[] s = Arrays.copyOf(batch, batch.length + 2);
        s[batch.length] = rows;
        s[batch.length + 1] = cols;
        return s;
    }

    static Tensor uniformTensor(RandomnessSource rs, double lo, double hi, int... shape) {
        return Tensor.of(uniform(rs, TestGens.size(shape), lo, hi), shape);
    }

    /** Entries in [−1, 1] plus (n + 1)·I: diagonally dominant, so invertible and well conditioned. */
    static Tensor wellConditioned(RandomnessSource rs, int[] batch, int n) {
        double[] d = uniform(rs, TestGens.size(batch) * n * n, -1, 1);
        for (int b = 0; b < d.length / (n * n); b++) {
            for (int i = 0; i < n; i++) d[b * n * n + i * (n + 1)] += n + 1;
        }
        return Tensor.of(d, matrixShape(batch, n, n));
    }

    /** Like {@link #wellConditioned} but each matrix's diagonal is ±(n + 1) at random: determinants of both signs. */
    static Tensor signedWellConditioned(RandomnessSource rs, int[] batch, int n) {
        double[] d = uniform(rs, TestGens.size(batch) * n * n, -1, 1);
        for (int b = 0; b < d.length / (n * n); b++) {
            double s = bool(rs) ? 1 : -1;
            for (int i = 0; i < n; i++) d[b * n * n + i * (n + 1)] += s * (n + 1);
        }
        return Tensor.of(d, matrixShape(batch, n, n));
    }

    /** M Mᵀ + n·I for M with entries in [−1, 1]: symmetric positive definite, eigenvalues ≥ n. */
    static Tensor spd(RandomnessSource rs, int[] batch, int n) {
        Tensor m = uniformTensor(rs, -1, 1, matrixShape(batch, n, n));
        return m.matmul(m.transpose()).add(LinalgOps.eye(n).mul(n)).detach();
    }

    /** A full matrix whose diagonal is ±[1, 2] and off-diagonal in [−1, 1]/n: either triangle is a well-conditioned triangular matrix. */
    static Tensor triangularSource(RandomnessSource rs, int[] batch, int n) {
        double[] d = uniform(rs, TestGens.size(batch) * n * n, -1.0 / n, 1.0 / n);
        for (int b = 0; b < d.length / (n * n); b++) {
            for (int i = 0; i < n; i++) d[b * n * n + i * (n + 1)] = (bool(rs) ? 1 : -1) * uniform(rs, 1, 2);
        }
        return Tensor.of(d, matrixShape(batch, n, n));
    }

    /**
     * A symmetric matrix with eigenvalues at least 0.6 apart: diag(0, 1, ..., n−1) · 1.5 plus a
     * symmetric perturbation with entries in [−0.1, 0.1] (spectral norm ≤ 0.4 for n ≤ 4, so by Weyl
     * the eigenvalues move by at most 0.4 each and stay apart), and eigenvectors that are not the axes.
     */
    static Tensor symmetricDistinct(RandomnessSource rs, int[] batch, int n) {
        Tensor p = uniformTensor(rs, -0.1, 0.1, matrixShape(batch, n, n));
        double[] d = new double[n * n];
        for (int i = 0; i < n; i++) d[i * (n + 1)] = 1.5 * i;
        return p.add(p.transpose()).mul(0.5).add(Tensor.of(d, n, n)).detach();
    }

    /** (X + Xᵀ) / 2: makes a function of a symmetric argument well defined for every input element. */
    static Tensor sym(Tensor x) {
        return x.add(x.transpose()).mul(0.5);
    }
}

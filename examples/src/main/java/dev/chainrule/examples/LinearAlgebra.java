package dev.chainrule.examples;

/** The little dense linear algebra the examples need for closed-form answers, in plain Java. */
final class LinearAlgebra {

    private LinearAlgebra() {}

    /**
     * Least squares {@code argmin_θ ‖A θ − y‖²} by the normal equations {@code (AᵀA) θ = Aᵀy},
     * solved by Gaussian elimination with partial pivoting.
     *
     * @param a rows are samples (n × p, n ≥ p, full column rank)
     */
    static double[] leastSquares(double[][] a, double[] y) {
        int n = a.length, p = a[0].length;
        double[][] ata = new double[p][p];
        double[] aty = new double[p];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < p; j++) {
                aty[j] += a[i][j] * y[i];
                for (int k = 0; k < p; k++) ata[j][k] += a[i][j] * a[i][k];
            }
        }
        return solve(ata, aty);
    }

    /** Solves {@code m x = rhs} (square, non-singular) by Gaussian elimination with partial pivoting. */
    static double[] solve(double[][] m, double[] rhs) {
        int p = rhs.length;
        double[][] a = new double[p][];
        for (int i = 0; i < p; i++) a[i] = m[i].clone();
        double[] b = rhs.clone();
        for (int col = 0; col < p; col++) {
            int pivot = col;
            for (int r = col + 1; r < p; r++) if (Math.abs(a[r][col]) > Math.abs(a[pivot][col])) pivot = r;
            if (Math.abs(a[pivot][col]) < 1e-300) {
                throw new IllegalArgumentException("solve: matrix is singular (column " + col + ")");
            }
            double[] tr = a[col];
            a[col] = a[pivot];
            a[pivot] = tr;
            double tb = b[col];
            b[col] = b[pivot];
            b[pivot] = tb;
            for (int r = col + 1; r < p; r++) {
                double f = a[r][col] / a[col][col];
                for (int c = col; c < p; c++) a[r][c] -= f * a[col][c];
                b[r] -= f * b[col];
            }
        }
        double[] x = new double[p];
        for (int r = p - 1; r >= 0; r--) {
            double s = b[r];
            for (int c = r + 1; c < p; c++) s -= a[r][c] * x[c];
            x[r] = s / a[r][r];
        }
        return x;
    }
}

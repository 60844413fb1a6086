package dev.chainrule.benchmarks;

import dev.chainrule.autograd.Autograd;
import dev.chainrule.autograd.Linalg;
import dev.chainrule.autograd.Tensor;
import java.util.Arrays;
import java.util.Random;

/**
 * Gaussian-process marginal likelihood benchmark (issue 8's linear-algebra target): the negative
 * log marginal likelihood of an RBF-kernel GP and its gradient with respect to the three
 * hyperparameters, for n training points:
 * <pre>
 *   K   = σ_f² exp(−D / (2ℓ²)) + σ_n² I        D_ij = |x_i − x_j|²  (x in R³, fixed)
 *   L   = cholesky(K),  z = L⁻¹ y               (solveTriangular)
 *   NLL = ½ zᵀz + Σ log L_ii + (n/2) log 2π     (= ½ yᵀK⁻¹y + ½ log det K + ...)
 * </pre>
 * with ℓ, σ_f, σ_n parameterized by their logs (learnable leaves). One step = forward + backward
 * (dNLL/d log ℓ, d log σ_f, d log σ_n). Targets: n = 100 under 20 ms, n = 1000 under 1 s.
 *
 * <p>Prints one line per size: {@code gp n=<n> median <ms> ms, min <ms> ms (forward <ms> ms) over <k> steps},
 * then the NLL and gradient of the last step. {@code --threads N} limits Chainrule's kernels and the native
 * BLAS/LAPACK ({@code OPENBLAS_NUM_THREADS}; the program re-launches itself with it set, as MlpBench does).
 *
 * <p>Usage: {@code java -cp benchmarks/target/chainrule-benchmarks.jar dev.chainrule.benchmarks.GpBench
 * [--sizes 100,1000] [--steps 20] [--warmup 5] [--threads 2]}.
 */
public final class GpBench {
    private GpBench() {}

    public static void main(String[] args) throws Exception {
        int threads = 2, steps = 20, warmup = 5;
        int[] sizes = {100, 1000};
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--threads": threads = Integer.parseInt(args[++i]); break;
                case "--steps": steps = Integer.parseInt(args[++i]); break;
                case "--warmup": warmup = Integer.parseInt(args[++i]); break;
                case "--sizes": sizes = Arrays.stream(args[++i].split(",")).mapToInt(s -> Integer.parseInt(s.trim())).toArray(); break;
                default:
                    System.err.println("usage: GpBench [--sizes 100,1000] [--steps 20] [--warmup 5] [--threads N]");
                    System.exit(2);
            }
        }
        if (threads < 1 || steps < 1 || warmup < 0) throw new IllegalArgumentException("--threads and --steps must be >= 1, --warmup >= 0");
        Threads.relaunchWithBlasThreads(GpBench.class, threads, args);
        Threads.limit(threads);
        for (int n : sizes) {
            Problem p = new Problem(n, new Random(n));
            for (int i = 0; i < warmup; i++) p.step();
            double[] ms = new double[steps];
            double forward = Double.POSITIVE_INFINITY;
            for (int i = 0; i < steps; i++) {
                long t0 = System.nanoTime();
                p.step();
                ms[i] = (System.nanoTime() - t0) / 1e6;
                long t1 = System.nanoTime();
                try (var s = Autograd.noGrad()) {
                    p.nll();
                }
                forward = Math.min(forward, (System.nanoTime() - t1) / 1e6);
            }
            Arrays.sort(ms);
            System.out.printf("gp n=%d median %.2f ms, min %.2f ms (forward %.2f ms) over %d steps%n", n, ms[steps / 2], ms[0], forward, steps);
            System.out.printf("  nll %.6f, d/d(log lengthscale, log variance, log noise) = (%.6f, %.6f, %.6f)%n", p.lastNll,
                p.logEll.grad().item(), p.logVar.grad().item(), p.logNoise.grad().item());
            System.out.flush();
        }
    }

    /** Fixed data (x in [0, 1]³, y a smooth function plus noise) and the three hyperparameters. */
    static final class Problem {
        final int n;
        final Tensor sqDist, y, eye;
        final Tensor logEll = Tensor.scalar(Math.log(0.3)).requiresGrad();
        final Tensor logVar = Tensor.scalar(Math.log(1.0)).requiresGrad();
        final Tensor logNoise = Tensor.scalar(Math.log(0.01)).requiresGrad();
        double lastNll;

        Problem(int n, Random rng) {
            this.n = n;
            int d = 3;
            double[] x = new double[n * d], yv = new double[n], dist = new double[n * n], e = new double[n * n];
            for (int i = 0; i < x.length; i++) x[i] = rng.nextDouble();
            for (int i = 0; i < n; i++) {
                yv[i] = Math.sin(6 * x[i * d]) + Math.cos(4 * x[i * d + 1]) * x[i * d + 2] + 0.05 * rng.nextGaussian();
                e[i * (n + 1)] = 1;
                for (int j = 0; j < n; j++) {
                    double s = 0;
                    for (int k = 0; k < d; k++) s += (x[i * d + k] - x[j * d + k]) * (x[i * d + k] - x[j * d + k]);
                    dist[i * n + j] = s;
                }
            }
            sqDist = Tensor.of(dist, n, n);
            y = Tensor.of(yv, n, 1);
            eye = Tensor.of(e, n, n);
        }

        /** The negative log marginal likelihood as a scalar tensor. */
        Tensor nll() {
            Tensor k = sqDist.mul(logEll.mul(-2).exp().mul(-0.5)).exp().mul(logVar.exp())
                .add(eye.mul(logNoise.exp()));
            Tensor l = Linalg.cholesky(k);
            Tensor z = Linalg.solveTriangular(l, y, false, true, false);
            return z.square().sum().mul(0.5).add(Linalg.diagonal(l).log().sum()).add(0.5 * n * Math.log(2 * Math.PI));
        }

        /** One forward + backward, accumulating fresh gradients into the three leaves. */
        void step() {
            logEll.zeroGrad();
            logVar.zeroGrad();
            logNoise.zeroGrad();
            Tensor loss = nll();
            loss.backward();
            lastNll = loss.item();
        }
    }
}

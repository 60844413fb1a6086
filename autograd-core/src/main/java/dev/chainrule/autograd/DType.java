package dev.chainrule.autograd;

/**
 * The element type of a {@link Tensor}: {@link #FLOAT64} (the default) or {@link #FLOAT32}.
 *
 * <p>Promotion follows PyTorch: an op over tensors of both types computes in {@code FLOAT64}, except
 * that rank-0 tensors (and Java {@code double} operands such as {@code x.mul(0.5)}) do not promote a
 * tensor of higher rank, so {@code float32.add(Tensor.scalar(1.0))} stays {@code FLOAT32}. Ops whose
 * PyTorch counterparts reject mixed inputs (matmul, convolution, linear algebra, normalization with
 * weights) reject them here too, naming both dtypes; convert one side with {@link Tensor#to(DType)}.
 *
 * <p>How a {@code FLOAT32} op computes: matmul and convolution call single-precision BLAS
 * ({@code sgemm}, accumulating in float as PyTorch's CPU kernels do); +, −, ×, ÷, relu and its
 * gradient, sums, max pooling, batch norm, embedding lookups and the in-place optimizer updates run
 * on {@code float[]} directly; every other op (softmax and cross-entropy included) widens its inputs
 * to double, computes, and rounds the result to float once. Sums, means and the other reductions
 * accumulate in double. The result of +, −, ×, ÷ and √ is therefore exactly the IEEE
 * single-precision result, and reductions are at least as accurate as PyTorch's.
 */
public enum DType {
    /** IEEE 754 binary64 ({@code double}), 8 bytes per element. */
    FLOAT64(8),
    /** IEEE 754 binary32 ({@code float}), 4 bytes per element. */
    FLOAT32(4);

    private final int bytes;

    DType(int bytes) {
        this.bytes = bytes;
    }

    /** Bytes per element. */
    public int bytes() {
        return bytes;
    }
}

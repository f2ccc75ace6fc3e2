namespace Attend.Kernels;

/// <summary>Single-precision general matrix multiply on row-major storage.</summary>
public static class Gemm
{
    /// <summary>
    /// C = alpha * op(A) * op(B) + beta * C, where op(X) is X or X^T, A is m x k after op, B is k x n after op,
    /// and C is m x n. Leading dimensions are row strides of the stored (untransposed) matrices.
    /// When beta is 0, C is written without being read (NaN in C does not propagate).
    /// </summary>
    public static void Multiply(
        bool transposeA, bool transposeB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb,
        float beta, Span<float> c, int ldc)
    {
        GemmArguments.Check(transposeA, transposeB, m, n, k, a, lda, b, ldb, c, ldc);
        GemmDispatch.Multiply(GemmDispatch.Choose(m, transposeB), KernelThreads.Count, transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    }
}

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

    /// <summary>The path <see cref="Multiply(bool, bool, int, int, int, float, ReadOnlySpan{float}, int, ReadOnlySpan{float}, int, float, Span{float}, int)"/> takes for an m-row product.</summary>
    internal static GemmPath PathFor(int m, bool transposeB) => GemmDispatch.Choose(m, transposeB);

    /// <summary>
    /// C = alpha * A B + beta * C with B packed beforehand (<see cref="GemmPackedB.Pack"/>) for <see cref="PathFor"/> m rows:
    /// bit for bit the product <see cref="Multiply(bool, bool, int, int, int, float, ReadOnlySpan{float}, int, ReadOnlySpan{float}, int, float, Span{float}, int)"/>
    /// gives with the matrix B was packed from.
    /// </summary>
    internal static void MultiplyPacked(int m, float alpha, ReadOnlySpan<float> a, int lda, GemmPackedB b, float beta, Span<float> c, int ldc) =>
        GemmDispatch.MultiplyPacked(KernelThreads.Count, false, m, alpha, a, lda, b, beta, c, ldc);

    /// <summary>
    /// C = alpha * A B + bias on every row, B packed beforehand as for <see cref="MultiplyPacked(int, float, ReadOnlySpan{float}, int, GemmPackedB, float, Span{float}, int)"/>:
    /// bit for bit that product with the bias copied into every row of C and beta 1, the bias added inside the product's parts.
    /// </summary>
    internal static void MultiplyPacked(int m, float alpha, ReadOnlySpan<float> a, int lda, GemmPackedB b, ReadOnlySpan<float> bias, Span<float> c, int ldc) =>
        GemmDispatch.MultiplyPacked(KernelThreads.Count, false, m, alpha, a, lda, b, bias, 0f, c, ldc);
}

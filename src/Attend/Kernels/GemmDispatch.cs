namespace Attend.Kernels;

/// <summary>Chooses the path for a product and runs it; <see cref="Multiply"/> is the entry point tests use to force a path.</summary>
internal static unsafe class GemmDispatch
{
    /// <summary>Below this many multiply-adds one thread is faster than waking another.</summary>
    private const long ParallelThreshold = 1L << 17;

    /// <summary>
    /// Up to this many rows of C use the small-rows path when B^T is stored: its dot products read B once and beat
    /// packing up to about this size (measured on Zen 5 at k = 512).
    /// </summary>
    private const int SmallRowsLimitTransposedB = 8;

    /// <summary>Up to this many rows of C use the small-rows path when B is stored k x n; beyond it packing pays off.</summary>
    private const int SmallRowsLimit = 8;

    /// <summary>The path <see cref="Gemm.Multiply"/> takes for an m-row product on this machine.</summary>
    public static GemmPath Choose(int m, bool transposeB)
    {
        if (m <= (transposeB ? SmallRowsLimitTransposedB : SmallRowsLimit) && GemmSmallRows.IsSupported)
            return GemmPath.SmallRows;
        if (GemmPacked.IsSupported(GemmPath.PackedAvx512))
            return GemmPath.PackedAvx512;
        if (GemmPacked.IsSupported(GemmPath.PackedAvx2))
            return GemmPath.PackedAvx2;
        return System.Runtime.Intrinsics.Vector128.IsHardwareAccelerated ? GemmPath.PackedVector128 : GemmPath.PackedScalar;
    }

    /// <summary>True when <paramref name="path"/> can run on this machine.</summary>
    public static bool IsSupported(GemmPath path) =>
        path == GemmPath.SmallRows ? GemmSmallRows.IsSupported : GemmPacked.IsSupported(path);

    /// <summary>C = alpha * op(A) op(B) + beta * C on <paramref name="path"/>; arguments must have passed <see cref="GemmArguments.Check"/>.</summary>
    public static void Multiply(
        GemmPath path, int threads, bool transposeA, bool transposeB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        if (m == 0 || n == 0)
            return;
        if (!IsSupported(path))
            throw new PlatformNotSupportedException($"Gemm: path {path} needs instructions this machine lacks");
        fixed (float* pa = a, pb = b, pc = c)
        {
            if (k == 0 || alpha == 0f)
            {
                Scale(m, n, beta, pc, ldc);
                return;
            }
            if ((long)m * n * k < ParallelThreshold)
                threads = 1;
            if (path == GemmPath.SmallRows)
                GemmSmallRows.Multiply(threads, transposeA, transposeB, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc);
            else
                GemmPacked.Multiply(path, threads, transposeA, transposeB, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc);
        }
    }

    /// <summary>
    /// C = alpha * op(A) B + beta * C on the path <paramref name="b"/> was packed for, with B's panels read as they are:
    /// the same result, bit for bit, as <see cref="Multiply(GemmPath, int, bool, bool, int, int, int, float, ReadOnlySpan{float}, int, ReadOnlySpan{float}, int, float, Span{float}, int)"/>
    /// on that path with the matrix B came from.
    /// </summary>
    public static void MultiplyPacked(int threads, bool transposeA, int m, float alpha, ReadOnlySpan<float> a, int lda, GemmPackedB b, float beta, Span<float> c, int ldc) =>
        MultiplyPacked(threads, transposeA, m, alpha, a, lda, b, [], beta, c, ldc);

    /// <summary>
    /// <see cref="MultiplyPacked(int, bool, int, float, ReadOnlySpan{float}, int, GemmPackedB, float, Span{float}, int)"/>
    /// with a bias row: C = alpha * op(A) B + bias on every row (beta must be 0 then), bit for bit the product with the
    /// bias copied into every row of C and beta 1, but added tile by tile inside the product's parts instead of by a
    /// pass over C before it. An empty bias is none.
    /// </summary>
    public static void MultiplyPacked(int threads, bool transposeA, int m, float alpha, ReadOnlySpan<float> a, int lda, GemmPackedB b,
        ReadOnlySpan<float> bias, float beta, Span<float> c, int ldc)
    {
        int n = b.Columns, k = b.Depth;
        if (m < 0)
            throw new ArgumentException($"Gemm: negative size m={m}");
        GemmArguments.CheckMatrix("A", a.Length, transposeA ? k : m, transposeA ? m : k, lda);
        GemmArguments.CheckMatrix("C", c.Length, m, n, ldc);
        if (!bias.IsEmpty && (bias.Length != n || beta != 0f))
            throw new ArgumentException($"Gemm: a bias needs {n} values and beta 0 (got {bias.Length} values, beta {beta})");
        if (m == 0 || n == 0)
            return;
        fixed (float* pa = a, pc = c, pBias = bias)
        {
            if (k == 0 || alpha == 0f)
            {
                Scale(m, n, beta, pc, ldc);
                for (int i = 0; !bias.IsEmpty && i < m; i++)
                    bias.CopyTo(c.Slice(i * ldc, n));
                return;
            }
            if ((long)m * n * k < ParallelThreshold)
                threads = 1;
            GemmPacked.Multiply(threads, transposeA, m, alpha, pa, lda, b, bias.IsEmpty ? null : pBias, beta, pc, ldc);
        }
    }

    // C = beta * C, where the product term vanishes (k = 0 or alpha = 0); beta = 0 clears C without reading it.
    private static void Scale(int m, int n, float beta, float* c, int ldc)
    {
        for (int i = 0; i < m; i++)
        {
            var row = new Span<float>(c + (nint)i * ldc, n);
            if (beta == 0f)
                row.Clear();
            else if (beta != 1f)
                System.Numerics.Tensors.TensorPrimitives.Multiply(row, beta, row);
        }
    }
}

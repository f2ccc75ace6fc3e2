namespace Attend.Kernels;

internal static class GemmArguments
{
    public static void Check(
        bool transposeA, bool transposeB, int m, int n, int k,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, Span<float> c, int ldc)
    {
        if (m < 0 || n < 0 || k < 0)
            throw new ArgumentException($"Gemm: negative size m={m} n={n} k={k}");
        int aRows = transposeA ? k : m, aCols = transposeA ? m : k;
        int bRows = transposeB ? n : k, bCols = transposeB ? k : n;
        CheckMatrix("A", a.Length, aRows, aCols, lda);
        CheckMatrix("B", b.Length, bRows, bCols, ldb);
        CheckMatrix("C", c.Length, m, n, ldc);
    }

    /// <summary>Checks that a rows x cols matrix with row stride ld fits in length floats.</summary>
    public static void CheckMatrix(string name, int length, int rows, int cols, int ld)
    {
        if (rows == 0 || cols == 0)
            return;
        if (ld < cols)
            throw new ArgumentException($"Gemm: leading dimension of {name} is {ld}, below its {cols} columns");
        long need = (long)(rows - 1) * ld + cols;
        if (length < need)
            throw new ArgumentException($"Gemm: {name} holds {length} floats, a {rows} x {cols} matrix with stride {ld} needs {need}");
    }
}

namespace Attend.Kernels;

/// <summary>The plain triple loop that the fast GEMM paths are tested against.</summary>
internal static class GemmReference
{
    public static void Multiply(
        bool transposeA, bool transposeB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb,
        float beta, Span<float> c, int ldc)
    {
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                float sum = 0f;
                for (int p = 0; p < k; p++)
                {
                    float x = transposeA ? a[p * lda + i] : a[i * lda + p];
                    float y = transposeB ? b[j * ldb + p] : b[p * ldb + j];
                    sum += x * y;
                }
                int at = i * ldc + j;
                c[at] = beta == 0f ? alpha * sum : alpha * sum + beta * c[at];
            }
        }
    }
}

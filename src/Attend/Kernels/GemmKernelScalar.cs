namespace Attend.Kernels;

/// <summary>The scalar 4 x 4 micro-kernel: the last fallback, for hardware without usable vectors.</summary>
internal static class GemmKernelScalar
{
    /// <summary>Rows of the micro-tile.</summary>
    public const int Rows = 4;

    /// <summary>Columns of the micro-tile.</summary>
    public const int Columns = 4;

    /// <summary>
    /// C[0..4, 0..4] = alpha * A B + beta * C, where A's value of row r at step p is a[r rsA + p csA] (a packed
    /// panel: rsA = 1, csA = 4; A in place: its own strides) and the packed B panel holds kc steps of 4 column values.
    /// beta == 0 writes C without reading it.
    /// </summary>
    public static unsafe void Run(int kc, float* a, nint rsA, nint csA, float* b, float* c, nint ldc, float alpha, float beta)
    {
        float* acc = stackalloc float[Rows * Columns];
        for (int i = 0; i < Rows * Columns; i++)
            acc[i] = 0f;
        for (int p = 0; p < kc; p++)
        {
            for (int r = 0; r < Rows; r++)
            {
                float x = a[r * rsA + p * csA];
                for (int j = 0; j < Columns; j++)
                    acc[r * Columns + j] += x * b[j];
            }
            b += Columns;
        }
        for (int r = 0; r < Rows; r++)
        {
            for (int j = 0; j < Columns; j++)
            {
                float* at = c + r * ldc + j;
                *at = beta == 0f ? alpha * acc[r * Columns + j] : alpha * acc[r * Columns + j] + beta * *at;
            }
        }
    }
}

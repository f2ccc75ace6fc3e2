namespace Attend.Kernels;

/// <summary>The scalar 4 x 4 micro-kernel: the last fallback, for hardware without usable vectors.</summary>
internal static class GemmKernelScalar
{
    /// <summary>Rows of the micro-tile.</summary>
    public const int Rows = 4;

    /// <summary>Columns of the micro-tile.</summary>
    public const int Columns = 4;

    /// <summary>
    /// C[0..4, 0..4] = alpha * A B + beta * C for packed panels: A holds kc steps of 4 row values, B kc steps of 4
    /// column values. beta == 0 writes C without reading it.
    /// </summary>
    public static unsafe void Run(int kc, float* a, float* b, float* c, nint ldc, float alpha, float beta)
    {
        float* acc = stackalloc float[Rows * Columns];
        for (int i = 0; i < Rows * Columns; i++)
            acc[i] = 0f;
        for (int p = 0; p < kc; p++)
        {
            for (int r = 0; r < Rows; r++)
            {
                float x = a[r];
                for (int j = 0; j < Columns; j++)
                    acc[r * Columns + j] += x * b[j];
            }
            a += Rows;
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

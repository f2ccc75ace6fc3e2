namespace Attend.Kernels;

/// <summary>
/// Copies blocks of op(A) and op(B) into the zero-padded micro-panels the micro-kernels read: an A panel holds,
/// for each k step, <c>mr</c> consecutive row values; a B panel holds, for each k step, <c>nr</c> consecutive column values.
/// </summary>
internal static unsafe class GemmPacking
{
    /// <summary>Packs op(A)[row0..row0+rows, p0..p0+kc] into ceil(rows / mr) panels of kc * mr floats.</summary>
    public static void PackA(bool transposeA, float* a, nint lda, int row0, int rows, int p0, int kc, int mr, float* dest)
    {
        for (int i = 0; i < rows; i += mr, dest += kc * mr)
        {
            int live = Math.Min(mr, rows - i);
            if (transposeA)
                CopyContiguous(a + (nint)p0 * lda + row0 + i, lda, live, kc, mr, dest);
            else
                CopyStrided(a + (nint)(row0 + i) * lda + p0, lda, live, kc, mr, dest);
        }
    }

    /// <summary>Packs op(B)[p0..p0+kc, col0..col0+cols] into ceil(cols / nr) panels of kc * nr floats.</summary>
    public static void PackB(bool transposeB, float* b, nint ldb, int col0, int cols, int p0, int kc, int nr, float* dest)
    {
        for (int j = 0; j < cols; j += nr, dest += kc * nr)
        {
            int live = Math.Min(nr, cols - j);
            if (transposeB)
                CopyStrided(b + (nint)(col0 + j) * ldb + p0, ldb, live, kc, nr, dest);
            else
                CopyContiguous(b + (nint)p0 * ldb + col0 + j, ldb, live, kc, nr, dest);
        }
    }

    // The panel's values for one k step lie side by side in the source (a row of B, or a row of stored A^T).
    private static void CopyContiguous(float* src, nint ld, int live, int kc, int width, float* dest)
    {
        for (int p = 0; p < kc; p++, src += ld, dest += width)
        {
            int j = 0;
            for (; j < live; j++)
                dest[j] = src[j];
            for (; j < width; j++)
                dest[j] = 0f;
        }
    }

    // The panel's values for one k step lie ld apart (a column of A, or a column of stored B^T):
    // read each source row in order and scatter it down one lane of the panel.
    private static void CopyStrided(float* src, nint ld, int live, int kc, int width, float* dest)
    {
        for (int r = 0; r < width; r++)
        {
            float* d = dest + r;
            if (r >= live)
            {
                for (int p = 0; p < kc; p++)
                    d[p * width] = 0f;
                continue;
            }
            float* s = src + r * ld;
            for (int p = 0; p < kc; p++)
                d[p * width] = s[p];
        }
    }
}

using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Attend.Kernels;

/// <summary>
/// Copies blocks of op(A) and op(B) into the zero-padded micro-panels the micro-kernels read: an A panel holds,
/// for each k step, <c>mr</c> consecutive row values; a B panel holds, for each k step, <c>nr</c> consecutive column values.
/// Destinations need <see cref="Slack"/> floats of room past the last panel.
/// </summary>
internal static unsafe class GemmPacking
{
    /// <summary>Floats past the end of the packed panels that packing may overwrite.</summary>
    public const int Slack = 8;

    /// <summary>Packs op(A)[row0..row0+rows, p0..p0+kc] into ceil(rows / mr) panels of kc * mr floats.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackA(bool transposeA, float* a, nint lda, int row0, int rows, int p0, int kc, int mr, float* dest)
    {
        int i = 0;
        if (transposeA)
            i = DealRows(a + (nint)p0 * lda + row0, lda, rows, kc, mr, dest);
        for (dest += (nint)i * kc; i < rows; i += mr, dest += kc * mr)
        {
            int live = Math.Min(mr, rows - i);
            if (transposeA)
                CopyContiguous(a + (nint)p0 * lda + row0 + i, lda, live, kc, mr, dest);
            else
                CopyStrided(a + (nint)(row0 + i) * lda + p0, lda, live, kc, mr, dest);
        }
    }

    /// <summary>Packs op(B)[p0..p0+kc, col0..col0+cols] into ceil(cols / nr) panels of kc * nr floats.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackB(bool transposeB, float* b, nint ldb, int col0, int cols, int p0, int kc, int nr, float* dest)
    {
        int j = 0;
        if (!transposeB)
            j = DealRows(b + (nint)p0 * ldb + col0, ldb, cols, kc, nr, dest);
        for (dest += (nint)j * kc; j < cols; j += nr, dest += kc * nr)
        {
            int live = Math.Min(nr, cols - j);
            if (transposeB)
                CopyStrided(b + (nint)(col0 + j) * ldb + p0, ldb, live, kc, nr, dest);
            else
                CopyContiguous(b + (nint)p0 * ldb + col0 + j, ldb, live, kc, nr, dest);
        }
    }

    // The source holds one k step per row (B, or stored A^T): walk those kc rows once, front to back, and deal each
    // row out to all full panels, rather than revisit every row once per panel, which reads rows ld apart a few
    // lines at a time. Returns how many of the `count` values per row went into full panels.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int DealRows(float* src, nint ld, int count, int kc, int width, float* dest)
    {
        int full = count / width * width;
        for (int p = 0; p < kc; p++, src += ld)
        {
            float* d = dest + p * width;
            for (int f = 0; f < full; f += width)
                CopyRow(src + f, d + (nint)f * kc, width);
        }
        return full;
    }

    // The panel's values for one k step lie side by side in the source (a row of B, or a row of stored A^T).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void CopyContiguous(float* src, nint ld, int live, int kc, int width, float* dest)
    {
        if (live == width)
        {
            for (int p = 0; p < kc; p++, src += ld, dest += width)
                CopyRow(src, dest, width);
            return;
        }
        for (int p = 0; p < kc; p++, src += ld, dest += width)
        {
            int j = 0;
            for (; j < live; j++)
                dest[j] = src[j];
            for (; j < width; j++)
                dest[j] = 0f;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CopyRow(float* src, float* dest, int width)
    {
        int j = 0;
        for (; j + Vector256<float>.Count <= width; j += Vector256<float>.Count)
            Vector256.Store(Vector256.Load(src + j), dest + j);
        for (; j + Vector128<float>.Count <= width; j += Vector128<float>.Count)
            Vector128.Store(Vector128.Load(src + j), dest + j);
        for (; j < width; j++)
            dest[j] = src[j];
    }

    // The panel's values for one k step lie ld apart (a column of A, or a column of stored B^T): a transpose.
    // With AVX, full panels go through 8 x 8 register transposes; a 6-wide panel transposes 8 rows (the last row
    // repeated) and lets each 8-float store spill 2 floats into the next k step, which that step then overwrites.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void CopyStrided(float* src, nint ld, int live, int kc, int width, float* dest)
    {
        int p = 0;
        if (Avx.IsSupported && live == width && (width == 6 || width % 8 == 0))
        {
            // Eight source rows at a time, all the way along k: the eight lines in flight stay in L1 even when
            // rows ld apart share one cache set.
            for (int r = 0; r < width; r += 8)
            {
                for (p = 0; p + 8 <= kc; p += 8)
                {
                    float* s = src + r * ld + p;
                    float* last = src + (width - 1) * ld + p;
                    Transpose8x8(
                        s, s + ld, s + 2 * ld, s + 3 * ld, s + 4 * ld, s + 5 * ld,
                        r + 7 <= width ? s + 6 * ld : last, r + 8 <= width ? s + 7 * ld : last,
                        dest + p * width + r, width);
                }
            }
        }
        for (int r = 0; r < width; r++)
        {
            float* d = dest + r;
            if (r >= live)
            {
                for (int q = p; q < kc; q++)
                    d[q * width] = 0f;
                continue;
            }
            float* s = src + r * ld;
            for (int q = p; q < kc; q++)
                d[q * width] = s[q];
        }
    }

    // Reads 8 floats from each of 8 rows and writes them as 8 rows of 8 floats `stride` apart, in order.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose8x8(
        float* r0, float* r1, float* r2, float* r3, float* r4, float* r5, float* r6, float* r7, float* dest, nint stride)
    {
        Vector256<float> t0 = Avx.UnpackLow(Avx.LoadVector256(r0), Avx.LoadVector256(r1));
        Vector256<float> t1 = Avx.UnpackHigh(Avx.LoadVector256(r0), Avx.LoadVector256(r1));
        Vector256<float> t2 = Avx.UnpackLow(Avx.LoadVector256(r2), Avx.LoadVector256(r3));
        Vector256<float> t3 = Avx.UnpackHigh(Avx.LoadVector256(r2), Avx.LoadVector256(r3));
        Vector256<float> t4 = Avx.UnpackLow(Avx.LoadVector256(r4), Avx.LoadVector256(r5));
        Vector256<float> t5 = Avx.UnpackHigh(Avx.LoadVector256(r4), Avx.LoadVector256(r5));
        Vector256<float> t6 = Avx.UnpackLow(Avx.LoadVector256(r6), Avx.LoadVector256(r7));
        Vector256<float> t7 = Avx.UnpackHigh(Avx.LoadVector256(r6), Avx.LoadVector256(r7));
        Vector256<float> u0 = Avx.Shuffle(t0, t2, 0x44), u1 = Avx.Shuffle(t0, t2, 0xEE);
        Vector256<float> u2 = Avx.Shuffle(t1, t3, 0x44), u3 = Avx.Shuffle(t1, t3, 0xEE);
        Vector256<float> u4 = Avx.Shuffle(t4, t6, 0x44), u5 = Avx.Shuffle(t4, t6, 0xEE);
        Vector256<float> u6 = Avx.Shuffle(t5, t7, 0x44), u7 = Avx.Shuffle(t5, t7, 0xEE);
        Avx.Store(dest, Avx.Permute2x128(u0, u4, 0x20));
        Avx.Store(dest + stride, Avx.Permute2x128(u1, u5, 0x20));
        Avx.Store(dest + 2 * stride, Avx.Permute2x128(u2, u6, 0x20));
        Avx.Store(dest + 3 * stride, Avx.Permute2x128(u3, u7, 0x20));
        Avx.Store(dest + 4 * stride, Avx.Permute2x128(u0, u4, 0x31));
        Avx.Store(dest + 5 * stride, Avx.Permute2x128(u1, u5, 0x31));
        Avx.Store(dest + 6 * stride, Avx.Permute2x128(u2, u6, 0x31));
        Avx.Store(dest + 7 * stride, Avx.Permute2x128(u3, u7, 0x31));
    }
}

using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Attend.Kernels;

/// <summary>The 6 x 32 AVX-512 micro-kernel: 12 Vector512 accumulators, two B loads and six broadcasts per k step (fewer for a partial tile).</summary>
internal static class GemmKernelAvx512
{
    /// <summary>Rows of the micro-tile.</summary>
    public const int Rows = 6;

    /// <summary>Columns of the micro-tile.</summary>
    public const int Columns = 32;

    /// <summary>
    /// C[0..6, 0..32] = alpha * A B + beta * C, where A's value of row r at step p is a[r rsA + p csA] (a packed
    /// panel: rsA = 1, csA = 6; A in place: its own strides) and the packed B panel holds kc steps of 32 column values.
    /// beta == 0 writes C without reading it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Run(int kc, float* a, nint rsA, nint csA, float* b, float* c, nint ldc, float alpha, float beta) =>
        Tile<GemmTileRows.Six>(kc, a, rsA, csA, b, c, ldc, alpha, beta, null, 0);

    /// <summary>
    /// <see cref="Run"/> for the first <paramref name="rows"/> (1..6) rows only: rows of A and C beyond them are neither
    /// read nor written, and each live element gets the same arithmetic as in a full tile.
    /// </summary>
    public static unsafe void RunRows(int rows, int kc, float* a, nint rsA, nint csA, float* b, float* c, nint ldc, float alpha, float beta) =>
        RunRowsPrefetching(rows, kc, a, rsA, csA, b, c, ldc, alpha, beta, null, 0);

    /// <summary>
    /// <see cref="RunRows"/> that also asks for <paramref name="lines"/> cache lines from <paramref name="prefetch"/> on
    /// into L2, one per k step: the next B panel streams in from memory or L3 while this tile computes from the current
    /// one, instead of stalling the first tile that reads it. The arithmetic is that of <see cref="RunRows"/>.
    /// </summary>
    public static unsafe void RunRowsPrefetching(int rows, int kc, float* a, nint rsA, nint csA, float* b, float* c, nint ldc, float alpha, float beta,
        float* prefetch, int lines)
    {
        switch (rows)
        {
            case 1: Tile<GemmTileRows.One>(kc, a, rsA, csA, b, c, ldc, alpha, beta, prefetch, lines); break;
            case 2: Tile<GemmTileRows.Two>(kc, a, rsA, csA, b, c, ldc, alpha, beta, prefetch, lines); break;
            case 3: Tile<GemmTileRows.Three>(kc, a, rsA, csA, b, c, ldc, alpha, beta, prefetch, lines); break;
            case 4: Tile<GemmTileRows.Four>(kc, a, rsA, csA, b, c, ldc, alpha, beta, prefetch, lines); break;
            case 5: Tile<GemmTileRows.Five>(kc, a, rsA, csA, b, c, ldc, alpha, beta, prefetch, lines); break;
            default: Tile<GemmTileRows.Six>(kc, a, rsA, csA, b, c, ldc, alpha, beta, prefetch, lines); break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Tile<TRows>(int kc, float* a, nint rsA, nint csA, float* b, float* c, nint ldc, float alpha, float beta,
        float* prefetch, int lines)
        where TRows : struct, IGemmTileRows
    {
        int rows = TRows.Value;
        float* a0p = a, a1p = a + rsA, a2p = a + 2 * rsA, a3p = a + 3 * rsA, a4p = a + 4 * rsA, a5p = a + 5 * rsA;
        nint q = 0;
        Vector512<float> c00 = default; Vector512<float> c01 = default;
        Vector512<float> c10 = default; Vector512<float> c11 = default;
        Vector512<float> c20 = default; Vector512<float> c21 = default;
        Vector512<float> c30 = default; Vector512<float> c31 = default;
        Vector512<float> c40 = default; Vector512<float> c41 = default;
        Vector512<float> c50 = default; Vector512<float> c51 = default;
        // Start fetching the C tile now; its lines are needed only at the write-back, after the k loop.
        for (int r = 0; r < rows; r++)
        {
            Sse.Prefetch0(c + r * ldc);
            Sse.Prefetch0(c + r * ldc + Columns - 1);
        }
        for (int p = 0; p < kc; p++, q += csA)
        {
            Vector512<float> b0 = Vector512.Load(b + 0);
            Vector512<float> b1 = Vector512.Load(b + 16);
            Vector512<float> a0 = Vector512.Create(a0p[q]);
            c00 = Avx512F.FusedMultiplyAdd(a0, b0, c00);
            c01 = Avx512F.FusedMultiplyAdd(a0, b1, c01);
            if (rows > 1)
            {
                Vector512<float> a1 = Vector512.Create(a1p[q]);
                c10 = Avx512F.FusedMultiplyAdd(a1, b0, c10);
                c11 = Avx512F.FusedMultiplyAdd(a1, b1, c11);
            }
            if (rows > 2)
            {
                Vector512<float> a2 = Vector512.Create(a2p[q]);
                c20 = Avx512F.FusedMultiplyAdd(a2, b0, c20);
                c21 = Avx512F.FusedMultiplyAdd(a2, b1, c21);
            }
            if (rows > 3)
            {
                Vector512<float> a3 = Vector512.Create(a3p[q]);
                c30 = Avx512F.FusedMultiplyAdd(a3, b0, c30);
                c31 = Avx512F.FusedMultiplyAdd(a3, b1, c31);
            }
            if (rows > 4)
            {
                Vector512<float> a4 = Vector512.Create(a4p[q]);
                c40 = Avx512F.FusedMultiplyAdd(a4, b0, c40);
                c41 = Avx512F.FusedMultiplyAdd(a4, b1, c41);
            }
            if (rows > 5)
            {
                Vector512<float> a5 = Vector512.Create(a5p[q]);
                c50 = Avx512F.FusedMultiplyAdd(a5, b0, c50);
                c51 = Avx512F.FusedMultiplyAdd(a5, b1, c51);
            }
            b += 32;
            if (lines > 0)
            {
                Sse.Prefetch1(prefetch);
                prefetch += 16;
                lines--;
            }
        }
        Vector512<float> va = Vector512.Create(alpha);
        if (beta == 0f)
        {
            (va * c00).Store(c + 0 * ldc + 0);
            (va * c01).Store(c + 0 * ldc + 16);
            if (rows > 1)
            {
                (va * c10).Store(c + 1 * ldc + 0);
                (va * c11).Store(c + 1 * ldc + 16);
            }
            if (rows > 2)
            {
                (va * c20).Store(c + 2 * ldc + 0);
                (va * c21).Store(c + 2 * ldc + 16);
            }
            if (rows > 3)
            {
                (va * c30).Store(c + 3 * ldc + 0);
                (va * c31).Store(c + 3 * ldc + 16);
            }
            if (rows > 4)
            {
                (va * c40).Store(c + 4 * ldc + 0);
                (va * c41).Store(c + 4 * ldc + 16);
            }
            if (rows > 5)
            {
                (va * c50).Store(c + 5 * ldc + 0);
                (va * c51).Store(c + 5 * ldc + 16);
            }
            return;
        }
        Vector512<float> vb = Vector512.Create(beta);
        Store(c + 0 * ldc + 0, c00, va, vb);
        Store(c + 0 * ldc + 16, c01, va, vb);
        if (rows > 1)
        {
            Store(c + 1 * ldc + 0, c10, va, vb);
            Store(c + 1 * ldc + 16, c11, va, vb);
        }
        if (rows > 2)
        {
            Store(c + 2 * ldc + 0, c20, va, vb);
            Store(c + 2 * ldc + 16, c21, va, vb);
        }
        if (rows > 3)
        {
            Store(c + 3 * ldc + 0, c30, va, vb);
            Store(c + 3 * ldc + 16, c31, va, vb);
        }
        if (rows > 4)
        {
            Store(c + 4 * ldc + 0, c40, va, vb);
            Store(c + 4 * ldc + 16, c41, va, vb);
        }
        if (rows > 5)
        {
            Store(c + 5 * ldc + 0, c50, va, vb);
            Store(c + 5 * ldc + 16, c51, va, vb);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Store(float* c, Vector512<float> acc, Vector512<float> alpha, Vector512<float> beta) =>
        Avx512F.FusedMultiplyAdd(alpha, acc, beta * Vector512.Load(c)).Store(c);
}

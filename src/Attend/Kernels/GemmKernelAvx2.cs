using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Attend.Kernels;

/// <summary>The 6 x 16 AVX2/FMA micro-kernel: 12 Vector256 accumulators, two B loads and six broadcasts per k step.</summary>
internal static class GemmKernelAvx2
{
    /// <summary>Rows of the micro-tile.</summary>
    public const int Rows = 6;

    /// <summary>Columns of the micro-tile.</summary>
    public const int Columns = 16;

    /// <summary>
    /// C[0..6, 0..16] = alpha * A B + beta * C, where A's value of row r at step p is a[r rsA + p csA] (a packed
    /// panel: rsA = 1, csA = 6; A in place: its own strides) and the packed B panel holds kc steps of 16 column values.
    /// beta == 0 writes C without reading it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Run(int kc, float* a, nint rsA, nint csA, float* b, float* c, nint ldc, float alpha, float beta) =>
        Tile(kc, a, rsA, csA, b, c, ldc, alpha, beta, null, 0);

    /// <summary>
    /// <see cref="Run"/> (a full tile: <paramref name="rows"/> must be 6) that also asks for <paramref name="lines"/>
    /// cache lines from <paramref name="prefetch"/> on into L2, one per k step: the next pre-packed B panel streams in
    /// while this tile computes. The arithmetic is that of <see cref="Run"/>.
    /// </summary>
    public static unsafe void RunPrefetching(int rows, int kc, float* a, nint rsA, nint csA, float* b, float* c, nint ldc, float alpha, float beta,
        float* prefetch, int lines)
    {
        if (rows != Rows)
            throw new ArgumentOutOfRangeException(nameof(rows), rows, "the AVX2 kernel computes full 6-row tiles only");
        Tile(kc, a, rsA, csA, b, c, ldc, alpha, beta, prefetch, lines);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Tile(int kc, float* a, nint rsA, nint csA, float* b, float* c, nint ldc, float alpha, float beta, float* prefetch, int lines)
    {
        float* a0p = a, a1p = a + rsA, a2p = a + 2 * rsA, a3p = a + 3 * rsA, a4p = a + 4 * rsA, a5p = a + 5 * rsA;
        nint q = 0;
        Vector256<float> c00 = default; Vector256<float> c01 = default;
        Vector256<float> c10 = default; Vector256<float> c11 = default;
        Vector256<float> c20 = default; Vector256<float> c21 = default;
        Vector256<float> c30 = default; Vector256<float> c31 = default;
        Vector256<float> c40 = default; Vector256<float> c41 = default;
        Vector256<float> c50 = default; Vector256<float> c51 = default;
        // Start fetching the C tile now; its lines are needed only at the write-back, after the k loop.
        for (int r = 0; r < Rows; r++)
        {
            Sse.Prefetch0(c + r * ldc);
            Sse.Prefetch0(c + r * ldc + Columns - 1);
        }
        for (int p = 0; p < kc; p++, q += csA)
        {
            Vector256<float> b0 = Vector256.Load(b + 0);
            Vector256<float> b1 = Vector256.Load(b + 8);
            Vector256<float> a0 = Vector256.Create(a0p[q]);
            c00 = Fma.MultiplyAdd(a0, b0, c00);
            c01 = Fma.MultiplyAdd(a0, b1, c01);
            Vector256<float> a1 = Vector256.Create(a1p[q]);
            c10 = Fma.MultiplyAdd(a1, b0, c10);
            c11 = Fma.MultiplyAdd(a1, b1, c11);
            Vector256<float> a2 = Vector256.Create(a2p[q]);
            c20 = Fma.MultiplyAdd(a2, b0, c20);
            c21 = Fma.MultiplyAdd(a2, b1, c21);
            Vector256<float> a3 = Vector256.Create(a3p[q]);
            c30 = Fma.MultiplyAdd(a3, b0, c30);
            c31 = Fma.MultiplyAdd(a3, b1, c31);
            Vector256<float> a4 = Vector256.Create(a4p[q]);
            c40 = Fma.MultiplyAdd(a4, b0, c40);
            c41 = Fma.MultiplyAdd(a4, b1, c41);
            Vector256<float> a5 = Vector256.Create(a5p[q]);
            c50 = Fma.MultiplyAdd(a5, b0, c50);
            c51 = Fma.MultiplyAdd(a5, b1, c51);
            b += 16;
            if (lines > 0)
            {
                Sse.Prefetch1(prefetch);
                prefetch += 16;
                lines--;
            }
        }
        Vector256<float> va = Vector256.Create(alpha);
        if (beta == 0f)
        {
            (va * c00).Store(c + 0 * ldc + 0);
            (va * c01).Store(c + 0 * ldc + 8);
            (va * c10).Store(c + 1 * ldc + 0);
            (va * c11).Store(c + 1 * ldc + 8);
            (va * c20).Store(c + 2 * ldc + 0);
            (va * c21).Store(c + 2 * ldc + 8);
            (va * c30).Store(c + 3 * ldc + 0);
            (va * c31).Store(c + 3 * ldc + 8);
            (va * c40).Store(c + 4 * ldc + 0);
            (va * c41).Store(c + 4 * ldc + 8);
            (va * c50).Store(c + 5 * ldc + 0);
            (va * c51).Store(c + 5 * ldc + 8);
            return;
        }
        Vector256<float> vb = Vector256.Create(beta);
        Store(c + 0 * ldc + 0, c00, va, vb);
        Store(c + 0 * ldc + 8, c01, va, vb);
        Store(c + 1 * ldc + 0, c10, va, vb);
        Store(c + 1 * ldc + 8, c11, va, vb);
        Store(c + 2 * ldc + 0, c20, va, vb);
        Store(c + 2 * ldc + 8, c21, va, vb);
        Store(c + 3 * ldc + 0, c30, va, vb);
        Store(c + 3 * ldc + 8, c31, va, vb);
        Store(c + 4 * ldc + 0, c40, va, vb);
        Store(c + 4 * ldc + 8, c41, va, vb);
        Store(c + 5 * ldc + 0, c50, va, vb);
        Store(c + 5 * ldc + 8, c51, va, vb);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Store(float* c, Vector256<float> acc, Vector256<float> alpha, Vector256<float> beta) =>
        Fma.MultiplyAdd(alpha, acc, beta * Vector256.Load(c)).Store(c);
}

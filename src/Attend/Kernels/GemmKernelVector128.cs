using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Attend.Kernels;

/// <summary>The portable 6 x 8 micro-kernel on Vector128 (SSE, NEON, ...), used where AVX2/FMA is missing.</summary>
internal static class GemmKernelVector128
{
    /// <summary>Rows of the micro-tile.</summary>
    public const int Rows = 6;

    /// <summary>Columns of the micro-tile.</summary>
    public const int Columns = 8;

    /// <summary>
    /// C[0..6, 0..8] = alpha * A B + beta * C, where A's value of row r at step p is a[r rsA + p csA] (a packed
    /// panel: rsA = 1, csA = 6; A in place: its own strides) and the packed B panel holds kc steps of 8 column values.
    /// beta == 0 writes C without reading it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Run(int kc, float* a, nint rsA, nint csA, float* b, float* c, nint ldc, float alpha, float beta)
    {
        float* a0p = a, a1p = a + rsA, a2p = a + 2 * rsA, a3p = a + 3 * rsA, a4p = a + 4 * rsA, a5p = a + 5 * rsA;
        nint q = 0;
        Vector128<float> c00 = default; Vector128<float> c01 = default;
        Vector128<float> c10 = default; Vector128<float> c11 = default;
        Vector128<float> c20 = default; Vector128<float> c21 = default;
        Vector128<float> c30 = default; Vector128<float> c31 = default;
        Vector128<float> c40 = default; Vector128<float> c41 = default;
        Vector128<float> c50 = default; Vector128<float> c51 = default;
        for (int p = 0; p < kc; p++, q += csA)
        {
            Vector128<float> b0 = Vector128.Load(b + 0);
            Vector128<float> b1 = Vector128.Load(b + 4);
            Vector128<float> a0 = Vector128.Create(a0p[q]);
            c00 = Vector128.MultiplyAddEstimate(a0, b0, c00);
            c01 = Vector128.MultiplyAddEstimate(a0, b1, c01);
            Vector128<float> a1 = Vector128.Create(a1p[q]);
            c10 = Vector128.MultiplyAddEstimate(a1, b0, c10);
            c11 = Vector128.MultiplyAddEstimate(a1, b1, c11);
            Vector128<float> a2 = Vector128.Create(a2p[q]);
            c20 = Vector128.MultiplyAddEstimate(a2, b0, c20);
            c21 = Vector128.MultiplyAddEstimate(a2, b1, c21);
            Vector128<float> a3 = Vector128.Create(a3p[q]);
            c30 = Vector128.MultiplyAddEstimate(a3, b0, c30);
            c31 = Vector128.MultiplyAddEstimate(a3, b1, c31);
            Vector128<float> a4 = Vector128.Create(a4p[q]);
            c40 = Vector128.MultiplyAddEstimate(a4, b0, c40);
            c41 = Vector128.MultiplyAddEstimate(a4, b1, c41);
            Vector128<float> a5 = Vector128.Create(a5p[q]);
            c50 = Vector128.MultiplyAddEstimate(a5, b0, c50);
            c51 = Vector128.MultiplyAddEstimate(a5, b1, c51);
            b += 8;
        }
        Vector128<float> va = Vector128.Create(alpha);
        if (beta == 0f)
        {
            (va * c00).Store(c + 0 * ldc + 0);
            (va * c01).Store(c + 0 * ldc + 4);
            (va * c10).Store(c + 1 * ldc + 0);
            (va * c11).Store(c + 1 * ldc + 4);
            (va * c20).Store(c + 2 * ldc + 0);
            (va * c21).Store(c + 2 * ldc + 4);
            (va * c30).Store(c + 3 * ldc + 0);
            (va * c31).Store(c + 3 * ldc + 4);
            (va * c40).Store(c + 4 * ldc + 0);
            (va * c41).Store(c + 4 * ldc + 4);
            (va * c50).Store(c + 5 * ldc + 0);
            (va * c51).Store(c + 5 * ldc + 4);
            return;
        }
        Vector128<float> vb = Vector128.Create(beta);
        Store(c + 0 * ldc + 0, c00, va, vb);
        Store(c + 0 * ldc + 4, c01, va, vb);
        Store(c + 1 * ldc + 0, c10, va, vb);
        Store(c + 1 * ldc + 4, c11, va, vb);
        Store(c + 2 * ldc + 0, c20, va, vb);
        Store(c + 2 * ldc + 4, c21, va, vb);
        Store(c + 3 * ldc + 0, c30, va, vb);
        Store(c + 3 * ldc + 4, c31, va, vb);
        Store(c + 4 * ldc + 0, c40, va, vb);
        Store(c + 4 * ldc + 4, c41, va, vb);
        Store(c + 5 * ldc + 0, c50, va, vb);
        Store(c + 5 * ldc + 4, c51, va, vb);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Store(float* c, Vector128<float> acc, Vector128<float> alpha, Vector128<float> beta) =>
        Vector128.MultiplyAddEstimate(alpha, acc, beta * Vector128.Load(c)).Store(c);
}

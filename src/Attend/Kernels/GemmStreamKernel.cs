using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Attend.Kernels;

/// <summary>
/// The AVX2/FMA row-streaming kernel of the small-rows path for B stored k x n (R = 1..3 rows of A, given as a type so
/// each count compiles to its own straight-line code): C[0..R, 0..w] = alpha * A B + beta * C. Four rows of B are read
/// front to back at a time, so B streams from memory at full speed; the R partial sums of the w columns live in a
/// scratch buffer that stays in L1. Every column gets the same sequence of fused multiply-adds in k order, whether it
/// falls in a vector or in the scalar tail.
/// </summary>
internal static unsafe class GemmStreamKernel
{
    /// <summary>Rows of the largest tile.</summary>
    public const int MaxRows = 3;

    /// <summary>A row count known when the kernel is compiled.</summary>
    public interface IRows
    {
        /// <summary>The number of rows.</summary>
        static abstract int Value { get; }
    }

    /// <summary>1 row.</summary>
    public readonly struct One : IRows
    {
        /// <inheritdoc/>
        public static int Value => 1;
    }

    /// <summary>2 rows.</summary>
    public readonly struct Two : IRows
    {
        /// <inheritdoc/>
        public static int Value => 2;
    }

    /// <summary>3 rows.</summary>
    public readonly struct Three : IRows
    {
        /// <inheritdoc/>
        public static int Value => 3;
    }

    /// <summary>
    /// Runs the tile over all k with A rows lda apart, B rows ldb apart and C rows ldc apart; <paramref name="sums"/>
    /// is scratch for R * w floats. beta == 0 writes C without reading it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run<TRows>(
        int k, int w, float* a, nint lda, float* b, nint ldb, float* sums, float* c, nint ldc, float alpha, float beta)
        where TRows : struct, IRows
    {
        int rows = TRows.Value;
        float* s0 = sums, s1 = sums + w, s2 = sums + 2 * w;
        new Span<float>(sums, rows * w).Clear();
        int wv = w & ~7;
        int p = 0;
        for (; p + 4 <= k; p += 4)
        {
            float* b0 = b + p * ldb, b1 = b0 + ldb, b2 = b1 + ldb, b3 = b2 + ldb;
            Vector256<float> x00 = Vector256.Create(a[p]), x01 = Vector256.Create(a[p + 1]);
            Vector256<float> x02 = Vector256.Create(a[p + 2]), x03 = Vector256.Create(a[p + 3]);
            Vector256<float> x10 = default, x11 = default, x12 = default, x13 = default;
            Vector256<float> x20 = default, x21 = default, x22 = default, x23 = default;
            if (rows > 1)
            {
                float* a1 = a + lda;
                (x10, x11) = (Vector256.Create(a1[p]), Vector256.Create(a1[p + 1]));
                (x12, x13) = (Vector256.Create(a1[p + 2]), Vector256.Create(a1[p + 3]));
            }
            if (rows > 2)
            {
                float* a2 = a + 2 * lda;
                (x20, x21) = (Vector256.Create(a2[p]), Vector256.Create(a2[p + 1]));
                (x22, x23) = (Vector256.Create(a2[p + 2]), Vector256.Create(a2[p + 3]));
            }
            int j = 0;
            for (; j < wv; j += 8)
            {
                Vector256<float> v0 = Vector256.Load(b0 + j), v1 = Vector256.Load(b1 + j);
                Vector256<float> v2 = Vector256.Load(b2 + j), v3 = Vector256.Load(b3 + j);
                Add4(s0 + j, x00, x01, x02, x03, v0, v1, v2, v3);
                if (rows > 1)
                    Add4(s1 + j, x10, x11, x12, x13, v0, v1, v2, v3);
                if (rows > 2)
                    Add4(s2 + j, x20, x21, x22, x23, v0, v1, v2, v3);
            }
            for (; j < w; j++)
            {
                for (int r = 0; r < rows; r++)
                {
                    float* ar = a + r * lda;
                    float* s = sums + r * w + j;
                    *s = MathF.FusedMultiplyAdd(ar[p], b0[j], *s);
                    *s = MathF.FusedMultiplyAdd(ar[p + 1], b1[j], *s);
                    *s = MathF.FusedMultiplyAdd(ar[p + 2], b2[j], *s);
                    *s = MathF.FusedMultiplyAdd(ar[p + 3], b3[j], *s);
                }
            }
        }
        for (; p < k; p++)
        {
            float* bp = b + p * ldb;
            for (int r = 0; r < rows; r++)
            {
                float* s = sums + r * w;
                Vector256<float> x = Vector256.Create(a[r * lda + p]);
                int j = 0;
                for (; j < wv; j += 8)
                    Fma.MultiplyAdd(x, Vector256.Load(bp + j), Vector256.Load(s + j)).Store(s + j);
                for (; j < w; j++)
                    s[j] = MathF.FusedMultiplyAdd(a[r * lda + p], bp[j], s[j]);
            }
        }
        for (int r = 0; r < rows; r++)
            Store(sums + r * w, c + r * ldc, w, alpha, beta);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Add4(
        float* s, Vector256<float> x0, Vector256<float> x1, Vector256<float> x2, Vector256<float> x3,
        Vector256<float> v0, Vector256<float> v1, Vector256<float> v2, Vector256<float> v3)
    {
        Vector256<float> y = Fma.MultiplyAdd(x0, v0, Vector256.Load(s));
        y = Fma.MultiplyAdd(x1, v1, y);
        y = Fma.MultiplyAdd(x2, v2, y);
        Fma.MultiplyAdd(x3, v3, y).Store(s);
    }

    // C row = alpha * sums + beta * C row, with the same rounding in the vector part and the tail.
    private static void Store(float* sums, float* c, int w, float alpha, float beta)
    {
        int j = 0;
        Vector256<float> va = Vector256.Create(alpha), vb = Vector256.Create(beta);
        for (; j + 8 <= w; j += 8)
        {
            Vector256<float> s = Vector256.Load(sums + j);
            (beta == 0f ? va * s : Fma.MultiplyAdd(va, s, vb * Vector256.Load(c + j))).Store(c + j);
        }
        for (; j < w; j++)
            c[j] = beta == 0f ? alpha * sums[j] : MathF.FusedMultiplyAdd(alpha, sums[j], beta * c[j]);
    }
}

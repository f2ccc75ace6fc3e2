using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Attend.Kernels;

/// <summary>
/// The unpacked R x 16 AVX2/FMA tile of the small-rows path (R = 1..6 given as a type, so each count compiles to its
/// own straight-line kernel): C[0..R, 0..16] = alpha * A B + beta * C with A rows lda apart and B rows ldb apart.
/// </summary>
internal static unsafe class GemmBroadcastKernel
{
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

    /// <summary>4 rows.</summary>
    public readonly struct Four : IRows
    {
        /// <inheritdoc/>
        public static int Value => 4;
    }

    /// <summary>5 rows.</summary>
    public readonly struct Five : IRows
    {
        /// <inheritdoc/>
        public static int Value => 5;
    }

    /// <summary>6 rows.</summary>
    public readonly struct Six : IRows
    {
        /// <inheritdoc/>
        public static int Value => 6;
    }

    /// <summary>Runs the tile over all k; beta == 0 writes C without reading it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run<TRows>(int k, float* a, nint lda, float* b, nint ldb, float* c, nint ldc, float alpha, float beta)
        where TRows : struct, IRows
    {
        int rows = TRows.Value;
        float* a1 = a + lda, a2 = a1 + lda, a3 = a2 + lda, a4 = a3 + lda, a5 = a4 + lda;
        Vector256<float> c00 = default, c01 = default;
        Vector256<float> c10 = default, c11 = default;
        Vector256<float> c20 = default, c21 = default;
        Vector256<float> c30 = default, c31 = default;
        Vector256<float> c40 = default, c41 = default;
        Vector256<float> c50 = default, c51 = default;
        for (int p = 0; p < k; p++, b += ldb)
        {
            Vector256<float> b0 = Vector256.Load(b), b1 = Vector256.Load(b + 8);
            Vector256<float> x = Vector256.Create(a[p]);
            c00 = Fma.MultiplyAdd(x, b0, c00);
            c01 = Fma.MultiplyAdd(x, b1, c01);
            if (rows > 1)
            {
                x = Vector256.Create(a1[p]);
                c10 = Fma.MultiplyAdd(x, b0, c10);
                c11 = Fma.MultiplyAdd(x, b1, c11);
            }
            if (rows > 2)
            {
                x = Vector256.Create(a2[p]);
                c20 = Fma.MultiplyAdd(x, b0, c20);
                c21 = Fma.MultiplyAdd(x, b1, c21);
            }
            if (rows > 3)
            {
                x = Vector256.Create(a3[p]);
                c30 = Fma.MultiplyAdd(x, b0, c30);
                c31 = Fma.MultiplyAdd(x, b1, c31);
            }
            if (rows > 4)
            {
                x = Vector256.Create(a4[p]);
                c40 = Fma.MultiplyAdd(x, b0, c40);
                c41 = Fma.MultiplyAdd(x, b1, c41);
            }
            if (rows > 5)
            {
                x = Vector256.Create(a5[p]);
                c50 = Fma.MultiplyAdd(x, b0, c50);
                c51 = Fma.MultiplyAdd(x, b1, c51);
            }
        }
        Store(c, c00, c01, alpha, beta);
        if (rows > 1)
            Store(c + 1 * ldc, c10, c11, alpha, beta);
        if (rows > 2)
            Store(c + 2 * ldc, c20, c21, alpha, beta);
        if (rows > 3)
            Store(c + 3 * ldc, c30, c31, alpha, beta);
        if (rows > 4)
            Store(c + 4 * ldc, c40, c41, alpha, beta);
        if (rows > 5)
            Store(c + 5 * ldc, c50, c51, alpha, beta);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(float* c, Vector256<float> left, Vector256<float> right, float alpha, float beta)
    {
        Vector256<float> va = Vector256.Create(alpha);
        if (beta == 0f)
        {
            (va * left).Store(c);
            (va * right).Store(c + 8);
            return;
        }
        Vector256<float> vb = Vector256.Create(beta);
        Fma.MultiplyAdd(va, left, vb * Vector256.Load(c)).Store(c);
        Fma.MultiplyAdd(va, right, vb * Vector256.Load(c + 8)).Store(c + 8);
    }
}

using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Attend.Kernels;

/// <summary>
/// The product for few rows of A (decoding: a handful of token vectors times a weight matrix). Packing B would cost as
/// much as the product itself, so B is read in place, once: with B^T stored (y = x W^T, W is n x k) every C element is
/// a dot product of two contiguous rows; with B stored k x n the rows of B stream past, each scaled by broadcast A
/// values and added to the partial sums of up to three rows of C. Columns are split between threads in blocks of
/// <see cref="ColumnBlock"/>; each C element is computed by one thread in a fixed order, so the result does not depend
/// on the thread count.
/// </summary>
internal sealed unsafe class GemmSmallRows : KernelJob
{
    /// <summary>The unit in which columns are split between threads.</summary>
    private const int ColumnBlock = 32;

    /// <summary>Columns whose partial sums (up to three rows) stay in L1 while B streams past.</summary>
    private const int ChunkColumns = 1024;

    /// <summary>The floats of scratch a thread needs for the partial sums of one chunk.</summary>
    private const int StreamScratch = GemmStreamKernel.MaxRows * ChunkColumns;

    [ThreadStatic] private static GemmSmallRows? _cached;

    private bool _transposeB;
    private int _m, _n, _k, _parts;
    private float _alpha, _beta;
    private float* _a, _b, _c;
    private nint _lda, _ldb, _ldc;

    /// <summary>True when this machine has what the path needs (AVX2 and FMA).</summary>
    public static bool IsSupported => Avx2.IsSupported && Fma.IsSupported;

    /// <summary>C = alpha * op(A) op(B) + beta * C, for k &gt; 0, on up to <paramref name="threads"/> threads.</summary>
    public static void Multiply(
        int threads, bool transposeA, bool transposeB, int m, int n, int k, float alpha,
        float* a, int lda, float* b, int ldb, float beta, float* c, int ldc)
    {
        if (transposeA)
        {
            // A is small here: one transposed copy makes its rows contiguous.
            float* copy = GemmScratch.A(m * k);
            for (int p = 0; p < k; p++)
                for (int i = 0; i < m; i++)
                    copy[(nint)i * k + p] = a[(nint)p * lda + i];
            a = copy;
            lda = k;
        }
        GemmSmallRows job = _cached ??= new GemmSmallRows();
        job._transposeB = transposeB;
        (job._m, job._n, job._k) = (m, n, k);
        (job._alpha, job._beta) = (alpha, beta);
        job._a = a;
        job._b = b;
        job._c = c;
        (job._lda, job._ldb, job._ldc) = (lda, ldb, ldc);
        job._parts = Math.Clamp((n + ColumnBlock - 1) / ColumnBlock, 1, threads);
        // Reserved on the caller now, not in the first part it happens to run (that depends on timing): the steady
        // state then allocates nothing on this thread.
        if (!transposeB)
            GemmScratch.C(StreamScratch);
        try
        {
            KernelWorkers.Run(job, job._parts);
        }
        finally
        {
            job._a = job._b = job._c = null;
        }
    }

    public override void Execute(int part)
    {
        int blocks = (_n + ColumnBlock - 1) / ColumnBlock;
        int col0 = (int)((long)blocks * part / _parts) * ColumnBlock;
        int col1 = Math.Min(_n, (int)((long)blocks * (part + 1) / _parts) * ColumnBlock);
        if (col0 >= col1)
            return;
        if (_transposeB)
            DotColumns(col0, col1);
        else
            StreamColumns(col0, col1);
    }

    // C columns [col0, col1) with B^T stored: four columns at a time against three or one rows of A.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void DotColumns(int col0, int col1)
    {
        for (int j = col0; j < col1; j += 4)
        {
            int cols = Math.Min(4, col1 - j);
            // Missing columns repeat the last one: computed and dropped, so every column gets the same arithmetic.
            float* w0 = _b + j * _ldb;
            float* w1 = _b + (j + Math.Min(1, cols - 1)) * _ldb;
            float* w2 = _b + (j + Math.Min(2, cols - 1)) * _ldb;
            float* w3 = _b + (j + Math.Min(3, cols - 1)) * _ldb;
            int i = 0;
            for (; i + 3 <= _m; i += 3)
                Dot3x4(_k, _a + i * _lda, _lda, w0, w1, w2, w3, _c + i * _ldc + j, _ldc, cols, _alpha, _beta);
            for (; i < _m; i++)
                Dot1x4(_k, _a + i * _lda, w0, w1, w2, w3, _c + i * _ldc + j, cols, _alpha, _beta);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Dot3x4(
        int k, float* x, nint ldx, float* w0, float* w1, float* w2, float* w3, float* c, nint ldc, int cols, float alpha, float beta)
    {
        float* x1 = x + ldx, x2 = x1 + ldx;
        Vector256<float> s00 = default, s01 = default, s02 = default, s03 = default;
        Vector256<float> s10 = default, s11 = default, s12 = default, s13 = default;
        Vector256<float> s20 = default, s21 = default, s22 = default, s23 = default;
        int p = 0;
        for (; p + 8 <= k; p += 8)
        {
            Vector256<float> a0 = Vector256.Load(x + p), a1 = Vector256.Load(x1 + p), a2 = Vector256.Load(x2 + p);
            Vector256<float> v = Vector256.Load(w0 + p);
            s00 = Fma.MultiplyAdd(a0, v, s00);
            s10 = Fma.MultiplyAdd(a1, v, s10);
            s20 = Fma.MultiplyAdd(a2, v, s20);
            v = Vector256.Load(w1 + p);
            s01 = Fma.MultiplyAdd(a0, v, s01);
            s11 = Fma.MultiplyAdd(a1, v, s11);
            s21 = Fma.MultiplyAdd(a2, v, s21);
            v = Vector256.Load(w2 + p);
            s02 = Fma.MultiplyAdd(a0, v, s02);
            s12 = Fma.MultiplyAdd(a1, v, s12);
            s22 = Fma.MultiplyAdd(a2, v, s22);
            v = Vector256.Load(w3 + p);
            s03 = Fma.MultiplyAdd(a0, v, s03);
            s13 = Fma.MultiplyAdd(a1, v, s13);
            s23 = Fma.MultiplyAdd(a2, v, s23);
        }
        StoreDots(x, w0, w1, w2, w3, p, k, s00, s01, s02, s03, c, cols, alpha, beta);
        StoreDots(x1, w0, w1, w2, w3, p, k, s10, s11, s12, s13, c + ldc, cols, alpha, beta);
        StoreDots(x2, w0, w1, w2, w3, p, k, s20, s21, s22, s23, c + 2 * ldc, cols, alpha, beta);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Dot1x4(
        int k, float* x, float* w0, float* w1, float* w2, float* w3, float* c, int cols, float alpha, float beta)
    {
        Vector256<float> s0 = default, s1 = default, s2 = default, s3 = default;
        int p = 0;
        for (; p + 8 <= k; p += 8)
        {
            Vector256<float> a = Vector256.Load(x + p);
            s0 = Fma.MultiplyAdd(a, Vector256.Load(w0 + p), s0);
            s1 = Fma.MultiplyAdd(a, Vector256.Load(w1 + p), s1);
            s2 = Fma.MultiplyAdd(a, Vector256.Load(w2 + p), s2);
            s3 = Fma.MultiplyAdd(a, Vector256.Load(w3 + p), s3);
        }
        StoreDots(x, w0, w1, w2, w3, p, k, s0, s1, s2, s3, c, cols, alpha, beta);
    }

    // Reduces the four column sums of one row, adds the k tail from `p`, and writes the live columns.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreDots(
        float* x, float* w0, float* w1, float* w2, float* w3, int p, int k,
        Vector256<float> s0, Vector256<float> s1, Vector256<float> s2, Vector256<float> s3,
        float* c, int cols, float alpha, float beta)
    {
        Store(c, 0, Tail(x, w0, p, k, Vector256.Sum(s0)), alpha, beta);
        if (cols > 1)
            Store(c, 1, Tail(x, w1, p, k, Vector256.Sum(s1)), alpha, beta);
        if (cols > 2)
            Store(c, 2, Tail(x, w2, p, k, Vector256.Sum(s2)), alpha, beta);
        if (cols > 3)
            Store(c, 3, Tail(x, w3, p, k, Vector256.Sum(s3)), alpha, beta);
    }

    private static float Tail(float* x, float* w, int p, int k, float sum)
    {
        for (; p < k; p++)
            sum = MathF.FusedMultiplyAdd(x[p], w[p], sum);
        return sum;
    }

    private static void Store(float* c, int j, float sum, float alpha, float beta) =>
        c[j] = beta == 0f ? alpha * sum : MathF.FusedMultiplyAdd(alpha, sum, beta * c[j]);

    // C columns [col0, col1) with B stored k x n: chunks of up to ChunkColumns columns, up to three rows at a time.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void StreamColumns(int col0, int col1)
    {
        float* sums = GemmScratch.C(StreamScratch);
        for (int j = col0; j < col1; j += ChunkColumns)
        {
            int w = Math.Min(ChunkColumns, col1 - j);
            float* b = _b + j, c = _c + j;
            int i = 0;
            for (; i + GemmStreamKernel.MaxRows <= _m; i += GemmStreamKernel.MaxRows)
                GemmStreamKernel.Run<GemmStreamKernel.Three>(_k, w, _a + i * _lda, _lda, b, _ldb, sums, c + i * _ldc, _ldc, _alpha, _beta);
            if (_m - i == 2)
                GemmStreamKernel.Run<GemmStreamKernel.Two>(_k, w, _a + i * _lda, _lda, b, _ldb, sums, c + i * _ldc, _ldc, _alpha, _beta);
            else if (_m - i == 1)
                GemmStreamKernel.Run<GemmStreamKernel.One>(_k, w, _a + i * _lda, _lda, b, _ldb, sums, c + i * _ldc, _ldc, _alpha, _beta);
        }
    }
}

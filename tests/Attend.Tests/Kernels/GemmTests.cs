using Attend.Kernels;
using FsCheck.Xunit;

namespace Attend.Tests.Kernels;

// GemmPath is internal, so theories name it by string. Every path is forced through GemmDispatch and compared with GemmReference. A path this machine cannot run
// (AVX-512 or AVX2 missing) is skipped inside the test, which then checks only the paths that can run.
public class GemmTests
{
    private static readonly int[] EdgeSizes = [0, 1, 5, 6, 7, 15, 16, 17, 31, 33];

    public static TheoryData<string, bool, bool> PathsAndForms()
    {
        var data = new TheoryData<string, bool, bool>();
        foreach (GemmPath path in Enum.GetValues<GemmPath>())
            foreach (bool ta in new[] { false, true })
                foreach (bool tb in new[] { false, true })
                    data.Add(path.ToString(), ta, tb);
        return data;
    }

    [Theory]
    [MemberData(nameof(PathsAndForms))]
    public void Multiply_EdgeSizes_MatchReference(string pathName, bool transposeA, bool transposeB)
    {
        GemmPath path = Enum.Parse<GemmPath>(pathName);
        if (!GemmDispatch.IsSupported(path))
            return;
        var rng = new Random(7);
        foreach (int m in EdgeSizes)
            foreach (int n in EdgeSizes)
                foreach (int k in EdgeSizes)
                    AssertMatchesReference(path, 1, transposeA, transposeB, m, n, k, 1f, 0f, pad: 0, rng);
    }

    [Theory]
    [MemberData(nameof(PathsAndForms))]
    public void Multiply_SizesAcrossBlockEdges_MatchReference(string pathName, bool transposeA, bool transposeB)
    {
        GemmPath path = Enum.Parse<GemmPath>(pathName);
        if (!GemmDispatch.IsSupported(path))
            return;
        var rng = new Random(11);
        // 255 / 257 straddle the k block (256) and rows 145..150 straddle the row block (144).
        AssertMatchesReference(path, 2, transposeA, transposeB, 150, 33, 257, 1f, 0f, pad: 3, rng);
        AssertMatchesReference(path, 2, transposeA, transposeB, 17, 70, 255, 0.5f, 1f, pad: 1, rng);
        AssertMatchesReference(path, 1, transposeA, transposeB, 7, 257, 64, -2f, 0.25f, pad: 5, rng);
    }

    [Theory]
    [MemberData(nameof(PathsAndForms))]
    public void Multiply_LeadingDimensionsWiderThanRows_MatchReference(string pathName, bool transposeA, bool transposeB)
    {
        GemmPath path = Enum.Parse<GemmPath>(pathName);
        if (!GemmDispatch.IsSupported(path))
            return;
        var rng = new Random(13);
        AssertMatchesReference(path, 1, transposeA, transposeB, 13, 21, 19, 1.5f, -0.5f, pad: 7, rng);
        AssertMatchesReference(path, 2, transposeA, transposeB, 40, 35, 66, 1f, 1f, pad: 1, rng);
    }

    [Theory]
    [MemberData(nameof(PathsAndForms))]
    public void Multiply_BetaZero_IgnoresNaNInC(string pathName, bool transposeA, bool transposeB)
    {
        GemmPath path = Enum.Parse<GemmPath>(pathName);
        if (!GemmDispatch.IsSupported(path))
            return;
        var (a, b, c, lda, ldb) = Operands(transposeA, transposeB, 9, 20, 11, 0, new Random(3));
        Array.Fill(c, float.NaN);
        GemmDispatch.Multiply(path, 1, transposeA, transposeB, 9, 20, 11, 1f, a, lda, b, ldb, 0f, c, 20);
        Assert.All(c, x => Assert.True(float.IsFinite(x)));
    }

    [Theory]
    [MemberData(nameof(PathsAndForms))]
    public void Multiply_BetaOne_AccumulatesIntoC(string pathName, bool transposeA, bool transposeB)
    {
        GemmPath path = Enum.Parse<GemmPath>(pathName);
        if (!GemmDispatch.IsSupported(path))
            return;
        var (a, b, c, lda, ldb) = Operands(transposeA, transposeB, 8, 19, 10, 0, new Random(5));
        float[] once = new float[c.Length];
        GemmDispatch.Multiply(path, 1, transposeA, transposeB, 8, 19, 10, 1f, a, lda, b, ldb, 0f, once, 19);
        Array.Copy(once, c, c.Length);
        GemmDispatch.Multiply(path, 1, transposeA, transposeB, 8, 19, 10, 1f, a, lda, b, ldb, 1f, c, 19);
        for (int i = 0; i < c.Length; i++)
            Assert.Equal(2f * once[i], c[i], 1e-5f);
    }

    [Theory]
    [MemberData(nameof(PathsAndForms))]
    public void Multiply_OneAndTwoThreads_GiveBitIdenticalResults(string pathName, bool transposeA, bool transposeB)
    {
        GemmPath path = Enum.Parse<GemmPath>(pathName);
        if (!GemmDispatch.IsSupported(path))
            return;
        // Packed products split rows when C is at least as high as wide, columns otherwise: check both splits.
        foreach (var (m, n) in path == GemmPath.SmallRows ? new[] { (13, 130) } : new[] { (100, 130), (130, 100) })
        {
            const int k = 300;
            var (a, b, c1, lda, ldb) = Operands(transposeA, transposeB, m, n, k, 2, new Random(17));
            float[] c2 = (float[])c1.Clone(), c3 = (float[])c1.Clone();
            GemmDispatch.Multiply(path, 1, transposeA, transposeB, m, n, k, 0.75f, a, lda, b, ldb, 0.5f, c1, n + 2);
            GemmDispatch.Multiply(path, 2, transposeA, transposeB, m, n, k, 0.75f, a, lda, b, ldb, 0.5f, c2, n + 2);
            GemmDispatch.Multiply(path, 3, transposeA, transposeB, m, n, k, 0.75f, a, lda, b, ldb, 0.5f, c3, n + 2);
            Assert.Equal(c1, c2);
            Assert.Equal(c1, c3);
        }
    }

    [Theory]
    [MemberData(nameof(PathsAndForms))]
    public void Multiply_RowsOfAPartialTile_AreBitIdenticalToTheSameRowsOfFullTiles(string pathName, bool transposeA, bool transposeB)
    {
        GemmPath path = Enum.Parse<GemmPath>(pathName);
        if (!GemmDispatch.IsSupported(path) || path == GemmPath.SmallRows)
            return;
        // A last panel of 1..11 rows (partial tiles) against 12 rows (two full 6-row tiles) of the same A: row for row the same values.
        const int full = 12, n = 70, k = 300;
        var (a, b, c, lda, ldb) = Operands(transposeA, transposeB, full, n, k, 0, new Random(31));
        float[] expected = new float[full * n];
        GemmDispatch.Multiply(path, 1, transposeA, transposeB, full, n, k, 1f, a, lda, b, ldb, 0f, expected, n);
        for (int m = 1; m < full; m++)
        {
            // The first m rows of A: rows of stored A, or the first m columns of stored A^T.
            float[] part = transposeA ? a : a[..(m * lda)];
            float[] got = new float[m * n];
            GemmDispatch.Multiply(path, 1, transposeA, transposeB, m, n, k, 1f, part, lda, b, ldb, 0f, got, n);
            Assert.Equal(expected[..(m * n)], got);
        }
    }

    [Fact]
    public void Multiply_CalledFromSeveralThreadsAtOnce_EachGetsItsProduct()
    {
        // Callers that find the workers busy run every part themselves; all of them must still get the right product.
        const int m = 64, n = 96, k = 80;
        var inputs = Enumerable.Range(0, 6).Select(i => Operands(false, false, m, n, k, 0, new Random(100 + i))).ToArray();
        var results = new float[inputs.Length][];
        Parallel.For(0, inputs.Length, i =>
        {
            var (a, b, _, lda, ldb) = inputs[i];
            float[] c = new float[m * n];
            for (int round = 0; round < 5; round++)
                GemmDispatch.Multiply(GemmDispatch.Choose(m, false), 2, false, false, m, n, k, 1f, a, lda, b, ldb, 0f, c, n);
            results[i] = c;
        });
        for (int i = 0; i < inputs.Length; i++)
        {
            var (a, b, _, lda, ldb) = inputs[i];
            float[] expected = new float[m * n];
            GemmReference.Multiply(false, false, m, n, k, 1f, a, lda, b, ldb, 0f, expected, n);
            for (int j = 0; j < expected.Length; j++)
                Assert.Equal(expected[j], results[i][j], 1e-4f);
        }
    }

    [Fact]
    public void Multiply_AlphaZero_OnlyScalesC()
    {
        float[] a = [float.NaN, 1f], b = [2f, 3f], c = [1f, 2f, 3f, 4f];
        Gemm.Multiply(false, false, 2, 2, 1, 0f, a, 1, b, 2, 0.5f, c, 2);
        Assert.Equal([0.5f, 1f, 1.5f, 2f], c);
    }

    [Fact]
    public void Multiply_ZeroDepth_ScalesCByBeta()
    {
        float[] c = [1f, 2f, 3f, 4f];
        Gemm.Multiply(false, false, 2, 2, 0, 1f, [], 1, [], 2, 3f, c, 2);
        Assert.Equal([3f, 6f, 9f, 12f], c);
    }

    [Fact]
    public void Multiply_HandCheckedTransposedForms_GiveProduct()
    {
        // A = [1 2; 3 4], B = [5 6; 7 8]; A^T B = [26 30; 38 44], A B^T = [17 23; 39 53].
        float[] a = [1, 2, 3, 4], b = [5, 6, 7, 8], c = new float[4];
        Gemm.Multiply(true, false, 2, 2, 2, 1f, a, 2, b, 2, 0f, c, 2);
        Assert.Equal([26f, 30f, 38f, 44f], c);
        Gemm.Multiply(false, true, 2, 2, 2, 1f, a, 2, b, 2, 0f, c, 2);
        Assert.Equal([17f, 23f, 39f, 53f], c);
    }

    [Property(MaxTest = 60)]
    public void Multiply_RandomShapes_MatchReference(byte m, byte n, byte k, bool transposeA, bool transposeB, byte pad, bool accumulate)
    {
        var rng = new Random(m * 65536 + n * 256 + k);
        AssertMatchesReference(GemmDispatch.Choose(m % 70, transposeB), 2, transposeA, transposeB, m % 70, n % 70, k % 70,
            1.25f, accumulate ? 0.5f : 0f, pad % 4, rng);
    }

    private static void AssertMatchesReference(
        GemmPath path, int threads, bool transposeA, bool transposeB, int m, int n, int k, float alpha, float beta, int pad, Random rng)
    {
        var (a, b, c, lda, ldb) = Operands(transposeA, transposeB, m, n, k, pad, rng);
        int ldc = n + pad;
        float[] expected = (float[])c.Clone();
        if (beta == 0f)
            Array.Fill(c, float.NaN);
        GemmReference.Multiply(transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, expected, ldc);
        GemmDispatch.Multiply(path, threads, transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        float tolerance = 1e-6f * (k + 4) * Math.Abs(alpha) + 1e-6f;
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                float want = expected[i * ldc + j], got = c[i * ldc + j];
                if (!(Math.Abs(want - got) <= tolerance))
                    Assert.Fail($"{path} ta={transposeA} tb={transposeB} m={m} n={n} k={k}: C[{i},{j}] = {got}, reference {want}");
            }
    }

    /// <summary>Random operands of a product, each leading dimension <paramref name="pad"/> wider than its rows (shared with the packed-B tests).</summary>
    internal static (float[] A, float[] B, float[] C, int Lda, int Ldb) Operands(
        bool transposeA, bool transposeB, int m, int n, int k, int pad, Random rng)
    {
        int lda = (transposeA ? m : k) + pad, ldb = (transposeB ? k : n) + pad;
        float[] a = Random(Math.Max(1, (transposeA ? k : m) * lda), rng);
        float[] b = Random(Math.Max(1, (transposeB ? n : k) * ldb), rng);
        float[] c = Random(Math.Max(1, m * (n + pad)), rng);
        return (a, b, c, lda, ldb);
    }

    private static float[] Random(int length, Random rng)
    {
        float[] x = new float[length];
        for (int i = 0; i < x.Length; i++)
            x[i] = (float)rng.NextDouble() * 2f - 1f;
        return x;
    }
}

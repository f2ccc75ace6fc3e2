using Attend.Kernels;

namespace Attend.Tests.Kernels;

// A product with B packed beforehand must be the product that packs B itself, bit for bit, on every packed path this
// machine can run (the others are skipped inside the test). On AVX-512 and AVX2 the pre-packed product runs the kernel
// that prefetches the next panel (GemmPacked.PrefetchPackedB, on by default), so these also check that kernel's
// arithmetic against the plain one, full and partial row tiles (9, 13, 40, 150 rows).
public class GemmPackedBTests
{
    public static TheoryData<string, bool> PackedPathsAndForms()
    {
        var data = new TheoryData<string, bool>();
        foreach (GemmPath path in Enum.GetValues<GemmPath>().Where(p => p != GemmPath.SmallRows))
            foreach (bool tb in new[] { false, true })
                data.Add(path.ToString(), tb);
        return data;
    }

    [Theory]
    [MemberData(nameof(PackedPathsAndForms))]
    public void MultiplyPacked_EveryColumnCount_IsBitIdenticalToPackingEachCall(string pathName, bool transposeB)
    {
        if (!RunsHere(pathName, out GemmPath path))
            return;
        var rng = new Random(21);
        for (int n = 0; n <= 256; n++)
            AssertSameAsUnpacked(path, 1, false, transposeB, 9, n, 19, 1f, n % 2 == 0 ? 0f : 1f, pad: n % 3, rng);
    }

    [Theory]
    [MemberData(nameof(PackedPathsAndForms))]
    public void MultiplyPacked_DepthsAcrossSlices_IsBitIdenticalToPackingEachCall(string pathName, bool transposeB)
    {
        if (!RunsHere(pathName, out GemmPath path))
            return;
        var rng = new Random(22);
        // The packed slices are 256 deep: 255, 256, 257 and 513 straddle their edges; 150 rows straddle the row block.
        foreach (int k in new[] { 0, 1, 7, 255, 256, 257, 513 })
            AssertSameAsUnpacked(path, 1, false, transposeB, 13, 70, k, 0.5f, 1f, pad: 2, rng);
        AssertSameAsUnpacked(path, 2, false, transposeB, 150, 33, 300, 1f, 0f, pad: 1, rng);
        AssertSameAsUnpacked(path, 2, true, transposeB, 40, 100, 257, -1.5f, 0.25f, pad: 0, rng);
    }

    [Theory]
    [MemberData(nameof(PackedPathsAndForms))]
    public void MultiplyPacked_OneTwoAndThreeThreads_GiveBitIdenticalResults(string pathName, bool transposeB)
    {
        if (!RunsHere(pathName, out GemmPath path))
            return;
        // Rows split when C is at least as high as wide, columns otherwise: check both.
        foreach (var (m, n) in new[] { (100, 130), (130, 100), (16, 1536) })
        {
            const int k = 384;
            var (a, b, c, lda, ldb) = GemmTests.Operands(false, transposeB, m, n, k, 0, new Random(23));
            GemmPackedB packed = GemmPackedB.Pack(path, transposeB, k, n, b, ldb);
            float[] c1 = (float[])c.Clone(), c2 = (float[])c.Clone(), c3 = (float[])c.Clone();
            GemmDispatch.MultiplyPacked(1, false, m, 1f, a, lda, packed, 1f, c1, n);
            GemmDispatch.MultiplyPacked(2, false, m, 1f, a, lda, packed, 1f, c2, n);
            GemmDispatch.MultiplyPacked(3, false, m, 1f, a, lda, packed, 1f, c3, n);
            Assert.Equal(c1, c2);
            Assert.Equal(c1, c3);
        }
    }

    [Theory]
    [MemberData(nameof(PackedPathsAndForms))]
    public void MultiplyPacked_WithBias_IsBitIdenticalToCopyingTheBiasIntoEveryRow(string pathName, bool transposeB)
    {
        if (!RunsHere(pathName, out GemmPath path))
            return;
        var rng = new Random(24);
        // Partial row tiles (9, 15 rows), an edge column panel (70, 33 columns), slices past 256 deep, a second row
        // block (150 rows), a transposed A, and one to three threads.
        foreach (var (m, n, k, threads, transposeA) in new[]
        {
            (9, 64, 19, 1, false), (15, 70, 384, 2, false), (15, 1536, 384, 2, false), (150, 33, 300, 3, false),
            (40, 100, 257, 2, true), (6, 32, 0, 1, false),
        })
        {
            var (a, b, _, lda, ldb) = GemmTests.Operands(transposeA, transposeB, m, n, k, 1, rng);
            float[] bias = Enumerable.Range(0, n).Select(_ => (float)rng.NextDouble() * 2f - 1f).ToArray();
            int ldc = n + 3;
            float[] expected = new float[m * ldc], c = new float[m * ldc];
            for (int r = 0; r < m; r++)
                bias.CopyTo(expected, r * ldc);
            GemmPackedB packed = GemmPackedB.Pack(path, transposeB, k, n, b, ldb);
            GemmDispatch.MultiplyPacked(threads, transposeA, m, 1f, a, lda, packed, 1f, expected, ldc);
            Array.Fill(c, float.NaN);                      // the product must overwrite C, not read it
            GemmDispatch.MultiplyPacked(threads, transposeA, m, 1f, a, lda, packed, bias, 0f, c, ldc);
            for (int r = 0; r < m; r++)
                for (int j = 0; j < n; j++)
                    if (BitConverter.SingleToInt32Bits(expected[r * ldc + j]) != BitConverter.SingleToInt32Bits(c[r * ldc + j]))
                        Assert.Fail($"{path} ta={transposeA} tb={transposeB} m={m} n={n} k={k}: C[{r}, {j}] = {c[r * ldc + j]}, copying the bias gives {expected[r * ldc + j]}");
        }
    }

    [Fact]
    public void MultiplyPacked_BiasOfWrongLengthOrWithBeta_IsRefused()
    {
        GemmPackedB w = GemmPackedB.Pack(GemmPath.PackedScalar, true, 2, 3, new float[6], 2);
        Assert.Throws<ArgumentException>(() => GemmDispatch.MultiplyPacked(1, false, 2, 1f, new float[4], 2, w, new float[2], 0f, new float[6], 3));
        Assert.Throws<ArgumentException>(() => GemmDispatch.MultiplyPacked(1, false, 2, 1f, new float[4], 2, w, new float[3], 1f, new float[6], 3));
    }

    [Fact]
    public void MultiplyPacked_HandCheckedProduct()
    {
        // A = [1 2; 3 4], W = [5 6; 7 8] stored as B^T: A W^T = [17 23; 39 53].
        GemmPath path = GemmDispatch.Choose(64, transposeB: true);
        GemmPackedB w = GemmPackedB.Pack(path, transposeB: true, 2, 2, [5f, 6f, 7f, 8f], 2);
        float[] c = new float[4];
        GemmDispatch.MultiplyPacked(1, false, 2, 1f, [1f, 2f, 3f, 4f], 2, w, 0f, c, 2);
        Assert.Equal([17f, 23f, 39f, 53f], c);
    }

    [Fact]
    public void Pack_SmallRowsPathOrShortMatrix_IsRefused()
    {
        Assert.Throws<PlatformNotSupportedException>(() => GemmPackedB.Pack(GemmPath.SmallRows, true, 2, 2, new float[4], 2));
        Assert.Throws<ArgumentException>(() => GemmPackedB.Pack(GemmPath.PackedScalar, true, 3, 2, new float[5], 3));
    }

    [Fact]
    public void MultiplyPacked_ShortC_IsRefused()
    {
        GemmPackedB w = GemmPackedB.Pack(GemmPath.PackedScalar, true, 2, 3, new float[6], 2);
        Assert.Throws<ArgumentException>(() => GemmDispatch.MultiplyPacked(1, false, 2, 1f, new float[4], 2, w, 0f, new float[5], 3));
    }

    // The theory's path, and whether this machine can run it (the others are skipped).
    private static bool RunsHere(string pathName, out GemmPath path)
    {
        path = Enum.Parse<GemmPath>(pathName);
        return GemmDispatch.IsSupported(path);
    }

    private static void AssertSameAsUnpacked(
        GemmPath path, int threads, bool transposeA, bool transposeB, int m, int n, int k, float alpha, float beta, int pad, Random rng)
    {
        var (a, b, c, lda, ldb) = GemmTests.Operands(transposeA, transposeB, m, n, k, pad, rng);
        int ldc = n + pad;
        float[] expected = (float[])c.Clone();
        GemmDispatch.Multiply(path, threads, transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, expected, ldc);
        GemmPackedB packed = GemmPackedB.Pack(path, transposeB, k, n, b, ldb);
        Assert.Equal((k, n, transposeB, path), (packed.Depth, packed.Columns, packed.TransposeB, packed.Path));
        GemmDispatch.MultiplyPacked(threads, transposeA, m, alpha, a, lda, packed, beta, c, ldc);
        for (int i = 0; i < c.Length; i++)
            if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(c[i]))
                Assert.Fail($"{path} ta={transposeA} tb={transposeB} m={m} n={n} k={k}: C[{i}] = {c[i]}, packing each call gives {expected[i]}");
    }
}

using Attend.Layers;
using Attend.Tensors;

namespace Attend.Tests.Layers;

public class AttentionCacheTests
{
    [Theory]
    [InlineData(0, new[] { 1, 1, 1, 1 })]
    [InlineData(0, new[] { 3, 1, 2 })]
    [InlineData(2, new[] { 1, 2, 1, 3, 1 })]
    [InlineData(16, new[] { 2, 1, 1, 4 })]
    public void Append_InChunks_HoldsTheConcatenationOverPositions(int capacity, int[] chunks)
    {
        const int batch = 3, heads = 2, dK = 5;
        var rng = new Random(11);
        var cache = new AttentionCache(capacity);
        var expectedK = new List<float[]>();   // per (b, h) block, the rows appended so far
        for (int j = 0; j < batch * heads; j++)
            expectedK.Add([]);
        foreach (int n in chunks)
        {
            float[] k = RandomValues(rng, batch * heads * n * dK), v = k.Select(x => -x).ToArray();
            cache.Append(Tensor.Wrap(k, batch, heads, n, dK), Tensor.Wrap(v, batch, heads, n, dK));
            for (int j = 0; j < batch * heads; j++)
                expectedK[j] = [.. expectedK[j], .. k.AsSpan(j * n * dK, n * dK).ToArray()];
        }
        int total = chunks.Sum();
        Assert.Equal(total, cache.Length);
        Assert.Equal(new Shape(batch, heads, total, dK), cache.K!.Shape);
        Assert.Equal(expectedK.SelectMany(x => x).ToArray(), cache.K.ToArray());
        Assert.Equal(expectedK.SelectMany(x => x).Select(x => -x).ToArray(), cache.V!.ToArray());
    }

    [Fact]
    public void Store_OnAnEmptyCache_KeepsEveryPosition()
    {
        float[] k = RandomValues(new Random(3), 2 * 2 * 3 * 4);
        var cache = new AttentionCache();
        cache.Store(Tensor.Wrap(k, 2, 2, 3, 4), Tensor.Wrap(k.ToArray(), 2, 2, 3, 4));
        Assert.Equal(3, cache.Length);
        Assert.Equal(k, cache.K!.ToArray());
    }

    [Fact]
    public void Reorder_CopiesEachBatchEntryFromItsSource()
    {
        const int batch = 3, heads = 2, length = 2, dK = 2, entry = heads * length * dK;
        float[] k = Enumerable.Range(0, batch * entry).Select(i => (float)i).ToArray();
        var cache = new AttentionCache();
        cache.Append(Tensor.Wrap(k, batch, heads, length, dK), Tensor.Wrap(k.ToArray(), batch, heads, length, dK));
        cache.Reorder([2, 0, 0]);
        float[] expected = [.. k.AsSpan(2 * entry, entry), .. k.AsSpan(0, entry), .. k.AsSpan(0, entry)];
        Assert.Equal(expected, cache.K!.ToArray());
        Assert.Equal(expected, cache.V!.ToArray());
    }

    [Fact]
    public void Append_KeysThatRequireGradients_ThrowsInvalidOperation()
    {
        Tensor k = Tensor.Zeros(1, 1, 1, 2).RequireGrad();
        Assert.Throws<InvalidOperationException>(() => new AttentionCache().Append(k, Tensor.Zeros(1, 1, 1, 2)));
    }

    [Fact]
    public void Append_OtherHeadCount_ThrowsArgumentException()
    {
        var cache = new AttentionCache();
        cache.Append(Tensor.Zeros(1, 2, 1, 2), Tensor.Zeros(1, 2, 1, 2));
        ArgumentException e = Assert.Throws<ArgumentException>(() => cache.Append(Tensor.Zeros(1, 1, 1, 2), Tensor.Zeros(1, 1, 1, 2)));
        Assert.Contains("AttentionCache", e.Message, StringComparison.Ordinal);
    }

    private static float[] RandomValues(Random rng, int n) => Enumerable.Range(0, n).Select(_ => (float)rng.NextDouble() - 0.5f).ToArray();
}

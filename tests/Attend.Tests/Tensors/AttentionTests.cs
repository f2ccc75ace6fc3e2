using Attend.Tensors;

namespace Attend.Tests.Tensors;

public class AttentionTests
{
    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void ScaledDotProductAttention_MatchesReference(bool padding, bool causal)
    {
        const int b = 2, h = 2, tq = 3, tk = 4, dk = 3, dv = 2;
        bool[]? pad = padding ? [false, false, false, true, false, false, true, true] : null;
        GradCheck.Check(t => Ops.ScaledDotProductAttention(t[0], t[1], t[2], pad, causal),
            i => Reference.Attention(i[0], i[1], i[2], b, h, tq, tk, dk, dv, pad, causal),
            [GradCheck.Random(b * h * tq * dk, 1, 2), GradCheck.Random(b * h * tk * dk, 2, 2), GradCheck.Random(b * h * tk * dv, 3)],
            [[b, h, tq, dk], [b, h, tk, dk], [b, h, tk, dv]]);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ScaledDotProductAttention_OverTheFirstKeysOfLongerBlocks_EqualsAttentionOverThoseKeysAlone(bool causal)
    {
        const int b = 2, h = 3, tq = 2, used = 3, capacity = 5, dk = 4;
        float[] kFull = GradCheck.Random(b * h * capacity * dk, 8).Select(x => (float)x).ToArray();
        float[] vFull = GradCheck.Random(b * h * capacity * dk, 9).Select(x => (float)x).ToArray();
        float[] kUsed = new float[b * h * used * dk], vUsed = new float[kUsed.Length];
        for (int j = 0; j < b * h; j++)
        {
            kFull.AsSpan(j * capacity * dk, used * dk).CopyTo(kUsed.AsSpan(j * used * dk));
            vFull.AsSpan(j * capacity * dk, used * dk).CopyTo(vUsed.AsSpan(j * used * dk));
        }
        Tensor q = Tensor.From(GradCheck.Random(b * h * tq * dk, 10).Select(x => (float)x).ToArray(), b, h, tq, dk);
        float[] expected = Ops.ScaledDotProductAttention(q, Tensor.Wrap(kUsed, b, h, used, dk), Tensor.Wrap(vUsed, b, h, used, dk), causal: causal).ToArray();
        float[] actual = Ops.ScaledDotProductAttention(q, Tensor.Wrap(kFull, b, h, capacity, dk), Tensor.Wrap(vFull, b, h, capacity, dk), used, causal: causal).ToArray();
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void ScaledDotProductAttention_PartOfTheKeysWithGradients_ThrowsInvalidOperation()
    {
        Tensor q = Tensor.Zeros(1, 1, 1, 2).RequireGrad(), k = Tensor.Zeros(1, 1, 3, 2);
        Assert.Throws<InvalidOperationException>(() => Ops.ScaledDotProductAttention(q, k, k, 2));
    }

    [Fact]
    public void ScaledDotProductAttention_MaskedKeys_GetZeroWeight()
    {
        float[] weights = new float[1 * 1 * 2 * 3];
        bool[] pad = [false, true, false];
        Tensor q = Tensor.From(GradCheck.Random(4, 5).Select(v => (float)v).ToArray(), 1, 1, 2, 2);
        Tensor k = Tensor.From(GradCheck.Random(6, 6).Select(v => (float)v).ToArray(), 1, 1, 3, 2);
        Ops.ScaledDotProductAttention(q, k, k, pad, weights: weights);
        Assert.Equal(0f, weights[1]);
        Assert.Equal(0f, weights[4]);
        Assert.Equal(1f, weights[0] + weights[2], 5);
    }

    [Fact]
    public void ScaledDotProductAttention_Causal_HidesTheFuture()
    {
        float[] weights = new float[3 * 3];
        Tensor q = Tensor.From(GradCheck.Random(9, 7).Select(v => (float)v).ToArray(), 1, 1, 3, 3);
        Ops.ScaledDotProductAttention(q, q, q, causal: true, weights: weights);
        Assert.Equal([0f, 0f, 0f], new[] { weights[1], weights[2], weights[5] });
    }
}

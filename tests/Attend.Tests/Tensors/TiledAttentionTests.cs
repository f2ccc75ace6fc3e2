using Attend.Kernels;
using Attend.Tensors;

namespace Attend.Tests.Tensors;

public class TiledAttentionTests
{
    // 66 queries and 130 keys: two query tiles (64 + 2) and two key tiles (128 + 2), so the online softmax rescales
    // across tiles, causal tiles are skipped, and the tails are partial.
    private const int Tq = 66, Tk = 130;

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void AcrossSeveralTiles_MatchesReferenceAndItsGradients(bool padding, bool causal)
    {
        const int b = 2, h = 1, dk = 2, dv = 2;
        bool[]? pad = padding ? Enumerable.Range(0, b * Tk).Select(j => j % 7 == 3).ToArray() : null;
        GradCheck.Check(t => Ops.ScaledDotProductAttention(t[0], t[1], t[2], pad, causal),
            i => Reference.Attention(i[0], i[1], i[2], b, h, Tq, Tk, dk, dv, pad, causal),
            [GradCheck.Random(b * h * Tq * dk, 11, 3), GradCheck.Random(b * h * Tk * dk, 12, 3), GradCheck.Random(b * h * Tk * dv, 13)],
            [[b, h, Tq, dk], [b, h, Tk, dk], [b, h, Tk, dv]]);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void WithDropout_MatchesReferenceWithTheCounterMaskAndItsGradients(bool causal)
    {
        const int b = 1, h = 2, dk = 2, dv = 2;
        const float p = 0.3f;
        // outside a training step the mask is one slice over the whole [B, H, Tq, Tk] tensor, counted in that order
        ulong seed = new DropoutMasks(5).NextCounterMask(b).Seed(0);
        double Keep(long index) => CounterDropout.Uniform(seed, index) < p ? 0.0 : 1.0 / (1.0 - p);
        GradCheck.Check(t => Ops.ScaledDotProductAttention(t[0], t[1], t[2], null, causal, p, new DropoutMasks(5)),
            i => Reference.Attention(i[0], i[1], i[2], b, h, Tq, Tk, dk, dv, null, causal, Keep),
            [GradCheck.Random(b * h * Tq * dk, 21, 3), GradCheck.Random(b * h * Tk * dk, 22, 3), GradCheck.Random(b * h * Tk * dv, 23)],
            [[b, h, Tq, dk], [b, h, Tk, dk], [b, h, Tk, dv]]);
    }

    [Fact]
    public void OutputsAndGradients_AreBitIdenticalOnOneAndTwoThreads()
    {
        (float[] Z, float[] Dq, float[] Dk, float[] Dv) Run(int threads)
        {
            int saved = KernelThreads.Count;
            KernelThreads.Count = threads;
            try
            {
                Tensor q = Tensor.From(Floats(4 * 3 * Tq * 16, 31), 4, 3, Tq, 16).RequireGrad();
                Tensor k = Tensor.From(Floats(4 * 3 * Tk * 16, 32), 4, 3, Tk, 16).RequireGrad();
                Tensor v = Tensor.From(Floats(4 * 3 * Tk * 16, 33), 4, 3, Tk, 16).RequireGrad();
                Tensor z = Ops.ScaledDotProductAttention(q, k, v, null, causal: true, dropout: 0.1f, masks: new DropoutMasks(9));
                Ops.Sum(Ops.Multiply(z, z)).Backward();
                return (z.ToArray(), q.Grad.ToArray(), k.Grad.ToArray(), v.Grad.ToArray());
            }
            finally
            {
                KernelThreads.Count = saved;
            }
        }
        var one = Run(1);
        var two = Run(2);
        Assert.Equal(one.Z, two.Z);
        Assert.Equal(one.Dq, two.Dq);
        Assert.Equal(one.Dk, two.Dk);
        Assert.Equal(one.Dv, two.Dv);
    }

    [Fact]
    public void SavesRowStatisticsOnly_NotTheWeightMatrix()
    {
        const int b = 2, h = 3, t = 256, d = 8;
        Tensor q = Tensor.From(Floats(b * h * t * d, 41), b, h, t, d).RequireGrad();
        Tensor z = Ops.ScaledDotProductAttention(q, q, q, causal: true, dropout: 0.1f, masks: new DropoutMasks(1));
        Assert.Equal(b * h * t, z.Saved.Buffer0!.Length, (a, c) => c >= a && c < 2 * a);   // a pooled buffer of at least that size
        Assert.Null(z.Saved.Buffer1);
    }

    [Fact]
    public void CapturedWeights_SumToOneOverVisibleKeysAcrossTiles()
    {
        const int d = 4;
        float[] weights = new float[Tq * Tk];
        Tensor q = Tensor.From(Floats(Tq * d, 51), 1, 1, Tq, d), k = Tensor.From(Floats(Tk * d, 52), 1, 1, Tk, d);
        Ops.ScaledDotProductAttention(q, k, k, causal: true, weights: weights);
        for (int i = 0; i < Tq; i++)
        {
            int visible = i + Tk - Tq + 1;
            Assert.Equal(1f, weights.AsSpan(i * Tk, visible).ToArray().Sum(), 4);
            Assert.All(weights.AsSpan(i * Tk + visible, Tk - visible).ToArray(), w => Assert.Equal(0f, w));
        }
    }

    private static float[] Floats(int n, int seed) => GradCheck.Random(n, seed).Select(x => (float)x).ToArray();
}

using Attend.Tensors;

namespace Attend.Tests.Tensors;

/// <summary>The inference attention that reads Q|K|V in place against the general path and the double-precision reference.</summary>
public class PackedAttentionTests
{
    private const int Heads = 3, HeadSize = 4, Width = Heads * HeadSize;

    [Fact]
    public void PaddedBatch_MatchesTheReference()
    {
        const int b = 2, t = 5;
        bool[] padding = [false, false, false, false, false, false, false, true, true, true];
        double[] qkv = GradCheck.Random(b * t * 3 * Width, 21, 2);
        Tensor z;
        using (Autograd.NoGrad())
            z = Ops.PackedSelfAttention(Tensor.Wrap(qkv.Select(v => (float)v).ToArray(), b, t, 3 * Width), Heads, padding);
        Assert.Equal(new[] { b, t, Width }, z.Shape.ToArray());
        GradCheck.AssertClose(ReferenceRows(qkv, [t, t], [t, 2]), z.ToArray(), 1e-5, "padded");
    }

    [Fact]
    public void SequencesEndToEnd_EqualTheSameSequencesAlone()
    {
        int[] lengths = [4, 1, 6, 0, 3];
        int n = lengths.Sum();
        double[] qkv = GradCheck.Random(n * 3 * Width, 22, 2);
        Tensor z;
        using (Autograd.NoGrad())
            z = Ops.PackedSelfAttention(Tensor.Wrap(qkv.Select(v => (float)v).ToArray(), n, 3 * Width), Heads, lengths);
        GradCheck.AssertClose(ReferenceRows(qkv, lengths, lengths), z.ToArray(), 1e-5, "end to end");
    }

    [Fact]
    public void OnEveryThreadCount_GivesTheSameResult()
    {
        // 4 sequences of 30: enough work for two threads (12 items x 30 x 30 x 4 x 2 multiply-adds, RowParallel's threshold)
        int[] lengths = [30, 30, 30, 30];
        int n = lengths.Sum();
        float[] qkv = GradCheck.Random(n * 3 * Width, 23, 2).Select(v => (float)v).ToArray();
        int threads = Attend.Kernels.KernelThreads.Count;
        try
        {
            using var noGrad = Autograd.NoGrad();
            Attend.Kernels.KernelThreads.Count = 1;
            float[] one = Ops.PackedSelfAttention(Tensor.Wrap(qkv, n, 3 * Width), Heads, lengths).ToArray();
            Attend.Kernels.KernelThreads.Count = 2;
            Assert.Equal(one, Ops.PackedSelfAttention(Tensor.Wrap(qkv, n, 3 * Width), Heads, lengths).ToArray());
        }
        finally
        {
            Attend.Kernels.KernelThreads.Count = threads;
        }
    }

    [Fact]
    public void WithGradients_IsRefused()
    {
        Tensor qkv = Tensor.Zeros(2, 3 * Width).RequireGrad();
        Assert.Throws<InvalidOperationException>(() => Ops.PackedSelfAttention(qkv, Heads, [2]));
    }

    [Fact]
    public void LengthsThatDoNotCoverTheRows_AreRefused()
    {
        using var noGrad = Autograd.NoGrad();
        Assert.Throws<ArgumentException>(() => Ops.PackedSelfAttention(Tensor.Zeros(5, 3 * Width), Heads, [2, 2]));
    }

    // Z for each sequence (rows laid end to end, or padded rows of length lengths[s] with keys[s] real keys), per head
    // softmax(q k^T / sqrt(d)) v in double precision, heads merged.
    private static double[] ReferenceRows(double[] qkv, int[] lengths, int[] keys)
    {
        var z = new List<double>();
        int first = 0;
        for (int s = 0; s < lengths.Length; s++)
        {
            for (int i = 0; i < lengths[s]; i++)
            {
                double[] row = new double[Width];
                for (int h = 0; h < Heads; h++)
                {
                    double[] scores = new double[keys[s]];
                    for (int j = 0; j < keys[s]; j++)
                        for (int c = 0; c < HeadSize; c++)
                            scores[j] += qkv[(first + i) * 3 * Width + h * HeadSize + c] * qkv[(first + j) * 3 * Width + Width + h * HeadSize + c] / Math.Sqrt(HeadSize);
                    double max = scores.DefaultIfEmpty(0).Max(), sum = scores.Sum(v => Math.Exp(v - max));
                    for (int j = 0; j < keys[s]; j++)
                        for (int c = 0; c < HeadSize; c++)
                            row[h * HeadSize + c] += Math.Exp(scores[j] - max) / sum * qkv[(first + j) * 3 * Width + 2 * Width + h * HeadSize + c];
                }
                z.AddRange(row);
            }
            first += lengths[s];
        }
        return [.. z];
    }
}

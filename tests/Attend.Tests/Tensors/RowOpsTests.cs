using Attend.Tensors;

namespace Attend.Tests.Tensors;

public class RowOpsTests
{
    [Fact]
    public void Relu_MatchesReference()
    {
        double[] x = GradCheck.Random(30, 1).Select(v => Math.Abs(v) < 0.05 ? v + 0.2 : v).ToArray();
        GradCheck.Check(t => Ops.Relu(t[0]), i => i[0].Select(v => Math.Max(0, v)).ToArray(), [x], [[5, 6]]);
    }

    [Fact]
    public void Gelu_MatchesExactErfReference()
    {
        double[] x = GradCheck.Random(40, 2, scale: 3);
        GradCheck.Check(t => Ops.Gelu(t[0]), i => i[0].Select(v => 0.5 * v * (1 + Reference.Erf(v / Math.Sqrt(2)))).ToArray(), [x], [[4, 10]]);
    }

    [Fact]
    public void GeluTanh_MatchesGpt2Formula()
    {
        double[] x = GradCheck.Random(40, 12, scale: 3);
        GradCheck.Check(t => Ops.GeluTanh(t[0]),
            i => i[0].Select(v => 0.5 * v * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v)))).ToArray(), [x], [[4, 10]]);
    }

    [Fact]
    public void Gelus_OnOneAndTwoThreads_GiveBitIdenticalValuesAndGradients()
    {
        // 40 blocks of 1024 values (enough work for two threads) and a tail of 7 that takes the scalar path; the
        // weights w make every value's gradient different.
        int n = 40 * 1024 + 7;
        float[] x = GradCheck.Random(n, 15, scale: 3).Select(v => (float)v).ToArray();
        float[] w = GradCheck.Random(n, 16, scale: 1).Select(v => (float)v).ToArray();
        int saved = Attend.Kernels.KernelThreads.Count;
        try
        {
            foreach (Func<Tensor, Tensor> gelu in new Func<Tensor, Tensor>[] { Ops.Gelu, Ops.GeluTanh })
            {
                var runs = new List<(float[] Y, float[] Dx)>();
                foreach (int threads in new[] { 1, 2 })
                {
                    Attend.Kernels.KernelThreads.Count = threads;
                    Tensor t = Tensor.Wrap((float[])x.Clone(), n).RequireGrad();
                    Tensor y = gelu(t);
                    Ops.Sum(Ops.Multiply(y, Tensor.Wrap(w, n))).Backward();
                    runs.Add((y.ToArray(), t.Grad.ToArray()));
                }
                Assert.Equal(runs[0].Y, runs[1].Y);
                Assert.Equal(runs[0].Dx, runs[1].Dx);
            }
        }
        finally
        {
            Attend.Kernels.KernelThreads.Count = saved;
        }
    }

    [Fact]
    public void Tanh_MatchesReference() =>
        GradCheck.Check(t => Ops.Tanh(t[0]), i => i[0].Select(Math.Tanh).ToArray(), [GradCheck.Random(24, 13, scale: 2)], [[3, 8]]);

    [Fact]
    public void L2Normalize_MatchesReference() =>
        GradCheck.Check(t => Ops.L2Normalize(t[0]), i => Enumerable.Range(0, 4).SelectMany(r =>
        {
            double[] row = i[0].Skip(r * 6).Take(6).ToArray();
            double norm = Math.Sqrt(row.Sum(v => v * v));
            return row.Select(v => v / norm);
        }).ToArray(), [GradCheck.Random(24, 14, scale: 2)], [[4, 6]]);

    [Fact]
    public void MaxOverPositions_TakesTheMaximumOfTheNonPaddingPositions()
    {
        bool[] padding = [false, false, true, false, true, true];   // batch 2, 3 positions; row 1 keeps only position 0
        double[] x = GradCheck.Random(2 * 3 * 4, 15, scale: 2);
        x[2 * 4] = 50;                                                // a padded maximum that must not win
        GradCheck.Check(t => Ops.MaxOverPositions(t[0], padding), i => Enumerable.Range(0, 2).SelectMany(b =>
            Enumerable.Range(0, 4).Select(d => Enumerable.Range(0, 3).Where(p => !padding[b * 3 + p]).Max(p => i[0][(b * 3 + p) * 4 + d]))).ToArray(),
            [x], [[2, 3, 4]]);
    }

    [Fact]
    public void Softmax_MatchesReference() =>
        GradCheck.Check(t => Ops.Softmax(t[0]), i => Reference.SoftmaxRows(i[0], 7), [GradCheck.Random(35, 3, 4)], [[5, 7]]);

    [Fact]
    public void LogSoftmax_MatchesReference() =>
        GradCheck.Check(t => Ops.LogSoftmax(t[0]), i => Reference.SoftmaxRows(i[0], 9, log: true), [GradCheck.Random(27, 4, 4)], [[3, 9]]);

    [Fact]
    public void Softmax_LargeLogits_DoNotOverflow()
    {
        Tensor y = Ops.Softmax(Tensor.From([1000f, 1001f, 1002f], 1, 3));
        GradCheck.AssertClose(Reference.SoftmaxRows([1000, 1001, 1002], 3), y.ToArray(), 1e-6, "softmax");
    }

    [Fact]
    public void LayerNorm_MatchesReference()
    {
        const int n = 19;
        GradCheck.Check(t => Ops.LayerNorm(t[0], t[1], t[2], 1e-5f), i => Reference.LayerNorm(i[0], i[1], i[2], n, 1e-5),
            [GradCheck.Random(3 * n, 5, 2), GradCheck.Random(n, 6).Select(v => v + 1).ToArray(), GradCheck.Random(n, 7)], [[3, n], [n], [n]], 5e-4);
    }

    [Fact]
    public void MaskedFill_FillsMaskedAndPassesGradientElsewhere()
    {
        double[] mask = [1, 0, 0, 1];
        GradCheck.Check(t => Ops.MaskedFill(t[0], t[1], -7f),
            i => Reference.Broadcast(i[0], [3, 4], i[1], [4], (x, m) => m != 0 ? -7 : x, out _),
            [GradCheck.Random(12, 8), mask], [[3, 4], [4]], differentiable: [true, false]);
    }

    [Fact]
    public void CrossEntropy_WithIgnoreIndexAndLabelSmoothing_MatchesReference()
    {
        int[] targets = [2, -100, 0, 4, 1];
        GradCheck.Check(t => Ops.CrossEntropy(t[0], targets, -100, 0.1f), i => [Reference.CrossEntropy(i[0], 5, targets, -100, 0.1)],
            [GradCheck.Random(25, 9, 3)], [[5, 5]]);
    }

    [Fact]
    public void CrossEntropy_TargetOutsideVocabulary_Throws()
    {
        var e = Assert.Throws<ArgumentException>(() => Ops.CrossEntropy(Tensor.Zeros(2, 3), [0, 3]));
        Assert.Contains("outside the 3 classes", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Embedding_LooksUpRowsAndScatterAddsGradient()
    {
        int[] ids = [2, 0, 2, 1];
        GradCheck.Check(t => Ops.Embedding(t[0], ids, 2, 2), i => ids.SelectMany(id => i[0].Skip(id * 3).Take(3)).ToArray(),
            [GradCheck.Random(9, 10)], [[3, 3]]);
    }

    [Fact]
    public void SplitAndMergeHeads_AreInversePermutations()
    {
        const int b = 2, t = 3, h = 2, dk = 2;
        GradCheck.Check(x => Ops.SplitHeads(x[0], h), i =>
        {
            double[] y = new double[i[0].Length];
            for (int bi = 0; bi < b; bi++)
                for (int ti = 0; ti < t; ti++)
                    for (int hi = 0; hi < h; hi++)
                        for (int d = 0; d < dk; d++)
                            y[((bi * h + hi) * t + ti) * dk + d] = i[0][(bi * t + ti) * h * dk + hi * dk + d];
            return y;
        }, [GradCheck.Random(b * t * h * dk, 11)], [[b, t, h * dk]]);
        Tensor x = Tensor.From(GradCheck.Random(24, 12).Select(v => (float)v).ToArray(), 2, 3, 4);
        Assert.Equal(x.ToArray(), Ops.MergeHeads(Ops.SplitHeads(x, 2)).ToArray());
    }

    [Fact]
    public void Concat_AlongMiddleDimension_MatchesReference()
    {
        GradCheck.Check(t => Ops.Concat([t[0], t[1]], 1), i =>
        {
            var y = new List<double>();
            for (int o = 0; o < 2; o++)
            {
                y.AddRange(i[0].Skip(o * 2 * 3).Take(2 * 3));
                y.AddRange(i[1].Skip(o * 1 * 3).Take(1 * 3));
            }
            return y.ToArray();
        }, [GradCheck.Random(12, 13), GradCheck.Random(6, 14)], [[2, 2, 3], [2, 1, 3]]);
    }

    [Fact]
    public void Dropout_ZeroesAboutPAndScalesTheRest()
    {
        Tensor x = Tensor.From(Enumerable.Repeat(1f, 10_000).ToArray(), 10_000).RequireGrad();
        Tensor y = Ops.Dropout(x, 0.25f, new DropoutMasks(3));
        int zeros = y.ToArray().Count(v => v == 0f);
        Assert.InRange(zeros, 2_300, 2_700);
        Assert.All(y.ToArray().Where(v => v != 0f), v => Assert.Equal(1f / 0.75f, v, 6));
        Ops.Sum(y).Backward();
        Assert.Equal(y.ToArray(), x.Grad.ToArray());
    }

    [Fact]
    public void Dropout_InAStep_AppliesTheMaskFillDraws_SequenceBySequence()
    {
        var forOp = new DropoutMasks(5);
        var forFill = new DropoutMasks(5);
        forOp.BeginStep(2, 3);
        forFill.BeginStep(2, 3);
        Tensor x = Tensor.From(Enumerable.Repeat(1f, 3 * 7 * 90).ToArray(), 3, 7, 90);
        float[] mask = new float[x.Length];
        Ops.Dropout(x, 0.2f, forOp);     // advances both sources alike: the second dropout is the one compared
        forFill.Fill(mask, 0.2f);
        Tensor y = Ops.Dropout(x, 0.2f, forOp);
        forFill.Fill(mask, 0.2f);
        Assert.Equal(mask, y.ToArray());
    }

    [Fact]
    public void Dropout_SameSeed_SameMask()
    {
        Tensor x = Tensor.From(Enumerable.Repeat(1f, 100).ToArray(), 100);
        Assert.Equal(Ops.Dropout(x, 0.5f, new DropoutMasks(9)).ToArray(), Ops.Dropout(x, 0.5f, new DropoutMasks(9)).ToArray());
    }
}

using Attend.Tensors;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Attend.Tests.Tensors;

public class PropertyTests
{
    private static float[] Values(int n, int seed, float scale = 4f)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() * 2 - 1) * scale).ToArray();
    }

    [Property(MaxTest = 60)]
    public Property Softmax_RowsSumToOne() =>
        Prop.ForAll(Gen.Choose(1, 9).Zip(Gen.Choose(1, 70)).Zip(Gen.Choose(0, 10_000)).ToArbitrary(), t =>
        {
            var ((rows, n), seed) = t;
            Tensor y = Ops.Softmax(Tensor.From(Values(rows * n, seed, 30f), rows, n));
            for (int r = 0; r < rows; r++)
                if (Math.Abs(y.Data.Slice(r * n, n).ToArray().Sum() - 1f) > 1e-5f)
                    return false;
            return true;
        });

    [Property(MaxTest = 60)]
    public Property Attention_MaskedKeys_GetExactlyZeroWeight() =>
        Prop.ForAll(Gen.Choose(1, 6).Zip(Gen.Choose(1, 9)).Zip(Gen.Choose(0, 10_000)).ToArbitrary(), t =>
        {
            var ((tq, tk), seed) = t;
            var rng = new Random(seed);
            bool[] pad = Enumerable.Range(0, tk).Select(_ => rng.Next(3) == 0).ToArray();
            float[] w = new float[tq * tk];
            Tensor q = Tensor.From(Values(tq * 4, seed), 1, 1, tq, 4);
            Tensor k = Tensor.From(Values(tk * 4, seed + 1), 1, 1, tk, 4);
            Ops.ScaledDotProductAttention(q, k, k, pad, weights: w);
            for (int i = 0; i < tq; i++)
                for (int j = 0; j < tk; j++)
                    if (pad[j] && w[i * tk + j] != 0f)
                        return false;
            return true;
        });

    [Property(MaxTest = 40)]
    public Property MatMul_AssociatesWithItsTransposes() =>
        Prop.ForAll(Gen.Choose(1, 12).Zip(Gen.Choose(1, 12)).Zip(Gen.Choose(1, 12).Zip(Gen.Choose(0, 10_000))).ToArbitrary(), t =>
        {
            var ((m, k), (n, seed)) = t;
            Tensor a = Tensor.From(Values(m * k, seed), m, k);
            Tensor b = Tensor.From(Values(k * n, seed + 1), k, n);
            float[] ab = Ops.MatMul(a, b).ToArray();
            // (A B)^T = B^T A^T: compute B^T A^T with the transpose flags and compare element (i, j) with (j, i)
            float[] btat = Ops.MatMul(b, a, transposeA: true, transposeB: true).ToArray();
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++)
                    if (Math.Abs(ab[i * n + j] - btat[j * m + i]) > 1e-4f)
                        return false;
            return true;
        });

    [Property(MaxTest = 40)]
    public Property Broadcasting_AgreesWithExplicitExpansion() =>
        Prop.ForAll(Gen.Choose(1, 4).Zip(Gen.Choose(1, 5)).Zip(Gen.Choose(1, 6).Zip(Gen.Choose(0, 10_000))).ToArbitrary(), t =>
        {
            var ((b, r), (c, seed)) = t;
            Tensor x = Tensor.From(Values(b * r * c, seed), b, r, c);
            Tensor bias = Tensor.From(Values(c, seed + 1), c);
            float[] expanded = new float[b * r * c];
            for (int i = 0; i < b * r; i++)
                bias.Data.CopyTo(expanded.AsSpan(i * c, c));
            float[] viaBroadcast = Ops.Add(x, bias).ToArray();
            float[] viaExpansion = Ops.Add(x, Tensor.From(expanded, b, r, c)).ToArray();
            return viaBroadcast.SequenceEqual(viaExpansion);
        });
}

using Attend.Kernels;

namespace Attend.Tests.Kernels;

/// <summary>The single-precision exponential: accuracy against double precision, its edges, and every length 0..256.</summary>
public class ExponentialTests
{
    private static float[] Random(int n, int seed, float low, float high)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => (float)(low + rng.NextDouble() * (high - low))).ToArray();
    }

    [Fact]
    public void ExpScalar_IsWithin2e7RelativeOfDoublePrecision()
    {
        float[] x = Random(200_000, 1, Exponential.Lowest, Exponential.Highest - 0.01f);
        foreach (float v in x.Concat([0f, -0f, 1f, -1f, 1e-8f, -1e-8f, 0.34657359f, -0.34657359f, 88.7f, -86.8f]))
        {
            double expected = Math.Exp(v);
            float actual = Exponential.ExpScalar(v);
            Assert.True(Math.Abs(actual - expected) <= 2e-7 * expected, $"exp({v:R}) = {actual:R}, expected {expected:R}");
        }
    }

    [Fact]
    public void ExpScalar_Edges()
    {
        Assert.Equal(1f, Exponential.ExpScalar(0f));
        Assert.Equal(0f, Exponential.ExpScalar(float.NegativeInfinity));
        Assert.Equal(0f, Exponential.ExpScalar(-87f));
        Assert.Equal(0f, Exponential.ExpScalar(-1e30f));
        Assert.Equal(float.PositiveInfinity, Exponential.ExpScalar(float.PositiveInfinity));
        Assert.Equal(float.PositiveInfinity, Exponential.ExpScalar(88.73f));
        Assert.Equal(float.PositiveInfinity, Exponential.ExpScalar(1e30f));
        Assert.True(float.IsNaN(Exponential.ExpScalar(float.NaN)));
        Assert.True(float.IsFinite(Exponential.ExpScalar(88.72f)));
        Assert.True(Exponential.ExpScalar(-86.89f) > 0f);
    }

    [Fact]
    public void Exp_EveryLength_EqualsScalarReferenceBitForBit()
    {
        for (int n = 0; n <= 256; n++)
        {
            float[] x = Random(n, n, -100f, 100f), y = new float[n];
            if (n > 3)
                (x[0], x[1], x[2]) = (float.NegativeInfinity, float.NaN, float.PositiveInfinity);
            Exponential.Exp(x, y);
            for (int i = 0; i < n; i++)
                Assert.Equal(BitConverter.SingleToInt32Bits(Exponential.ExpScalar(x[i])), BitConverter.SingleToInt32Bits(y[i]));
        }
    }

    [Fact]
    public void Exp_InPlace_GivesTheSameValues()
    {
        float[] x = Random(100, 7, -20f, 20f), expected = new float[100];
        Exponential.Exp(x, expected);
        Exponential.Exp(x, x);
        Assert.Equal(expected, x);
    }

    [Fact]
    public void ExpSubtractSum_EveryLength_WritesShiftedExpAndReturnsItsSum()
    {
        for (int n = 0; n <= 256; n++)
        {
            float[] x = Random(n, n + 500, -30f, 0f), y = new float[n];
            float shift = n % 2 == 0 ? 0f : -3.5f;
            float sum = Exponential.ExpSubtractSum(x, shift, y);
            double expectedSum = 0;
            for (int i = 0; i < n; i++)
            {
                Assert.Equal(Exponential.ExpScalar(x[i] - shift), y[i]);
                expectedSum += y[i];
            }
            Assert.True(Math.Abs(sum - expectedSum) <= 1e-6 * (1 + expectedSum), $"length {n}: sum {sum} vs {expectedSum}");
        }
    }

    [Fact]
    public void Exp_LengthMismatch_Throws()
    {
        Assert.Throws<ArgumentException>(() => Exponential.Exp(new float[3], new float[2]));
        Assert.Throws<ArgumentException>(() => Exponential.ExpSubtractSum(new float[3], 0f, new float[4]));
    }
}

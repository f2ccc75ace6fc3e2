using Attend.Kernels;

namespace Attend.Tests.Kernels;

public class CounterDropoutTests
{
    [Fact]
    public void Multipliers_EqualTheReferenceForEveryLengthAndStart()
    {
        const float p = 0.25f;
        for (int n = 0; n <= 256; n++)
        {
            long start = 1000L * n + 7;
            float[] actual = new float[n];
            CounterDropout.Multipliers(42, start, p, actual);
            for (int i = 0; i < n; i++)
                Assert.Equal(CounterDropout.Uniform(42, start + i) < p ? 0f : 1f / (1f - p), actual[i]);
        }
    }

    [Fact]
    public void AnyBlockOfTheMask_IsThatPartOfTheWholeMask()
    {
        float[] whole = new float[1000], part = new float[300];
        CounterDropout.Multipliers(7, 0, 0.1f, whole);
        CounterDropout.Multipliers(7, 350, 0.1f, part);
        Assert.Equal(whole.AsSpan(350, 300).ToArray(), part);
    }

    [Theory]
    [InlineData(0.1f)]
    [InlineData(0.5f)]
    public void DropsAboutAFractionP_AndDifferentSeedsGiveDifferentMasks(float p)
    {
        float[] a = new float[100_000], b = new float[100_000];
        CounterDropout.Multipliers(1, 0, p, a);
        CounterDropout.Multipliers(2, 0, p, b);
        Assert.InRange(a.Count(x => x == 0f) / (double)a.Length, p - 0.01, p + 0.01);
        Assert.NotEqual(a, b);
    }

    [Fact]
    public void ProbabilityOutsideZeroToOne_Throws()
    {
        Assert.Throws<ArgumentException>(() => CounterDropout.Multipliers(1, 0, 1f, new float[4]));
        Assert.Throws<ArgumentException>(() => CounterDropout.Multipliers(1, 0, -0.1f, new float[4]));
    }
}

using Attend.Kernels;

namespace Attend.Tests.Kernels;

public class AdamKernelTests
{
    [Theory]
    [InlineData(false, 0f)]
    [InlineData(false, 0.01f)]
    [InlineData(true, 0.1f)]
    public void Step_EveryLength_MatchesScalarReference(bool decoupled, float weightDecay)
    {
        var rng = new Random(5);
        for (int n = 0; n <= 256; n++)
        {
            float[] p = Enumerable.Range(0, n).Select(_ => (float)rng.NextDouble() - 0.5f).ToArray();
            float[] g = Enumerable.Range(0, n).Select(_ => (float)rng.NextDouble() - 0.5f).ToArray();
            float[] m = g.Select(x => x * 0.1f).ToArray(), v = g.Select(x => x * x * 0.5f).ToArray();
            float[] p2 = (float[])p.Clone(), m2 = (float[])m.Clone(), v2 = (float[])v.Clone();
            AdamKernel.Step(p, g, m, v, 1e-3f, 0.9f, 0.98f, 1e-9f, weightDecay, decoupled, 3);
            AdamKernel.StepScalar(p2, g, m2, v2, 1e-3f, 0.9f, 0.98f, 1e-9f, weightDecay, decoupled, 3);
            for (int i = 0; i < n; i++)
            {
                Assert.True(Math.Abs(p[i] - p2[i]) <= 1e-6f, $"length {n}, p[{i}]");
                Assert.True(Math.Abs(m[i] - m2[i]) <= 1e-7f && Math.Abs(v[i] - v2[i]) <= 1e-7f, $"length {n}, moments [{i}]");
            }
        }
    }

    [Fact]
    public void FirstStep_MovesEachWeightByTheLearningRateAgainstItsGradient()
    {
        // step 1: m = (1 - b1) g, v = (1 - b2) g^2, so m / bc1 / sqrt(v / bc2) = sign(g) and p moves by lr (eps aside)
        float[] p = [1f, 1f], g = [0.5f, -2f], m = new float[2], v = new float[2];
        AdamKernel.Step(p, g, m, v, 0.01f, 0.9f, 0.98f, 1e-9f, 0f, false, 1);
        Assert.Equal(0.99f, p[0], 5);
        Assert.Equal(1.01f, p[1], 5);
    }
}

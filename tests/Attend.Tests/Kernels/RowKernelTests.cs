using Attend.Kernels;

namespace Attend.Tests.Kernels;

/// <summary>The vector row kernels against their scalar references, for every length from 0 to 256 (tails are where SIMD bugs live).</summary>
public class RowKernelTests
{
    private static float[] Random(int n, int seed, float scale = 3f)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() * 2 - 1) * scale).ToArray();
    }

    [Fact]
    public void Softmax_EveryLength_MatchesScalarReference()
    {
        for (int n = 0; n <= 256; n++)
        {
            float[] x = Random(n, n), fast = new float[n], slow = new float[n];
            Softmax.Forward(x, fast);
            Softmax.ForwardScalar(x, slow);
            for (int i = 0; i < n; i++)
                Assert.True(Math.Abs(fast[i] - slow[i]) <= 1e-6f + 1e-5f * slow[i], $"length {n}, element {i}: {fast[i]} vs {slow[i]}");
        }
    }

    [Fact]
    public void Softmax_AllMasked_GivesZeros()
    {
        float[] x = [float.NegativeInfinity, float.NegativeInfinity], y = [1f, 1f];
        Softmax.Forward(x, y);
        Assert.Equal([0f, 0f], y);
    }

    [Fact]
    public void LayerNorm_EveryLength_MatchesScalarReference()
    {
        for (int n = 0; n <= 256; n++)
        {
            float[] x = Random(n, n), g = Random(n, n + 1000), b = Random(n, n + 2000);
            float[] fast = new float[n], slow = new float[n];
            var (m1, r1) = LayerNormKernel.Forward(x, g, b, 1e-5f, fast);
            var (m2, r2) = LayerNormKernel.ForwardScalar(x, g, b, 1e-5f, slow);
            Assert.Equal(m2, m1, 4);
            Assert.True(Math.Abs(r1 - r2) <= 1e-3f * Math.Abs(r2), $"length {n}: rstd {r1} vs {r2}");
            for (int i = 0; i < n; i++)
                Assert.True(Math.Abs(fast[i] - slow[i]) <= 1e-4f * (1 + Math.Abs(slow[i])), $"length {n}, element {i}");
        }
    }

    [Fact]
    public void LayerNormBackward_EveryLength_MatchesScalarLoop()
    {
        for (int n = 1; n <= 256; n++)
        {
            float[] x = Random(n, n), g = Random(n, n + 1), dy = Random(n, n + 2), y = new float[n];
            var (mean, rstd) = LayerNormKernel.Forward(x, g, new float[n], 1e-5f, y);
            float[] dx = new float[n], dg = new float[n], db = new float[n];
            LayerNormKernel.Backward(x, g, mean, rstd, dy, dx, dg, db);
            double sumD = 0, sumDX = 0;
            for (int i = 0; i < n; i++)
            {
                double xhat = (x[i] - mean) * rstd;
                sumD += dy[i] * g[i];
                sumDX += dy[i] * g[i] * xhat;
            }
            for (int i = 0; i < n; i++)
            {
                double xhat = (x[i] - mean) * rstd;
                double expected = (dy[i] * g[i] - sumD / n - xhat * sumDX / n) * rstd;
                Assert.True(Math.Abs(dx[i] - expected) <= 1e-3 * (1 + Math.Abs(expected)), $"length {n}, dx[{i}] {dx[i]} vs {expected}");
                Assert.True(Math.Abs(dy[i] * xhat - dg[i]) <= 1e-4 * (1 + Math.Abs(dg[i])), $"length {n}, dgamma[{i}]");
                Assert.Equal(dy[i], db[i]);
            }
        }
    }

    [Fact]
    public void Gelu_EveryLength_MatchesScalarFormula()
    {
        for (int n = 0; n <= 256; n++)
        {
            float[] x = Random(n, n, 5f), y = new float[n], dx = new float[n];
            float[] dy = Enumerable.Repeat(1f, n).ToArray();
            Activations.Gelu(x, y);
            Activations.GeluBackward(x, dy, dx);
            for (int i = 0; i < n; i++)
            {
                float phi = Activations.PhiScalar(x[i]);
                Assert.True(Math.Abs(y[i] - x[i] * phi) <= 1e-5f * (1 + Math.Abs(x[i])), $"length {n}, element {i}");
                float grad = phi + x[i] * MathF.Exp(-0.5f * x[i] * x[i]) / MathF.Sqrt(2 * MathF.PI);
                Assert.True(Math.Abs(dx[i] - grad) <= 1e-5f, $"length {n}, gradient {i}");
            }
        }
    }

    [Fact]
    public void GeluTanh_EveryLength_MatchesDoublePrecisionFormula()
    {
        for (int n = 0; n <= 256; n++)
        {
            float[] x = Random(n, n, 6f), y = new float[n], dx = Enumerable.Repeat(0.5f, n).ToArray(), dy = Random(n, n + 7);
            Activations.GeluTanh(x, y);
            Activations.GeluTanhBackward(x, dy, dx);
            for (int i = 0; i < n; i++)
            {
                double v = x[i], c = Math.Sqrt(2 / Math.PI), t = Math.Tanh(c * (v + 0.044715 * v * v * v));
                double value = 0.5 * v * (1 + t);
                double grad = 0.5 * (1 + t) + 0.5 * v * (1 - t * t) * c * (1 + 3 * 0.044715 * v * v);
                Assert.True(Math.Abs(y[i] - value) <= 1e-6 * (1 + Math.Abs(value)), $"length {n}, element {i}: {y[i]} vs {value}");
                Assert.True(Math.Abs(dx[i] - (0.5 + dy[i] * grad)) <= 1e-5, $"length {n}, gradient {i}: {dx[i]} vs {0.5 + dy[i] * grad}");
            }
        }
    }

    [Fact]
    public void GeluTanh_GoldenValues()
    {
        // 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) at x = -3, -1, 0, 1, 3 in double precision; the limits x and 0 far out
        float[] x = [-3f, -1f, 0f, 1f, 3f, 1000f, -1000f], y = new float[7];
        Activations.GeluTanh(x, y);
        double[] expected = [-0.0036373920817729943, -0.15880800939172324, 0, 0.8411919906082768, 2.996362607918227, 1000, 0];
        for (int i = 0; i < x.Length; i++)
            Assert.True(Math.Abs(y[i] - expected[i]) <= 2e-7 * Math.Max(1, Math.Abs(expected[i])), $"gelu_new({x[i]}) = {y[i]}, expected {expected[i]}");
    }

    [Fact]
    public void TanhBackward_EveryLength_UsesOneMinusSquare()
    {
        for (int n = 0; n <= 256; n++)
        {
            float[] x = Random(n, n), y = new float[n], dy = Random(n, n + 3), dx = new float[n];
            Activations.Tanh(x, y);
            Activations.TanhBackward(y, dy, dx);
            for (int i = 0; i < n; i++)
            {
                Assert.True(Math.Abs(y[i] - Math.Tanh(x[i])) <= 1e-6, $"length {n}, element {i}");
                Assert.True(Math.Abs(dx[i] - dy[i] * (1 - Math.Tanh(x[i]) * Math.Tanh(x[i]))) <= 1e-5, $"length {n}, gradient {i}");
            }
        }
    }

    [Fact]
    public void ReluBackward_EveryLength_PassesGradientWherePositive()
    {
        for (int n = 0; n <= 256; n++)
        {
            float[] x = Random(n, n), dy = Random(n, n + 5), dx = Enumerable.Repeat(1f, n).ToArray();
            Activations.ReluBackward(x, dy, dx);
            for (int i = 0; i < n; i++)
                Assert.Equal(1f + (x[i] > 0 ? dy[i] : 0f), dx[i]);
        }
    }

    [Fact]
    public void Backward_WithoutAccumulating_WritesWhatAccumulatingIntoZerosGives()
    {
        for (int n = 0; n <= 256; n++)
        {
            float[] x = Random(n, n, 4f), dy = Random(n, n + 9), g = Random(n, n + 10);
            var (mean, rstd) = LayerNormKernel.Forward(x, g, new float[n], 1e-5f, new float[n]);
            foreach (int kernel in new[] { 0, 1, 2 })
            {
                float[] added = new float[n], written = Enumerable.Repeat(float.NaN, n).ToArray();
                Action<float[], bool> run = kernel switch
                {
                    0 => (dx, acc) => Activations.GeluBackward(x, dy, dx, acc),
                    1 => (dx, acc) => Activations.ReluBackward(x, dy, dx, acc),
                    _ => (dx, acc) => LayerNormKernel.Backward(x, g, mean, rstd, dy, dx, new float[n], new float[n], acc),
                };
                run(added, true);
                run(written, false);
                Assert.Equal(added, written);
            }
        }
    }

    [Fact]
    public void Erf_MatchesKnownValues()
    {
        Assert.Equal(0.0f, Activations.ErfScalar(0f), 6);
        Assert.Equal(0.8427007929f, Activations.ErfScalar(1f), 6);
        Assert.Equal(-0.9953222650f, Activations.ErfScalar(-2f), 6);
    }
}

using System.Numerics;
using System.Numerics.Tensors;

namespace Attend.Kernels;

/// <summary>
/// Layer normalisation of one row: y = (x - mean) / sqrt(var + eps) * gamma + beta, with the biased variance,
/// and its backward pass (as llm.c's layernorm_forward / layernorm_backward).
/// </summary>
public static class LayerNormKernel
{
    /// <summary>Normalises <paramref name="x"/> into <paramref name="y"/>; returns (mean, 1/sqrt(var + eps)) for the backward pass.</summary>
    public static (float Mean, float Rstd) Forward(
        ReadOnlySpan<float> x, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta, float eps, Span<float> y)
    {
        int n = x.Length;
        Softmax.CheckSameLength(n, gamma.Length, nameof(gamma));
        Softmax.CheckSameLength(n, beta.Length, nameof(beta));
        Softmax.CheckSameLength(n, y.Length, nameof(y));
        if (n == 0)
            return (0f, 0f);
        float mean = TensorPrimitives.Sum(x) / n;
        float var = 0f;
        int i = 0;
        if (Vector.IsHardwareAccelerated && n >= Vector<float>.Count)
        {
            var vm = new Vector<float>(mean);
            var acc = Vector<float>.Zero;
            for (; i <= n - Vector<float>.Count; i += Vector<float>.Count)
            {
                Vector<float> d = new Vector<float>(x[i..]) - vm;
                acc += d * d;
            }
            var = Vector.Sum(acc);
        }
        for (; i < n; i++)
        {
            float d = x[i] - mean;
            var += d * d;
        }
        float rstd = 1f / MathF.Sqrt(var / n + eps);
        i = 0;
        if (Vector.IsHardwareAccelerated && n >= Vector<float>.Count)
        {
            var vm = new Vector<float>(mean);
            var vr = new Vector<float>(rstd);
            for (; i <= n - Vector<float>.Count; i += Vector<float>.Count)
            {
                Vector<float> xhat = (new Vector<float>(x[i..]) - vm) * vr;
                (xhat * new Vector<float>(gamma[i..]) + new Vector<float>(beta[i..])).CopyTo(y[i..]);
            }
        }
        for (; i < n; i++)
            y[i] = (x[i] - mean) * rstd * gamma[i] + beta[i];
        return (mean, rstd);
    }

    /// <summary>
    /// dX += (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat)) * rstd with dxhat = dY * gamma;
    /// dGamma += dY * xhat; dBeta += dY.
    /// </summary>
    public static void Backward(
        ReadOnlySpan<float> x, ReadOnlySpan<float> gamma, float mean, float rstd, ReadOnlySpan<float> dY,
        Span<float> dX, Span<float> dGamma, Span<float> dBeta) => Backward(x, gamma, mean, rstd, dY, dX, dGamma, dBeta, accumulate: true);

    /// <summary>As the public overload, but dX = its term alone (not +=) when <paramref name="accumulate"/> is false.</summary>
    internal static void Backward(
        ReadOnlySpan<float> x, ReadOnlySpan<float> gamma, float mean, float rstd, ReadOnlySpan<float> dY,
        Span<float> dX, Span<float> dGamma, Span<float> dBeta, bool accumulate)
    {
        int n = x.Length;
        Softmax.CheckSameLength(n, gamma.Length, nameof(gamma));
        Softmax.CheckSameLength(n, dY.Length, nameof(dY));
        Softmax.CheckSameLength(n, dX.Length, nameof(dX));
        Softmax.CheckSameLength(n, dGamma.Length, nameof(dGamma));
        Softmax.CheckSameLength(n, dBeta.Length, nameof(dBeta));
        if (n == 0)
            return;
        float sumD = 0f, sumDX = 0f;
        int i = 0;
        int w = Vector<float>.Count;
        if (Vector.IsHardwareAccelerated && n >= w)
        {
            var vm = new Vector<float>(mean);
            var vr = new Vector<float>(rstd);
            Vector<float> accD = Vector<float>.Zero, accDX = Vector<float>.Zero;
            for (; i <= n - w; i += w)
            {
                Vector<float> dy = new(dY[i..]);
                Vector<float> xhat = (new Vector<float>(x[i..]) - vm) * vr;
                Vector<float> dxhat = dy * new Vector<float>(gamma[i..]);
                accD += dxhat;
                accDX += dxhat * xhat;
                (new Vector<float>(dGamma[i..]) + dy * xhat).CopyTo(dGamma[i..]);
                (new Vector<float>(dBeta[i..]) + dy).CopyTo(dBeta[i..]);
            }
            sumD = Vector.Sum(accD);
            sumDX = Vector.Sum(accDX);
        }
        for (; i < n; i++)
        {
            float xhat = (x[i] - mean) * rstd;
            float dxhat = dY[i] * gamma[i];
            sumD += dxhat;
            sumDX += dxhat * xhat;
            dGamma[i] += dY[i] * xhat;
            dBeta[i] += dY[i];
        }
        float meanD = sumD / n, meanDX = sumDX / n;
        i = 0;
        if (Vector.IsHardwareAccelerated && n >= w)
        {
            var vm = new Vector<float>(mean);
            var vr = new Vector<float>(rstd);
            var vMeanD = new Vector<float>(meanD);
            var vMeanDX = new Vector<float>(meanDX);
            for (; i <= n - w; i += w)
            {
                Vector<float> xhat = (new Vector<float>(x[i..]) - vm) * vr;
                Vector<float> dxhat = new Vector<float>(dY[i..]) * new Vector<float>(gamma[i..]);
                Vector<float> term = (dxhat - vMeanD - xhat * vMeanDX) * vr;
                (accumulate ? new Vector<float>(dX[i..]) + term : term).CopyTo(dX[i..]);
            }
        }
        for (; i < n; i++)
        {
            float xhat = (x[i] - mean) * rstd;
            float dxhat = dY[i] * gamma[i];
            dX[i] = (accumulate ? dX[i] : 0f) + (dxhat - meanD - xhat * meanDX) * rstd;
        }
    }

    /// <summary>The plain scalar forward the vector path is tested against.</summary>
    internal static (float Mean, float Rstd) ForwardScalar(
        ReadOnlySpan<float> x, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta, float eps, Span<float> y)
    {
        int n = x.Length;
        if (n == 0)
            return (0f, 0f);
        float mean = 0f;
        foreach (float v in x)
            mean += v;
        mean /= n;
        float var = 0f;
        foreach (float v in x)
            var += (v - mean) * (v - mean);
        float rstd = 1f / MathF.Sqrt(var / n + eps);
        for (int i = 0; i < n; i++)
            y[i] = (x[i] - mean) * rstd * gamma[i] + beta[i];
        return (mean, rstd);
    }
}

using System.Numerics;

namespace Attend.Kernels;

/// <summary>
/// One Adam step over flat slabs, with PyTorch's arithmetic: g' = g + wd p (Adam's L2 form), m = b1 m + (1 - b1) g',
/// v = b2 v + (1 - b2) g'^2, p -= (lr / bc1) m / (sqrt(v) / sqrt(bc2) + eps), bc_i = 1 - b_i^t.
/// AdamW instead decays the weight directly first: p *= 1 - lr wd.
/// </summary>
public static class AdamKernel
{
    /// <summary>Updates <paramref name="p"/>, <paramref name="m"/> and <paramref name="v"/> in place from the gradient <paramref name="g"/>.</summary>
    public static void Step(Span<float> p, ReadOnlySpan<float> g, Span<float> m, Span<float> v,
        float lr, float beta1, float beta2, float eps, float weightDecay, bool decoupled, long step)
    {
        int n = p.Length;
        Softmax.CheckSameLength(n, g.Length, nameof(g));
        Softmax.CheckSameLength(n, m.Length, nameof(m));
        Softmax.CheckSameLength(n, v.Length, nameof(v));
        float bc1 = 1f - MathF.Pow(beta1, step), bc2 = 1f - MathF.Pow(beta2, step);
        float stepSize = lr / bc1, sqrtBc2 = MathF.Sqrt(bc2);
        float decay = decoupled ? 1f - lr * weightDecay : 1f;
        float l2 = decoupled ? 0f : weightDecay;
        int i = 0, w = Vector<float>.Count;
        if (Vector.IsHardwareAccelerated)
        {
            var vb1 = new Vector<float>(beta1);
            var vb1c = new Vector<float>(1f - beta1);
            var vb2 = new Vector<float>(beta2);
            var vb2c = new Vector<float>(1f - beta2);
            var vStep = new Vector<float>(stepSize);
            var vInvBc2 = new Vector<float>(1f / sqrtBc2);
            var vEps = new Vector<float>(eps);
            var vDecay = new Vector<float>(decay);
            var vL2 = new Vector<float>(l2);
            for (; i <= n - w; i += w)
            {
                Vector<float> pi = new Vector<float>(p[i..]) * vDecay;
                Vector<float> gi = new Vector<float>(g[i..]) + vL2 * pi;
                Vector<float> mi = vb1 * new Vector<float>(m[i..]) + vb1c * gi;
                Vector<float> vi = vb2 * new Vector<float>(v[i..]) + vb2c * gi * gi;
                mi.CopyTo(m[i..]);
                vi.CopyTo(v[i..]);
                (pi - vStep * mi / (Vector.SquareRoot(vi) * vInvBc2 + vEps)).CopyTo(p[i..]);
            }
        }
        for (; i < n; i++)
        {
            float pi = p[i] * decay;
            float gi = g[i] + l2 * pi;
            m[i] = beta1 * m[i] + (1f - beta1) * gi;
            v[i] = beta2 * v[i] + (1f - beta2) * gi * gi;
            p[i] = pi - stepSize * m[i] / (MathF.Sqrt(v[i]) * (1f / sqrtBc2) + eps);
        }
    }

    /// <summary>The plain scalar step the vector path is tested against.</summary>
    internal static void StepScalar(Span<float> p, ReadOnlySpan<float> g, Span<float> m, Span<float> v,
        float lr, float beta1, float beta2, float eps, float weightDecay, bool decoupled, long step)
    {
        float bc1 = 1f - MathF.Pow(beta1, step), bc2 = 1f - MathF.Pow(beta2, step);
        for (int i = 0; i < p.Length; i++)
        {
            float pi = decoupled ? p[i] * (1f - lr * weightDecay) : p[i];
            float gi = decoupled ? g[i] : g[i] + weightDecay * pi;
            m[i] = beta1 * m[i] + (1f - beta1) * gi;
            v[i] = beta2 * v[i] + (1f - beta2) * gi * gi;
            p[i] = pi - lr / bc1 * m[i] / (MathF.Sqrt(v[i]) / MathF.Sqrt(bc2) + eps);
        }
    }
}

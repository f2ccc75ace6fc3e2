using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.Intrinsics;

namespace Attend.Kernels;

/// <summary>
/// Element-wise activations and their gradients: ReLU max(0, x), the exact GELU x * Phi(x), GPT-2's tanh approximation
/// of GELU ("gelu_new") and tanh.
/// </summary>
public static class Activations
{
    private const float InvSqrt2 = 0.70710678118654752f;
    private const float InvSqrt2Pi = 0.39894228040143268f;
    private const float Sqrt2OverPi = 0.79788456080286536f;
    private const float GeluTanhCubic = 0.044715f;

    /// <summary>destination = max(0, x).</summary>
    public static void Relu(ReadOnlySpan<float> x, Span<float> destination)
    {
        Softmax.CheckSameLength(x.Length, destination.Length, nameof(destination));
        TensorPrimitives.Max(x, 0f, destination);
    }

    /// <summary>dX += dY where x &gt; 0.</summary>
    public static void ReluBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> dY, Span<float> dX) => ReluBackward(x, dY, dX, accumulate: true);

    /// <summary>dX += dY where x &gt; 0, or dX = that term alone when <paramref name="accumulate"/> is false.</summary>
    internal static void ReluBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> dY, Span<float> dX, bool accumulate)
    {
        Softmax.CheckSameLength(x.Length, dY.Length, nameof(dY));
        Softmax.CheckSameLength(x.Length, dX.Length, nameof(dX));
        int i = 0, w = Vector<float>.Count;
        if (Vector.IsHardwareAccelerated)
        {
            for (; i <= x.Length - w; i += w)
            {
                Vector<int> positive = Vector.GreaterThan(new Vector<float>(x[i..]), Vector<float>.Zero);
                Vector<float> term = Vector.ConditionalSelect(positive, new Vector<float>(dY[i..]), Vector<float>.Zero);
                (accumulate ? new Vector<float>(dX[i..]) + term : term).CopyTo(dX[i..]);
            }
        }
        for (; i < x.Length; i++)
            dX[i] = (accumulate ? dX[i] : 0f) + (x[i] > 0f ? dY[i] : 0f);
    }

    /// <summary>destination = x * Phi(x) = 0.5 x (1 + erf(x / sqrt 2)), the exact GELU (PyTorch's default).</summary>
    public static void Gelu(ReadOnlySpan<float> x, Span<float> destination)
    {
        Softmax.CheckSameLength(x.Length, destination.Length, nameof(destination));
        int i = 0, w = Vector<float>.Count;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i <= x.Length - Vector512<float>.Count; i += Vector512<float>.Count)
            {
                Vector512<float> v = Vector512.Create(x[i..]);
                (v * Phi(v, Gauss(v))).CopyTo(destination[i..]);
            }
        }
        if (Vector.IsHardwareAccelerated)
        {
            for (; i <= x.Length - w; i += w)
            {
                Vector<float> v = new(x[i..]);
                (v * Phi(v, Gauss(v))).CopyTo(destination[i..]);
            }
        }
        for (; i < x.Length; i++)
            destination[i] = x[i] * PhiScalar(x[i]);
    }

    /// <summary>dX += dY * (Phi(x) + x * phi(x)), with phi the standard normal density.</summary>
    public static void GeluBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> dY, Span<float> dX) => GeluBackward(x, dY, dX, accumulate: true);

    /// <summary>dX += dY * (Phi(x) + x * phi(x)), or dX = that term alone when <paramref name="accumulate"/> is false.</summary>
    internal static void GeluBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> dY, Span<float> dX, bool accumulate)
    {
        Softmax.CheckSameLength(x.Length, dY.Length, nameof(dY));
        Softmax.CheckSameLength(x.Length, dX.Length, nameof(dX));
        int i = 0, w = Vector<float>.Count;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i <= x.Length - Vector512<float>.Count; i += Vector512<float>.Count)
            {
                Vector512<float> v = Vector512.Create(x[i..]);
                Vector512<float> gauss = Gauss(v);
                Vector512<float> term = Vector512.Create(dY[i..]) * (Phi(v, gauss) + v * gauss * Vector512.Create(InvSqrt2Pi));
                (accumulate ? Vector512.Create(dX[i..]) + term : term).CopyTo(dX[i..]);
            }
        }
        if (Vector.IsHardwareAccelerated)
        {
            for (; i <= x.Length - w; i += w)
            {
                // one exponential serves both: the density phi(x) and, inside erf, exp(-(x / sqrt 2)^2)
                Vector<float> v = new(x[i..]);
                Vector<float> gauss = Gauss(v);
                Vector<float> term = new Vector<float>(dY[i..]) * (Phi(v, gauss) + v * gauss * new Vector<float>(InvSqrt2Pi));
                (accumulate ? new Vector<float>(dX[i..]) + term : term).CopyTo(dX[i..]);
            }
        }
        for (; i < x.Length; i++)
        {
            float density = MathF.Exp(-0.5f * x[i] * x[i]) * InvSqrt2Pi;
            dX[i] = (accumulate ? dX[i] : 0f) + dY[i] * (PhiScalar(x[i]) + x[i] * density);
        }
    }

    /// <summary>
    /// destination = 0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3))), the tanh approximation of GELU that GPT-2 uses
    /// (Hugging Face's "gelu_new", PyTorch's gelu(approximate="tanh")).
    /// </summary>
    public static void GeluTanh(ReadOnlySpan<float> x, Span<float> destination)
    {
        Softmax.CheckSameLength(x.Length, destination.Length, nameof(destination));
        int i = 0, w = Vector<float>.Count;
        if (Vector.IsHardwareAccelerated)
        {
            for (; i <= x.Length - w; i += w)
            {
                Vector<float> v = new(x[i..]);
                (new Vector<float>(0.5f) * v * (Vector<float>.One + Tanh(GeluTanhArgument(v)))).CopyTo(destination[i..]);
            }
        }
        for (; i < x.Length; i++)
            destination[i] = 0.5f * x[i] * (1f + MathF.Tanh(Sqrt2OverPi * (x[i] + GeluTanhCubic * x[i] * x[i] * x[i])));
    }

    /// <summary>
    /// dX += dY (0.5 (1 + t) + 0.5 x (1 - t^2) sqrt(2 / pi) (1 + 3 * 0.044715 x^2)), t = tanh(sqrt(2 / pi) (x + 0.044715 x^3)).
    /// </summary>
    public static void GeluTanhBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> dY, Span<float> dX)
    {
        Softmax.CheckSameLength(x.Length, dY.Length, nameof(dY));
        Softmax.CheckSameLength(x.Length, dX.Length, nameof(dX));
        int i = 0, w = Vector<float>.Count;
        if (Vector.IsHardwareAccelerated)
        {
            Vector<float> half = new(0.5f), slope = new(Sqrt2OverPi), cubic3 = new(3f * GeluTanhCubic);
            for (; i <= x.Length - w; i += w)
            {
                Vector<float> v = new(x[i..]);
                Vector<float> t = Tanh(GeluTanhArgument(v));
                Vector<float> grad = half * (Vector<float>.One + t) + half * v * (Vector<float>.One - t * t) * slope * (Vector<float>.One + cubic3 * v * v);
                (new Vector<float>(dX[i..]) + new Vector<float>(dY[i..]) * grad).CopyTo(dX[i..]);
            }
        }
        for (; i < x.Length; i++)
        {
            float v = x[i], t = MathF.Tanh(Sqrt2OverPi * (v + GeluTanhCubic * v * v * v));
            dX[i] += dY[i] * (0.5f * (1f + t) + 0.5f * v * (1f - t * t) * Sqrt2OverPi * (1f + 3f * GeluTanhCubic * v * v));
        }
    }

    /// <summary>destination = tanh(x).</summary>
    public static void Tanh(ReadOnlySpan<float> x, Span<float> destination)
    {
        Softmax.CheckSameLength(x.Length, destination.Length, nameof(destination));
        TensorPrimitives.Tanh(x, destination);
    }

    /// <summary>dX += dY (1 - y^2), from the forward output y = tanh(x).</summary>
    public static void TanhBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dY, Span<float> dX)
    {
        Softmax.CheckSameLength(y.Length, dY.Length, nameof(dY));
        Softmax.CheckSameLength(y.Length, dX.Length, nameof(dX));
        int i = 0, w = Vector<float>.Count;
        if (Vector.IsHardwareAccelerated)
        {
            for (; i <= y.Length - w; i += w)
            {
                Vector<float> t = new(y[i..]);
                (new Vector<float>(dX[i..]) + new Vector<float>(dY[i..]) * (Vector<float>.One - t * t)).CopyTo(dX[i..]);
            }
        }
        for (; i < y.Length; i++)
            dX[i] += dY[i] * (1f - y[i] * y[i]);
    }

    /// <summary>The standard normal CDF, 0.5 (1 + erf(x / sqrt 2)), from the scalar erf.</summary>
    internal static float PhiScalar(float x) => 0.5f * (1f + ErfScalar(x * InvSqrt2));

    /// <summary>
    /// erf(z) by Abramowitz and Stegun 7.1.26 in double precision (absolute error below 1.5e-7):
    /// erf(z) = 1 - (a1 t + a2 t^2 + a3 t^3 + a4 t^4 + a5 t^5) exp(-z^2), t = 1 / (1 + p z), for z &gt;= 0; odd in z.
    /// </summary>
    internal static float ErfScalar(float z)
    {
        double a = Math.Abs((double)z);
        double t = 1.0 / (1.0 + 0.3275911 * a);
        double poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
        double r = 1.0 - poly * Math.Exp(-a * a);
        return (float)(z < 0 ? -r : r);
    }

    // The Vector512 twins of Gauss and Phi below (AVX-512: twice the width of Vector<float> on .NET's default).
    private static Vector512<float> Gauss(Vector512<float> x) => Exponential.Exp(x * x * Vector512.Create(-0.5f));

    private static Vector512<float> Phi(Vector512<float> x, Vector512<float> gauss)
    {
        Vector512<float> z = x * Vector512.Create(InvSqrt2);
        Vector512<float> a = Vector512.Abs(z);
        Vector512<float> t = Vector512<float>.One / (Vector512<float>.One + Vector512.Create(0.3275911f) * a);
        Vector512<float> poly = t * (Vector512.Create(0.254829592f) + t * (Vector512.Create(-0.284496736f)
            + t * (Vector512.Create(1.421413741f) + t * (Vector512.Create(-1.453152027f) + t * Vector512.Create(1.061405429f)))));
        Vector512<float> erfAbs = Vector512<float>.One - poly * gauss;
        Vector512<float> erf = Vector512.ConditionalSelect(Vector512.LessThan(z, Vector512<float>.Zero), -erfAbs, erfAbs);
        return Vector512.Create(0.5f) * (Vector512<float>.One + erf);
    }

    // exp(-x^2 / 2), which is exp(-z^2) for z = x / sqrt 2 (erf's factor) and sqrt(2 pi) phi(x)
    private static Vector<float> Gauss(Vector<float> x) => Exponential.Exp(x * x * new Vector<float>(-0.5f));

    // Phi(x) given gauss = exp(-x^2 / 2)
    private static Vector<float> Phi(Vector<float> x, Vector<float> gauss)
    {
        Vector<float> z = x * new Vector<float>(InvSqrt2);
        Vector<float> a = Vector.Abs(z);
        Vector<float> t = Vector<float>.One / (Vector<float>.One + new Vector<float>(0.3275911f) * a);
        Vector<float> poly = t * (new Vector<float>(0.254829592f) + t * (new Vector<float>(-0.284496736f)
            + t * (new Vector<float>(1.421413741f) + t * (new Vector<float>(-1.453152027f) + t * new Vector<float>(1.061405429f)))));
        Vector<float> erfAbs = Vector<float>.One - poly * gauss;
        Vector<float> erf = Vector.ConditionalSelect(Vector.LessThan(z, Vector<float>.Zero), -erfAbs, erfAbs);
        return new Vector<float>(0.5f) * (Vector<float>.One + erf);
    }

    private static Vector<float> GeluTanhArgument(Vector<float> x) =>
        new Vector<float>(Sqrt2OverPi) * (x + new Vector<float>(GeluTanhCubic) * x * x * x);

    // tanh(u) = 1 - 2 / (exp(2u) + 1): exact limits at both ends (exp overflowing to infinity gives 1), absolute error
    // near 1e-7 around 0, where GELU multiplies it by x / 2.
    private static Vector<float> Tanh(Vector<float> u) =>
        Vector<float>.One - new Vector<float>(2f) / (Vector.Exp(u + u) + Vector<float>.One);
}

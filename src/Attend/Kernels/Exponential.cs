using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Attend.Kernels;

/// <summary>
/// exp(x) in single precision for the hot loops (softmax, attention tiles, GELU), about four times the speed of
/// TensorPrimitives.Exp, which widens every lane to double. Cody-Waite range reduction x = n ln 2 + r, |r| &lt;= ln 2 / 2,
/// with n = round(x log2 e); exp(r) = 1 + r + r^2 p(r), p Cephes' degree-5 polynomial (expf); exp(x) = exp(r) 2^n. The
/// relative error is below 2e-7 (about 2 ulp). x &lt; -86.9 gives 0 (the true value, below 1.9e-38, is at the
/// bottom of the normal range, where the scale factor would need a subnormal), x &gt; 88.722 gives +infinity, NaN stays NaN. Every width (Vector512, Vector256, Vector128, scalar) performs the same
/// operations with fused multiply-adds in the same order, so the result does not depend on the path or on where an
/// element falls in a span.
/// </summary>
public static class Exponential
{
    private const float Log2E = 1.44269504088896341f;
    private const float Ln2High = 0.693359375f;        // ln 2 = Ln2High + Ln2Low, Ln2High exact in few bits
    private const float Ln2Low = -2.12194440e-4f;
    private const float P0 = 1.9875691500e-4f;
    private const float P1 = 1.3981999507e-3f;
    private const float P2 = 8.3334519073e-3f;
    private const float P3 = 4.1665795894e-2f;
    private const float P4 = 1.6666665459e-1f;
    private const float P5 = 5.0000001201e-1f;

    /// <summary>Below this the result is 0: 2^(n - 1) must stay a normal float (n &gt;= -125).</summary>
    public const float Lowest = -86.9f;

    /// <summary>Above this the result overflows to +infinity (ln of the largest float).</summary>
    public const float Highest = 88.72284f;

    /// <summary>destination = exp(x), element-wise; x and destination may be the same span.</summary>
    public static void Exp(ReadOnlySpan<float> x, Span<float> destination)
    {
        Softmax.CheckSameLength(x.Length, destination.Length, nameof(destination));
        int i = 0;
        ref float src = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(x);
        ref float dst = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(destination);
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i <= x.Length - Vector512<float>.Count; i += Vector512<float>.Count)
                Exp(Vector512.LoadUnsafe(ref src, (nuint)i)).StoreUnsafe(ref dst, (nuint)i);
        }
        if (Vector256.IsHardwareAccelerated)
        {
            for (; i <= x.Length - Vector256<float>.Count; i += Vector256<float>.Count)
                Exp(Vector256.LoadUnsafe(ref src, (nuint)i)).StoreUnsafe(ref dst, (nuint)i);
        }
        if (Vector128.IsHardwareAccelerated)
        {
            for (; i <= x.Length - Vector128<float>.Count; i += Vector128<float>.Count)
                Exp(Vector128.LoadUnsafe(ref src, (nuint)i)).StoreUnsafe(ref dst, (nuint)i);
        }
        for (; i < x.Length; i++)
            destination[i] = ExpScalar(x[i]);
    }

    /// <summary>
    /// destination = exp(x - shift), element-wise, and returns the sum of destination (added in an order fixed by the
    /// length and the machine's vector width): the numerator and denominator of a softmax in one pass.
    /// </summary>
    public static float ExpSubtractSum(ReadOnlySpan<float> x, float shift, Span<float> destination)
    {
        Softmax.CheckSameLength(x.Length, destination.Length, nameof(destination));
        int i = 0;
        float sum = 0f;
        ref float src = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(x);
        ref float dst = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(destination);
        if (Vector512.IsHardwareAccelerated && x.Length >= Vector512<float>.Count)
        {
            Vector512<float> s = Vector512.Create(shift), total = Vector512<float>.Zero;
            for (; i <= x.Length - Vector512<float>.Count; i += Vector512<float>.Count)
            {
                Vector512<float> e = Exp(Vector512.LoadUnsafe(ref src, (nuint)i) - s);
                e.StoreUnsafe(ref dst, (nuint)i);
                total += e;
            }
            sum = Vector512.Sum(total);
        }
        if (Vector256.IsHardwareAccelerated && x.Length - i >= Vector256<float>.Count)
        {
            Vector256<float> s = Vector256.Create(shift), total = Vector256<float>.Zero;
            for (; i <= x.Length - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                Vector256<float> e = Exp(Vector256.LoadUnsafe(ref src, (nuint)i) - s);
                e.StoreUnsafe(ref dst, (nuint)i);
                total += e;
            }
            sum += Vector256.Sum(total);
        }
        if (Vector128.IsHardwareAccelerated && x.Length - i >= Vector128<float>.Count)
        {
            Vector128<float> s = Vector128.Create(shift), total = Vector128<float>.Zero;
            for (; i <= x.Length - Vector128<float>.Count; i += Vector128<float>.Count)
            {
                Vector128<float> e = Exp(Vector128.LoadUnsafe(ref src, (nuint)i) - s);
                e.StoreUnsafe(ref dst, (nuint)i);
                total += e;
            }
            sum += Vector128.Sum(total);
        }
        for (; i < x.Length; i++)
            sum += destination[i] = ExpScalar(x[i] - shift);
        return sum;
    }

    /// <summary>The scalar reference: the same operations as the vector paths, one element at a time.</summary>
    public static float ExpScalar(float x)
    {
        float n = MathF.Round(x * Log2E);
        float r = MathF.FusedMultiplyAdd(n, -Ln2High, x);
        r = MathF.FusedMultiplyAdd(n, -Ln2Low, r);
        float p = MathF.FusedMultiplyAdd(P0, r, P1);
        p = MathF.FusedMultiplyAdd(p, r, P2);
        p = MathF.FusedMultiplyAdd(p, r, P3);
        p = MathF.FusedMultiplyAdd(p, r, P4);
        p = MathF.FusedMultiplyAdd(p, r, P5);
        float y = MathF.FusedMultiplyAdd(p, r * r, r) + 1f;
        // 2^n as 2 * 2^(n - 1), so n = 128 (x just below Highest) still has an exponent field to go in
        float scale = BitConverter.Int32BitsToSingle(((int)n + 126) << 23);
        float result = (y + y) * scale;
        return x < Lowest ? 0f : x > Highest ? float.PositiveInfinity : result;
    }

    /// <summary>exp of each lane of a Vector512 (see the class remarks).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Exp(Vector512<float> x)
    {
        Vector512<float> n = Vector512.Round(x * Vector512.Create(Log2E));
        Vector512<float> r = Vector512.FusedMultiplyAdd(n, Vector512.Create(-Ln2High), x);
        r = Vector512.FusedMultiplyAdd(n, Vector512.Create(-Ln2Low), r);
        Vector512<float> p = Vector512.FusedMultiplyAdd(Vector512.Create(P0), r, Vector512.Create(P1));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(P2));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(P3));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(P4));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(P5));
        Vector512<float> y = Vector512.FusedMultiplyAdd(p, r * r, r) + Vector512<float>.One;
        Vector512<float> scale = Vector512.ShiftLeft(Vector512.ConvertToInt32(n) + Vector512.Create(126), 23).AsSingle();
        Vector512<float> result = (y + y) * scale;
        result = Vector512.ConditionalSelect(Vector512.LessThan(x, Vector512.Create(Lowest)), Vector512<float>.Zero, result);
        return Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512.Create(Highest)), Vector512.Create(float.PositiveInfinity), result);
    }

    /// <summary>exp of each lane of a Vector256 (see the class remarks).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Exp(Vector256<float> x)
    {
        Vector256<float> n = Vector256.Round(x * Vector256.Create(Log2E));
        Vector256<float> r = Vector256.FusedMultiplyAdd(n, Vector256.Create(-Ln2High), x);
        r = Vector256.FusedMultiplyAdd(n, Vector256.Create(-Ln2Low), r);
        Vector256<float> p = Vector256.FusedMultiplyAdd(Vector256.Create(P0), r, Vector256.Create(P1));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(P2));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(P3));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(P4));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(P5));
        Vector256<float> y = Vector256.FusedMultiplyAdd(p, r * r, r) + Vector256<float>.One;
        Vector256<float> scale = Vector256.ShiftLeft(Vector256.ConvertToInt32(n) + Vector256.Create(126), 23).AsSingle();
        Vector256<float> result = (y + y) * scale;
        result = Vector256.ConditionalSelect(Vector256.LessThan(x, Vector256.Create(Lowest)), Vector256<float>.Zero, result);
        return Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256.Create(Highest)), Vector256.Create(float.PositiveInfinity), result);
    }

    /// <summary>exp of each lane of a Vector128 (see the class remarks).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Exp(Vector128<float> x)
    {
        Vector128<float> n = Vector128.Round(x * Vector128.Create(Log2E));
        Vector128<float> r = Vector128.FusedMultiplyAdd(n, Vector128.Create(-Ln2High), x);
        r = Vector128.FusedMultiplyAdd(n, Vector128.Create(-Ln2Low), r);
        Vector128<float> p = Vector128.FusedMultiplyAdd(Vector128.Create(P0), r, Vector128.Create(P1));
        p = Vector128.FusedMultiplyAdd(p, r, Vector128.Create(P2));
        p = Vector128.FusedMultiplyAdd(p, r, Vector128.Create(P3));
        p = Vector128.FusedMultiplyAdd(p, r, Vector128.Create(P4));
        p = Vector128.FusedMultiplyAdd(p, r, Vector128.Create(P5));
        Vector128<float> y = Vector128.FusedMultiplyAdd(p, r * r, r) + Vector128<float>.One;
        Vector128<float> scale = Vector128.ShiftLeft(Vector128.ConvertToInt32(n) + Vector128.Create(126), 23).AsSingle();
        Vector128<float> result = (y + y) * scale;
        result = Vector128.ConditionalSelect(Vector128.LessThan(x, Vector128.Create(Lowest)), Vector128<float>.Zero, result);
        return Vector128.ConditionalSelect(Vector128.GreaterThan(x, Vector128.Create(Highest)), Vector128.Create(float.PositiveInfinity), result);
    }

    /// <summary>exp of each lane of a <see cref="Vector{T}"/> (256 or 128 bits wide on the machines .NET runs on).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> Exp(Vector<float> x)
    {
        if (Vector<float>.Count == Vector256<float>.Count)
            return Exp(x.AsVector256()).AsVector();
        if (Vector<float>.Count == Vector128<float>.Count)
            return Exp(x.AsVector128()).AsVector();
        Span<float> lanes = stackalloc float[Vector<float>.Count];
        x.CopyTo(lanes);
        for (int i = 0; i < lanes.Length; i++)
            lanes[i] = ExpScalar(lanes[i]);
        return new Vector<float>(lanes);
    }
}

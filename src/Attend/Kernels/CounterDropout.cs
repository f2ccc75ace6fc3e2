using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Attend.Kernels;

/// <summary>
/// Dropout multipliers that are a pure function of (seed, index): element n is dropped when the top 24 bits of
/// SplitMix64(seed + (n + 1) * golden) read as a fraction in [0, 1) fall below p; the others are scaled by 1 / (1 - p).
/// Tiled attention regenerates the mask of any block in its backward pass instead of storing the whole
/// [B, H, Tq, Tk] mask, and every thread count and tiling gives the same mask.
/// </summary>
/// <remarks>
/// The vector paths hash 8 (Vector512), 4 (Vector256) or 2 (Vector128) counters at a time with 64-bit lane multiplies
/// and compare the top 24 bits with the threshold ceil(p 2^24) as integers (k / 2^24 &lt; p exactly when k &lt; that),
/// so they give the scalar reference's mask bit for bit.
/// </remarks>
public static class CounterDropout
{
    private const ulong Golden = 0x9E3779B97F4A7C15UL;
    private const ulong Mix1 = 0xBF58476D1CE4E5B9UL;
    private const ulong Mix2 = 0x94D049BB133111EBUL;

    /// <summary>destination[i] = 0 if element start + i is dropped, else 1 / (1 - p).</summary>
    public static void Multipliers(ulong seed, long start, float p, Span<float> destination)
    {
        if (p is < 0f or >= 1f || float.IsNaN(p))
            throw new ArgumentException($"CounterDropout: probability must be in [0, 1), got {p}");
        float kept = 1f / (1f - p);
        ulong state = seed + (ulong)(start + 1) * Golden;
        int threshold = (int)Math.Ceiling(p * 16777216.0);   // dropped when the 24-bit k < threshold
        int i = 0, n = destination.Length;
        ref float dst = ref MemoryMarshal.GetReference(destination);
        if (Vector512.IsHardwareAccelerated && n >= Vector512<float>.Count)
        {
            Vector512<ulong> lanes = Vector512.Create(state) + Vector512.Create(0UL, 1, 2, 3, 4, 5, 6, 7) * Vector512.Create(Golden);
            Vector512<ulong> step = Vector512.Create(unchecked(8 * Golden));
            Vector512<int> limit = Vector512.Create(threshold);
            Vector512<float> keep = Vector512.Create(kept);
            for (; i <= n - Vector512<float>.Count; i += Vector512<float>.Count)
            {
                Vector512<ulong> low = Top24(lanes);
                lanes += step;
                Vector512<ulong> high = Top24(lanes);
                lanes += step;
                Vector512<int> k = Vector512.Narrow(low, high).AsInt32();
                Vector512.ConditionalSelect(Vector512.LessThan(k, limit).AsSingle(), Vector512<float>.Zero, keep).StoreUnsafe(ref dst, (nuint)i);
            }
        }
        if (Vector256.IsHardwareAccelerated && n - i >= Vector256<float>.Count)
        {
            Vector256<ulong> lanes = Vector256.Create(state + (ulong)i * Golden) + Vector256.Create(0UL, 1, 2, 3) * Vector256.Create(Golden);
            Vector256<ulong> step = Vector256.Create(unchecked(4 * Golden));
            Vector256<int> limit = Vector256.Create(threshold);
            Vector256<float> keep = Vector256.Create(kept);
            for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                Vector256<ulong> low = Top24(lanes);
                lanes += step;
                Vector256<ulong> high = Top24(lanes);
                lanes += step;
                Vector256<int> k = Vector256.Narrow(low, high).AsInt32();
                Vector256.ConditionalSelect(Vector256.LessThan(k, limit).AsSingle(), Vector256<float>.Zero, keep).StoreUnsafe(ref dst, (nuint)i);
            }
        }
        if (Vector128.IsHardwareAccelerated && n - i >= Vector128<float>.Count)
        {
            Vector128<ulong> lanes = Vector128.Create(state + (ulong)i * Golden) + Vector128.Create(0UL, 1) * Vector128.Create(Golden);
            Vector128<ulong> step = Vector128.Create(unchecked(2 * Golden));
            Vector128<int> limit = Vector128.Create(threshold);
            Vector128<float> keep = Vector128.Create(kept);
            for (; i <= n - Vector128<float>.Count; i += Vector128<float>.Count)
            {
                Vector128<ulong> low = Top24(lanes);
                lanes += step;
                Vector128<ulong> high = Top24(lanes);
                lanes += step;
                Vector128<int> k = Vector128.Narrow(low, high).AsInt32();
                Vector128.ConditionalSelect(Vector128.LessThan(k, limit).AsSingle(), Vector128<float>.Zero, keep).StoreUnsafe(ref dst, (nuint)i);
            }
        }
        for (state += (ulong)i * Golden; i < n; i++, state += Golden)
            destination[i] = Fraction(state) < p ? 0f : kept;
    }

    /// <summary>The uniform fraction in [0, 1) (24 bits) of element <paramref name="index"/>, the reference of <see cref="Multipliers"/>.</summary>
    public static float Uniform(ulong seed, long index) => Fraction(seed + (ulong)(index + 1) * Golden);

    private static float Fraction(ulong z)
    {
        z = (z ^ (z >> 30)) * Mix1;
        z = (z ^ (z >> 27)) * Mix2;
        z ^= z >> 31;
        return (z >> 40) * (1f / (1 << 24));
    }

    // The top 24 bits of SplitMix64's finaliser of each lane, as Fraction computes them.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<ulong> Top24(Vector512<ulong> z)
    {
        z = (z ^ Vector512.ShiftRightLogical(z, 30)) * Vector512.Create(Mix1);
        z = (z ^ Vector512.ShiftRightLogical(z, 27)) * Vector512.Create(Mix2);
        return Vector512.ShiftRightLogical(z ^ Vector512.ShiftRightLogical(z, 31), 40);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<ulong> Top24(Vector256<ulong> z)
    {
        z = (z ^ Vector256.ShiftRightLogical(z, 30)) * Vector256.Create(Mix1);
        z = (z ^ Vector256.ShiftRightLogical(z, 27)) * Vector256.Create(Mix2);
        return Vector256.ShiftRightLogical(z ^ Vector256.ShiftRightLogical(z, 31), 40);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<ulong> Top24(Vector128<ulong> z)
    {
        z = (z ^ Vector128.ShiftRightLogical(z, 30)) * Vector128.Create(Mix1);
        z = (z ^ Vector128.ShiftRightLogical(z, 27)) * Vector128.Create(Mix2);
        return Vector128.ShiftRightLogical(z ^ Vector128.ShiftRightLogical(z, 31), 40);
    }
}

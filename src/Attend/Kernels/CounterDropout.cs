namespace Attend.Kernels;

/// <summary>
/// Dropout multipliers that are a pure function of (seed, index): element n is dropped when the top 24 bits of
/// SplitMix64(seed + (n + 1) * golden) read as a fraction in [0, 1) fall below p; the others are scaled by 1 / (1 - p).
/// Tiled attention regenerates the mask of any block in its backward pass instead of storing the whole
/// [B, H, Tq, Tk] mask, and every thread count and tiling gives the same mask.
/// </summary>
public static class CounterDropout
{
    private const ulong Golden = 0x9E3779B97F4A7C15UL;

    /// <summary>destination[i] = 0 if element start + i is dropped, else 1 / (1 - p).</summary>
    public static void Multipliers(ulong seed, long start, float p, Span<float> destination)
    {
        if (p is < 0f or >= 1f || float.IsNaN(p))
            throw new ArgumentException($"CounterDropout: probability must be in [0, 1), got {p}");
        float kept = 1f / (1f - p);
        ulong state = seed + (ulong)(start + 1) * Golden;
        for (int i = 0; i < destination.Length; i++, state += Golden)
            destination[i] = Fraction(state) < p ? 0f : kept;
    }

    /// <summary>The uniform fraction in [0, 1) (24 bits) of element <paramref name="index"/>, the reference of <see cref="Multipliers"/>.</summary>
    public static float Uniform(ulong seed, long index) => Fraction(seed + (ulong)(index + 1) * Golden);

    private static float Fraction(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        return (z >> 40) * (1f / (1 << 24));
    }
}

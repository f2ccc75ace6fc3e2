namespace Attend.Kernels;

/// <summary>
/// Per-thread packing buffers, grown on demand and kept: the steady state allocates nothing. The arrays live on the
/// pinned object heap, so raw pointers into them stay valid, and are handed out 64-byte aligned.
/// </summary>
internal static unsafe class GemmScratch
{
    private const int Alignment = 64;

    [ThreadStatic] private static float[]? _a;
    [ThreadStatic] private static float[]? _b;
    [ThreadStatic] private static float[]? _c;

    /// <summary>A buffer of at least <paramref name="floats"/> floats for packed A panels.</summary>
    public static float* A(int floats) => Get(ref _a, floats);

    /// <summary>A buffer of at least <paramref name="floats"/> floats for packed B panels.</summary>
    public static float* B(int floats) => Get(ref _b, floats);

    /// <summary>A buffer of at least <paramref name="floats"/> floats for edge tiles and copies of small operands.</summary>
    public static float* C(int floats) => Get(ref _c, floats);

    private static float* Get(ref float[]? buffer, int floats)
    {
        int need = floats + Alignment / sizeof(float);
        if (buffer is null || buffer.Length < need)
            buffer = GC.AllocateUninitializedArray<float>(Math.Max(need, (buffer?.Length ?? 0) * 3 / 2), pinned: true);
        fixed (float* p = buffer)
            return (float*)(((nint)p + Alignment - 1) & ~(nint)(Alignment - 1));
    }
}

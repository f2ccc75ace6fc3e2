namespace Attend.Tensors;

/// <summary>
/// Where dropout masks come from: the mask of sequence g in the k-th dropout of a training step is drawn from a
/// generator seeded by (the step's key, k, g), so it depends on the global position of the sequence in the step's batch
/// and not on which process holds it: N data-parallel ranks draw exactly the masks one process would. The step keys
/// come from <see cref="Stream"/>, one per step, whose state a checkpoint saves, so a resumed run continues with the
/// same masks.
/// </summary>
/// <remarks>
/// A mask covers a tensor whose outermost dimension is the batch ([B, T, D], [B, H, Tq, Tk], ...): it is cut into
/// equal slices, one per sequence. Outside a step (<see cref="BeginStep"/> not called) each mask is one slice drawn
/// from its own key from the stream.
/// </remarks>
public sealed class DropoutMasks(ulong seed)
{
    private readonly Rng _slice = new(seed);
    private ulong _key;
    private int _call;
    private int _first;
    private int _sequences;

    /// <summary>The generator the step keys are drawn from (its state is saved with a checkpoint).</summary>
    public Rng Stream { get; } = new(seed);

    /// <summary>
    /// Starts a training step whose local batch holds sequences <paramref name="firstSequence"/> ..
    /// firstSequence + <paramref name="sequences"/> - 1 of the step's global batch; draws the step's key. Every rank calls
    /// it once per step, with or without sequences, so the stream advances alike everywhere.
    /// </summary>
    public void BeginStep(int firstSequence, int sequences)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(firstSequence);
        ArgumentOutOfRangeException.ThrowIfNegative(sequences);
        (_key, _call, _first, _sequences) = (Stream.NextUInt64(), 0, firstSequence, sequences);
    }

    /// <summary>Ends the step: later masks (outside a step) are again drawn from their own keys.</summary>
    public void EndStep() => _sequences = 0;

    /// <summary>
    /// Fills <paramref name="mask"/> with the inverted-dropout multipliers of the next dropout: 0 with probability
    /// <paramref name="p"/>, else 1 / (1 - p).
    /// </summary>
    public void Fill(Span<float> mask, float p)
    {
        int slices = _sequences;
        ulong key = _key;
        if (slices == 0)
        {
            slices = 1;
            key = Stream.NextUInt64();
        }
        if (mask.Length % slices != 0)
            throw new ArgumentException($"DropoutMasks: a mask of {mask.Length} values does not split into {slices} sequences");
        int call = _call++;
        int size = mask.Length / slices;
        float keep = 1f / (1f - p);
        for (int s = 0; s < slices; s++)
        {
            _slice.Reset(Mix(Mix(key ^ (ulong)call) ^ (ulong)(_first + s)));
            Span<float> slice = mask.Slice(s * size, size);
            for (int i = 0; i < slice.Length; i++)
                slice[i] = _slice.NextSingle() < p ? 0f : keep;
        }
    }

    // SplitMix64's finaliser: every input bit changes about half the output bits.
    private static ulong Mix(ulong z)
    {
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}

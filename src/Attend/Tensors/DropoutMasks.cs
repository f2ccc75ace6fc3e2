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
    /// <paramref name="p"/>, else 1 / (1 - p). The mask is cut into one slice per sequence and is the counter-based mask
    /// <see cref="NextCounterMask"/> would give for a batch of that many sequences.
    /// </summary>
    public void Fill(Span<float> mask, float p)
    {
        int slices = Math.Max(1, _sequences);
        if (mask.Length % slices != 0)
            throw new ArgumentException($"DropoutMasks: a mask of {mask.Length} values does not split into {slices} sequences");
        CounterMask counter = NextCounterMask(slices);
        int size = mask.Length / slices;
        for (int s = 0; s < slices; s++)
            Kernels.CounterDropout.Multipliers(counter.Seed(s), 0, p, mask.Slice(s * size, size));
    }

    /// <summary>
    /// The next dropout as a counter-based mask (<see cref="Kernels.CounterDropout"/>) over a tensor whose outermost
    /// dimension is <paramref name="batch"/>: it takes the place of a <see cref="Fill"/> call and cuts the tensor into the
    /// same slices, but any block of it can be regenerated on demand (tiled attention's backward pass) instead of stored.
    /// </summary>
    public CounterMask NextCounterMask(int batch)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batch);
        int slices = _sequences;
        ulong key = _key;
        if (slices == 0)
        {
            slices = 1;
            key = Stream.NextUInt64();
        }
        if (batch % slices != 0)
            throw new ArgumentException($"DropoutMasks: a batch of {batch} does not split into {slices} sequences");
        return new CounterMask(Mix(key ^ (ulong)_call++), _first, batch / slices);
    }

    /// <summary>
    /// One counter-based dropout mask: batch entry b belongs to the slice of sequence FirstSequence + b / EntriesPerSlice,
    /// whose seed is Mix(CallKey ^ sequence) (as <see cref="Fill"/> seeds it), and its elements are counted from
    /// (b mod EntriesPerSlice) times the entry's size within that slice.
    /// </summary>
    public readonly record struct CounterMask(ulong CallKey, int FirstSequence, int EntriesPerSlice)
    {
        /// <summary>The seed of batch entry <paramref name="entry"/>'s slice.</summary>
        public ulong Seed(int entry) => Mix(CallKey ^ (ulong)(FirstSequence + entry / EntriesPerSlice));

        /// <summary>The counter of batch entry <paramref name="entry"/>'s first element within its slice.</summary>
        public long Offset(int entry, long entrySize) => entry % EntriesPerSlice * entrySize;
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

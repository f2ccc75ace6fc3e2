using Attend.Tensors;

namespace Attend.Layers;

/// <summary>
/// The keys and values one attention layer has already computed while decoding: for self-attention they grow by one
/// position a step; for cross-attention they are computed once from the encoder's output and reused. The cache owns its
/// storage (it is not taken from a <see cref="Workspace"/> scope), so a decoder may open a fresh scope for every step
/// and reuse that step's buffers while the cache lives on.
/// </summary>
public sealed class AttentionCache
{
    private float[] _k = [];
    private float[] _v = [];
    private readonly int _capacity;
    private int _batch;
    private int _heads;
    private int _dK;

    /// <summary>An empty cache; storage for <paramref name="capacity"/> positions is taken at the first step, and doubled when outgrown.</summary>
    public AttentionCache(int capacity = 0) => _capacity = capacity;

    /// <summary>The number of cached positions.</summary>
    public int Length { get; private set; }

    /// <summary>K [B, H, t, dK] over the cache's storage, or null before the first step.</summary>
    public Tensor? K => Length == 0 ? null : View(_k);

    /// <summary>V [B, H, t, dK] over the cache's storage, or null before the first step.</summary>
    public Tensor? V => Length == 0 ? null : View(_v);

    /// <summary>Appends the keys and values of new positions, k and v [B, H, n, dK]; earlier ones stay as they were.</summary>
    internal void Append(Tensor k, Tensor v)
    {
        CheckInference(k, v);
        int n = k.Shape[2];
        if (Length > 0 && (k.Shape[0] != _batch || k.Shape[1] != _heads || k.Shape[3] != _dK))
            throw new ArgumentException($"AttentionCache: new keys {k.Shape} do not match the cached [{_batch}, {_heads}, {Length}, {_dK}]");
        (_batch, _heads, _dK) = (k.Shape[0], k.Shape[1], k.Shape[3]);
        _k = Grow(_k, k.Data, Length, n);
        _v = Grow(_v, v.Data, Length, n);
        Length += n;
    }

    /// <summary>Replaces the contents with k and v [B, H, t, dK] (the encoder's keys and values for cross-attention).</summary>
    internal void Store(Tensor k, Tensor v)
    {
        CheckInference(k, v);
        (_batch, _heads, _dK, Length) = (k.Shape[0], k.Shape[1], k.Shape[3], 0);
        _k = Grow(_k, k.Data, 0, k.Shape[2]);
        _v = Grow(_v, v.Data, 0, k.Shape[2]);
        Length = k.Shape[2];
    }

    /// <summary>
    /// Makes batch entry i hold what entry <paramref name="sources"/>[i] held (beam search keeps the prefixes of the
    /// surviving beams); <paramref name="sources"/> has one index per batch entry.
    /// </summary>
    internal void Reorder(ReadOnlySpan<int> sources)
    {
        if (Length == 0)
            return;
        if (sources.Length != _batch)
            throw new ArgumentException($"AttentionCache.Reorder: {sources.Length} sources for a cache of batch {_batch}");
        int entry = _heads * Length * _dK;
        _k = Gather(_k, sources, entry);
        _v = Gather(_v, sources, entry);
    }

    private Tensor View(float[] storage) => new(new Shape(_batch, _heads, Length, _dK), storage, 0);

    private static float[] Gather(float[] storage, ReadOnlySpan<int> sources, int entry)
    {
        float[] result = GC.AllocateUninitializedArray<float>(storage.Length);
        for (int i = 0; i < sources.Length; i++)
        {
            if ((uint)sources[i] >= (uint)sources.Length)
                throw new ArgumentOutOfRangeException(nameof(sources), $"AttentionCache.Reorder: source {sources[i]} is outside the batch of {sources.Length}");
            storage.AsSpan(sources[i] * entry, entry).CopyTo(result.AsSpan(i * entry, entry));
        }
        return result;
    }

    /// <summary>
    /// Lays [blocks, length, dK] out as [blocks, length + n, dK] and writes the n new rows of each block after its old
    /// ones. In place when the storage is large enough: blocks move from the last to the first, so none is overwritten
    /// before it has moved.
    /// </summary>
    private float[] Grow(float[] storage, ReadOnlySpan<float> added, int length, int n)
    {
        int blocks = _batch * _heads, rowsOld = length * _dK, rowsNew = (length + n) * _dK, addRows = n * _dK;
        float[] target = storage;
        if (storage.Length < blocks * rowsNew)
            target = new float[blocks * Math.Max(rowsNew, Math.Max(2 * rowsOld, _capacity * _dK))];
        for (int j = blocks - 1; j >= 0; j--)
        {
            storage.AsSpan(j * rowsOld, rowsOld).CopyTo(target.AsSpan(j * rowsNew, rowsOld));
            added.Slice(j * addRows, addRows).CopyTo(target.AsSpan(j * rowsNew + rowsOld, addRows));
        }
        return target;
    }

    private static void CheckInference(Tensor k, Tensor v)
    {
        if (k.Shape.Rank != 4 || k.Shape != v.Shape)
            throw new ArgumentException($"AttentionCache: keys {k.Shape} and values {v.Shape} must both be [B, H, t, dK]");
        if (k.RequiresGrad || v.RequiresGrad)
            throw new InvalidOperationException("AttentionCache: a key/value cache is for inference; decode inside Autograd.NoGrad()");
    }
}

using Attend.Tensors;

namespace Attend.Layers;

/// <summary>
/// The keys and values one attention layer has already computed while decoding: for self-attention they grow by one
/// position a step; for cross-attention they are computed once from the encoder's output and reused. The cache owns its
/// storage (taken from the <see cref="Workspace"/> pool but tracked by no scope, and handed back by <see cref="Free"/>),
/// so a decoder may open a fresh scope for every step and reuse that step's buffers while the cache lives on. Each
/// (batch entry, head) block keeps room for more positions, so a step writes only its new rows and attention reads the
/// valid prefix of each block in place.
/// </summary>
public sealed class AttentionCache
{
    private readonly int _capacityHint;
    private float[] _k = [];
    private float[] _v = [];
    private int _batch;
    private int _heads;
    private int _dK;
    private int _capacity;   // positions each (batch entry, head) block has room for: storage is [B, H, capacity, dK]

    /// <summary>An empty cache; room for <paramref name="capacity"/> positions is made at the first step, and doubled when outgrown.</summary>
    public AttentionCache(int capacity = 0) => _capacityHint = capacity;

    /// <summary>The number of cached positions.</summary>
    public int Length { get; private set; }

    /// <summary>A copy of the cached keys [B, H, t, dK], or null before the first step.</summary>
    public Tensor? K => Length == 0 ? null : Copy(_k);

    /// <summary>A copy of the cached values [B, H, t, dK], or null before the first step.</summary>
    public Tensor? V => Length == 0 ? null : Copy(_v);

    /// <summary>The keys with their spare room, [B, H, capacity, dK]; the first <see cref="Length"/> positions of each block are valid.</summary>
    internal Tensor KeyStorage => new(new Shape(_batch, _heads, _capacity, _dK), _k, 0);

    /// <summary>The values with their spare room, [B, H, capacity, dK].</summary>
    internal Tensor ValueStorage => new(new Shape(_batch, _heads, _capacity, _dK), _v, 0);

    /// <summary>Appends the keys and values of new positions, k and v [B, H, n, dK]; earlier ones stay where they are.</summary>
    internal void Append(Tensor k, Tensor v)
    {
        CheckInference(k, v);
        int n = k.Shape[2];
        if (Length > 0 && (k.Shape[0] != _batch || k.Shape[1] != _heads || k.Shape[3] != _dK))
            throw new ArgumentException($"AttentionCache: new keys {k.Shape} do not match the cached [{_batch}, {_heads}, {Length}, {_dK}]");
        (_batch, _heads, _dK) = (k.Shape[0], k.Shape[1], k.Shape[3]);
        if (Length + n > _capacity)
        {
            int capacity = Math.Max(Length + n, Math.Max(2 * _capacity, _capacityHint));
            _k = Relayout(_k, capacity);
            _v = Relayout(_v, capacity);
            _capacity = capacity;
        }
        Write(_k, k.ReadOnlyData, Length, n);
        Write(_v, v.ReadOnlyData, Length, n);
        Length += n;
    }

    /// <summary>Replaces the contents with k and v [B, H, t, dK] (the encoder's keys and values for cross-attention).</summary>
    internal void Store(Tensor k, Tensor v)
    {
        CheckInference(k, v);
        if (_k.Length < k.Length)
        {
            Free();
            (_k, _v) = (Workspace.RentUntracked(k.Length), Workspace.RentUntracked(k.Length));
        }
        (_batch, _heads, _dK, _capacity, Length) = (k.Shape[0], k.Shape[1], k.Shape[3], k.Shape[2], k.Shape[2]);
        k.ReadOnlyData.CopyTo(_k);
        v.ReadOnlyData.CopyTo(_v);
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
        int entry = _heads * _capacity * _dK;
        _k = Gather(_k, sources, entry);
        _v = Gather(_v, sources, entry);
    }

    /// <summary>Hands the storage back to the workspace pool and empties the cache.</summary>
    internal void Free()
    {
        if (_k.Length > 0)
            Workspace.ReturnUntracked(_k);
        if (_v.Length > 0)
            Workspace.ReturnUntracked(_v);
        (_k, _v, _capacity, Length) = ([], [], 0, 0);
    }

    private Tensor Copy(float[] storage)
    {
        int blocks = _batch * _heads, rows = Length * _dK;
        var copy = new float[blocks * rows];
        for (int j = 0; j < blocks; j++)
            storage.AsSpan(j * _capacity * _dK, rows).CopyTo(copy.AsSpan(j * rows, rows));
        return Tensor.Wrap(copy, _batch, _heads, Length, _dK);
    }

    private static float[] Gather(float[] storage, ReadOnlySpan<int> sources, int entry)
    {
        float[] result = Workspace.RentUntracked(storage.Length);
        for (int i = 0; i < sources.Length; i++)
        {
            if ((uint)sources[i] >= (uint)sources.Length)
                throw new ArgumentOutOfRangeException(nameof(sources), $"AttentionCache.Reorder: source {sources[i]} is outside the batch of {sources.Length}");
            storage.AsSpan(sources[i] * entry, entry).CopyTo(result.AsSpan(i * entry, entry));
        }
        Workspace.ReturnUntracked(storage);
        return result;
    }

    // Moves the valid rows of every block from the current capacity to a larger one, in new storage.
    private float[] Relayout(float[] storage, int capacity)
    {
        int blocks = _batch * _heads, rows = Length * _dK;
        float[] target = Workspace.RentUntracked(blocks * capacity * _dK);
        for (int j = 0; j < blocks && rows > 0; j++)
            storage.AsSpan(j * _capacity * _dK, rows).CopyTo(target.AsSpan(j * capacity * _dK, rows));
        if (storage.Length > 0)
            Workspace.ReturnUntracked(storage);
        return target;
    }

    // Writes n new rows per block after the `length` valid ones.
    private void Write(float[] storage, ReadOnlySpan<float> added, int length, int n)
    {
        int blocks = _batch * _heads, addRows = n * _dK;
        for (int j = 0; j < blocks; j++)
            added.Slice(j * addRows, addRows).CopyTo(storage.AsSpan((j * _capacity + length) * _dK, addRows));
    }

    private static void CheckInference(Tensor k, Tensor v)
    {
        if (k.Shape.Rank != 4 || k.Shape != v.Shape)
            throw new ArgumentException($"AttentionCache: keys {k.Shape} and values {v.Shape} must both be [B, H, t, dK]");
        if (k.RequiresGrad || v.RequiresGrad)
            throw new InvalidOperationException("AttentionCache: a key/value cache is for inference; decode inside Autograd.NoGrad()");
    }
}

using Attend.Layers;

namespace Attend.Decoding;

/// <summary>
/// The key/value caches of every decoder layer: self-attention keys and values grow by one position per step and
/// the encoder's keys and values for cross-attention are computed once, so each new token costs one step.
/// </summary>
public sealed class KvCache : IDisposable
{
    /// <summary>Empty caches for <paramref name="layers"/> decoder layers, with room for <paramref name="capacity"/> target positions before they grow.</summary>
    public KvCache(int layers, int capacity = 0)
    {
        Self = Enumerable.Range(0, layers).Select(_ => new AttentionCache(capacity)).ToArray();
        Cross = Enumerable.Range(0, layers).Select(_ => new AttentionCache()).ToArray();
    }

    /// <summary>Per layer, the self-attention cache.</summary>
    public AttentionCache[] Self { get; }

    /// <summary>Per layer, the cross-attention cache.</summary>
    public AttentionCache[] Cross { get; }

    /// <summary>The number of target positions already processed.</summary>
    public int Length => Self.Length == 0 ? 0 : Self[0].Length;

    /// <summary>Hands the caches' storage back to the workspace pool, for the next batch to reuse; the caches are then empty.</summary>
    public void Dispose()
    {
        foreach (AttentionCache cache in Self)
            cache.Free();
        foreach (AttentionCache cache in Cross)
            cache.Free();
    }
}

using System.Collections.Concurrent;

namespace Attend.Tokenization;

/// <summary>
/// The ids of frequent pre-tokens, safe for concurrent encoders. Bounded: once <c>capacity</c> entries are held,
/// new pre-tokens are no longer added (the first ones seen in a corpus are the frequent ones, Zipf's law).
/// </summary>
internal sealed class PreTokenCache
{
    /// <summary>Pre-tokens longer than this are rare and not cached.</summary>
    public const int MaxKeyLength = 48;

    private readonly ConcurrentDictionary<string, int[]> _entries = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int[]>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private readonly int _capacity;
    private int _count;

    public PreTokenCache(int capacity)
    {
        _capacity = capacity;
        _lookup = _entries.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public bool TryGet(ReadOnlySpan<char> piece, out int[] ids)
    {
        if (_count > 0 && _lookup.TryGetValue(piece, out int[]? found))
        {
            ids = found;
            return true;
        }
        ids = [];
        return false;
    }

    public void Add(ReadOnlySpan<char> piece, int[] ids)
    {
        if (piece.Length > MaxKeyLength || Volatile.Read(ref _count) >= _capacity)
            return;
        if (_lookup.TryAdd(piece, ids))
            Interlocked.Increment(ref _count);
    }
}

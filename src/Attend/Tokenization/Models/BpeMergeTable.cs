using System.Numerics;

namespace Attend.Tokenization;

/// <summary>
/// The merge rules as an open-addressing hash from the pair (left id, right id) to (rank, result id), and the
/// rank-ordered merge loop of GPT-2 and tiktoken: repeatedly merge the adjacent pair of lowest rank, leftmost first.
/// </summary>
internal sealed class BpeMergeTable
{
    private const long Empty = -1;
    private readonly long[] _keys;
    private readonly int[] _ranks;
    private readonly int[] _results;
    private readonly int _shift;
    private readonly int _mask;

    /// <summary>Builds the table; when a pair appears twice the lower rank wins.</summary>
    public BpeMergeTable(IReadOnlyList<BpeMerge> merges)
    {
        Merges = merges;
        int capacity = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(16, merges.Count * 2));
        _keys = new long[capacity];
        Array.Fill(_keys, Empty);
        _ranks = new int[capacity];
        _results = new int[capacity];
        _mask = capacity - 1;
        _shift = 64 - BitOperations.Log2((uint)capacity);
        foreach (BpeMerge m in merges)
        {
            long key = Key(m.Left, m.Right);
            int slot = Slot(key);
            while (_keys[slot] != Empty && _keys[slot] != key)
                slot = (slot + 1) & _mask;
            if (_keys[slot] == key && _ranks[slot] <= m.Rank)
                continue;
            _keys[slot] = key;
            _ranks[slot] = m.Rank;
            _results[slot] = m.Result;
        }
    }

    /// <summary>The merges in the order they were given (rank order).</summary>
    public IReadOnlyList<BpeMerge> Merges { get; }

    /// <summary>The rank of merging (<paramref name="left"/>, <paramref name="right"/>), or <see cref="int.MaxValue"/> when no rule exists.</summary>
    public int RankOf(int left, int right, out int result)
    {
        long key = Key(left, right);
        int slot = Slot(key);
        while (true)
        {
            long k = _keys[slot];
            if (k == key)
            {
                result = _results[slot];
                return _ranks[slot];
            }
            if (k == Empty)
            {
                result = -1;
                return int.MaxValue;
            }
            slot = (slot + 1) & _mask;
        }
    }

    /// <summary>
    /// Merges <paramref name="ids"/> in place by rank (lowest first, leftmost among equal ranks) until no adjacent pair
    /// has a rule, and returns the new length. <paramref name="scratch"/> needs at least <c>ids.Length</c> elements.
    /// </summary>
    public int Apply(Span<int> ids, Span<int> scratch)
    {
        int n = ids.Length;
        if (n < 2)
            return n;
        Span<int> ranks = scratch[..(n - 1)];
        for (int i = 0; i < n - 1; i++)
            ranks[i] = RankOf(ids[i], ids[i + 1], out _);
        while (true)
        {
            int best = int.MaxValue, at = -1;
            for (int i = 0; i < n - 1; i++)
            {
                if (ranks[i] < best)
                {
                    best = ranks[i];
                    at = i;
                }
            }
            if (at < 0)
                return n;
            RankOf(ids[at], ids[at + 1], out int merged);
            ids[at] = merged;
            ids.Slice(at + 2, n - at - 2).CopyTo(ids.Slice(at + 1));
            if (at + 2 < n - 1)
                ranks.Slice(at + 2, n - at - 3).CopyTo(ranks.Slice(at + 1));
            n--;
            if (at < n - 1)
                ranks[at] = RankOf(ids[at], ids[at + 1], out _);
            if (at > 0)
                ranks[at - 1] = RankOf(ids[at - 1], ids[at], out _);
        }
    }

    private static long Key(int left, int right) => ((long)left << 32) | (uint)right;

    private int Slot(long key) => (int)((ulong)(key * unchecked((long)0x9E3779B97F4A7C15)) >> _shift) & _mask;
}

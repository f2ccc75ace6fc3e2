using System.Numerics;
using System.Runtime.CompilerServices;

namespace Attend.Tokenization;

/// <summary>Counts of token pairs keyed by (left &lt;&lt; 32 | right), open addressing; entries that drop to zero stay.</summary>
internal sealed class PairCountTable
{
    private const long Empty = -1;
    private long[] _keys;
    private int[] _counts;
    private int _used;
    private int _shift;

    public PairCountTable(int capacity)
    {
        int size = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(64, capacity * 2));
        _keys = new long[size];
        Array.Fill(_keys, Empty);
        _counts = new int[size];
        _shift = 64 - BitOperations.Log2((uint)size);
    }

    /// <summary>The count of <paramref name="pair"/> (0 when never seen).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public int Get(long pair)
    {
        int mask = _keys.Length - 1;
        int slot = Slot(pair);
        while (true)
        {
            long k = _keys[slot];
            if (k == pair)
                return _counts[slot];
            if (k == Empty)
                return 0;
            slot = (slot + 1) & mask;
        }
    }

    /// <summary>Adds <paramref name="delta"/> to the count of <paramref name="pair"/> and returns the new count.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public int Add(long pair, int delta)
    {
        int mask = _keys.Length - 1;
        int slot = Slot(pair);
        while (true)
        {
            long k = _keys[slot];
            if (k == pair)
                return _counts[slot] += delta;
            if (k == Empty)
                break;
            slot = (slot + 1) & mask;
        }
        _keys[slot] = pair;
        _counts[slot] = delta;
        if (++_used * 2 > _keys.Length)
            Grow();
        return delta;
    }

    /// <summary>Every pair with a positive count.</summary>
    public IEnumerable<(long Pair, int Count)> Positive()
    {
        for (int i = 0; i < _keys.Length; i++)
            if (_keys[i] != Empty && _counts[i] > 0)
                yield return (_keys[i], _counts[i]);
    }

    private int Slot(long key) => (int)((ulong)(key * unchecked((long)0x9E3779B97F4A7C15)) >> _shift);

    private void Grow()
    {
        long[] keys = _keys;
        int[] counts = _counts;
        int size = keys.Length * 2;
        _keys = new long[size];
        Array.Fill(_keys, Empty);
        _counts = new int[size];
        _shift--;
        int mask = size - 1;
        for (int i = 0; i < keys.Length; i++)
        {
            if (keys[i] == Empty)
                continue;
            int slot = Slot(keys[i]);
            while (_keys[slot] != Empty)
                slot = (slot + 1) & mask;
            _keys[slot] = keys[i];
            _counts[slot] = counts[i];
        }
    }
}

using System.Runtime.CompilerServices;

namespace Attend.Tokenization;

/// <summary>A binary heap of (count, pair): the highest count on top, among equal counts the smallest pair.</summary>
internal sealed class PairHeap
{
    private (int Count, long Pair)[] _items = new (int, long)[1024];

    public int Count { get; private set; }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Push(int count, long pair)
    {
        if (Count == _items.Length)
            Array.Resize(ref _items, Count * 2);
        int i = Count++;
        while (i > 0)
        {
            int parent = (i - 1) >> 1;
            if (!Before(count, pair, _items[parent]))
                break;
            _items[i] = _items[parent];
            i = parent;
        }
        _items[i] = (count, pair);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool TryPop(out int count, out long pair)
    {
        if (Count == 0)
        {
            count = 0;
            pair = 0;
            return false;
        }
        (count, pair) = _items[0];
        (int Count, long Pair) last = _items[--Count];
        int i = 0;
        while (true)
        {
            int child = 2 * i + 1;
            if (child >= Count)
                break;
            if (child + 1 < Count && Before(_items[child + 1].Count, _items[child + 1].Pair, _items[child]))
                child++;
            if (!Before(_items[child].Count, _items[child].Pair, last))
                break;
            _items[i] = _items[child];
            i = child;
        }
        _items[i] = last;
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Before(int count, long pair, (int Count, long Pair) other) =>
        count > other.Count || (count == other.Count && pair < other.Pair);
}

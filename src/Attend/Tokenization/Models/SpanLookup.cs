using System.Runtime.CompilerServices;

namespace Attend.Tokenization;

/// <summary>
/// A read-only map from strings to ids looked up by character span: open addressing over a power-of-two table, keys
/// stored back to back in one character array, FNV-1a hashing. WordPiece's inner loop is one lookup per candidate
/// piece, so this saves the dictionary's indirections where the BERT fast path spends its time.
/// </summary>
internal sealed class SpanLookup
{
    private readonly char[] _chars;
    private readonly int[] _starts;
    private readonly int[] _lengths;
    private readonly int[] _values;
    private readonly int _mask;

    public SpanLookup(IEnumerable<KeyValuePair<string, int>> entries)
    {
        KeyValuePair<string, int>[] all = entries.ToArray();
        int capacity = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(16, all.Length * 2));
        _mask = capacity - 1;
        _starts = new int[capacity];
        _lengths = new int[capacity];
        _values = new int[capacity];
        Array.Fill(_lengths, -1);
        _chars = new char[all.Sum(e => e.Key.Length)];
        int at = 0;
        foreach ((string key, int value) in all)
        {
            int slot = (int)Hash(key) & _mask;
            while (_lengths[slot] >= 0 && !_chars.AsSpan(_starts[slot], _lengths[slot]).SequenceEqual(key))
                slot = (slot + 1) & _mask;
            if (_lengths[slot] >= 0)
                continue;
            key.CopyTo(_chars.AsSpan(at));
            _starts[slot] = at;
            _lengths[slot] = key.Length;
            _values[slot] = value;
            at += key.Length;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryGetValue(ReadOnlySpan<char> key, out int value)
    {
        int slot = (int)Hash(key) & _mask;
        while (true)
        {
            int length = _lengths[slot];
            if (length < 0)
            {
                value = -1;
                return false;
            }
            if (length == key.Length && _chars.AsSpan(_starts[slot], length).SequenceEqual(key))
            {
                value = _values[slot];
                return true;
            }
            slot = (slot + 1) & _mask;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Hash(ReadOnlySpan<char> key)
    {
        uint h = 2166136261;
        foreach (char c in key)
            h = (h ^ c) * 16777619;
        return h ^ (h >> 15);
    }
}

using System.Buffers;

namespace Attend.Tokenization;

/// <summary>Finds special tokens written literally in text (ordinal, the longest one when several start at the same place).</summary>
internal sealed class SpecialTokenMatcher
{
    private readonly SearchValues<string>? _values;
    private readonly KeyValuePair<string, int>[] _byLengthDescending;

    public SpecialTokenMatcher(IReadOnlyDictionary<string, int> specials)
    {
        _byLengthDescending = specials.Where(p => p.Key.Length > 0).OrderByDescending(p => p.Key.Length)
            .ThenBy(p => p.Key, StringComparer.Ordinal).ToArray();
        if (_byLengthDescending.Length > 0)
            _values = SearchValues.Create(_byLengthDescending.Select(p => p.Key).ToArray(), StringComparison.Ordinal);
    }

    /// <summary>The first special token in <paramref name="text"/>: its index (-1 when none), length and id.</summary>
    public int Find(ReadOnlySpan<char> text, out int length, out int id)
    {
        length = 0;
        id = -1;
        if (_values is null)
            return -1;
        int index = text.IndexOfAny(_values);
        if (index < 0)
            return -1;
        ReadOnlySpan<char> rest = text[index..];
        foreach (KeyValuePair<string, int> p in _byLengthDescending)
        {
            if (rest.StartsWith(p.Key, StringComparison.Ordinal))
            {
                length = p.Key.Length;
                id = p.Value;
                return index;
            }
        }
        return -1;
    }
}

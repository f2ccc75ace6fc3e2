using System.Text.Json;

namespace Attend.Tokenization;

/// <summary>What a split does with the delimiters it finds (Hugging Face's <c>SplitDelimiterBehavior</c>).</summary>
internal enum SplitBehavior
{
    Removed,
    Isolated,
    MergedWithPrevious,
    MergedWithNext,
    Contiguous,
}

/// <summary>
/// Hugging Face's <c>NormalizedString::split</c>: the text as alternating (range, is-delimiter) spans, turned into
/// pieces according to a <see cref="SplitBehavior"/>; empty pieces are dropped.
/// </summary>
internal static class Splitter
{
    [ThreadStatic]
    private static List<(int Start, int End, bool Match)>? t_spans;

    [ThreadStatic]
    private static List<(int Start, int End, bool Remove)>? t_pieces;

    /// <summary>A cleared span list for one split (one per thread).</summary>
    public static List<(int Start, int End, bool Match)> Spans()
    {
        List<(int, int, bool)> spans = t_spans ??= [];
        spans.Clear();
        return spans;
    }

    /// <summary>Spans for a per-character delimiter test (each matching character is its own delimiter span).</summary>
    public static List<(int Start, int End, bool Match)> CharSpans(ReadOnlySpan<char> text, Func<int, bool> isDelimiter)
    {
        var spans = Spans();
        int last = 0;
        for (int i = 0; i < text.Length;)
        {
            int length = char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]) ? 2 : 1;
            int cp = length == 2 ? char.ConvertToUtf32(text[i], text[i + 1]) : text[i];
            if (isDelimiter(cp))
            {
                if (last < i)
                    spans.Add((last, i, false));
                spans.Add((i, i + length, true));
                last = i + length;
            }
            i += length;
        }
        if (last < text.Length)
            spans.Add((last, text.Length, false));
        return spans;
    }

    /// <summary>Turns <paramref name="spans"/> into pieces of <paramref name="text"/> and adds them to <paramref name="output"/>.</summary>
    public static void Emit(ReadOnlySpan<char> text, List<(int Start, int End, bool Match)> spans, SplitBehavior behavior,
        bool atStart, PieceList output)
    {
        List<(int Start, int End, bool Remove)> pieces = t_pieces ??= [];
        pieces.Clear();
        bool previous = false;
        switch (behavior)
        {
            case SplitBehavior.Isolated:
                foreach ((int s, int e, _) in spans)
                    pieces.Add((s, e, false));
                break;
            case SplitBehavior.Removed:
                foreach ((int s, int e, bool m) in spans)
                    pieces.Add((s, e, m));
                break;
            case SplitBehavior.Contiguous:
                foreach ((int s, int e, bool m) in spans)
                {
                    if (m == previous && pieces.Count > 0)
                        pieces[^1] = (pieces[^1].Start, e, false);
                    else
                        pieces.Add((s, e, false));
                    previous = m;
                }
                break;
            case SplitBehavior.MergedWithPrevious:
                foreach ((int s, int e, bool m) in spans)
                {
                    if (m && !previous && pieces.Count > 0)
                        pieces[^1] = (pieces[^1].Start, e, false);
                    else
                        pieces.Add((s, e, false));
                    previous = m;
                }
                break;
            case SplitBehavior.MergedWithNext:
                for (int i = spans.Count - 1; i >= 0; i--)
                {
                    (int s, int e, bool m) = spans[i];
                    if (m && !previous && pieces.Count > 0)
                        pieces[^1] = (s, pieces[^1].End, false);
                    else
                        pieces.Add((s, e, false));
                    previous = m;
                }
                pieces.Reverse();
                break;
        }
        bool first = true;
        foreach ((int s, int e, bool remove) in pieces)
        {
            if (remove || e == s)
                continue;
            output.Add(text[s..e], atStart && first && s == 0);
            first = false;
        }
    }

    public static SplitBehavior ReadBehavior(JsonField json)
    {
        string name = json.String();
        return name switch
        {
            "Removed" => SplitBehavior.Removed,
            "Isolated" => SplitBehavior.Isolated,
            "MergedWithPrevious" => SplitBehavior.MergedWithPrevious,
            "MergedWithNext" => SplitBehavior.MergedWithNext,
            "Contiguous" => SplitBehavior.Contiguous,
            _ => throw json.Fail($"'{name}' is not a split behavior (Removed, Isolated, MergedWithPrevious, MergedWithNext, Contiguous)"),
        };
    }
}

using Attend.Tokenization;

namespace Attend.Inference;

/// <summary>
/// Turns generated token ids into text pieces as they arrive: a piece is released only once it is complete text (a
/// byte-level token can end inside a UTF-8 character) and cannot be the start of a stop sequence; when a stop sequence
/// appears, the text before it is the last piece and the stream is stopped.
/// </summary>
public sealed class TextStream
{
    private readonly Tokenizer _tokenizer;
    private readonly string[] _stops;
    private readonly List<int> _ids = [];
    private int _released;   // characters of the decoded text already handed out

    /// <summary>A stream that decodes with <paramref name="tokenizer"/> and stops at any of <paramref name="stopSequences"/> (empty ones are ignored).</summary>
    public TextStream(Tokenizer tokenizer, IEnumerable<string>? stopSequences = null)
    {
        _tokenizer = tokenizer;
        _stops = (stopSequences ?? []).Where(s => s.Length > 0).ToArray();
    }

    /// <summary>True once a stop sequence has appeared.</summary>
    public bool Stopped { get; private set; }

    /// <summary>All the text released so far.</summary>
    public string Text { get; private set; } = "";

    /// <summary>The tokens pushed so far.</summary>
    public int TokenCount => _ids.Count;

    /// <summary>Adds one token; returns the text it releases (maybe empty).</summary>
    public string Push(int id)
    {
        if (Stopped)
            return "";
        _ids.Add(id);
        string full = _tokenizer.Decode(_ids.ToArray(), skipSpecialTokens: true);
        foreach (string stop in _stops)
        {
            int at = full.IndexOf(stop, Math.Max(0, _released - stop.Length + 1), StringComparison.Ordinal);
            if (at >= 0)
            {
                Stopped = true;
                return Release(full, Math.Max(at, _released));
            }
        }
        int safe = full.Length;
        if (safe > 0 && full[safe - 1] == '\uFFFD')
            safe--;   // an incomplete character: its next bytes are in the next token
        int hold = 0;   // the longest end that may be the start of a stop sequence is held back
        foreach (string stop in _stops)
            for (int k = Math.Min(stop.Length - 1, safe - _released); k > hold; k--)
                if (full.AsSpan(safe - k, k).SequenceEqual(stop.AsSpan(0, k)))
                {
                    hold = k;
                    break;
                }
        return Release(full, Math.Max(safe - hold, _released));
    }

    /// <summary>The text still held back, at the end of the sequence (nothing when stopped).</summary>
    public string Flush() => Stopped ? "" : Release(_tokenizer.Decode(_ids.ToArray(), skipSpecialTokens: true), int.MaxValue);

    private string Release(string full, int end)
    {
        end = Math.Min(end, full.Length);
        if (end <= _released)
            return "";
        string piece = full[_released..end];
        _released = end;
        Text += piece;
        return piece;
    }
}

using System.Text.Json;
using System.Text.RegularExpressions;

namespace Attend.Tokenization;

/// <summary>
/// Hugging Face's Split pre-tokenizer: the matches of a pattern (a literal string or a regular expression) are the
/// delimiters, handled by <c>behavior</c>; with <c>invert</c> the matches are the pieces and the gaps the delimiters.
/// </summary>
internal sealed class SplitPreTokenizer : PreTokenizerStep
{
    private readonly Regex _regex;

    public SplitPreTokenizer(string pattern, bool isRegex, SplitBehavior behavior, bool invert)
    {
        Pattern = pattern;
        IsRegex = isRegex;
        Behavior = behavior;
        Invert = invert;
        _regex = new Regex(isRegex ? pattern : Regex.Escape(pattern), RegexOptions.CultureInvariant);
    }

    public string Pattern { get; }

    public bool IsRegex { get; }

    public SplitBehavior Behavior { get; }

    public bool Invert { get; }

    public override void Split(ReadOnlySpan<char> text, bool atStart, PieceList output)
    {
        var spans = Splitter.Spans();
        int previous = 0;
        if (Pattern.Length > 0)
        {
            foreach (ValueMatch m in _regex.EnumerateMatches(text))
            {
                if (previous != m.Index)
                    spans.Add((previous, m.Index, Invert));
                spans.Add((m.Index, m.Index + m.Length, !Invert));
                previous = m.Index + m.Length;
            }
        }
        if (previous != text.Length)
            spans.Add((previous, text.Length, Invert));
        Splitter.Emit(text, spans, Behavior, atStart, output);
    }

    public override void Write(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("type", "Split");
        writer.WriteStartObject("pattern");
        writer.WriteString(IsRegex ? "Regex" : "String", Pattern);
        writer.WriteEndObject();
        writer.WriteString("behavior", Behavior.ToString());
        writer.WriteBoolean("invert", Invert);
        writer.WriteEndObject();
    }
}

/// <summary>
/// Hugging Face's Metaspace (SentencePiece's convention): spaces become <c>replacement</c> ("▁"), which is prepended
/// to a piece that does not start with it (always, only at the start of the text with <c>first</c>, or never), then
/// with <c>split</c> every replacement begins a new piece.
/// </summary>
internal sealed class MetaspacePreTokenizer(char replacement, string prependScheme, bool split) : PreTokenizerStep
{
    public char Replacement { get; } = replacement;

    public string PrependScheme { get; } = prependScheme;

    public bool SplitOnReplacement { get; } = split;

    public override void Split(ReadOnlySpan<char> text, bool atStart, PieceList output)
    {
        bool prepend = PrependScheme == "always" || (PrependScheme == "first" && atStart);
        Span<char> replaced = text.Length < 256 ? stackalloc char[text.Length + 1] : new char[text.Length + 1];
        int at = 0;
        if (prepend && (text.IsEmpty || (text[0] != Replacement && text[0] != ' ')))
            replaced[at++] = Replacement;
        foreach (char c in text)
            replaced[at++] = c == ' ' ? Replacement : c;
        ReadOnlySpan<char> result = replaced[..at];
        if (!SplitOnReplacement)
        {
            output.Add(result, atStart);
            return;
        }
        Splitter.Emit(result, Splitter.CharSpans(result, c => c == Replacement), SplitBehavior.MergedWithNext, atStart, output);
    }

    public override void Write(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("type", "Metaspace");
        writer.WriteString("replacement", Replacement.ToString());
        writer.WriteString("prepend_scheme", PrependScheme);
        writer.WriteBoolean("split", SplitOnReplacement);
        writer.WriteEndObject();
    }
}

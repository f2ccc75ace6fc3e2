using System.Buffers;

namespace Attend.Tokenization;

/// <summary>
/// The added tokens and how Hugging Face finds them: first the tokens with <c>normalized: false</c> in the original
/// text, then, in each normalized gap, those with <c>normalized: true</c> (their content normalized the same way).
/// Matching is leftmost-longest; a <c>single_word</c> token touching a word character is skipped; <c>lstrip</c> and
/// <c>rstrip</c> take the neighbouring whitespace into the token.
/// </summary>
internal sealed class AddedVocabulary
{
    private readonly Matcher? _raw;
    private readonly Matcher? _normalized;
    private readonly Dictionary<int, AddedToken> _byId = [];
    private readonly Dictionary<string, int> _byContent = new(StringComparer.Ordinal);

    public AddedVocabulary(IEnumerable<AddedToken> tokens, Normalizer? normalizer)
    {
        Tokens = tokens.OrderBy(t => t.Id).ToArray();
        var raw = new List<(string, AddedToken)>();
        var normalized = new List<(string, AddedToken)>();
        foreach (AddedToken t in Tokens)
        {
            _byId[t.Id] = t;
            _byContent.TryAdd(t.Content, t.Id);
            if (t.Content.Length == 0)
                continue;
            if (t.Normalized && normalizer is not null)
                normalized.Add((normalizer.Normalize(t.Content), t));
            else if (t.Normalized)
                normalized.Add((t.Content, t));
            else
                raw.Add((t.Content, t));
        }
        _raw = raw.Count > 0 ? new Matcher(raw) : null;
        _normalized = normalized.Count > 0 ? new Matcher(normalized) : null;
    }

    public IReadOnlyList<AddedToken> Tokens { get; }

    public bool IsEmpty => Tokens.Count == 0;

    public bool HasNormalizedTokens => _normalized is not null;

    public AddedToken? ById(int id) => _byId.GetValueOrDefault(id);

    public int IdOf(string content) => _byContent.GetValueOrDefault(content, -1);

    /// <summary>
    /// Splits <paramref name="text"/> into spans (start, end, id): id is the added token's, or -1 for text between.
    /// <paramref name="normalizedSet"/> picks the tokens matched on normalized text; special tokens are skipped when
    /// <paramref name="recognizeSpecial"/> is false.
    /// </summary>
    public void Split(ReadOnlySpan<char> text, bool normalizedSet, bool recognizeSpecial, List<(int Start, int End, int Id)> output)
    {
        Matcher? matcher = normalizedSet ? _normalized : _raw;
        int done = 0;
        if (matcher is not null)
        {
            int from = 0;
            while (from < text.Length)
            {
                int at = matcher.Find(text, from, out int length, out AddedToken? token);
                if (at < 0)
                    break;
                int start = at, stop = at + length;
                from = stop;
                if (!recognizeSpecial && token!.Special)
                    continue;
                if (token!.SingleWord && ((start > 0 && IsWordBefore(text, start)) || (stop < text.Length && IsWordAt(text, stop))))
                    continue;
                if (token.LStrip)
                {
                    int s = start;
                    while (s > 0 && char.IsWhiteSpace(text[s - 1]))
                        s--;
                    start = Math.Max(s, done);
                }
                if (token.RStrip)
                {
                    while (stop < text.Length && char.IsWhiteSpace(text[stop]))
                        stop++;
                }
                if (done < start)
                    output.Add((done, start, -1));
                output.Add((start, stop, token.Id));
                done = stop;
                from = Math.Max(from, stop);
            }
        }
        if (done < text.Length || output.Count == 0)
            output.Add((done, text.Length, -1));
    }

    private static bool IsWordBefore(ReadOnlySpan<char> text, int at)
    {
        int i = at - 1;
        if (char.IsLowSurrogate(text[i]) && i > 0 && char.IsHighSurrogate(text[i - 1]))
            i--;
        return UnicodeClasses.IsWordCharacter(UnicodeClasses.CodePointAt(text, i, out _));
    }

    private static bool IsWordAt(ReadOnlySpan<char> text, int at) => UnicodeClasses.IsWordCharacter(UnicodeClasses.CodePointAt(text, at, out _));

    /// <summary>Leftmost-longest search over a set of strings (ordinal).</summary>
    private sealed class Matcher
    {
        private readonly SearchValues<string> _values;
        private readonly (string Pattern, AddedToken Token)[] _byLengthDescending;

        public Matcher(List<(string Pattern, AddedToken Token)> patterns)
        {
            _byLengthDescending = patterns.Where(p => p.Pattern.Length > 0).OrderByDescending(p => p.Pattern.Length)
                .ThenBy(p => p.Token.Id).ToArray();
            _values = SearchValues.Create(_byLengthDescending.Select(p => p.Pattern).Distinct().ToArray(), StringComparison.Ordinal);
        }

        public int Find(ReadOnlySpan<char> text, int from, out int length, out AddedToken? token)
        {
            length = 0;
            token = null;
            if (_byLengthDescending.Length == 0)
                return -1;
            int index = text[from..].IndexOfAny(_values);
            if (index < 0)
                return -1;
            index += from;
            ReadOnlySpan<char> rest = text[index..];
            foreach ((string pattern, AddedToken t) in _byLengthDescending)
            {
                if (rest.StartsWith(pattern, StringComparison.Ordinal))
                {
                    length = pattern.Length;
                    token = t;
                    return index;
                }
            }
            return -1;
        }
    }
}

using System.Text.Json;

namespace Attend.Tokenization;

/// <summary>
/// Hugging Face's WordPiece model (BERT): greedy longest-match-first. From the start of the word take the longest
/// vocabulary entry that matches (written with <c>continuing_subword_prefix</c>, "##", after the first piece) and go
/// on from where it ends; if some position has no match, or the word is longer than <c>max_input_chars_per_word</c>
/// characters, the whole word is the unknown token.
/// </summary>
internal sealed class WordPieceModel : TokenizerModel
{
    private readonly Dictionary<string, int> _vocab;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _continuing;
    private readonly string?[] _idToToken;
    private readonly int _unkId;
    private readonly int _longest;

    public WordPieceModel(Dictionary<string, int> vocab, string unkToken, string continuingSubwordPrefix, int maxInputCharsPerWord)
    {
        _vocab = vocab;
        _lookup = vocab.GetAlternateLookup<ReadOnlySpan<char>>();
        UnkToken = unkToken;
        ContinuingSubwordPrefix = continuingSubwordPrefix;
        MaxInputCharsPerWord = maxInputCharsPerWord;
        var continuing = new Dictionary<string, int>(StringComparer.Ordinal);
        int size = 0;
        foreach ((string token, int id) in vocab)
        {
            size = Math.Max(size, id + 1);
            _longest = Math.Max(_longest, token.Length);
            if (continuingSubwordPrefix.Length > 0 && token.StartsWith(continuingSubwordPrefix, StringComparison.Ordinal))
                continuing[token[continuingSubwordPrefix.Length..]] = id;
        }
        _continuing = (continuingSubwordPrefix.Length > 0 ? continuing : vocab).GetAlternateLookup<ReadOnlySpan<char>>();
        _idToToken = new string?[size];
        foreach ((string token, int id) in vocab)
            _idToToken[id] ??= token;
        _unkId = vocab.GetValueOrDefault(unkToken, -1);
    }

    public string UnkToken { get; }

    public string ContinuingSubwordPrefix { get; }

    public int MaxInputCharsPerWord { get; }

    public IReadOnlyDictionary<string, int> Vocabulary => _vocab;

    public override int Size => _idToToken.Length;

    public override int TokenToId(ReadOnlySpan<char> token) => _lookup.TryGetValue(token, out int id) ? id : -1;

    public override string? IdToToken(int id) => (uint)id < (uint)_idToToken.Length ? _idToToken[id] : null;

    public override void Tokenize(ReadOnlySpan<char> word, List<int> ids)
    {
        if (word.IsEmpty)
            return;
        if (word.Length > MaxInputCharsPerWord && CodePoints(word) > MaxInputCharsPerWord)
        {
            ids.Add(UnknownId());
            return;
        }
        int mark = ids.Count;
        int start = 0;
        while (start < word.Length)
        {
            Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> lookup = start == 0 ? _lookup : _continuing;
            int end = Math.Min(word.Length, start + _longest);
            if (end < word.Length && char.IsLowSurrogate(word[end]))
                end--;
            int found = -1;
            while (end > start)
            {
                if (lookup.TryGetValue(word[start..end], out found))
                    break;
                found = -1;
                end -= end - 2 >= start && char.IsLowSurrogate(word[end - 1]) && char.IsHighSurrogate(word[end - 2]) ? 2 : 1;
            }
            if (found < 0)
            {
                ids.RemoveRange(mark, ids.Count - mark);
                ids.Add(UnknownId());
                return;
            }
            ids.Add(found);
            start = end;
        }
    }

    public override void Write(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("type", "WordPiece");
        writer.WriteString("unk_token", UnkToken);
        writer.WriteString("continuing_subword_prefix", ContinuingSubwordPrefix);
        writer.WriteNumber("max_input_chars_per_word", MaxInputCharsPerWord);
        writer.WriteStartObject("vocab");
        foreach ((string token, int id) in _vocab.OrderBy(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal))
            writer.WriteNumber(token, id);
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private int UnknownId() => _unkId >= 0 ? _unkId
        : throw new InvalidOperationException($"the unknown token '{UnkToken}' is not in the WordPiece vocabulary");

    private static int CodePoints(ReadOnlySpan<char> s)
    {
        int n = 0;
        for (int i = 0; i < s.Length; i++)
            if (!char.IsLowSurrogate(s[i]) || i == 0 || !char.IsHighSurrogate(s[i - 1]))
                n++;
        return n;
    }
}

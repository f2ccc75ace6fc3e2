using System.Text.Json;

namespace Attend.Tokenization;

/// <summary>Hugging Face's WordLevel model: each pre-token is one vocabulary entry, or the unknown token.</summary>
internal sealed class WordLevelModel : TokenizerModel
{
    private readonly Dictionary<string, int> _vocab;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private readonly string?[] _idToToken;

    public WordLevelModel(Dictionary<string, int> vocab, string unkToken)
    {
        _vocab = vocab;
        _lookup = vocab.GetAlternateLookup<ReadOnlySpan<char>>();
        UnkToken = unkToken;
        _idToToken = new string?[vocab.Count == 0 ? 0 : vocab.Values.Max() + 1];
        foreach ((string token, int id) in vocab)
            _idToToken[id] ??= token;
    }

    public string UnkToken { get; }

    public override int Size => _idToToken.Length;

    public override int TokenToId(ReadOnlySpan<char> token) => _lookup.TryGetValue(token, out int id) ? id : -1;

    public override string? IdToToken(int id) => (uint)id < (uint)_idToToken.Length ? _idToToken[id] : null;

    public override void Tokenize(ReadOnlySpan<char> piece, List<int> ids)
    {
        if (_lookup.TryGetValue(piece, out int id) || _vocab.TryGetValue(UnkToken, out id))
            ids.Add(id);
        else
            throw new InvalidOperationException($"WordLevel: '{piece}' is not in the vocabulary and the unknown token '{UnkToken}' is missing");
    }

    public override void Write(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("type", "WordLevel");
        writer.WriteStartObject("vocab");
        foreach ((string token, int id) in _vocab.OrderBy(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal))
            writer.WriteNumber(token, id);
        writer.WriteEndObject();
        writer.WriteString("unk_token", UnkToken);
        writer.WriteEndObject();
    }
}

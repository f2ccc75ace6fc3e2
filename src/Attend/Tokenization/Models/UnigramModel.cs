using System.Text;
using System.Text.Json;

namespace Attend.Tokenization;

/// <summary>
/// Hugging Face's Unigram model (SentencePiece's): the segmentation of a pre-token into vocabulary pieces with the
/// highest total score, by Viterbi over the lattice of pieces starting at each character. A character that no
/// one-character piece covers becomes the unknown piece, scored min score - 10; consecutive unknowns are fused into
/// one, which with <c>byte_fallback</c> becomes its <c>&lt;0xNN&gt;</c> byte pieces when they all exist.
/// </summary>
internal sealed class UnigramModel : TokenizerModel
{
    private const double UnknownPenalty = 10.0;

    private readonly (string Piece, double Score)[] _pieces;
    private readonly Dictionary<string, int> _ids = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private readonly TrieNode _root = new();
    private readonly double _unknownScore;

    public UnigramModel((string Piece, double Score)[] pieces, int? unkId, bool byteFallback)
    {
        _pieces = pieces;
        UnkId = unkId;
        ByteFallback = byteFallback;
        double min = double.PositiveInfinity;
        for (int id = 0; id < pieces.Length; id++)
        {
            _ids.TryAdd(pieces[id].Piece, id);
            min = Math.Min(min, pieces[id].Score);
            TrieNode node = _root;
            foreach (char c in pieces[id].Piece)
            {
                node.Children ??= [];
                if (!node.Children.TryGetValue(c, out TrieNode? next))
                    node.Children[c] = next = new TrieNode();
                node = next;
            }
            if (node.Id < 0)
                node.Id = id;
        }
        _lookup = _ids.GetAlternateLookup<ReadOnlySpan<char>>();
        _unknownScore = min - UnknownPenalty;
    }

    public int? UnkId { get; }

    public bool ByteFallback { get; }

    public override int Size => _pieces.Length;

    public override int TokenToId(ReadOnlySpan<char> token) => _lookup.TryGetValue(token, out int id) ? id : -1;

    public override string? IdToToken(int id) => (uint)id < (uint)_pieces.Length ? _pieces[id].Piece : null;

    public override void Tokenize(ReadOnlySpan<char> piece, List<int> ids) => Tokenize(piece, ids, null);

    /// <summary>As Hugging Face, an unknown piece's token string is the text it covers.</summary>
    public override void Tokenize(ReadOnlySpan<char> piece, List<int> ids, List<string>? tokens)
    {
        int n = piece.Length;
        if (n == 0)
            return;
        var best = new (double Score, int Start, int Id)[n + 1];
        for (int i = 1; i <= n; i++)
            best[i].Start = -1;
        for (int start = 0; start < n; start = NextChar(piece, start))
        {
            if (start > 0 && best[start].Start < 0)
                continue;
            double here = best[start].Score;
            int charEnd = NextChar(piece, start);
            bool single = false;
            TrieNode? node = _root;
            for (int end = start; end < n && node?.Children is not null;)
            {
                if (!node.Children.TryGetValue(piece[end], out node))
                    break;
                end++;
                if (node.Id < 0)
                    continue;
                double candidate = here + _pieces[node.Id].Score;
                if (best[end].Start < 0 || candidate > best[end].Score)
                    best[end] = (candidate, start, node.Id);
                if (end == charEnd)
                    single = true;
            }
            if (!single)
            {
                int unk = UnkId ?? throw new InvalidOperationException("Unigram: a character has no piece and the model has no unk_id");
                double candidate = here + _unknownScore;
                if (best[charEnd].Start < 0 || candidate > best[charEnd].Score)
                    best[charEnd] = (candidate, start, unk);
            }
        }
        // Back from the end: the pieces of the best path; runs of unknowns fuse into one string.
        var pieces = new List<(int Start, int End, int Id)>();
        for (int end = n; end > 0;)
        {
            (_, int start, int id) = best[end];
            if (id == UnkId && pieces.Count > 0 && pieces[^1].Id == UnkId && pieces[^1].Start == end)
                pieces[^1] = (start, pieces[^1].End, id);
            else
                pieces.Add((start, end, id));
            end = start;
        }
        for (int k = pieces.Count - 1; k >= 0; k--)
        {
            (int start, int end, int id) = pieces[k];
            if (id != UnkId || _lookup.TryGetValue(piece[start..end], out id))
            {
                ids.Add(id);
                tokens?.Add(_pieces[id].Piece);
                continue;
            }
            int before = ids.Count;
            if (ByteFallback && TryBytes(piece[start..end], ids))
            {
                for (int i = before; i < ids.Count; i++)
                    tokens?.Add(_pieces[ids[i]].Piece);
                continue;
            }
            ids.Add(UnkId!.Value);
            tokens?.Add(piece[start..end].ToString());
        }
    }

    public override void Write(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("type", "Unigram");
        if (UnkId is int unk)
            writer.WriteNumber("unk_id", unk);
        else
            writer.WriteNull("unk_id");
        writer.WriteStartArray("vocab");
        foreach ((string piece, double score) in _pieces)
        {
            writer.WriteStartArray();
            writer.WriteStringValue(piece);
            writer.WriteNumberValue(score);
            writer.WriteEndArray();
        }
        writer.WriteEndArray();
        writer.WriteBoolean("byte_fallback", ByteFallback);
        writer.WriteEndObject();
    }

    private bool TryBytes(ReadOnlySpan<char> text, List<int> ids)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(text.ToArray());
        var found = new int[bytes.Length];
        for (int i = 0; i < bytes.Length; i++)
            if (!_ids.TryGetValue($"<0x{bytes[i]:X2}>", out found[i]))
                return false;
        ids.AddRange(found);
        return true;
    }

    private static int NextChar(ReadOnlySpan<char> s, int i) =>
        i + (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]) ? 2 : 1);

    private sealed class TrieNode
    {
        public Dictionary<char, TrieNode>? Children;
        public int Id = -1;
    }
}

using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace Attend.Tokenization;

/// <summary>
/// Hugging Face's BPE model: a pre-token is split into characters (each looked up with <c>continuing_subword_prefix</c>
/// when not first and <c>end_of_word_suffix</c> when last; a character not in the vocabulary becomes its
/// <c>&lt;0xNN&gt;</c> byte tokens with <c>byte_fallback</c>, else the unknown token (consecutive ones fused with
/// <c>fuse_unk</c>), else is dropped), then adjacent pairs are merged by rank, lowest first, leftmost among equals.
/// With <c>ignore_merges</c> a pre-token that is itself in the vocabulary is taken whole.
/// </summary>
/// <remarks>
/// Byte-level vocabularies (every entry written in GPT-2's byte alphabet) also have a fast path that works on the
/// UTF-8 bytes of raw text (<see cref="TokenizeBytes"/>), skipping the byte-to-character rewrite; it gives the same
/// ids as the ByteLevel pre-tokenizer followed by <see cref="Tokenize"/>.
/// </remarks>
internal sealed class BpeModel : TokenizerModel
{
    private const int StackBytes = 512;

    private readonly Dictionary<string, int> _vocab;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private readonly string?[] _idToToken;
    private readonly byte[]?[]? _tokenBytes;
    private readonly int[] _byteToId;
    private readonly int[] _byteFallbackIds;
    private readonly int _unkId;
    private readonly PreTokenCache? _byteCache;
    private readonly PreTokenCache? _charCache;

    public BpeModel(Dictionary<string, int> vocab, IReadOnlyList<BpeMerge> merges, BpeModelOptions options, int cacheCapacity)
    {
        _vocab = vocab;
        _lookup = vocab.GetAlternateLookup<ReadOnlySpan<char>>();
        Options = options;
        Merges = new BpeMergeTable(merges);
        int size = vocab.Count == 0 ? 0 : vocab.Values.Max() + 1;
        _idToToken = new string?[size];
        foreach ((string token, int id) in vocab)
            _idToToken[id] = _idToToken[id] is null || string.CompareOrdinal(token, _idToToken[id]) < 0 ? token : _idToToken[id];
        _unkId = options.UnkToken is null ? -1 : vocab.GetValueOrDefault(options.UnkToken, -1);
        _byteFallbackIds = new int[256];
        for (int b = 0; b < 256; b++)
            _byteFallbackIds[b] = vocab.GetValueOrDefault($"<0x{b:X2}>", -1);
        _byteToId = new int[256];
        Array.Fill(_byteToId, -1);
        for (int b = 0; b < 256; b++)
            _byteToId[b] = vocab.GetValueOrDefault(ByteLevelAlphabet.ToChar((byte)b).ToString(), -1);
        bool byteLevel = options.ContinuingSubwordPrefix is null && options.EndOfWordSuffix is null && !options.ByteFallback;
        if (byteLevel)
        {
            _tokenBytes = new byte[]?[size];
            for (int id = 0; id < size && byteLevel; id++)
            {
                if (_idToToken[id] is string token)
                    byteLevel = (_tokenBytes[id] = ByteLevelAlphabet.TryToBytes(token)) is not null;
            }
        }
        if (byteLevel)
            _byteCache = cacheCapacity > 0 ? new PreTokenCache(cacheCapacity) : null;
        else
            _tokenBytes = null;
        _charCache = cacheCapacity > 0 ? new PreTokenCache(cacheCapacity) : null;
    }

    public BpeModelOptions Options { get; }

    public BpeMergeTable Merges { get; }

    /// <summary>True when every vocabulary entry is byte-level text and no prefix, suffix or byte fallback is set.</summary>
    public bool IsByteLevel => _tokenBytes is not null;

    public override int Size => _idToToken.Length;

    public IReadOnlyDictionary<string, int> Vocabulary => _vocab;

    public override int TokenToId(ReadOnlySpan<char> token) => _lookup.TryGetValue(token, out int id) ? id : -1;

    public override string? IdToToken(int id) => (uint)id < (uint)_idToToken.Length ? _idToToken[id] : null;

    /// <summary>The bytes a byte-level token stands for (null for an unused id or a vocabulary that is not byte-level).</summary>
    public byte[]? TokenBytes(int id) => _tokenBytes is not null && (uint)id < (uint)_tokenBytes.Length ? _tokenBytes[id] : null;

    public override void Tokenize(ReadOnlySpan<char> piece, List<int> ids)
    {
        if (piece.IsEmpty)
            return;
        if (Options.IgnoreMerges && _lookup.TryGetValue(piece, out int whole))
        {
            ids.Add(whole);
            return;
        }
        if (_charCache is not null && _charCache.TryGet(piece, out int[] cached))
        {
            ids.AddRange(cached);
            return;
        }
        int start = ids.Count;
        var word = new List<int>(piece.Length);
        SplitCharacters(piece, word);
        Span<int> span = CollectionsMarshal.AsSpan(word);
        int[] scratch = ArrayPool<int>.Shared.Rent(Math.Max(1, span.Length));
        int count = Merges.Apply(span, scratch);
        ArrayPool<int>.Shared.Return(scratch);
        ids.AddRange(span[..count]);
        _charCache?.Add(piece, CollectionsMarshal.AsSpan(ids)[start..].ToArray());
    }

    /// <summary>
    /// The byte-level fast path: appends the ids of <paramref name="piece"/>, raw text (not yet rewritten in the byte
    /// alphabet). A byte with no token becomes the unknown token when there is one, else is dropped, as in Hugging Face.
    /// </summary>
    public void TokenizeBytes(ReadOnlySpan<char> piece, List<int> destination)
    {
        if (_byteCache is not null && _byteCache.TryGet(piece, out int[] cached))
        {
            destination.AddRange(cached);
            return;
        }
        int maxBytes = Encoding.UTF8.GetMaxByteCount(piece.Length);
        byte[]? rentedBytes = null;
        int[]? rentedInts = null;
        Span<byte> bytes = maxBytes <= StackBytes ? stackalloc byte[StackBytes] : (rentedBytes = ArrayPool<byte>.Shared.Rent(maxBytes));
        Span<int> work = maxBytes <= StackBytes ? stackalloc int[2 * StackBytes] : (rentedInts = ArrayPool<int>.Shared.Rent(2 * maxBytes));
        try
        {
            int n = Encoding.UTF8.GetBytes(piece, bytes);
            Span<int> ids = work[..n];
            int count;
            if (Options.IgnoreMerges && TryWholeToken(bytes[..n], work.Slice(n, n), out int whole))
            {
                ids[0] = whole;
                count = 1;
            }
            else
            {
                int kept = 0;
                bool previousUnknown = false;
                for (int i = 0; i < n; i++)
                {
                    int id = _byteToId[bytes[i]];
                    if (id < 0)
                    {
                        if (_unkId < 0 || (previousUnknown && Options.FuseUnk))
                            continue;
                        id = _unkId;
                        previousUnknown = true;
                    }
                    else
                    {
                        previousUnknown = false;
                    }
                    ids[kept++] = id;
                }
                count = Merges.Apply(ids[..kept], work.Slice(n, n));
            }
            ReadOnlySpan<int> result = ids[..count];
            destination.AddRange(result);
            _byteCache?.Add(piece, result.ToArray());
        }
        finally
        {
            if (rentedBytes is not null)
                ArrayPool<byte>.Shared.Return(rentedBytes);
            if (rentedInts is not null)
                ArrayPool<int>.Shared.Return(rentedInts);
        }
    }

    public override void Write(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("type", "BPE");
        writer.WriteNull("dropout");
        WriteStringOrNull(writer, "unk_token", Options.UnkToken);
        WriteStringOrNull(writer, "continuing_subword_prefix", Options.ContinuingSubwordPrefix);
        WriteStringOrNull(writer, "end_of_word_suffix", Options.EndOfWordSuffix);
        writer.WriteBoolean("fuse_unk", Options.FuseUnk);
        writer.WriteBoolean("byte_fallback", Options.ByteFallback);
        writer.WriteBoolean("ignore_merges", Options.IgnoreMerges);
        writer.WriteStartObject("vocab");
        foreach ((string token, int id) in _vocab.OrderBy(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal))
            writer.WriteNumber(token, id);
        writer.WriteEndObject();
        writer.WriteStartArray("merges");
        foreach (BpeMerge m in Merges.Merges)
        {
            writer.WriteStartArray();
            writer.WriteStringValue(_idToToken[m.Left]);
            writer.WriteStringValue(_idToToken[m.Right]);
            writer.WriteEndArray();
        }
        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    internal static void WriteStringOrNull(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is null)
            writer.WriteNull(name);
        else
            writer.WriteString(name, value);
    }

    // Hugging Face's BPE::merge_word up to the merges: characters are Unicode scalar values.
    private void SplitCharacters(ReadOnlySpan<char> piece, List<int> word)
    {
        int unk = -1;
        Span<char> buffer = stackalloc char[64];
        string prefix = Options.ContinuingSubwordPrefix ?? "", suffix = Options.EndOfWordSuffix ?? "";
        for (int i = 0; i < piece.Length;)
        {
            int length = char.IsHighSurrogate(piece[i]) && i + 1 < piece.Length && char.IsLowSurrogate(piece[i + 1]) ? 2 : 1;
            bool first = i == 0, last = i + length == piece.Length;
            ReadOnlySpan<char> ch = piece.Slice(i, length);
            i += length;
            int total = (first ? 0 : prefix.Length) + length + (last ? suffix.Length : 0);
            Span<char> s = total <= buffer.Length ? buffer[..total] : new char[total];
            int at = 0;
            if (!first)
            {
                prefix.CopyTo(s);
                at = prefix.Length;
            }
            ch.CopyTo(s[at..]);
            if (last)
                suffix.CopyTo(s[(at + length)..]);
            if (_lookup.TryGetValue(s, out int id))
            {
                if (unk >= 0)
                {
                    word.Add(unk);
                    unk = -1;
                }
                word.Add(id);
                continue;
            }
            if (Options.ByteFallback && TryByteFallback(s, word))
                continue;
            if (Options.UnkToken is null)
                continue;
            if (_unkId < 0)
                throw new InvalidOperationException($"the unknown token '{Options.UnkToken}' is not in the vocabulary");
            if (unk >= 0 && !Options.FuseUnk)
                word.Add(unk);
            unk = _unkId;
        }
        if (unk >= 0)
            word.Add(unk);
    }

    private bool TryByteFallback(ReadOnlySpan<char> s, List<int> word)
    {
        Span<byte> bytes = stackalloc byte[Encoding.UTF8.GetMaxByteCount(s.Length)];
        int n = Encoding.UTF8.GetBytes(s, bytes);
        for (int i = 0; i < n; i++)
            if (_byteFallbackIds[bytes[i]] < 0)
                return false;
        for (int i = 0; i < n; i++)
            word.Add(_byteFallbackIds[bytes[i]]);
        return true;
    }

    private bool TryWholeToken(ReadOnlySpan<byte> bytes, Span<int> scratch, out int id)
    {
        Span<char> chars = MemoryMarshal.Cast<int, char>(scratch)[..bytes.Length];
        ByteLevelAlphabet.ToChars(bytes, chars);
        return _lookup.TryGetValue(chars, out id);
    }
}

/// <summary>The fields of Hugging Face's BPE model besides the vocabulary and merges.</summary>
internal sealed record BpeModelOptions
{
    public static BpeModelOptions Default { get; } = new();

    public string? UnkToken { get; init; }

    public string? ContinuingSubwordPrefix { get; init; }

    public string? EndOfWordSuffix { get; init; }

    public bool FuseUnk { get; init; }

    public bool ByteFallback { get; init; }

    public bool IgnoreMerges { get; init; }
}

using System.Buffers;
using System.Text;

namespace Attend.Tokenization;

/// <summary>
/// Byte-level byte-pair encoding. The base vocabulary is the 256 byte values, so every text encodes without an
/// unknown token and <c>Decode(EncodeToIds(s)) == s</c> for every valid Unicode string. Text is split into special
/// tokens and pre-tokens (<see cref="PreTokenizer"/>); each pre-token's UTF-8 bytes are merged by rank, lowest first
/// (leftmost among equal ranks), as GPT-2 and tiktoken do. Immutable and safe to share between threads.
/// </summary>
public sealed partial class BpeTokenizer
{
    private const int StackBytes = 512;

    [ThreadStatic]
    private static List<int>? t_buffer;

    private readonly byte[]?[] _tokenBytes;
    private readonly string?[] _idToToken;
    private readonly byte[]?[] _specialBytes;
    private readonly Dictionary<string, int> _tokenToId;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _ordinaryLookup;
    private readonly int[] _byteToId;
    private readonly BpeMergeTable _merges;
    private readonly SpecialTokenMatcher _specialMatcher;
    private readonly PreTokenCache? _cache;
    private readonly bool _missingBytes;

    internal BpeTokenizer(byte[]?[] tokenBytes, IReadOnlyDictionary<string, int> specialTokens, BpeMergeTable merges,
        PreTokenizer preTokenizer, BpeTokenizerOptions options, bool wholeTokenFirst, bool requireAllBytes = true)
    {
        ArgumentNullException.ThrowIfNull(options);
        int size = tokenBytes.Length;
        foreach ((string content, int id) in specialTokens)
        {
            if (id < 0)
                throw new InvalidDataException($"special token '{content}' has a negative id ({id})");
            size = Math.Max(size, id + 1);
        }
        _tokenBytes = new byte[]?[size];
        tokenBytes.CopyTo(_tokenBytes, 0);
        _idToToken = new string?[size];
        _specialBytes = new byte[]?[size];
        _tokenToId = new Dictionary<string, int>(size, StringComparer.Ordinal);
        var ordinary = new Dictionary<string, int>(size, StringComparer.Ordinal);
        _byteToId = new int[256];
        Array.Fill(_byteToId, -1);
        foreach ((string content, int id) in specialTokens)
        {
            _tokenBytes[id] = null;
            _specialBytes[id] = Encoding.UTF8.GetBytes(content);
            _idToToken[id] = content;
            _tokenToId[content] = id;
        }
        for (int id = 0; id < size; id++)
        {
            byte[]? bytes = _tokenBytes[id];
            if (bytes is null)
                continue;
            string text = ByteLevelAlphabet.ToText(bytes);
            _idToToken[id] = text;
            _tokenToId.TryAdd(text, id);
            ordinary.TryAdd(text, id);
            if (bytes.Length == 1 && _byteToId[bytes[0]] < 0)
                _byteToId[bytes[0]] = id;
        }
        int missing = Array.IndexOf(_byteToId, -1);
        if (missing >= 0 && requireAllBytes)
            throw new InvalidDataException($"the vocabulary has no token for byte 0x{missing:X2}; byte-level BPE needs all 256 bytes");
        _ordinaryLookup = ordinary.GetAlternateLookup<ReadOnlySpan<char>>();
        _merges = merges;
        SpecialTokens = specialTokens.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        _specialMatcher = new SpecialTokenMatcher(SpecialTokens);
        PreTokenizer = preTokenizer;
        Options = options;
        WholeTokenFirst = wholeTokenFirst;
        _cache = options.CacheCapacity > 0 ? new PreTokenCache(options.CacheCapacity) : null;
        _missingBytes = missing >= 0;
    }

    /// <summary>The size of the id space (largest id + 1): the rows an embedding table needs.</summary>
    public int VocabularySize => _idToToken.Length;

    /// <summary>The special tokens and their ids.</summary>
    public IReadOnlyDictionary<string, int> SpecialTokens { get; }

    /// <summary>How text is split before merging.</summary>
    public PreTokenizer PreTokenizer { get; }

    /// <summary>The encoding options.</summary>
    public BpeTokenizerOptions Options { get; }

    /// <summary>The id of <see cref="BpeTokenizerOptions.PadToken"/>, or null when it is not a special token.</summary>
    public int? PadId => SpecialId(Options.PadToken);

    /// <summary>The id of <see cref="BpeTokenizerOptions.BosToken"/>, or null.</summary>
    public int? BosId => SpecialId(Options.BosToken);

    /// <summary>The id of <see cref="BpeTokenizerOptions.EosToken"/>, or null.</summary>
    public int? EosId => SpecialId(Options.EosToken);

    /// <summary>The id of <see cref="BpeTokenizerOptions.UnkToken"/>, or null.</summary>
    public int? UnkId => SpecialId(Options.UnkToken);

    /// <summary>True when a pre-token that is itself a token is emitted whole before merging (tiktoken's rule).</summary>
    internal bool WholeTokenFirst { get; }

    internal BpeMergeTable MergeTable => _merges;

    internal byte[]? TokenBytes(int id) => (uint)id < (uint)_tokenBytes.Length ? _tokenBytes[id] : null;

    /// <summary>The same vocabulary and merges with other encoding options.</summary>
    public BpeTokenizer WithOptions(BpeTokenizerOptions options) =>
        new(_tokenBytes, SpecialTokens, _merges, PreTokenizer, options, WholeTokenFirst, requireAllBytes: false);

    /// <summary>The same vocabulary and merges with these special tokens instead (their ids must be unused by ordinary tokens).</summary>
    internal BpeTokenizer WithSpecialTokens(IReadOnlyDictionary<string, int> specialTokens)
    {
        foreach ((string content, int id) in specialTokens)
            if (TokenBytes(id) is not null)
                throw new ArgumentException($"special token '{content}' has id {id}, which an ordinary token uses");
        return new(_tokenBytes, specialTokens, _merges, PreTokenizer, Options, WholeTokenFirst, requireAllBytes: false);
    }

    /// <summary>The id of a token in string form (byte-level characters, or a special token's text), or null.</summary>
    public int? TokenToId(string token) => _tokenToId.TryGetValue(token, out int id) ? id : null;

    /// <summary>The string form of a token: byte-level characters (GPT-2's mapping), or a special token's text; null for an unused id.</summary>
    public string? IdToToken(int id) => (uint)id < (uint)_idToToken.Length ? _idToToken[id] : null;

    /// <summary>Encodes <paramref name="text"/> (with bos/eos when the options ask for them).</summary>
    public int[] EncodeToIds(ReadOnlySpan<char> text)
    {
        // One reusable buffer per thread, so the only allocation is the returned array.
        List<int> ids = t_buffer ??= new List<int>(256);
        ids.Clear();
        EncodeToIds(text, ids);
        int[] result = ids.ToArray();
        if (ids.Capacity > 1 << 16)
            t_buffer = null;
        return result;
    }

    /// <summary>Appends the ids of <paramref name="text"/> to <paramref name="destination"/>.</summary>
    public void EncodeToIds(ReadOnlySpan<char> text, List<int> destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        if (Options.AddBos && BosId is int bos)
            destination.Add(bos);
        EncodeContent(text, destination);
        if (Options.AddEos && EosId is int eos)
            destination.Add(eos);
    }

    /// <summary>
    /// The text of <paramref name="ids"/>: the concatenated bytes of the tokens read as UTF-8 (a cut multi-byte
    /// character becomes U+FFFD). Special tokens give their text unless <paramref name="skipSpecialTokens"/>.
    /// </summary>
    public string Decode(ReadOnlySpan<int> ids, bool skipSpecialTokens = false)
    {
        int total = 0;
        foreach (int id in ids)
            total += TokenPayload(id, skipSpecialTokens).Length;
        byte[] buffer = ArrayPool<byte>.Shared.Rent(Math.Max(total, 1));
        try
        {
            int at = 0;
            foreach (int id in ids)
            {
                ReadOnlySpan<byte> payload = TokenPayload(id, skipSpecialTokens);
                payload.CopyTo(buffer.AsSpan(at));
                at += payload.Length;
            }
            return Encoding.UTF8.GetString(buffer, 0, total);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Encodes each text and pads to the longest (or to <see cref="BatchEncodingOptions.MaxLength"/> with
    /// <see cref="BatchEncodingOptions.PadToMaxLength"/>) with <see cref="PadId"/>; longer sequences are cut to
    /// MaxLength keeping bos/eos. Padding without a pad token throws <see cref="InvalidOperationException"/>.
    /// </summary>
    public BatchEncoding EncodeBatch(IReadOnlyList<string> texts, BatchEncodingOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(texts);
        options ??= BatchEncodingOptions.Default;
        if (options.MaxLength is < 1)
            throw new ArgumentException("MaxLength must be at least 1", nameof(options));
        if (options.PadToMaxLength && options.MaxLength is null)
            throw new ArgumentException("PadToMaxLength needs MaxLength", nameof(options));
        var rows = new int[texts.Count][];
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.MaxDegreeOfParallelism) };
        Parallel.For(0, texts.Count, parallel, i => rows[i] = EncodeTruncated(texts[i], options.MaxLength));
        int length = options.PadToMaxLength ? options.MaxLength!.Value : rows.Length == 0 ? 0 : rows.Max(r => r.Length);
        bool needsPadding = rows.Any(r => r.Length < length);
        int pad = 0;
        if (needsPadding)
            pad = PadId ?? throw new InvalidOperationException($"padding needs the pad token '{Options.PadToken}' in the vocabulary");
        var ids = new int[rows.Length * length];
        var mask = new bool[rows.Length * length];
        for (int b = 0; b < rows.Length; b++)
        {
            Span<int> row = ids.AsSpan(b * length, length);
            row.Fill(pad);
            rows[b].CopyTo(row);
            mask.AsSpan(b * length, rows[b].Length).Fill(true);
        }
        return new BatchEncoding(ids, mask, rows.Length, length);
    }

    private int[] EncodeTruncated(string text, int? maxLength)
    {
        int[] ids = EncodeToIds(text);
        if (maxLength is not int max || ids.Length <= max)
            return ids;
        bool eos = Options.AddEos && EosId is not null;
        int[] cut = ids[..max];
        if (eos)
            cut[^1] = ids[^1];
        return cut;
    }

    private ReadOnlySpan<byte> TokenPayload(int id, bool skipSpecialTokens)
    {
        if ((uint)id >= (uint)_tokenBytes.Length)
            throw new ArgumentException($"token id {id} is outside the vocabulary (size {_tokenBytes.Length})");
        if (_tokenBytes[id] is byte[] bytes)
            return bytes;
        if (_specialBytes[id] is byte[] special)
            return skipSpecialTokens ? default : special;
        throw new ArgumentException($"token id {id} is not used by this vocabulary");
    }

    private int? SpecialId(string token) => SpecialTokens.TryGetValue(token, out int id) ? id : null;

    private void EncodeContent(ReadOnlySpan<char> text, List<int> destination)
    {
        while (Options.RecognizeSpecialTokens && !text.IsEmpty)
        {
            int at = _specialMatcher.Find(text, out int length, out int id);
            if (at < 0)
                break;
            EncodeOrdinary(text[..at], destination);
            destination.Add(id);
            text = text[(at + length)..];
        }
        EncodeOrdinary(text, destination);
    }

    private void EncodeOrdinary(ReadOnlySpan<char> text, List<int> destination)
    {
        foreach ((int start, int length) in PreTokenizer.Split(text))
            EncodePiece(text.Slice(start, length), destination);
    }

    private void EncodePiece(ReadOnlySpan<char> piece, List<int> destination)
    {
        if (_cache is not null && _cache.TryGet(piece, out int[] cached))
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
            if (WholeTokenFirst && TryWholeToken(bytes[..n], work.Slice(n, n), out int whole))
            {
                ids[0] = whole;
                count = 1;
            }
            else
            {
                for (int i = 0; i < n; i++)
                    ids[i] = _byteToId[bytes[i]];
                if (_missingBytes)
                    ReplaceMissingBytes(ids, bytes);
                count = _merges.Apply(ids, work.Slice(n, n));
            }
            ReadOnlySpan<int> result = ids[..count];
            destination.AddRange(result);
            _cache?.Add(piece, result.ToArray());
        }
        finally
        {
            if (rentedBytes is not null)
                ArrayPool<byte>.Shared.Return(rentedBytes);
            if (rentedInts is not null)
                ArrayPool<int>.Shared.Return(rentedInts);
        }
    }

    // A vocabulary trained elsewhere (e.g. by Hugging Face without the byte alphabet) can lack some bytes.
    private void ReplaceMissingBytes(Span<int> ids, ReadOnlySpan<byte> bytes)
    {
        for (int i = 0; i < ids.Length; i++)
        {
            if (ids[i] >= 0)
                continue;
            ids[i] = UnkId ?? throw new ArgumentException(
                $"byte 0x{bytes[i]:X2} has no token in this vocabulary, and there is no unknown token '{Options.UnkToken}'");
        }
    }

    private bool TryWholeToken(ReadOnlySpan<byte> bytes, Span<int> scratch, out int id)
    {
        Span<char> chars = System.Runtime.InteropServices.MemoryMarshal.Cast<int, char>(scratch)[..bytes.Length];
        ByteLevelAlphabet.ToChars(bytes, chars);
        return _ordinaryLookup.TryGetValue(chars, out id);
    }
}

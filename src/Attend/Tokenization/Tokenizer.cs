using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;

namespace Attend.Tokenization;

/// <summary>
/// A tokenizer as Hugging Face's tokenizer.json describes one: added tokens are found first, the text between them is
/// normalized, split into pre-tokens, and each pre-token is turned into ids by the model (BPE, WordPiece, ...); a
/// post-processor frames the result with special tokens (<c>[CLS] A [SEP]</c>), truncation and padding apply when the
/// file asks for them; decoding maps ids back to tokens and the decoder joins them. Byte-level BPE (GPT-2, and the
/// tokenizers Attend trains) runs on a fast path over UTF-8 bytes with the same results. Immutable and thread-safe.
/// </summary>
public sealed partial class Tokenizer
{
    [ThreadStatic]
    private static List<int>? t_buffer;

    [ThreadStatic]
    private static List<int>? t_sequence;

    [ThreadStatic]
    private static PieceList? t_pieces;

    [ThreadStatic]
    private static List<(int Start, int End, int Id)>? t_spans;

    private readonly BpeModel? _byteLevel;
    private readonly PreTokenizer? _fastSplit;
    private readonly bool _fastDecode;
    private readonly BertWordPieceEncoder? _bert;
    private readonly int _size;

    internal Tokenizer(TokenizerModel model, IEnumerable<AddedToken> addedTokens, Normalizer? normalizer, PreTokenizerStep? preTokenizer,
        PostProcessor? postProcessor, TokenDecoder? decoder, TruncationSettings? truncation, PaddingSettings? padding, TokenizerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Model = model;
        Normalizer = normalizer;
        PreTokenizerStep = preTokenizer;
        PostProcessor = postProcessor;
        Decoder = decoder;
        Truncation = truncation;
        Padding = padding;
        Options = options;
        Added = new AddedVocabulary(addedTokens, normalizer);
        _size = Math.Max(model.Size, Added.Tokens.Count == 0 ? 0 : Added.Tokens.Max(t => t.Id) + 1);
        SpecialTokens = Added.Tokens.Where(t => t.Special).GroupBy(t => t.Content, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First().Id, StringComparer.Ordinal);
        if (model is BpeModel { IsByteLevel: true } bpe && normalizer is null && !Added.HasNormalizedTokens)
        {
            _fastSplit = FastSplit(preTokenizer);
            _byteLevel = _fastSplit is null ? null : bpe;
            _fastDecode = _byteLevel is not null && decoder is ByteLevelDecoder;
        }
        if (normalizer is BertNormalizer bn && preTokenizer == CharacterClassPreTokenizer.BertPreTokenizer && model is WordPieceModel wp
            && !Added.HasNormalizedTokens)
            _bert = new BertWordPieceEncoder(bn, wp);
    }

    /// <summary>The size of the id space (largest id + 1): the rows an embedding table needs.</summary>
    public int VocabularySize => _size;

    /// <summary>The special added tokens (content to id).</summary>
    public IReadOnlyDictionary<string, int> SpecialTokens { get; }

    /// <summary>All added tokens, in id order.</summary>
    public IReadOnlyList<AddedToken> AddedTokens => Added.Tokens;

    /// <summary>For byte-level BPE, how text is split before merging; null for other pipelines.</summary>
    public PreTokenizer? PreTokenizer => _fastSplit;

    /// <summary>The encoding options.</summary>
    public TokenizerOptions Options { get; }

    /// <summary>The id of <see cref="TokenizerOptions.PadToken"/>, or null when the vocabulary lacks it.</summary>
    public int? PadId => TokenToId(Options.PadToken);

    /// <summary>The id of <see cref="TokenizerOptions.BosToken"/>, or null.</summary>
    public int? BosId => TokenToId(Options.BosToken);

    /// <summary>The id of <see cref="TokenizerOptions.EosToken"/>, or null.</summary>
    public int? EosId => TokenToId(Options.EosToken);

    /// <summary>The id of <see cref="TokenizerOptions.UnkToken"/>, or null.</summary>
    public int? UnkId => TokenToId(Options.UnkToken);

    internal TokenizerModel Model { get; }

    internal Normalizer? Normalizer { get; }

    internal PreTokenizerStep? PreTokenizerStep { get; }

    internal PostProcessor? PostProcessor { get; }

    internal TokenDecoder? Decoder { get; }

    internal TruncationSettings? Truncation { get; }

    internal PaddingSettings? Padding { get; }

    internal AddedVocabulary Added { get; }

    /// <summary>The merge rules of a BPE model (empty for other models).</summary>
    internal BpeMergeTable MergeTable => (Model as BpeModel)?.Merges ?? new BpeMergeTable([]);

    /// <summary>The number of merge rules of a BPE model (0 for other models).</summary>
    internal int MergeCount => MergeTable.Merges.Count;

    /// <summary>"vocabulary N (M merges)" for messages.</summary>
    internal string Summary => Model is BpeModel ? $"vocabulary {VocabularySize} ({MergeCount} merges)" : $"vocabulary {VocabularySize} ({Model.GetType().Name.Replace("Model", "", StringComparison.Ordinal)})";

    /// <summary>The same tokenizer with other encoding options.</summary>
    public Tokenizer WithOptions(TokenizerOptions options) =>
        new(Model, Added.Tokens, Normalizer, PreTokenizerStep, PostProcessor, Decoder, Truncation, Padding, options);

    /// <summary>
    /// The same tokenizer cutting every encoding to at most <paramref name="maxLength"/> ids, special tokens included, as
    /// Hugging Face's <c>enable_truncation(max_length)</c>: the text's tokens are cut (from the right, longest first, unless
    /// this tokenizer's own truncation says otherwise) and the special tokens are added after, so [CLS] ... [SEP] (or BOS
    /// ... EOS) stay whole.
    /// </summary>
    public Tokenizer WithTruncation(int maxLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxLength);
        TruncationSettings truncation = Truncation is null ? new TruncationSettings(maxLength, "longest_first", FromLeft: false, Stride: 0) : Truncation with { MaxLength = maxLength };
        return new(Model, Added.Tokens, Normalizer, PreTokenizerStep, PostProcessor, Decoder, truncation, Padding, Options);
    }

    /// <summary>The id of a token (an added token's content, else a vocabulary entry), or null.</summary>
    public int? TokenToId(string token)
    {
        int id = Added.IdOf(token);
        if (id < 0)
            id = Model.TokenToId(token);
        return id >= 0 ? id : null;
    }

    /// <summary>The string of a token id (an added token's content, else the vocabulary entry), or null for an unused id.</summary>
    public string? IdToToken(int id) => Added.ById(id)?.Content ?? Model.IdToToken(id);

    /// <summary>Encodes <paramref name="text"/> to ids; <paramref name="addSpecialTokens"/> applies the post-processor's special tokens (as Hugging Face does by default).</summary>
    public int[] EncodeToIds(ReadOnlySpan<char> text, bool addSpecialTokens = true)
    {
        // One reusable buffer per thread, so the only allocation is the returned array.
        List<int> ids = t_buffer ??= new List<int>(256);
        ids.Clear();
        EncodeToIds(text, ids, addSpecialTokens);
        int[] result = ids.ToArray();
        if (ids.Capacity > 1 << 16)
            t_buffer = null;
        return result;
    }

    /// <summary>Appends the ids of <paramref name="text"/> to <paramref name="destination"/>.</summary>
    public void EncodeToIds(ReadOnlySpan<char> text, List<int> destination, bool addSpecialTokens = true)
    {
        ArgumentNullException.ThrowIfNull(destination);
        if (addSpecialTokens && Options.AddBos && BosId is int bos)
            destination.Add(bos);
        if (Truncation is null && Padding is null && (PostProcessor is null || PostProcessor.KeepsSingleIds))
        {
            EncodeSequence(text, destination, null);
        }
        else if (Truncation is null && Padding is null)
        {
            List<int> sequence = t_sequence ??= new List<int>(256);
            sequence.Clear();
            EncodeSequence(text, sequence, null);
            if (!PostProcessor!.TryAppendSingleIds(sequence, addSpecialTokens, destination))
            {
                var a = new EncodingParts(detailed: false);
                a.Ids.AddRange(sequence);
                destination.AddRange(Finish(a, null, addSpecialTokens).Ids);
            }
            if (sequence.Capacity > 1 << 16)
                t_sequence = null;
        }
        else
        {
            var a = new EncodingParts(detailed: false);
            EncodeLimited(text, a, first: true);
            int bosEos = addSpecialTokens ? (Options.AddBos && BosId is not null ? 1 : 0) + (Options.AddEos && EosId is not null ? 1 : 0) : 0;
            destination.AddRange(Finish(a, null, addSpecialTokens, bosEos).Ids);
        }
        if (addSpecialTokens && Options.AddEos && EosId is int eos)
            destination.Add(eos);
    }

    /// <summary>
    /// Encodes <paramref name="text"/> (and <paramref name="pair"/>, the second sequence) with token strings, type ids,
    /// special-tokens mask and attention mask, as Hugging Face's <c>encode</c>.
    /// </summary>
    public TokenEncoding Encode(string text, string? pair = null, bool addSpecialTokens = true)
    {
        ArgumentNullException.ThrowIfNull(text);
        var a = new EncodingParts(detailed: true);
        EncodeLimited(text, a, first: true);
        EncodingParts? b = null;
        if (pair is not null)
        {
            b = new EncodingParts(detailed: true);
            EncodeLimited(pair, b, first: false);
        }
        foreach (EncodingParts part in b is null ? [a] : new[] { a, b })
        {
            int typeId = part == a ? 0 : 1;
            for (int i = 0; i < part.Count; i++)
            {
                part.TypeIds.Add(typeId);
                part.SpecialMask.Add(false);
            }
        }
        EncodingParts final = Finish(a, b, addSpecialTokens);
        var attention = Enumerable.Repeat(true, final.Count).ToList();
        if (Padding is not null)
            Pad(final, attention, Padding.TargetLength(final.Count), Padding);
        return new TokenEncoding(final.Ids.ToArray(), final.Tokens.ToArray(), final.TypeIds.ToArray(), final.SpecialMask.ToArray(), attention.ToArray());
    }

    /// <summary>
    /// The text of <paramref name="ids"/>: tokens (special ones left out with <paramref name="skipSpecialTokens"/>)
    /// joined by the decoder (by spaces when the file has none). An id outside the vocabulary throws <see cref="ArgumentException"/>.
    /// </summary>
    public string Decode(ReadOnlySpan<int> ids, bool skipSpecialTokens = false)
    {
        if (_fastDecode)
            return DecodeBytes(ids, skipSpecialTokens);
        var tokens = new List<string>(ids.Length);
        foreach (int id in ids)
        {
            AddedToken? added = Added.ById(id);
            if (added is not null)
            {
                if (!(skipSpecialTokens && added.Special))
                    tokens.Add(Added.DecodingForm(added));
                continue;
            }
            string token = Model.IdToToken(id) ?? throw UnknownId(id);
            if (skipSpecialTokens && SpecialTokens.ContainsKey(token))
                continue;
            tokens.Add(token);
        }
        if (Decoder is null)
            return string.Join(' ', tokens);
        Decoder.DecodeChain(tokens);
        return string.Concat(tokens);
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
            pad = PadId ?? Padding?.PadId ?? throw new InvalidOperationException($"padding needs the pad token '{Options.PadToken}' in the vocabulary");
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

    // Truncation (room left for the special tokens: the post-processor's and `bosEos` that the caller adds), then the
    // post-processor, as Hugging Face's post_process.
    private EncodingParts Finish(EncodingParts a, EncodingParts? b, bool addSpecialTokens, int bosEos = 0)
    {
        if (Truncation is not null)
        {
            int added = bosEos + (addSpecialTokens && PostProcessor is not null ? PostProcessor.AddedTokens(b is not null) : 0);
            Truncation.Apply(a, b, Truncation.MaxLength - added);
        }
        var output = new EncodingParts(a.Detailed);
        if (PostProcessor is not null)
        {
            PostProcessor.Process(a, b, addSpecialTokens, output);
        }
        else
        {
            output.AddSequence(a, null);
            if (b is not null)
                output.AddSequence(b, null);
        }
        if (!a.Detailed && Padding is not null)
            Pad(output, null, Padding.TargetLength(output.Count), Padding);
        return output;
    }

    private static void Pad(EncodingParts e, List<bool>? attention, int length, PaddingSettings p)
    {
        int n = length - e.Count;
        if (n <= 0)
            return;
        int at = p.Left ? 0 : e.Count;
        e.Ids.InsertRange(at, Enumerable.Repeat(p.PadId, n));
        if (!e.Detailed)
            return;
        e.Tokens.InsertRange(at, Enumerable.Repeat(p.PadToken, n));
        e.TypeIds.InsertRange(at, Enumerable.Repeat(p.PadTypeId, n));
        e.SpecialMask.InsertRange(at, Enumerable.Repeat(true, n));
        attention?.InsertRange(at, Enumerable.Repeat(false, n));
    }

    // With truncation, Hugging Face stops the model after the pre-token where the count reaches max_length (from the
    // end for Left), keeping that pre-token whole; the exact cut happens later, with room for the special tokens.
    private void EncodeLimited(ReadOnlySpan<char> text, EncodingParts part, bool first)
    {
        if (Truncation is null || (Truncation.Strategy == "only_second" && first))
        {
            EncodeSequence(text, part.Ids, part.Detailed ? part.Tokens : null);
            return;
        }
        var splits = new List<int>();
        EncodeSequence(text, part.Ids, part.Detailed ? part.Tokens : null, splits);
        int max = Truncation.MaxLength;
        if (!Truncation.FromLeft)
        {
            int keep = splits.FirstOrDefault(end => end >= max, part.Count);
            part.Keep(keep, fromEnd: false);
            return;
        }
        int total = part.Count;
        for (int k = splits.Count - 1; k >= 0; k--)
        {
            int start = k == 0 ? 0 : splits[k - 1];
            if (total - start >= max)
            {
                part.Keep(total - start, fromEnd: true);
                return;
            }
        }
    }

    // One sequence before post-processing: added tokens, then normalization, pre-tokenization and the model between them.
    private void EncodeSequence(ReadOnlySpan<char> text, List<int> ids, List<string>? tokens, List<int>? splits = null)
    {
        if (Added.IsEmpty && Normalizer is null)
        {
            EncodeText(text, atStart: true, ids, tokens, splits);
            return;
        }
        List<(int Start, int End, int Id)> spans = t_spans ??= [];
        int mark = spans.Count;
        Added.Split(text, normalizedSet: false, Options.RecognizeSpecialTokens, spans);
        int end = spans.Count;
        for (int s = mark; s < end; s++)
        {
            (int start, int stop, int id) = spans[s];
            if (id >= 0)
            {
                ids.Add(id);
                tokens?.Add(text[start..stop].ToString());
                splits?.Add(ids.Count);
                continue;
            }
            if (Normalizer is null && !Added.HasNormalizedTokens)
            {
                EncodeText(text[start..stop], start == 0, ids, tokens, splits);
                continue;
            }
            if (_bert is not null && tokens is null && splits is null && _bert.TryEncode(text[start..stop], ids))
                continue;
            string normalized = Normalizer?.Normalize(text[start..stop]) ?? text[start..stop].ToString();
            int inner = spans.Count;
            Added.Split(normalized, normalizedSet: true, Options.RecognizeSpecialTokens, spans);
            for (int k = inner; k < spans.Count; k++)
            {
                (int a, int b, int innerId) = spans[k];
                if (innerId >= 0)
                {
                    ids.Add(innerId);
                    tokens?.Add(normalized[a..b]);
                    splits?.Add(ids.Count);
                }
                else
                {
                    EncodeText(normalized.AsSpan(a, b - a), start == 0 && a == 0, ids, tokens, splits);
                }
            }
            spans.RemoveRange(inner, spans.Count - inner);
        }
        spans.RemoveRange(mark, spans.Count - mark);
    }

    // splits, when given, receives the id count after each pre-token (for Hugging Face's early truncation).
    private void EncodeText(ReadOnlySpan<char> text, bool atStart, List<int> ids, List<string>? tokens, List<int>? splits = null)
    {
        // Hugging Face's pre-tokenizers prepend nothing to an empty piece, so empty text gives no tokens.
        if (text.IsEmpty)
            return;
        int first = ids.Count;
        if (_byteLevel is not null)
        {
            foreach ((int start, int length) in _fastSplit!.Split(text))
            {
                _byteLevel.TokenizeBytes(text.Slice(start, length), ids);
                splits?.Add(ids.Count);
            }
        }
        else if (PreTokenizerStep is null)
        {
            Model.Tokenize(text, ids, tokens);
            splits?.Add(ids.Count);
            return;
        }
        else
        {
            PieceList pieces = t_pieces ??= new PieceList();
            t_pieces = null; // a pre-tokenizer may re-enter on this thread (never in practice); take the list for ourselves
            pieces.Clear();
            PreTokenizerStep.Split(text, atStart, pieces);
            for (int i = 0; i < pieces.Count; i++)
            {
                Model.Tokenize(pieces[i], ids, tokens);
                splits?.Add(ids.Count);
            }
            t_pieces = pieces;
            return;
        }
        if (tokens is not null)
            for (int i = first; i < ids.Count; i++)
                tokens.Add(Model.IdToToken(ids[i]) ?? "");
    }

    private string DecodeBytes(ReadOnlySpan<int> ids, bool skipSpecialTokens)
    {
        var buffer = new ArrayBufferWriter<byte>(Math.Max(16, ids.Length * 4));
        foreach (int id in ids)
        {
            AddedToken? added = Added.ById(id);
            if (added is not null)
            {
                if (!(skipSpecialTokens && added.Special))
                {
                    string form = Added.DecodingForm(added);
                    buffer.Write(ByteLevelAlphabet.TryToBytes(form) ?? Encoding.UTF8.GetBytes(form));
                }
                continue;
            }
            byte[] bytes = _byteLevel!.TokenBytes(id) ?? throw UnknownId(id);
            buffer.Write(bytes);
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private ArgumentException UnknownId(int id) => (uint)id >= (uint)_size
        ? new ArgumentException($"token id {id} is outside the vocabulary (size {_size})")
        : new ArgumentException($"token id {id} is not used by this vocabulary");

    // ByteLevel(use_regex) alone, or Split(regex, Isolated) then ByteLevel without regex: the splits the fast path reproduces.
    private static PreTokenizer? FastSplit(PreTokenizerStep? step) => step switch
    {
        ByteLevelPreTokenizer { AddPrefixSpace: false } b => b.UseRegex ? PreTokenizer.Gpt2 : PreTokenizer.None,
        SequencePreTokenizer { Steps: [SplitPreTokenizer { IsRegex: true, Behavior: SplitBehavior.Isolated, Invert: false } split,
            ByteLevelPreTokenizer { AddPrefixSpace: false, UseRegex: false }] } => TryPattern(split.Pattern),
        _ => null,
    };

    private static PreTokenizer? TryPattern(string pattern)
    {
        try
        {
            return PreTokenizer.FromPattern(pattern);
        }
        catch (ArgumentException)
        {
            return null;
        }
    }
}

using System.Text;
using Attend.IO;

namespace Attend.Tokenization;

public sealed partial class Tokenizer
{
    /// <summary>
    /// Learns a byte-level BPE tokenizer from <paramref name="texts"/> (see <see cref="BpeTrainerOptions"/> for the
    /// tie-breaking rule); its tokenizer.json states Attend's convention (no special tokens added when encoding).
    /// An empty corpus or a vocabulary size below 256 + specials throws <see cref="ArgumentException"/>.
    /// </summary>
    public static Tokenizer Train(IEnumerable<string> texts, BpeTrainerOptions? options = null,
        IProgress<BpeTrainingProgress>? progress = null, TokenizerOptions? tokenizerOptions = null)
    {
        ArgumentNullException.ThrowIfNull(texts);
        options ??= BpeTrainerOptions.Default;
        var specials = new List<AddedToken>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (string s in options.SpecialTokens)
        {
            if (string.IsNullOrEmpty(s))
                throw new ArgumentException("a special token is empty");
            if (!seen.Add(s))
                throw new ArgumentException($"special token '{s}' is given twice");
            specials.Add(new AddedToken(specials.Count, s));
        }
        (IReadOnlyList<byte[]> learned, IReadOnlyList<BpeMerge> merges) = new BpeTrainer(options, progress).Train(texts);
        var vocab = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (AddedToken s in specials)
            vocab[s.Content] = s.Id;
        for (int i = 0; i < learned.Count; i++)
            vocab[ByteLevelAlphabet.ToText(learned[i])] = specials.Count + i;
        tokenizerOptions ??= TokenizerOptions.Default;
        return ByteLevelBpe(new BpeModel(vocab, merges, BpeModelOptions.Default, tokenizerOptions.CacheCapacity), specials,
            options.PreTokenizer, TemplateProcessing.Plain, tokenizerOptions);
    }

    /// <summary>Loads a Hugging Face tokenizer.json; a malformed file throws <see cref="InvalidDataException"/> naming it and the JSON path.</summary>
    public static Tokenizer FromTokenizerJson(string path, TokenizerOptions? options = null)
    {
        using FileStream stream = OpenRead(path);
        return TokenizerJsonReader.Read(stream, path, options ?? TokenizerOptions.Default);
    }

    /// <summary>Loads a tokenizer.json from a stream; <paramref name="sourceName"/> names it in error messages.</summary>
    public static Tokenizer FromTokenizerJson(Stream stream, string sourceName, TokenizerOptions? options = null) =>
        TokenizerJsonReader.Read(stream, sourceName, options ?? TokenizerOptions.Default);

    /// <summary>
    /// Loads a legacy BERT <c>vocab.txt</c> (one token per line, id = line number, LF or CRLF) into the WordPiece pipeline
    /// Hugging Face builds for it: BertNormalizer, BertPreTokenizer, WordPiece, <c>[CLS] A [SEP]</c> / <c>[CLS] A [SEP] B [SEP]</c>
    /// with type ids 0 and 1, WordPiece decoder; <paramref name="options"/> defaults to bert-base-uncased's settings.
    /// </summary>
    public static Tokenizer FromBertVocab(string path, BertOptions? options = null)
    {
        using FileStream stream = OpenRead(path);
        return FromBertVocab(stream, path, options);
    }

    /// <summary>Loads a BERT vocab.txt from a stream; <paramref name="sourceName"/> names it in error messages.</summary>
    public static Tokenizer FromBertVocab(Stream stream, string sourceName, BertOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        options ??= BertOptions.Default;
        var vocab = new Dictionary<string, int>(StringComparer.Ordinal);
        using (var reader = new StreamReader(stream, new UTF8Encoding(false, true)))
        {
            int line = 0;
            try
            {
                while (reader.ReadLine() is string token)
                {
                    vocab.TryAdd(token, line);
                    line++;
                }
            }
            catch (DecoderFallbackException)
            {
                throw new InvalidDataException($"{sourceName}: line {line + 1}: not valid UTF-8 text");
            }
        }
        if (vocab.Count == 0)
            throw new InvalidDataException($"{sourceName}: the vocabulary is empty");
        int Need(string token) => vocab.TryGetValue(token, out int id) ? id
            : throw new InvalidDataException($"{sourceName}: the vocabulary has no '{token}' token");
        int cls = Need(options.ClassificationToken), sep = Need(options.SeparatorToken);
        Need(options.UnknownToken);
        var added = new List<AddedToken>();
        foreach (string special in new[] { options.PaddingToken, options.UnknownToken, options.ClassificationToken, options.SeparatorToken, options.MaskToken })
            if (vocab.TryGetValue(special, out int id))
                added.Add(new AddedToken(id, special));
        var specials = new Dictionary<string, TemplateSpecialToken>(StringComparer.Ordinal)
        {
            [options.ClassificationToken] = new([cls], [options.ClassificationToken]),
            [options.SeparatorToken] = new([sep], [options.SeparatorToken]),
        };
        var template = new TemplateProcessing(
            [new(options.ClassificationToken, ' ', 0), new(null, 'A', 0), new(options.SeparatorToken, ' ', 0)],
            [new(options.ClassificationToken, ' ', 0), new(null, 'A', 0), new(options.SeparatorToken, ' ', 0), new(null, 'B', 1), new(options.SeparatorToken, ' ', 1)],
            specials);
        return new Tokenizer(
            new WordPieceModel(vocab, options.UnknownToken, options.ContinuingSubwordPrefix, options.MaxInputCharsPerWord),
            added.OrderBy(t => t.Id).DistinctBy(t => t.Id),
            new BertNormalizer(options.CleanText, options.HandleChineseChars, options.StripAccents, options.Lowercase),
            CharacterClassPreTokenizer.BertPreTokenizer, template, new WordPieceDecoder(options.ContinuingSubwordPrefix, cleanup: true),
            null, null,
            TokenizerOptions.Default with
            {
                PadToken = options.PaddingToken, BosToken = options.ClassificationToken, EosToken = options.SeparatorToken,
                UnkToken = options.UnknownToken,
            });
    }

    /// <summary>
    /// Loads a tiktoken rank file (base64 token, space, rank per line); encoding equals tiktoken's. The pre-tokenizer
    /// defaults to GPT-2's (use <see cref="PreTokenizer.Cl100k"/> for cl100k_base); <paramref name="specialTokens"/>
    /// adds tokens such as <c>&lt;|endoftext|&gt;</c> with their ids.
    /// </summary>
    public static Tokenizer FromTiktoken(string path, PreTokenizer? preTokenizer = null,
        IReadOnlyDictionary<string, int>? specialTokens = null, TokenizerOptions? options = null)
    {
        using FileStream stream = OpenRead(path);
        return FromTiktoken(stream, path, preTokenizer, specialTokens, options);
    }

    /// <summary>Loads a tiktoken rank file from a stream; <paramref name="sourceName"/> names it in error messages.</summary>
    public static Tokenizer FromTiktoken(Stream stream, string sourceName, PreTokenizer? preTokenizer = null,
        IReadOnlyDictionary<string, int>? specialTokens = null, TokenizerOptions? options = null)
    {
        options ??= TokenizerOptions.Default;
        specialTokens ??= new Dictionary<string, int>();
        BpeModel model = TiktokenFile.Read(stream, sourceName, specialTokens, options.CacheCapacity);
        return ByteLevelBpe(model, specialTokens.Select(p => new AddedToken(p.Value, p.Key)), preTokenizer ?? PreTokenizer.Gpt2, null, options);
    }

    /// <summary>Saves as Hugging Face tokenizer.json, atomically (temporary file, then rename).</summary>
    public void SaveTokenizerJson(string path) => AtomicFile.Write(path, s => TokenizerJsonWriter.Write(this, s));

    /// <summary>Writes tokenizer.json to a stream.</summary>
    public void SaveTokenizerJson(Stream stream) => TokenizerJsonWriter.Write(this, stream);

    /// <summary>The same tokenizer with <paramref name="specialTokens"/> added (their ids must not be used by the vocabulary).</summary>
    internal Tokenizer WithSpecialTokens(IReadOnlyDictionary<string, int> specialTokens)
    {
        foreach ((string content, int id) in specialTokens)
            if (Model.IdToToken(id) is not null)
                throw new ArgumentException($"special token '{content}' has id {id}, which an ordinary token uses");
        return new Tokenizer(Model, Added.Tokens.Concat(specialTokens.Select(p => new AddedToken(p.Value, p.Key))), Normalizer,
            PreTokenizerStep, PostProcessor, Decoder, Truncation, Padding, Options);
    }

    /// <summary>A byte-level BPE pipeline: the pre-tokenizer's split (GPT-2's via ByteLevel's regex, else a Split before ByteLevel) and the ByteLevel decoder.</summary>
    internal static Tokenizer ByteLevelBpe(BpeModel model, IEnumerable<AddedToken> added, PreTokenizer split,
        PostProcessor? postProcessor, TokenizerOptions options)
    {
        PreTokenizerStep pre = split == PreTokenizer.Gpt2 || split.Pattern is null
            ? new ByteLevelPreTokenizer(false, split.Pattern is not null, true)
            : new SequencePreTokenizer([new SplitPreTokenizer(split.Pattern, true, SplitBehavior.Isolated, false), new ByteLevelPreTokenizer(false, false, true)]);
        return new Tokenizer(model, added, null, pre, postProcessor, new ByteLevelDecoder(), null, null, options);
    }

    private static FileStream OpenRead(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        try
        {
            return File.OpenRead(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new FileNotFoundException($"{path}: no such file", path, e);
        }
    }
}

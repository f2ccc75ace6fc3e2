using Attend.IO;

namespace Attend.Tokenization;

public sealed partial class BpeTokenizer
{
    /// <summary>
    /// Learns a tokenizer from <paramref name="texts"/> (see <see cref="BpeTrainerOptions"/> for the tie-breaking rule).
    /// An empty corpus or a vocabulary size below 256 + specials throws <see cref="ArgumentException"/>.
    /// </summary>
    public static BpeTokenizer Train(IEnumerable<string> texts, BpeTrainerOptions? options = null,
        IProgress<BpeTrainingProgress>? progress = null, BpeTokenizerOptions? tokenizerOptions = null)
    {
        ArgumentNullException.ThrowIfNull(texts);
        options ??= BpeTrainerOptions.Default;
        var specials = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (string s in options.SpecialTokens)
        {
            if (string.IsNullOrEmpty(s))
                throw new ArgumentException("a special token is empty");
            if (!specials.TryAdd(s, specials.Count))
                throw new ArgumentException($"special token '{s}' is given twice");
        }
        (IReadOnlyList<byte[]> learned, IReadOnlyList<BpeMerge> merges) = new BpeTrainer(options, progress).Train(texts);
        var tokens = new byte[]?[specials.Count + learned.Count];
        for (int i = 0; i < learned.Count; i++)
            tokens[specials.Count + i] = learned[i];
        return new BpeTokenizer(tokens, specials, new BpeMergeTable(merges), options.PreTokenizer,
            tokenizerOptions ?? BpeTokenizerOptions.Default, wholeTokenFirst: false);
    }

    /// <summary>Loads a Hugging Face tokenizer.json (byte-level BPE); a malformed file throws <see cref="InvalidDataException"/> naming it.</summary>
    public static BpeTokenizer FromTokenizerJson(string path, BpeTokenizerOptions? options = null)
    {
        using FileStream stream = OpenRead(path);
        return TokenizerJsonReader.Read(stream, path, options ?? BpeTokenizerOptions.Default);
    }

    /// <summary>Loads a tokenizer.json from a stream; <paramref name="sourceName"/> names it in error messages.</summary>
    public static BpeTokenizer FromTokenizerJson(Stream stream, string sourceName, BpeTokenizerOptions? options = null) =>
        TokenizerJsonReader.Read(stream, sourceName, options ?? BpeTokenizerOptions.Default);

    /// <summary>
    /// Loads a tiktoken rank file (base64 token, space, rank per line); encoding equals tiktoken's. The pre-tokenizer
    /// defaults to GPT-2's (use <see cref="PreTokenizer.Cl100k"/> for cl100k_base); <paramref name="specialTokens"/>
    /// adds tokens such as <c>&lt;|endoftext|&gt;</c> with their ids.
    /// </summary>
    public static BpeTokenizer FromTiktoken(string path, PreTokenizer? preTokenizer = null,
        IReadOnlyDictionary<string, int>? specialTokens = null, BpeTokenizerOptions? options = null)
    {
        using FileStream stream = OpenRead(path);
        return FromTiktoken(stream, path, preTokenizer, specialTokens, options);
    }

    /// <summary>Loads a tiktoken rank file from a stream; <paramref name="sourceName"/> names it in error messages.</summary>
    public static BpeTokenizer FromTiktoken(Stream stream, string sourceName, PreTokenizer? preTokenizer = null,
        IReadOnlyDictionary<string, int>? specialTokens = null, BpeTokenizerOptions? options = null) =>
        TiktokenFile.Read(stream, sourceName, preTokenizer ?? PreTokenizer.Gpt2,
            specialTokens ?? new Dictionary<string, int>(), options ?? BpeTokenizerOptions.Default);

    /// <summary>Saves as Hugging Face tokenizer.json, atomically (temporary file, then rename).</summary>
    public void SaveTokenizerJson(string path) => AtomicFile.Write(path, s => TokenizerJsonWriter.Write(this, s));

    /// <summary>Writes tokenizer.json to a stream.</summary>
    public void SaveTokenizerJson(Stream stream) => TokenizerJsonWriter.Write(this, stream);

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

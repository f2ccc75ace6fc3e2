namespace Attend.Tokenization;

/// <summary>Loading a tokenizer by file kind (tokenizer.json or .tiktoken) for the tokenizer verbs.</summary>
internal static class TokenizerFiles
{
    /// <summary>The special tokens of OpenAI's cl100k_base.</summary>
    public static IReadOnlyDictionary<string, int> Cl100kSpecialTokens { get; } = new Dictionary<string, int>(StringComparer.Ordinal)
    {
        ["<|endoftext|>"] = 100257,
        ["<|fim_prefix|>"] = 100258,
        ["<|fim_middle|>"] = 100259,
        ["<|fim_suffix|>"] = 100260,
        ["<|endofprompt|>"] = 100276,
    };

    /// <summary>
    /// Loads tokenizer.json, or a .tiktoken rank file with <paramref name="pattern"/> (default: cl100k's pattern and
    /// special tokens when the file name contains "cl100k", else GPT-2's with &lt;|endoftext|&gt; after the last rank).
    /// </summary>
    public static Tokenizer Load(string path, string? pattern, TokenizerOptions options)
    {
        if (!path.EndsWith(".tiktoken", StringComparison.OrdinalIgnoreCase))
        {
            if (pattern is not null)
                throw new ArgumentException("--pattern applies to .tiktoken files only (tokenizer.json names its own pre-tokenizer)");
            return Tokenizer.FromTokenizerJson(path, options);
        }
        bool cl100k = Path.GetFileName(path).Contains("cl100k", StringComparison.OrdinalIgnoreCase);
        PreTokenizer pre = pattern is not null ? PreTokenizer.Parse(pattern) : cl100k ? PreTokenizer.Cl100k : PreTokenizer.Gpt2;
        if (cl100k)
            return Tokenizer.FromTiktoken(path, pre, Cl100kSpecialTokens, options);
        Tokenizer plain = Tokenizer.FromTiktoken(path, pre, null, options);
        return plain.WithSpecialTokens(new Dictionary<string, int> { ["<|endoftext|>"] = plain.VocabularySize });
    }
}

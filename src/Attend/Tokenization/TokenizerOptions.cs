namespace Attend.Tokenization;

/// <summary>How a <see cref="Tokenizer"/> encodes, beyond what its tokenizer.json says.</summary>
public sealed record TokenizerOptions
{
    /// <summary>The defaults.</summary>
    public static TokenizerOptions Default { get; } = new();

    /// <summary>Put the beginning-of-sequence token first (after the post-processor; only when adding special tokens).</summary>
    public bool AddBos { get; init; }

    /// <summary>Put the end-of-sequence token last (after the post-processor; only when adding special tokens).</summary>
    public bool AddEos { get; init; }

    /// <summary>
    /// Recognise special tokens written literally in the text; false encodes their characters as ordinary text
    /// (Hugging Face's <c>encode_special_tokens</c>). Added tokens that are not special are always recognised.
    /// </summary>
    public bool RecognizeSpecialTokens { get; init; } = true;

    /// <summary>How many distinct pre-tokens the BPE model remembers; 0 turns the cache off.</summary>
    public int CacheCapacity { get; init; } = 100_000;

    /// <summary>The padding token's text (its id is <see cref="Tokenizer.PadId"/>).</summary>
    public string PadToken { get; init; } = "<pad>";

    /// <summary>The beginning-of-sequence token's text.</summary>
    public string BosToken { get; init; } = "<bos>";

    /// <summary>The end-of-sequence token's text.</summary>
    public string EosToken { get; init; } = "<eos>";

    /// <summary>The unknown token's text.</summary>
    public string UnkToken { get; init; } = "<unk>";
}

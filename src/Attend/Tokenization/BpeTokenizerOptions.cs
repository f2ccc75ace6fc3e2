namespace Attend.Tokenization;

/// <summary>How a <see cref="BpeTokenizer"/> encodes.</summary>
public sealed record BpeTokenizerOptions
{
    /// <summary>The defaults.</summary>
    public static BpeTokenizerOptions Default { get; } = new();

    /// <summary>Put the beginning-of-sequence token before each encoded text (when the vocabulary has one).</summary>
    public bool AddBos { get; init; }

    /// <summary>Put the end-of-sequence token after each encoded text (when the vocabulary has one).</summary>
    public bool AddEos { get; init; }

    /// <summary>Recognise special tokens written literally in the text, instead of encoding their characters.</summary>
    public bool RecognizeSpecialTokens { get; init; } = true;

    /// <summary>How many distinct pre-tokens the encoder remembers; 0 turns the cache off.</summary>
    public int CacheCapacity { get; init; } = 100_000;

    /// <summary>The padding token's text (its id is <see cref="BpeTokenizer.PadId"/>).</summary>
    public string PadToken { get; init; } = "<pad>";

    /// <summary>The beginning-of-sequence token's text.</summary>
    public string BosToken { get; init; } = "<bos>";

    /// <summary>The end-of-sequence token's text.</summary>
    public string EosToken { get; init; } = "<eos>";

    /// <summary>The unknown token's text (byte-level BPE never needs it; kept for compatibility).</summary>
    public string UnkToken { get; init; } = "<unk>";
}

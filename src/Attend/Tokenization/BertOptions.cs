namespace Attend.Tokenization;

/// <summary>
/// The settings of a BERT WordPiece tokenizer built from a legacy <c>vocab.txt</c>
/// (<see cref="Tokenizer.FromBertVocab(string, BertOptions?)"/>); the defaults are bert-base-uncased's.
/// </summary>
public sealed record BertOptions
{
    /// <summary>bert-base-uncased's settings.</summary>
    public static BertOptions Default { get; } = new();

    /// <summary>Lowercase the text (uncased models).</summary>
    public bool Lowercase { get; init; } = true;

    /// <summary>Remove accents (NFD, then drop non-spacing marks); null follows <see cref="Lowercase"/>.</summary>
    public bool? StripAccents { get; init; }

    /// <summary>Put spaces around CJK ideographs, so each is its own word.</summary>
    public bool HandleChineseChars { get; init; } = true;

    /// <summary>Drop control characters and turn whitespace into spaces.</summary>
    public bool CleanText { get; init; } = true;

    /// <summary>The unknown token.</summary>
    public string UnknownToken { get; init; } = "[UNK]";

    /// <summary>The token put first.</summary>
    public string ClassificationToken { get; init; } = "[CLS]";

    /// <summary>The token put after each sequence.</summary>
    public string SeparatorToken { get; init; } = "[SEP]";

    /// <summary>The padding token.</summary>
    public string PaddingToken { get; init; } = "[PAD]";

    /// <summary>The mask token.</summary>
    public string MaskToken { get; init; } = "[MASK]";

    /// <summary>The prefix of word pieces that continue a word.</summary>
    public string ContinuingSubwordPrefix { get; init; } = "##";

    /// <summary>Words longer than this many characters become the unknown token.</summary>
    public int MaxInputCharsPerWord { get; init; } = 100;
}

namespace Attend.Tokenization;

/// <summary>
/// A token matched in the text before the model sees it (tokenizer.json's <c>added_tokens</c>): special tokens such as
/// <c>[CLS]</c> or <c>&lt;eos&gt;</c> and tokens added to a trained vocabulary.
/// </summary>
/// <param name="Id">The token's id.</param>
/// <param name="Content">The text it matches.</param>
/// <param name="Special">Special tokens are left out when decoding with skipSpecialTokens, and are not normalized.</param>
public sealed record AddedToken(int Id, string Content, bool Special = true)
{
    /// <summary>Matches only where it is a whole word (no word character touches it).</summary>
    public bool SingleWord { get; init; }

    /// <summary>Takes the whitespace on its left with it.</summary>
    public bool LStrip { get; init; }

    /// <summary>Takes the whitespace on its right with it.</summary>
    public bool RStrip { get; init; }

    /// <summary>Matched against the normalized text (its own content normalized too) instead of the original.</summary>
    public bool Normalized { get; init; } = !Special;
}

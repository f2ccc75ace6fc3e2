namespace Attend.Tokenization;

/// <summary>
/// One encoded text (or pair), as Hugging Face's <c>Encoding</c>: ids, their token strings, type ids (0 for the
/// first sequence, 1 for the second, as the post-processor says), which ids the post-processor added, and the
/// attention mask (0 on padding).
/// </summary>
public sealed class TokenEncoding
{
    internal TokenEncoding(int[] ids, string[] tokens, int[] typeIds, bool[] specialTokensMask, bool[] attentionMask)
    {
        Ids = ids;
        Tokens = tokens;
        TypeIds = typeIds;
        SpecialTokensMask = specialTokensMask;
        AttentionMask = attentionMask;
    }

    /// <summary>The token ids.</summary>
    public IReadOnlyList<int> Ids { get; }

    /// <summary>The token strings (vocabulary entries; an added token's matched text).</summary>
    public IReadOnlyList<string> Tokens { get; }

    /// <summary>The segment of each token: 0 for the first sequence, 1 for the second (as the template sets them).</summary>
    public IReadOnlyList<int> TypeIds { get; }

    /// <summary>True where the post-processor or padding added the token.</summary>
    public IReadOnlyList<bool> SpecialTokensMask { get; }

    /// <summary>True for real tokens, false for padding.</summary>
    public IReadOnlyList<bool> AttentionMask { get; }
}

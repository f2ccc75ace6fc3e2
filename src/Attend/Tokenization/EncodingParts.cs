namespace Attend.Tokenization;

/// <summary>
/// A growing encoding: ids, and (when <see cref="Detailed"/>) tokens, type ids and the special-tokens mask. The
/// tokenizer fills one per input sequence, the post-processor joins them into the final one.
/// </summary>
internal sealed class EncodingParts
{
    public EncodingParts(bool detailed) => Detailed = detailed;

    public bool Detailed { get; }

    public List<int> Ids { get; } = [];

    public List<string> Tokens { get; } = [];

    public List<int> TypeIds { get; } = [];

    public List<bool> SpecialMask { get; } = [];

    public int Count => Ids.Count;

    public void Clear()
    {
        Ids.Clear();
        Tokens.Clear();
        TypeIds.Clear();
        SpecialMask.Clear();
    }

    /// <summary>Appends a token that a post-processor adds (special-tokens mask 1).</summary>
    public void AddSpecial(int id, string token, int typeId)
    {
        Ids.Add(id);
        if (!Detailed)
            return;
        Tokens.Add(token);
        TypeIds.Add(typeId);
        SpecialMask.Add(true);
    }

    /// <summary>Appends all of <paramref name="sequence"/>, its type ids set to <paramref name="typeId"/> (or kept when null).</summary>
    public void AddSequence(EncodingParts sequence, int? typeId)
    {
        Ids.AddRange(sequence.Ids);
        if (!Detailed)
            return;
        Tokens.AddRange(sequence.Tokens);
        for (int i = 0; i < sequence.Count; i++)
            TypeIds.Add(typeId ?? sequence.TypeIds[i]);
        SpecialMask.AddRange(sequence.SpecialMask);
    }

    /// <summary>Keeps <paramref name="count"/> ids from the start (or from the end when <paramref name="fromEnd"/>).</summary>
    public void Keep(int count, bool fromEnd)
    {
        if (count >= Count)
            return;
        int drop = Count - count, at = fromEnd ? 0 : count;
        Ids.RemoveRange(at, drop);
        if (!Detailed)
            return;
        Tokens.RemoveRange(at, drop);
        TypeIds.RemoveRange(at, drop);
        SpecialMask.RemoveRange(at, drop);
    }
}

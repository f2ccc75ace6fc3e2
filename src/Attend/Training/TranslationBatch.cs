namespace Attend.Training;

/// <summary>
/// A padded batch of sentence pairs for teacher forcing: the decoder reads [bos, y1 .. yn] and predicts [y1 .. yn, eos];
/// padded target positions carry the pad id, which the loss ignores.
/// </summary>
public sealed record TranslationBatch(
    int Batch, int SourceLength, int[] Source, bool[] SourcePadding,
    int TargetLength, int[] TargetIn, bool[] TargetPadding, int[] TargetOut)
{
    /// <summary>The number of target tokens the loss is computed on (eos included, padding excluded).</summary>
    public int TargetTokens => TargetPadding.Count(p => !p);

    /// <summary>
    /// Pads <paramref name="pairs"/> (ids without bos/eos) into one batch, at least <paramref name="sourceLength"/> and
    /// <paramref name="targetLength"/> positions long (a data-parallel shard pads to its global batch's lengths, so
    /// its sequences have the shapes, and the dropout masks, that they have in the whole batch).
    /// </summary>
    public static TranslationBatch Create(IReadOnlyList<(int[] Source, int[] Target)> pairs, int padId, int bosId, int eosId,
        int sourceLength = 0, int targetLength = 0)
    {
        int b = pairs.Count;
        if (b == 0)
            throw new ArgumentException("TranslationBatch: no sentence pairs");
        int s = Math.Max(Math.Max(1, sourceLength), pairs.Max(p => p.Source.Length));
        int t = Math.Max(targetLength, pairs.Max(p => p.Target.Length) + 1);
        int[] src = new int[b * s], tin = new int[b * t], tout = new int[b * t];
        bool[] sp = new bool[b * s], tp = new bool[b * t];
        for (int i = 0; i < b; i++)
        {
            (int[] x, int[] y) = pairs[i];
            for (int j = 0; j < s; j++)
            {
                src[i * s + j] = j < x.Length ? x[j] : padId;
                sp[i * s + j] = j >= x.Length;
            }
            for (int j = 0; j < t; j++)
            {
                bool pad = j > y.Length;
                tin[i * t + j] = pad ? padId : j == 0 ? bosId : y[j - 1];
                tout[i * t + j] = pad ? padId : j == y.Length ? eosId : y[j];
                tp[i * t + j] = pad;
            }
        }
        return new TranslationBatch(b, s, src, sp, t, tin, tp, tout);
    }
}

namespace Attend.Decoding;

/// <summary>Sentences of token ids padded into one [B, T] batch with its padding mask (true = padding).</summary>
public sealed record SourceBatch(int[] Ids, bool[] Padding, int Batch, int Length)
{
    /// <summary>Right-pads <paramref name="sequences"/> with <paramref name="padId"/> to the longest one (and at least <paramref name="length"/>).</summary>
    public static SourceBatch Pad(IReadOnlyList<int[]> sequences, int padId, int length = 0)
    {
        length = Math.Max(Math.Max(1, length), sequences.Count == 0 ? 1 : sequences.Max(s => s.Length));
        int[] ids = new int[sequences.Count * length];
        bool[] pad = new bool[ids.Length];
        for (int b = 0; b < sequences.Count; b++)
            for (int t = 0; t < length; t++)
            {
                bool isPad = t >= sequences[b].Length;
                ids[b * length + t] = isPad ? padId : sequences[b][t];
                pad[b * length + t] = isPad;
            }
        return new SourceBatch(ids, pad, sequences.Count, length);
    }
}

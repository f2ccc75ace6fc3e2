namespace Attend.Tokenization;

/// <summary>
/// A padded batch: <see cref="Ids"/> is row-major [<see cref="BatchSize"/>, <see cref="Length"/>], and
/// <see cref="Mask"/>[b * Length + t] is true where the id is real and false where it is padding.
/// </summary>
public sealed class BatchEncoding
{
    internal BatchEncoding(int[] ids, bool[] mask, int batchSize, int length)
    {
        Ids = ids;
        Mask = mask;
        BatchSize = batchSize;
        Length = length;
    }

    /// <summary>The ids, flattened [BatchSize, Length].</summary>
    public int[] Ids { get; }

    /// <summary>True for real tokens, false for padding, flattened [BatchSize, Length].</summary>
    public bool[] Mask { get; }

    /// <summary>The number of sequences.</summary>
    public int BatchSize { get; }

    /// <summary>The padded length of every sequence.</summary>
    public int Length { get; }
}

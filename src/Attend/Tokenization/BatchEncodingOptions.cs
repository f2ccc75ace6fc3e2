namespace Attend.Tokenization;

/// <summary>How <see cref="Tokenizer.EncodeBatch"/> truncates and pads.</summary>
public sealed record BatchEncodingOptions
{
    /// <summary>The defaults: no truncation, pad to the longest sequence.</summary>
    public static BatchEncodingOptions Default { get; } = new();

    /// <summary>Cut sequences to at most this many ids (bos/eos included and kept); null keeps them whole.</summary>
    public int? MaxLength { get; init; }

    /// <summary>Pad every sequence to <see cref="MaxLength"/> instead of to the longest in the batch.</summary>
    public bool PadToMaxLength { get; init; }

    /// <summary>Threads encoding the texts of the batch.</summary>
    public int MaxDegreeOfParallelism { get; init; } = Environment.ProcessorCount;
}

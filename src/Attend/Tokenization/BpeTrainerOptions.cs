namespace Attend.Tokenization;

/// <summary>
/// How <see cref="Tokenizer.Train"/> learns merges. Ties between pairs of equal count go to the pair with the
/// smallest (left id, right id), where ids are: the special tokens in the given order, then the 256 bytes in byte
/// order, then merged tokens in the order they were learned.
/// </summary>
public sealed record BpeTrainerOptions
{
    /// <summary>The defaults.</summary>
    public static BpeTrainerOptions Default { get; } = new();

    /// <summary>The vocabulary size to reach: special tokens + 256 bytes + merges.</summary>
    public int VocabularySize { get; init; } = 8000;

    /// <summary>Stop early when the most frequent pair occurs fewer times than this.</summary>
    public int MinFrequency { get; init; } = 2;

    /// <summary>The special tokens, given ids 0, 1, ... in this order.</summary>
    public IReadOnlyList<string> SpecialTokens { get; init; } = ["<pad>", "<bos>", "<eos>", "<unk>"];

    /// <summary>How texts are split before merging; merges never cross a pre-token boundary.</summary>
    public PreTokenizer PreTokenizer { get; init; } = PreTokenizer.Gpt2;

    /// <summary>Threads for counting pre-tokens in the corpus.</summary>
    public int MaxDegreeOfParallelism { get; init; } = Environment.ProcessorCount;
}

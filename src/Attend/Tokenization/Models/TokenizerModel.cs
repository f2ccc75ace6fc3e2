using System.Text.Json;

namespace Attend.Tokenization;

/// <summary>A tokenizer.json model: turns one pre-token into token ids (BPE, WordPiece, WordLevel, Unigram).</summary>
internal abstract class TokenizerModel
{
    /// <summary>The size of the model's id space: largest id + 1.</summary>
    public abstract int Size { get; }

    /// <summary>Appends the ids of <paramref name="piece"/> to <paramref name="ids"/>.</summary>
    public abstract void Tokenize(ReadOnlySpan<char> piece, List<int> ids);

    /// <summary>The id of a vocabulary entry, or -1.</summary>
    public abstract int TokenToId(ReadOnlySpan<char> token);

    /// <summary>The vocabulary entry of an id, or null.</summary>
    public abstract string? IdToToken(int id);

    /// <summary>Writes the component as tokenizer.json holds it.</summary>
    public abstract void Write(Utf8JsonWriter writer);
}

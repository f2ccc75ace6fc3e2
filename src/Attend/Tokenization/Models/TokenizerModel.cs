using System.Text.Json;

namespace Attend.Tokenization;

/// <summary>A tokenizer.json model: turns one pre-token into token ids (BPE, WordPiece, WordLevel, Unigram).</summary>
internal abstract class TokenizerModel
{
    /// <summary>The size of the model's id space: largest id + 1.</summary>
    public abstract int Size { get; }

    /// <summary>Appends the ids of <paramref name="piece"/> to <paramref name="ids"/>.</summary>
    public abstract void Tokenize(ReadOnlySpan<char> piece, List<int> ids);

    /// <summary>
    /// Appends the ids of <paramref name="piece"/> and, when <paramref name="tokens"/> is given, their token strings:
    /// the vocabulary entries, except where a model reports the text it covered (Unigram's unknown pieces).
    /// </summary>
    public virtual void Tokenize(ReadOnlySpan<char> piece, List<int> ids, List<string>? tokens)
    {
        int first = ids.Count;
        Tokenize(piece, ids);
        if (tokens is not null)
            for (int i = first; i < ids.Count; i++)
                tokens.Add(IdToToken(ids[i]) ?? "");
    }

    /// <summary>The id of a vocabulary entry, or -1.</summary>
    public abstract int TokenToId(ReadOnlySpan<char> token);

    /// <summary>The vocabulary entry of an id, or null.</summary>
    public abstract string? IdToToken(int id);

    /// <summary>Writes the component as tokenizer.json holds it.</summary>
    public abstract void Write(Utf8JsonWriter writer);
}

using System.Text.Json;

namespace Attend.Tokenization;

/// <summary>
/// A tokenizer.json pre-tokenizer: splits a piece of normalized text into pre-tokens (and may rewrite their
/// characters, as ByteLevel and Metaspace do). The model never merges across a pre-token boundary.
/// </summary>
internal abstract class PreTokenizerStep
{
    /// <summary>Appends the pre-tokens of <paramref name="text"/>; <paramref name="atStart"/> says it begins the original text.</summary>
    public abstract void Split(ReadOnlySpan<char> text, bool atStart, PieceList output);

    /// <summary>Writes the component as tokenizer.json holds it.</summary>
    public abstract void Write(Utf8JsonWriter writer);
}

/// <summary>Pre-tokenizers applied one after another, each to every piece the one before produced.</summary>
internal sealed class SequencePreTokenizer(IReadOnlyList<PreTokenizerStep> steps) : PreTokenizerStep
{
    [ThreadStatic]
    private static Stack<PieceList>? t_spare;

    public IReadOnlyList<PreTokenizerStep> Steps { get; } = steps;

    public override void Split(ReadOnlySpan<char> text, bool atStart, PieceList output)
    {
        if (Steps.Count == 0)
        {
            output.Add(text, atStart);
            return;
        }
        Stack<PieceList> spare = t_spare ??= new Stack<PieceList>();
        PieceList current = spare.Count > 0 ? spare.Pop() : new PieceList();
        PieceList next = spare.Count > 0 ? spare.Pop() : new PieceList();
        current.Clear();
        current.Add(text, atStart);
        foreach (PreTokenizerStep step in Steps)
        {
            next.Clear();
            for (int i = 0; i < current.Count; i++)
                step.Split(current[i], current.AtStart(i), next);
            (current, next) = (next, current);
        }
        for (int i = 0; i < current.Count; i++)
            output.Add(current[i], current.AtStart(i));
        spare.Push(current);
        spare.Push(next);
    }

    public override void Write(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("type", "Sequence");
        writer.WriteStartArray("pretokenizers");
        foreach (PreTokenizerStep step in Steps)
            step.Write(writer);
        writer.WriteEndArray();
        writer.WriteEndObject();
    }
}

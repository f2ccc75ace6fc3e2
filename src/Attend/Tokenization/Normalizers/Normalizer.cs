using System.Text.Json;

namespace Attend.Tokenization;

/// <summary>A tokenizer.json normalizer: rewrites text before pre-tokenization (Hugging Face's <c>normalizer</c> section).</summary>
internal abstract class Normalizer
{
    /// <summary>The normalized text.</summary>
    public abstract string Normalize(string text);

    /// <summary>Writes the component as tokenizer.json holds it.</summary>
    public abstract void Write(Utf8JsonWriter writer);
}

/// <summary>Normalizers applied one after another.</summary>
internal sealed class SequenceNormalizer(IReadOnlyList<Normalizer> normalizers) : Normalizer
{
    public IReadOnlyList<Normalizer> Normalizers { get; } = normalizers;

    public override string Normalize(string text)
    {
        foreach (Normalizer n in Normalizers)
            text = n.Normalize(text);
        return text;
    }

    public override void Write(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("type", "Sequence");
        writer.WriteStartArray("normalizers");
        foreach (Normalizer n in Normalizers)
            n.Write(writer);
        writer.WriteEndArray();
        writer.WriteEndObject();
    }
}

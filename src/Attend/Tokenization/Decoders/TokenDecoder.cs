using System.Text.Json;

namespace Attend.Tokenization;

/// <summary>A tokenizer.json decoder: rewrites the token strings of a sequence, which are then concatenated.</summary>
internal abstract class TokenDecoder
{
    /// <summary>Rewrites <paramref name="tokens"/> in place (the list may shrink, as joining decoders do).</summary>
    public abstract void DecodeChain(List<string> tokens);

    /// <summary>Writes the component as tokenizer.json holds it.</summary>
    public abstract void Write(Utf8JsonWriter writer);
}

/// <summary>Decoders applied one after another.</summary>
internal sealed class SequenceDecoder(IReadOnlyList<TokenDecoder> decoders) : TokenDecoder
{
    public IReadOnlyList<TokenDecoder> Decoders { get; } = decoders;

    public override void DecodeChain(List<string> tokens)
    {
        foreach (TokenDecoder d in Decoders)
            d.DecodeChain(tokens);
    }

    public override void Write(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("type", "Sequence");
        writer.WriteStartArray("decoders");
        foreach (TokenDecoder d in Decoders)
            d.Write(writer);
        writer.WriteEndArray();
        writer.WriteEndObject();
    }
}

using System.Text.Json;

namespace Attend.Tokenization;

/// <summary>Writes Hugging Face's tokenizer.json: every component of the pipeline, in the layout tokenizers ≥ 0.20 writes.</summary>
internal static class TokenizerJsonWriter
{
    public static void Write(Tokenizer tokenizer, Stream stream)
    {
        using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        w.WriteStartObject();
        w.WriteString("version", "1.0");
        w.WritePropertyName("truncation");
        if (tokenizer.Truncation is null)
            w.WriteNullValue();
        else
            tokenizer.Truncation.Write(w);
        w.WritePropertyName("padding");
        if (tokenizer.Padding is null)
            w.WriteNullValue();
        else
            tokenizer.Padding.Write(w);
        w.WriteStartArray("added_tokens");
        foreach (AddedToken t in tokenizer.AddedTokens)
        {
            w.WriteStartObject();
            w.WriteNumber("id", t.Id);
            w.WriteString("content", t.Content);
            w.WriteBoolean("single_word", t.SingleWord);
            w.WriteBoolean("lstrip", t.LStrip);
            w.WriteBoolean("rstrip", t.RStrip);
            w.WriteBoolean("normalized", t.Normalized);
            w.WriteBoolean("special", t.Special);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        WriteComponent(w, "normalizer", tokenizer.Normalizer is null ? null : tokenizer.Normalizer.Write);
        WriteComponent(w, "pre_tokenizer", tokenizer.PreTokenizerStep is null ? null : tokenizer.PreTokenizerStep.Write);
        WriteComponent(w, "post_processor", tokenizer.PostProcessor is null ? null : tokenizer.PostProcessor.Write);
        WriteComponent(w, "decoder", tokenizer.Decoder is null ? null : tokenizer.Decoder.Write);
        w.WritePropertyName("model");
        tokenizer.Model.Write(w);
        w.WriteEndObject();
    }

    private static void WriteComponent(Utf8JsonWriter w, string name, Action<Utf8JsonWriter>? write)
    {
        w.WritePropertyName(name);
        if (write is null)
            w.WriteNullValue();
        else
            write(w);
    }
}

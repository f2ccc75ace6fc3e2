using System.Text.Json;

namespace Attend.Tokenization;

/// <summary>
/// Writes Hugging Face's tokenizer.json: a BPE model ("vocab" in id order, "merges" as [left, right] pairs, the form
/// tokenizers ≥ 0.20 writes), a ByteLevel pre-tokenizer (GPT-2's regex via use_regex, other patterns as a Split
/// before it) and decoder, and the special tokens as added_tokens with special: true.
/// </summary>
internal static class TokenizerJsonWriter
{
    public static void Write(BpeTokenizer tokenizer, Stream stream)
    {
        using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        w.WriteStartObject();
        w.WriteString("version", "1.0");
        w.WriteNull("truncation");
        w.WriteNull("padding");
        w.WriteStartArray("added_tokens");
        foreach ((string content, int id) in tokenizer.SpecialTokens.OrderBy(p => p.Value))
        {
            w.WriteStartObject();
            w.WriteNumber("id", id);
            w.WriteString("content", content);
            w.WriteBoolean("single_word", false);
            w.WriteBoolean("lstrip", false);
            w.WriteBoolean("rstrip", false);
            w.WriteBoolean("normalized", false);
            w.WriteBoolean("special", true);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteNull("normalizer");
        w.WritePropertyName("pre_tokenizer");
        WritePreTokenizer(w, tokenizer.PreTokenizer);
        w.WriteNull("post_processor");
        w.WritePropertyName("decoder");
        WriteByteLevel(w, useRegex: true);
        w.WriteStartObject("model");
        w.WriteString("type", "BPE");
        w.WriteNull("dropout");
        w.WriteNull("unk_token");
        w.WriteNull("continuing_subword_prefix");
        w.WriteNull("end_of_word_suffix");
        w.WriteBoolean("fuse_unk", false);
        w.WriteBoolean("byte_fallback", false);
        w.WriteBoolean("ignore_merges", tokenizer.WholeTokenFirst);
        w.WriteStartObject("vocab");
        for (int id = 0; id < tokenizer.VocabularySize; id++)
        {
            if (tokenizer.IdToToken(id) is string token)
                w.WriteNumber(token, id);
        }
        w.WriteEndObject();
        w.WriteStartArray("merges");
        foreach (BpeMerge m in tokenizer.MergeTable.Merges)
        {
            w.WriteStartArray();
            w.WriteStringValue(tokenizer.IdToToken(m.Left));
            w.WriteStringValue(tokenizer.IdToToken(m.Right));
            w.WriteEndArray();
        }
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static void WritePreTokenizer(Utf8JsonWriter w, PreTokenizer pre)
    {
        if (pre == PreTokenizer.Gpt2 || pre.Pattern is null)
        {
            WriteByteLevel(w, useRegex: pre.Pattern is not null);
            return;
        }
        w.WriteStartObject();
        w.WriteString("type", "Sequence");
        w.WriteStartArray("pretokenizers");
        w.WriteStartObject();
        w.WriteString("type", "Split");
        w.WriteStartObject("pattern");
        w.WriteString("Regex", pre.Pattern);
        w.WriteEndObject();
        w.WriteString("behavior", "Isolated");
        w.WriteBoolean("invert", false);
        w.WriteEndObject();
        WriteByteLevel(w, useRegex: false);
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteByteLevel(Utf8JsonWriter w, bool useRegex)
    {
        w.WriteStartObject();
        w.WriteString("type", "ByteLevel");
        w.WriteBoolean("add_prefix_space", false);
        w.WriteBoolean("trim_offsets", true);
        w.WriteBoolean("use_regex", useRegex);
        w.WriteEndObject();
    }
}

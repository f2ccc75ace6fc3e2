using System.Text;
using System.Text.Json;
using Attend.Tokenization;

namespace Attend.IO.HuggingFace;

/// <summary>
/// The tokenizer of a Hugging Face folder: tokenizer.json when there is one; else the legacy files, a WordPiece
/// vocab.txt (with tokenizer_config.json's do_lower_case, strip_accents and tokenize_chinese_chars when present) or
/// GPT-2's vocab.json + merges.txt (byte-level BPE with <c>&lt;|endoftext|&gt;</c>, read as the tokenizer.json that
/// Hugging Face builds from them).
/// </summary>
internal static class HuggingFaceTokenizer
{
    public static Tokenizer Load(string directory)
    {
        string json = Path.Combine(directory, "tokenizer.json");
        if (File.Exists(json))
            return Tokenizer.FromTokenizerJson(json);
        string vocabTxt = Path.Combine(directory, "vocab.txt");
        if (File.Exists(vocabTxt))
            return Tokenizer.FromBertVocab(vocabTxt, BertSettings(Path.Combine(directory, "tokenizer_config.json")));
        string vocabJson = Path.Combine(directory, "vocab.json"), merges = Path.Combine(directory, "merges.txt");
        if (File.Exists(vocabJson) && File.Exists(merges))
            return Gpt2(vocabJson, merges);
        throw new FileNotFoundException($"{directory}: no tokenizer (tokenizer.json, vocab.txt, or vocab.json with merges.txt)", json);
    }

    private static BertOptions BertSettings(string path)
    {
        if (!File.Exists(path))
            return BertOptions.Default;
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(path));
        bool? Flag(string key) => doc.RootElement.TryGetProperty(key, out JsonElement v) && v.ValueKind is JsonValueKind.True or JsonValueKind.False ? v.GetBoolean() : null;
        return BertOptions.Default with
        {
            Lowercase = Flag("do_lower_case") ?? true,
            StripAccents = Flag("strip_accents"),
            HandleChineseChars = Flag("tokenize_chinese_chars") ?? true,
        };
    }

    // GPT2TokenizerFast.from_pretrained on vocab.json and merges.txt: BPE over bytes mapped to printable characters,
    // ByteLevel pre-tokenizer without a prefix space, ByteLevel decoder, <|endoftext|> as a special added token.
    private static Tokenizer Gpt2(string vocabPath, string mergesPath)
    {
        using JsonDocument vocab = ParseJson(vocabPath);
        if (vocab.RootElement.ValueKind != JsonValueKind.Object)
            throw new InvalidDataException($"{vocabPath}: expected a JSON object of token: id");
        string[] merges = File.ReadAllLines(mergesPath, new UTF8Encoding(false, true))
            .Where(l => l.Length > 0 && !l.StartsWith("#version", StringComparison.Ordinal)).ToArray();
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            w.WriteString("version", "1.0");
            w.WriteStartArray("added_tokens");
            if (vocab.RootElement.TryGetProperty("<|endoftext|>", out JsonElement eos))
            {
                w.WriteStartObject();
                w.WriteNumber("id", eos.GetInt32());
                w.WriteString("content", "<|endoftext|>");
                w.WriteBoolean("single_word", false);
                w.WriteBoolean("lstrip", false);
                w.WriteBoolean("rstrip", false);
                w.WriteBoolean("normalized", true);
                w.WriteBoolean("special", true);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteNull("normalizer");
            w.WriteStartObject("pre_tokenizer");
            w.WriteString("type", "ByteLevel");
            w.WriteBoolean("add_prefix_space", false);
            w.WriteBoolean("trim_offsets", true);
            w.WriteBoolean("use_regex", true);
            w.WriteEndObject();
            w.WriteStartObject("post_processor");
            w.WriteString("type", "ByteLevel");
            w.WriteBoolean("add_prefix_space", true);
            w.WriteBoolean("trim_offsets", false);
            w.WriteBoolean("use_regex", true);
            w.WriteEndObject();
            w.WriteStartObject("decoder");
            w.WriteString("type", "ByteLevel");
            w.WriteBoolean("add_prefix_space", true);
            w.WriteBoolean("trim_offsets", true);
            w.WriteBoolean("use_regex", true);
            w.WriteEndObject();
            w.WriteStartObject("model");
            w.WriteString("type", "BPE");
            w.WriteNull("dropout");
            w.WriteNull("unk_token");
            w.WriteNull("continuing_subword_prefix");
            w.WriteNull("end_of_word_suffix");
            w.WriteBoolean("fuse_unk", false);
            w.WritePropertyName("vocab");
            vocab.RootElement.WriteTo(w);
            w.WriteStartArray("merges");
            foreach (string merge in merges)
                w.WriteStringValue(merge);
            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteEndObject();
        }
        stream.Position = 0;
        return Tokenizer.FromTokenizerJson(stream, $"{vocabPath} + {mergesPath}",
            TokenizerOptions.Default with { PadToken = "<|endoftext|>", BosToken = "<|endoftext|>", EosToken = "<|endoftext|>" });
    }

    private static JsonDocument ParseJson(string path)
    {
        try
        {
            return JsonDocument.Parse(File.ReadAllText(path));
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not valid JSON ({e.Message})", e);
        }
    }
}

using System.Text.Json;
using Attend.Models;

namespace Attend.IO.HuggingFace;

/// <summary>
/// Reads a config.json in Hugging Face's own format (model_type "bert" with hidden_size, num_hidden_layers, ...;
/// "gpt2" with n_embd, n_layer, ...) into the <see cref="ModelConfig"/> of the Attend family that computes the same
/// function: <see cref="BertModel"/> for bert, <see cref="DecoderOnlyTransformer"/> (pre-norm, learned positions, tied
/// head, tanh GELU) for gpt2. Keys Attend does not need (initializer_range, transformers_version, ...) are ignored, as
/// Hugging Face ignores them; a setting that would change the function and that Attend does not compute is an error
/// naming the key.
/// </summary>
internal static class HuggingFaceConfig
{
    /// <summary>The model types read from the Hugging Face layout.</summary>
    public static readonly string[] ModelTypes = ["bert", "gpt2"];

    /// <summary>
    /// True when <paramref name="root"/> is Hugging Face's config rather than Attend's: Attend writes d_model into every
    /// config it saves and names its own families seq2seq, decoder_only, encoder_classifier; Hugging Face never writes d_model.
    /// </summary>
    public static bool IsHuggingFace(JsonElement root) =>
        root.ValueKind == JsonValueKind.Object && !root.TryGetProperty("d_model", out _)
        && !(root.TryGetProperty("model_type", out JsonElement t) && t.ValueKind == JsonValueKind.String
             && t.GetString() is "seq2seq" or "decoder_only" or "encoder_classifier");

    /// <summary>The Attend config of a Hugging Face config; <paramref name="hasPooler"/> says whether the weights hold BERT's pooler.</summary>
    public static ModelConfig Read(JsonElement root, string path, bool hasPooler)
    {
        string type = root.TryGetProperty("model_type", out JsonElement t) && t.ValueKind == JsonValueKind.String ? t.GetString()! : "";
        var reader = new Keys(root, path);
        ModelConfig config = type switch
        {
            "bert" => Bert(reader, hasPooler),
            "gpt2" => Gpt2(reader),
            _ => throw new InvalidDataException(type.Length == 0
                ? $"{path}: no model_type (Attend reads the Hugging Face layout of {string.Join(" and ", ModelTypes)}, and its own config.json with d_model)"
                : $"{path}: unknown model_type '{type}' (Attend reads {string.Join(" and ", ModelTypes)} in the Hugging Face layout)"),
        };
        try
        {
            return config.Validate();
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }
    }

    private static ModelConfig Bert(Keys k, bool hasPooler)
    {
        k.Require("position_embedding_type", "absolute");
        k.Require("is_decoder", false);
        k.Require("add_cross_attention", false);
        int vocab = k.Int("vocab_size", 30522);
        int pad = k.Int("pad_token_id", 0);
        bool classifier = k.Architectures.Any(a => a.EndsWith("ForSequenceClassification", StringComparison.Ordinal));
        return new ModelConfig
        {
            ModelType = "bert",
            DModel = k.Int("hidden_size", 768),
            EncoderLayers = k.Int("num_hidden_layers", 12),
            DecoderLayers = 0,
            Heads = k.Int("num_attention_heads", 12),
            DFF = k.Int("intermediate_size", 3072),
            Activation = Activation(k, "hidden_act", "gelu"),
            MaxLen = k.Int("max_position_embeddings", 512),
            TypeVocabSize = k.Int("type_vocab_size", 2),
            LayerNormEps = k.Float("layer_norm_eps", 1e-12f),
            SrcVocabSize = vocab,
            TgtVocabSize = vocab,
            Dropout = k.Float("hidden_dropout_prob", 0.1f),
            NormFirst = false,
            Positional = "learned",
            ScaleEmbeddings = false,
            Pooler = hasPooler,
            Pooling = classifier ? "pooler" : "mean",
            NumClasses = classifier ? k.Labels() : 0,
            PadId = pad,
            BosId = pad,
            EosId = pad,
        };
    }

    private static ModelConfig Gpt2(Keys k)
    {
        k.Require("add_cross_attention", false);
        k.Require("scale_attn_weights", true);
        k.Require("scale_attn_by_inverse_layer_idx", false);
        k.Require("reorder_and_upcast_attn", false);
        int vocab = k.Int("vocab_size", 50257), d = k.Int("n_embd", 768);
        int eos = k.Int("eos_token_id", 50256);
        return new ModelConfig
        {
            ModelType = "decoder_only",
            DModel = d,
            DecoderLayers = k.Int("n_layer", 12),
            EncoderLayers = 0,
            Heads = k.Int("n_head", 12),
            DFF = k.NullableInt("n_inner") ?? 4 * d,
            Activation = Activation(k, "activation_function", "gelu_new"),
            MaxLen = k.Int("n_positions", 1024),
            LayerNormEps = k.Float("layer_norm_epsilon", 1e-5f),
            SrcVocabSize = vocab,
            TgtVocabSize = vocab,
            Dropout = k.Float("resid_pdrop", 0.1f),
            NormFirst = true,
            Positional = "learned",
            TieEmbeddings = k.Bool("tie_word_embeddings", true),
            ScaleEmbeddings = false,
            OutputBias = false,
            PadId = eos,
            BosId = k.Int("bos_token_id", 50256),
            EosId = eos,
        };
    }

    // Hugging Face's ACT2FN names of the activations Attend computes.
    private static string Activation(Keys k, string key, string fallback) => k.String(key, fallback) switch
    {
        "gelu" => "gelu",
        "gelu_new" or "gelu_pytorch_tanh" => "gelu_new",
        "relu" => "relu",
        var other => throw new InvalidDataException($"{k.Path}: {key} '{other}' is not supported (gelu, gelu_new, gelu_pytorch_tanh or relu)"),
    };

    /// <summary>Typed reads of optional keys, with errors naming the file and the key.</summary>
    private sealed class Keys(JsonElement root, string path)
    {
        public string Path => path;

        public IEnumerable<string> Architectures => root.TryGetProperty("architectures", out JsonElement a) && a.ValueKind == JsonValueKind.Array
            ? a.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!)
            : [];

        public int Int(string key, int fallback) => NullableInt(key) ?? fallback;

        public int? NullableInt(string key) => Get(key, JsonValueKind.Number) is { } v
            ? v.TryGetInt32(out int i) ? i : throw Wrong(key, "an integer")
            : null;

        public float Float(string key, float fallback) => Get(key, JsonValueKind.Number) is { } v ? v.GetSingle() : fallback;

        public string String(string key, string fallback) => Get(key, JsonValueKind.String) is { } v ? v.GetString()! : fallback;

        public bool Bool(string key, bool fallback)
        {
            if (!root.TryGetProperty(key, out JsonElement v) || v.ValueKind == JsonValueKind.Null)
                return fallback;
            return v.ValueKind is JsonValueKind.True or JsonValueKind.False ? v.GetBoolean() : throw Wrong(key, "true or false");
        }

        /// <summary>The number of classes: id2label's entries, else num_labels, else 2 (Hugging Face's default).</summary>
        public int Labels() => root.TryGetProperty("id2label", out JsonElement m) && m.ValueKind == JsonValueKind.Object
            ? m.EnumerateObject().Count()
            : Int("num_labels", 2);

        /// <summary>A key that must have <paramref name="expected"/> (or be absent) for Attend to compute the same function.</summary>
        public void Require(string key, object expected)
        {
            if (!root.TryGetProperty(key, out JsonElement v) || v.ValueKind == JsonValueKind.Null)
                return;
            bool ok = expected switch
            {
                bool b => v.ValueKind is JsonValueKind.True or JsonValueKind.False && v.GetBoolean() == b,
                string s => v.ValueKind == JsonValueKind.String && v.GetString() == s,
                _ => false,
            };
            if (!ok)
                throw new InvalidDataException($"{path}: {key} = {v.GetRawText()} is not supported (Attend computes {key} = {(expected is bool e ? e ? "true" : "false" : expected)})");
        }

        private JsonElement? Get(string key, JsonValueKind kind)
        {
            if (!root.TryGetProperty(key, out JsonElement v) || v.ValueKind == JsonValueKind.Null)
                return null;
            if (v.ValueKind != kind)
                throw Wrong(key, kind == JsonValueKind.Number ? "a number" : "a string");
            return v;
        }

        private InvalidDataException Wrong(string key, string what) => new($"{path}: key '{key}' must be {what}");
    }
}

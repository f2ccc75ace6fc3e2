using System.Text;
using System.Text.Json;
using Attend.Layers;

namespace Attend.Models;

/// <summary>
/// Every hyper-parameter of a model, stored as config.json beside model.safetensors. The JSON keys are the
/// snake_case names given on each property.
/// </summary>
public sealed record ModelConfig
{
    /// <summary>model_type: "seq2seq", "decoder_only", "encoder_classifier", "bert" or "vit".</summary>
    public string ModelType { get; init; } = "seq2seq";

    /// <summary>d_model: the width of every representation.</summary>
    public int DModel { get; init; } = 128;

    /// <summary>n_heads: attention heads; d_k = d_model / n_heads.</summary>
    public int Heads { get; init; } = 4;

    /// <summary>d_ff: the inner width of the feed-forward block.</summary>
    public int DFF { get; init; } = 512;

    /// <summary>n_encoder_layers: encoder depth (seq2seq, encoder_classifier).</summary>
    public int EncoderLayers { get; init; } = 2;

    /// <summary>n_decoder_layers: decoder depth (seq2seq, decoder_only).</summary>
    public int DecoderLayers { get; init; } = 2;

    /// <summary>src_vocab_size: source vocabulary (seq2seq, encoder_classifier).</summary>
    public int SrcVocabSize { get; init; } = 1000;

    /// <summary>tgt_vocab_size: target vocabulary (seq2seq) or the vocabulary of a decoder-only model (vocab_size).</summary>
    public int TgtVocabSize { get; init; } = 1000;

    /// <summary>max_len: the longest sequence the positions cover.</summary>
    public int MaxLen { get; init; } = 256;

    /// <summary>dropout: probability used while training.</summary>
    public float Dropout { get; init; } = 0.1f;

    /// <summary>activation: "relu" (the paper), "gelu" (exact, erf-based) or "gelu_new" (GPT-2's tanh approximation).</summary>
    public string Activation { get; init; } = "relu";

    /// <summary>norm_first: pre-norm when true, post-norm (the paper) when false.</summary>
    public bool NormFirst { get; init; }

    /// <summary>layer_norm_eps: the epsilon of every layer norm.</summary>
    public float LayerNormEps { get; init; } = 1e-5f;

    /// <summary>positional: "sinusoidal" or "learned".</summary>
    public string Positional { get; init; } = "sinusoidal";

    /// <summary>tie_embeddings: share the target embedding with the output layer (and, for seq2seq with equal vocabularies, with the source embedding).</summary>
    public bool TieEmbeddings { get; init; }

    /// <summary>scale_embeddings: multiply token embeddings by sqrt(d_model), as the paper does (nanoGPT does not).</summary>
    public bool ScaleEmbeddings { get; init; } = true;

    /// <summary>output_bias: whether the vocabulary projection has a bias (the tutorial's generator does, nanoGPT's lm_head does not).</summary>
    public bool OutputBias { get; init; } = true;

    /// <summary>num_classes: classes of an encoder classifier (for bert, 0: no classification head).</summary>
    public int NumClasses { get; init; } = 2;

    /// <summary>image_size: a Vision Transformer's image height (and width, unless image_width is given).</summary>
    public int ImageSize { get; init; } = 224;

    /// <summary>image_width: a Vision Transformer's image width when it differs from its height; 0 means image_size.</summary>
    public int ImageWidth { get; init; }

    /// <summary>patch_size: the side P of a Vision Transformer's square patches (image sides must be multiples of it).</summary>
    public int PatchSize { get; init; } = 16;

    /// <summary>num_channels: a Vision Transformer's image channels (1 grey, 3 RGB).</summary>
    public int NumChannels { get; init; } = 3;

    /// <summary>The number of patches of a Vision Transformer's image, (H / P)(W / P).</summary>
    public int NumPatches => ImageSize / PatchSize * ((ImageWidth == 0 ? ImageSize : ImageWidth) / PatchSize);

    /// <summary>type_vocab_size: bert's token-type (segment) embeddings.</summary>
    public int TypeVocabSize { get; init; } = 2;

    /// <summary>pooler: bert's pooler, tanh(W h_[CLS] + b), is part of the model.</summary>
    public bool Pooler { get; init; }

    /// <summary>pooling: how bert's sentence embedding pools the last hidden states: "mean" (over the non-padding positions), "cls", "max" or "pooler".</summary>
    public string Pooling { get; init; } = "mean";

    /// <summary>normalize: bert's sentence embeddings are scaled to unit length (sentence-transformers' Normalize).</summary>
    public bool Normalize { get; init; }

    /// <summary>pad_id: the padding token.</summary>
    public int PadId { get; init; }

    /// <summary>bos_id: the beginning-of-sequence token.</summary>
    public int BosId { get; init; } = 1;

    /// <summary>eos_id: the end-of-sequence token.</summary>
    public int EosId { get; init; } = 2;

    /// <summary>The sizes a layer needs.</summary>
    public ModelShape Shape => new(DModel, Heads, DFF, Activation switch
    {
        "gelu" => Layers.Activation.Gelu,
        "gelu_new" => Layers.Activation.GeluTanh,
        _ => Layers.Activation.Relu,
    }, NormFirst, LayerNormEps);

    /// <summary>Checks every value; an invalid one throws an <see cref="ArgumentException"/> naming the key.</summary>
    public ModelConfig Validate()
    {
        Require(ModelType is "seq2seq" or "decoder_only" or "encoder_classifier" or "bert" or "vit", "model_type", ModelType);
        Require(DModel > 0, "d_model", DModel);
        Require(Heads > 0 && DModel % Heads == 0, "n_heads", Heads, "must divide d_model");
        Require(DFF > 0, "d_ff", DFF);
        Require(EncoderLayers >= 0 && DecoderLayers >= 0, "n_encoder_layers/n_decoder_layers", EncoderLayers);
        Require(SrcVocabSize > 0 && TgtVocabSize > 0, "src_vocab_size/tgt_vocab_size", SrcVocabSize);
        Require(MaxLen > 0, "max_len", MaxLen);
        Require(Dropout is >= 0f and < 1f, "dropout", Dropout);
        Require(Activation is "relu" or "gelu" or "gelu_new", "activation", Activation);
        Require(Positional is "sinusoidal" or "learned", "positional", Positional);
        Require(LayerNormEps > 0f, "layer_norm_eps", LayerNormEps);
        Require(NumClasses > 0 || (ModelType == "bert" && NumClasses == 0), "num_classes", NumClasses);
        Require(PatchSize > 0, "patch_size", PatchSize);
        Require(ImageSize > 0 && ImageSize % PatchSize == 0, "image_size", ImageSize, $"must be a positive multiple of patch_size {PatchSize}");
        Require(ImageWidth >= 0 && ImageWidth % PatchSize == 0, "image_width", ImageWidth, $"must be a multiple of patch_size {PatchSize}");
        Require(NumChannels > 0, "num_channels", NumChannels);
        Require(TypeVocabSize > 0, "type_vocab_size", TypeVocabSize);
        Require(Pooling is "mean" or "cls" or "max" || (Pooling == "pooler" && Pooler), "pooling", Pooling, "mean, cls, max, or pooler when the model has one");
        int vocab = ModelType is "encoder_classifier" or "bert" ? SrcVocabSize : TgtVocabSize;
        Require(PadId >= 0 && PadId < vocab && BosId >= 0 && BosId < vocab && EosId >= 0 && EosId < vocab,
            "pad_id/bos_id/eos_id", $"{PadId}/{BosId}/{EosId}", $"must be below the vocabulary size {vocab}");
        return this;
    }

    private static void Require(bool ok, string key, object value, string? why = null)
    {
        if (!ok)
            throw new ArgumentException($"config: invalid {key} = {value}{(why is null ? "" : $" ({why})")}");
    }

    /// <summary>The config as indented JSON with snake_case keys.</summary>
    public string ToJson()
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("model_type", ModelType);
            w.WriteNumber("d_model", DModel);
            w.WriteNumber("n_heads", Heads);
            w.WriteNumber("d_ff", DFF);
            w.WriteNumber("n_encoder_layers", EncoderLayers);
            w.WriteNumber("n_decoder_layers", DecoderLayers);
            w.WriteNumber("src_vocab_size", SrcVocabSize);
            w.WriteNumber("tgt_vocab_size", TgtVocabSize);
            w.WriteNumber("vocab_size", TgtVocabSize);
            w.WriteNumber("max_len", MaxLen);
            w.WriteNumber("dropout", Dropout);
            w.WriteString("activation", Activation);
            w.WriteBoolean("norm_first", NormFirst);
            w.WriteNumber("layer_norm_eps", LayerNormEps);
            w.WriteString("positional", Positional);
            w.WriteBoolean("tie_embeddings", TieEmbeddings);
            w.WriteBoolean("scale_embeddings", ScaleEmbeddings);
            w.WriteBoolean("output_bias", OutputBias);
            w.WriteNumber("num_classes", NumClasses);
            if (ModelType == "vit")
            {
                w.WriteNumber("image_size", ImageSize);
                if (ImageWidth != 0)
                    w.WriteNumber("image_width", ImageWidth);
                w.WriteNumber("patch_size", PatchSize);
                w.WriteNumber("num_channels", NumChannels);
            }
            if (ModelType == "bert")
            {
                w.WriteNumber("type_vocab_size", TypeVocabSize);
                w.WriteBoolean("pooler", Pooler);
                w.WriteString("pooling", Pooling);
                w.WriteBoolean("normalize", Normalize);
            }
            w.WriteNumber("pad_id", PadId);
            w.WriteNumber("bos_id", BosId);
            w.WriteNumber("eos_id", EosId);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>Reads a config; unknown keys and values of the wrong type are errors naming the key.</summary>
    public static ModelConfig FromJson(string json, string source = "config.json")
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{source}: not valid JSON ({e.Message})", e);
        }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw new InvalidDataException($"{source}: expected a JSON object");
            var c = new ModelConfig();
            bool sawTgt = false;
            int? vocab = null;
            foreach (JsonProperty p in doc.RootElement.EnumerateObject())
            {
                try
                {
                    JsonElement v = p.Value;
                    c = p.Name switch
                    {
                        "model_type" => c with { ModelType = v.GetString()! },
                        "d_model" => c with { DModel = v.GetInt32() },
                        "n_heads" => c with { Heads = v.GetInt32() },
                        "d_ff" => c with { DFF = v.GetInt32() },
                        "n_encoder_layers" => c with { EncoderLayers = v.GetInt32() },
                        "n_decoder_layers" => c with { DecoderLayers = v.GetInt32() },
                        "src_vocab_size" => c with { SrcVocabSize = v.GetInt32() },
                        "tgt_vocab_size" => c with { TgtVocabSize = v.GetInt32() },
                        "vocab_size" => c with { },
                        "max_len" => c with { MaxLen = v.GetInt32() },
                        "dropout" => c with { Dropout = v.GetSingle() },
                        "activation" => c with { Activation = v.GetString()! },
                        "norm_first" => c with { NormFirst = v.GetBoolean() },
                        "layer_norm_eps" => c with { LayerNormEps = v.GetSingle() },
                        "positional" => c with { Positional = v.GetString()! },
                        "tie_embeddings" => c with { TieEmbeddings = v.GetBoolean() },
                        "scale_embeddings" => c with { ScaleEmbeddings = v.GetBoolean() },
                        "output_bias" => c with { OutputBias = v.GetBoolean() },
                        "num_classes" => c with { NumClasses = v.GetInt32() },
                        "image_size" => c with { ImageSize = v.GetInt32() },
                        "image_width" => c with { ImageWidth = v.GetInt32() },
                        "patch_size" => c with { PatchSize = v.GetInt32() },
                        "num_channels" => c with { NumChannels = v.GetInt32() },
                        "type_vocab_size" => c with { TypeVocabSize = v.GetInt32() },
                        "pooler" => c with { Pooler = v.GetBoolean() },
                        "pooling" => c with { Pooling = v.GetString()! },
                        "normalize" => c with { Normalize = v.GetBoolean() },
                        "pad_id" => c with { PadId = v.GetInt32() },
                        "bos_id" => c with { BosId = v.GetInt32() },
                        "eos_id" => c with { EosId = v.GetInt32() },
                        _ => throw new InvalidDataException($"{source}: unknown key '{p.Name}'"),
                    };
                    if (p.Name == "vocab_size")
                        vocab = v.GetInt32();
                    sawTgt |= p.Name == "tgt_vocab_size";
                }
                catch (Exception e) when (e is InvalidOperationException or FormatException)
                {
                    throw new InvalidDataException($"{source}: key '{p.Name}' has a value of the wrong type", e);
                }
            }
            if (!sawTgt && vocab is int size)
                c = c with { TgtVocabSize = size, SrcVocabSize = c.ModelType == "decoder_only" ? size : c.SrcVocabSize };
            try
            {
                return c.Validate();
            }
            catch (ArgumentException e)
            {
                throw new InvalidDataException($"{source}: {e.Message}", e);
            }
        }
    }
}

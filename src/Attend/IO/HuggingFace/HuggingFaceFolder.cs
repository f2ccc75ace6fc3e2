using System.Text.Json;
using Attend.Models;

namespace Attend.IO.HuggingFace;

/// <summary>
/// A model folder in Hugging Face's layout, as models are published: config.json in Hugging Face's format,
/// model.safetensors under Hugging Face's names, and for sentence-transformers folders modules.json with its Pooling
/// and Normalize modules. BERT-family encoders load as <see cref="BertModel"/>, GPT-2-family decoders as
/// <see cref="DecoderOnlyTransformer"/>.
/// </summary>
public static class HuggingFaceFolder
{
    /// <summary>True when the folder's config.json is Hugging Face's rather than Attend's.</summary>
    public static bool IsHuggingFace(string directory)
    {
        string path = Path.Combine(directory, "config.json");
        if (!File.Exists(path))
            return false;
        using JsonDocument doc = ParseConfig(path);
        return HuggingFaceConfig.IsHuggingFace(doc.RootElement);
    }

    /// <summary>The Attend config that describes the folder's model.</summary>
    public static ModelConfig ReadConfig(string directory)
    {
        string path = Path.Combine(directory, "config.json");
        if (!File.Exists(path))
            throw new FileNotFoundException($"{path}: missing", path);
        using JsonDocument doc = ParseConfig(path);
        ModelConfig config = HuggingFaceConfig.Read(doc.RootElement, path, HasPooler(directory));
        if (config.ModelType == "bert")
        {
            (string pooling, bool normalize) = SentenceTransformersModules.Read(directory);
            if (config.Pooling != "pooler")
                config = config with { Pooling = pooling, Normalize = normalize };
        }
        return config;
    }

    /// <summary>Builds the folder's model and copies its weights in, after checking every tensor's presence and shape.</summary>
    public static ITransformerModel LoadModel(string directory)
    {
        ModelConfig config = ReadConfig(directory);
        ITransformerModel model = config.ModelType == "bert" ? BertModel.Create(config) : DecoderOnlyTransformer.Create(config);
        HuggingFaceWeights.Load(WeightsPath(directory), model);
        return model;
    }

    /// <summary>The folder's tokenizer: tokenizer.json, else vocab.txt (WordPiece) or vocab.json + merges.txt (GPT-2 BPE).</summary>
    public static Tokenization.Tokenizer LoadTokenizer(string directory) => HuggingFaceTokenizer.Load(directory);

    private static string WeightsPath(string directory)
    {
        string path = Path.Combine(directory, "model.safetensors");
        if (File.Exists(path))
            return path;
        throw new FileNotFoundException(File.Exists(Path.Combine(directory, "pytorch_model.bin"))
            ? $"{path}: missing; the folder has pytorch_model.bin, a Python pickle that Attend does not read (save the model with safe_serialization=True)"
            : $"{path}: missing", path);
    }

    private static bool HasPooler(string directory)
    {
        string path = Path.Combine(directory, "model.safetensors");
        if (!File.Exists(path))
            return false;
        var names = SafeTensorsFile.Open(path).Tensors.Keys;
        return names.Contains("pooler.dense.weight") || names.Contains("bert.pooler.dense.weight");
    }

    private static JsonDocument ParseConfig(string path)
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

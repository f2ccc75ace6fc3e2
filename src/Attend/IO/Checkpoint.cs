using Attend.Models;
using Attend.Tensors;
using Attend.Tokenization;

namespace Attend.IO;

/// <summary>
/// A model as a folder: config.json (every hyper-parameter), model.safetensors (the weights under their PyTorch names,
/// tied weights under each of their names) and tokenizer.json. Loading checks every tensor's presence, dtype and shape
/// against the config before any weight is used.
/// </summary>
public static class Checkpoint
{
    /// <summary>The buffers PyTorch modules keep in their state dicts that carry no trainable weight here.</summary>
    private static bool IsKnownBuffer(string name) =>
        name == "positional_encoding.pos_embedding" || (name.StartsWith("transformer.h.", StringComparison.Ordinal) && name.EndsWith(".attn.bias", StringComparison.Ordinal)
            && !name.Contains("c_attn", StringComparison.Ordinal));

    /// <summary>
    /// Writes config.json, model.safetensors, (when given) tokenizer.json and whatever <paramref name="extraFiles"/>
    /// adds into <paramref name="directory"/>. The files are written into a temporary sibling folder that replaces the
    /// old folder only once complete, so a failed write (a full disk, say) leaves the previous checkpoint intact.
    /// </summary>
    public static void Save(string directory, ITransformerModel model, Tokenizer? tokenizer, Action<string>? extraFiles = null) =>
        ReplaceFolder(directory, temp =>
        {
            WriteFiles(temp, model, tokenizer);
            extraFiles?.Invoke(temp);
        });

    /// <summary>Fills a fresh temporary folder with <paramref name="write"/>, then swaps it in for <paramref name="directory"/>.</summary>
    public static void ReplaceFolder(string directory, Action<string> write)
    {
        string full = Path.GetFullPath(directory).TrimEnd(Path.DirectorySeparatorChar);
        string temp = $"{full}.tmp-{Environment.ProcessId}", old = $"{full}.old-{Environment.ProcessId}";
        if (Directory.Exists(temp))
            Directory.Delete(temp, recursive: true);
        Directory.CreateDirectory(temp);
        try
        {
            write(temp);
        }
        catch
        {
            Directory.Delete(temp, recursive: true);
            throw;
        }
        if (Directory.Exists(full))
            Directory.Move(full, old);
        Directory.Move(temp, full);
        if (Directory.Exists(old))
            Directory.Delete(old, recursive: true);
    }

    private static void WriteFiles(string directory, ITransformerModel model, Tokenizer? tokenizer)
    {
        ModelConfig c = model.Config;
        var tensors = model.Parameters.Parameters
            .Select(p => (p.Name!, p.Shape.ToArray(), (ReadOnlyMemory<float>)p.ReadOnlyData.ToArray()))
            .Concat(model.Parameters.Aliases.Select(a =>
            {
                Tensor p = model.Parameters.Find(a.Name)!;
                return (a.Alias, p.Shape.ToArray(), (ReadOnlyMemory<float>)p.ReadOnlyData.ToArray());
            }))
            .ToList();
        if (c.ModelType == "seq2seq" && c.Positional == "sinusoidal")
            tensors.Add(("positional_encoding.pos_embedding", [c.MaxLen, 1, c.DModel], PositionalEncodingTable(c)));
        SafeTensorsFile.Write(Path.Combine(directory, "model.safetensors"), tensors, new Dictionary<string, string> { ["format"] = "pt" });
        AtomicFile.Write(Path.Combine(directory, "config.json"), s =>
        {
            byte[] json = System.Text.Encoding.UTF8.GetBytes(c.ToJson() + "\n");
            s.Write(json);
        });
        tokenizer?.SaveTokenizerJson(Path.Combine(directory, "tokenizer.json"));
    }

    /// <summary>The config of the checkpoint in <paramref name="directory"/> (Attend's, or a Hugging Face folder's translated).</summary>
    public static ModelConfig ReadConfig(string directory)
    {
        string path = Path.Combine(directory, "config.json");
        if (!Directory.Exists(directory))
            throw new DirectoryNotFoundException($"{directory}: no such checkpoint folder");
        if (!File.Exists(path))
            throw new FileNotFoundException($"{path}: missing (a checkpoint folder holds config.json, model.safetensors and tokenizer.json)", path);
        if (HuggingFace.HuggingFaceFolder.IsHuggingFace(directory))
            return HuggingFace.HuggingFaceFolder.ReadConfig(directory);
        return ModelConfig.FromJson(File.ReadAllText(path), path);
    }

    /// <summary>Loads the model of any family from <paramref name="directory"/>, an Attend checkpoint or a Hugging Face folder.</summary>
    public static ITransformerModel LoadModel(string directory)
    {
        ModelConfig c = ReadConfig(directory);
        if (HuggingFace.HuggingFaceFolder.IsHuggingFace(directory))
            return HuggingFace.HuggingFaceFolder.LoadModel(directory);
        ITransformerModel model = c.ModelType switch
        {
            "seq2seq" => Seq2SeqTransformer.Create(c),
            "decoder_only" => DecoderOnlyTransformer.Create(c),
            "vit" => VisionTransformer.Create(c),
            "bert" => BertModel.Create(c),
            _ => EncoderClassifier.Create(c),
        };
        LoadWeights(Path.Combine(directory, "model.safetensors"), model.Parameters);
        return model;
    }

    /// <summary>Loads a model that must be of type <typeparamref name="T"/>; another family is a clear error.</summary>
    public static T LoadModel<T>(string directory) where T : class, ITransformerModel
    {
        ITransformerModel model = LoadModel(directory);
        return model as T ?? throw new InvalidDataException(
            $"{directory}: the checkpoint holds a {model.Config.ModelType} model, this needs {typeof(T).Name}");
    }

    /// <summary>
    /// The tokenizer saved with the checkpoint (for a Hugging Face folder without tokenizer.json, its vocab.txt or
    /// vocab.json + merges.txt); its vocabulary must fit the model's.
    /// </summary>
    public static Tokenizer LoadTokenizer(string directory, ModelConfig config)
    {
        string path = Path.Combine(directory, "tokenizer.json");
        bool huggingFace = HuggingFace.HuggingFaceFolder.IsHuggingFace(directory);
        if (!File.Exists(path) && !huggingFace)
            throw new FileNotFoundException($"{path}: missing", path);
        Tokenizer tokenizer = huggingFace ? HuggingFace.HuggingFaceFolder.LoadTokenizer(directory) : Tokenizer.FromTokenizerJson(path);
        int vocab = config.ModelType is "encoder_classifier" or "bert" ? config.SrcVocabSize : config.TgtVocabSize;
        if (!File.Exists(path))
            path = Path.Combine(directory, File.Exists(Path.Combine(directory, "vocab.txt")) ? "vocab.txt" : "vocab.json");
        if (tokenizer.VocabularySize > vocab || (config.ModelType == "seq2seq" && tokenizer.VocabularySize > config.SrcVocabSize))
            throw new InvalidDataException($"{path}: the tokenizer's vocabulary of {tokenizer.VocabularySize} does not fit the model's ({vocab})");
        return tokenizer;
    }

    /// <summary>Copies every parameter (and checks every alias) from a safetensors file after validating names and shapes.</summary>
    public static void LoadWeights(string path, ParameterStore parameters)
    {
        SafeTensorsFile file = SafeTensorsFile.Open(path);
        var expected = parameters.Parameters.Select(p => (Name: p.Name!, Tensor: p))
            .Concat(parameters.Aliases.Select(a => (Name: a.Alias, Tensor: parameters.Find(a.Name)!))).ToList();
        foreach ((string name, Tensor t) in expected)
        {
            if (!file.Tensors.TryGetValue(name, out SafeTensorInfo? info))
                throw new InvalidDataException($"{path}: tensor '{name}' is missing");
            if (!info.Shape.SequenceEqual(t.Shape.ToArray().Select(d => (long)d)))
                throw new InvalidDataException($"{path}: tensor '{name}' has shape [{string.Join(", ", info.Shape)}], the config needs {t.Shape}");
        }
        var known = expected.Select(e => e.Name).ToHashSet(StringComparer.Ordinal);
        foreach (string name in file.Tensors.Keys)
            if (!known.Contains(name) && !IsKnownBuffer(name))
                throw new InvalidDataException($"{path}: tensor '{name}' is not part of this model");
        foreach (Tensor p in parameters.Parameters)
            file.ReadFloat32(p.Name!, p.Data);
    }

    private static float[] PositionalEncodingTable(ModelConfig c) => Layers.PositionalEncoding.Sinusoids(c.MaxLen, c.DModel);
}

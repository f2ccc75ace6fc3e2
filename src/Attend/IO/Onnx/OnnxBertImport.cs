using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Attend.IO.Onnx.Proto;
using Google.Protobuf;

namespace Attend.IO.Onnx;

/// <summary>
/// Converts a BERT-family encoder exported to ONNX (PyTorch's exporter, as Hugging Face's optimum uses it) into a
/// folder in Hugging Face's sentence-transformers layout: config.json, model.safetensors under Hugging Face's names,
/// modules.json with its Pooling and Normalize modules, and vocab.txt when given. The embeddings, biases and layer
/// norms keep their names in the export, but the matrices become anonymous initializers stored [in, out]; each one is
/// named through the graph, by the named bias that the Add after its MatMul adds, and transposed to [out, in]. The
/// sizes come from the tensors, the heads from the attention's 1 / sqrt(d_k) scaling, epsilon from the layer norms and
/// the activation from the feed-forward nodes. A graph that is not such an encoder is refused, naming the node.
/// </summary>
public static partial class OnnxBertImport
{
    // The operators of an unfused BERT export; an operator outside this list (a fused ONNX Runtime operator, a convolution) is refused.
    private static readonly HashSet<string> KnownOperators = new(StringComparer.Ordinal)
    {
        "Add", "Cast", "Concat", "Constant", "ConstantOfShape", "Div", "Equal", "Erf", "Expand", "Gather", "Gemm", "Identity",
        "LayerNormalization", "MatMul", "Mul", "Neg", "Not", "Pow", "Range", "ReduceMean", "Relu", "Reshape", "Shape", "Slice",
        "Softmax", "Sqrt", "Squeeze", "Sub", "Tanh", "Transpose", "Unsqueeze", "Where",
    };

    private static readonly string[] LayerMatrices =
        ["attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense", "intermediate.dense", "output.dense"];

    /// <summary>Reads <paramref name="onnxPath"/> and writes the folder <paramref name="outDirectory"/> (replaced only once complete).</summary>
    public static void ToFolder(string onnxPath, string outDirectory, OnnxImportOptions options)
    {
        if (options.Pooling is not ("mean" or "cls" or "max"))
            throw new ArgumentException($"pooling must be mean, cls or max, got '{options.Pooling}'");
        ModelProto proto = Parse(onnxPath);
        var graph = new OnnxGraph(proto, onnxPath);
        var tensors = new SortedDictionary<string, (int[] Shape, float[] Data)>(StringComparer.Ordinal);
        CheckOperators(graph);
        CollectNamed(graph, tensors);
        NameMatrices(graph, tensors);
        int words = tensors.TryGetValue("embeddings.word_embeddings.weight", out var table) ? table.Shape[0]
            : throw new InvalidDataException($"{onnxPath}: no tensor for 'embeddings.word_embeddings.weight' in the graph (a BERT encoder has it)");
        string[] vocabulary = options.Vocabulary is null ? [] : ReadVocabulary(options.Vocabulary, words);
        BertShape shape = Describe(graph, tensors);
        Checkpoint.ReplaceFolder(outDirectory, temp =>
        {
            SafeTensorsFile.Write(Path.Combine(temp, "model.safetensors"),
                tensors.Select(t => (t.Key, t.Value.Shape, (ReadOnlyMemory<float>)t.Value.Data)), new Dictionary<string, string> { ["format"] = "pt" });
            WriteText(Path.Combine(temp, "config.json"), Config(shape));
            WriteText(Path.Combine(temp, "modules.json"), Modules(options.Normalize));
            Directory.CreateDirectory(Path.Combine(temp, "1_Pooling"));
            WriteText(Path.Combine(temp, "1_Pooling", "config.json"), PoolingConfig(shape.Hidden, options.Pooling));
            if (options.Normalize)
                Directory.CreateDirectory(Path.Combine(temp, "2_Normalize"));
            if (vocabulary.Length > 0)
            {
                WriteText(Path.Combine(temp, "vocab.txt"), string.Join("\n", vocabulary) + "\n");
                WriteText(Path.Combine(temp, "tokenizer_config.json"), "{\n  \"do_lower_case\": true,\n  \"tokenizer_class\": \"BertTokenizer\"\n}\n");
            }
        });
    }

    private static ModelProto Parse(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"{path}: no such file", path);
        try
        {
            using FileStream stream = File.OpenRead(path);
            return ModelProto.Parser.ParseFrom(stream);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new InvalidDataException($"{path}: not an ONNX model ({e.Message})", e);
        }
    }

    private static void CheckOperators(OnnxGraph graph)
    {
        if (!graph.Graph.Input.Any(i => i.Name == "input_ids"))
            throw new InvalidDataException($"{graph.Path}: the graph has no input_ids input (inputs: {string.Join(", ", graph.Graph.Input.Select(i => i.Name))}); it is not a BERT encoder export");
        foreach (NodeProto node in graph.Graph.Node)
            if (node.Domain is not ("" or "ai.onnx") || !KnownOperators.Contains(node.OpType))
                throw new InvalidDataException($"{graph.Path}: node {OnnxGraph.Describe(node)} is not part of an unfused BERT encoder graph" +
                    (node.Domain == "com.microsoft" ? " (an ONNX Runtime fused operator: import the graph before optimisation)" : ""));
    }

    /// <summary>The initializers that keep Hugging Face's names: embedding tables, biases, layer norms (matrices are named through the graph).</summary>
    private static void CollectNamed(OnnxGraph graph, IDictionary<string, (int[], float[])> tensors)
    {
        foreach ((string name, TensorProto t) in graph.Initializers)
        {
            string bare = Bare(name);
            if (bare == "embeddings.position_ids" || !NamedWeight().IsMatch(bare) || (t.Dims.Count != 1 && !bare.StartsWith("embeddings.", StringComparison.Ordinal)))
                continue;
            tensors[bare] = (t.Dims.Select(d => checked((int)d)).ToArray(), graph.Floats(t));
        }
    }

    /// <summary>Names every matrix by the bias added to its product, and stores it [out, in].</summary>
    private static void NameMatrices(OnnxGraph graph, IDictionary<string, (int[] Shape, float[] Data)> tensors)
    {
        foreach (NodeProto node in graph.Graph.Node.Where(n => n.OpType is "MatMul" or "Gemm"))
        {
            TensorProto? weight = graph.Initializer(node.Input[1]);
            if (weight is null)
            {
                if (graph.Initializer(node.Input[0]) is not null)
                    throw new InvalidDataException($"{graph.Path}: node {OnnxGraph.Describe(node)} multiplies a constant on the left, which a BERT encoder does not");
                continue;                                    // activations times activations: attention scores and weighted values
            }
            if (weight.Dims.Count != 2)
                throw new InvalidDataException($"{graph.Path}: node {OnnxGraph.Describe(node)} multiplies by '{weight.Name}' of shape [{string.Join(", ", weight.Dims)}], not a matrix");
            bool transposed = node.OpType == "Gemm" && node.Attribute.Any(a => a.Name == "transB" && a.I == 1);   // already [out, in]
            int outFeatures = (int)(transposed ? weight.Dims[0] : weight.Dims[1]);
            string bias = BiasOf(graph, node, outFeatures) ?? throw new InvalidDataException(
                $"{graph.Path}: node {OnnxGraph.Describe(node)} multiplies by '{weight.Name}' but no named bias is added to its product, so the weight cannot be named");
            string name = bias[..^".bias".Length] + ".weight";
            if (!tensors.ContainsKey(bias))
                throw new InvalidDataException($"{graph.Path}: node {OnnxGraph.Describe(node)} adds '{bias}', which is not a BERT parameter");
            if (tensors.ContainsKey(name))
                throw new InvalidDataException($"{graph.Path}: node {OnnxGraph.Describe(node)} gives a second weight for '{name}'");
            float[] values = graph.Floats(weight);
            int rows = (int)weight.Dims[0], cols = (int)weight.Dims[1];
            tensors[name] = transposed ? ([rows, cols], values) : ([cols, rows], MatrixLayout.Transpose(values, rows, cols));
        }
    }

    /// <summary>The Hugging Face name of the 1-D bias added to the node's product: Gemm's C, or a named initializer of an Add reading it.</summary>
    private static string? BiasOf(OnnxGraph graph, NodeProto node, int outFeatures)
    {
        IEnumerable<string> candidates = node.OpType == "Gemm"
            ? node.Input.Skip(2)
            : graph.Consumers(node.Output[0]).Where(c => c.OpType == "Add").SelectMany(c => c.Input).Where(i => i != node.Output[0]);
        foreach (string input in candidates)
            if (graph.Initializer(input) is { } t && t.Dims.Count == 1 && t.Dims[0] == outFeatures && Bare(t.Name).EndsWith(".bias", StringComparison.Ordinal))
                return Bare(t.Name);
        return null;
    }

    private static string Bare(string name) => name.StartsWith("bert.", StringComparison.Ordinal) ? name[5..] : name;

    /// <summary>The sizes and settings of the encoder, checked against the tensors found.</summary>
    private static BertShape Describe(OnnxGraph graph, IDictionary<string, (int[] Shape, float[] Data)> tensors)
    {
        (int[] Shape, float[] Data) Need(string name) => tensors.TryGetValue(name, out var t) ? t
            : throw new InvalidDataException($"{graph.Path}: no tensor for '{name}' in the graph (a BERT encoder has it)");
        int[] words = Need("embeddings.word_embeddings.weight").Shape, positions = Need("embeddings.position_embeddings.weight").Shape;
        int[] types = Need("embeddings.token_type_embeddings.weight").Shape;
        Need("embeddings.LayerNorm.weight");
        Need("embeddings.LayerNorm.bias");
        int layers = tensors.Keys.Select(k => LayerIndex().Match(k)).Where(m => m.Success).Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) + 1).DefaultIfEmpty(0).Max();
        if (layers == 0)
            throw new InvalidDataException($"{graph.Path}: no encoder.layer.N tensors; not a BERT encoder");
        int hidden = words[1], intermediate = Need("encoder.layer.0.intermediate.dense.bias").Shape[0];
        for (int i = 0; i < layers; i++)
        {
            foreach (string m in LayerMatrices)
            {
                Need($"encoder.layer.{i}.{m}.weight");
                Need($"encoder.layer.{i}.{m}.bias");
            }
            foreach (string n in new[] { "attention.output.LayerNorm", "output.LayerNorm" })
            {
                Need($"encoder.layer.{i}.{n}.weight");
                Need($"encoder.layer.{i}.{n}.bias");
            }
        }
        bool pooler = tensors.ContainsKey("pooler.dense.weight");
        if (pooler != tensors.ContainsKey("pooler.dense.bias"))
            throw new InvalidDataException($"{graph.Path}: the pooler has {(pooler ? "a weight but no bias" : "a bias but no weight")}");
        int headSize = HeadSize(graph);
        if (headSize <= 0 || hidden % headSize != 0)
            throw new InvalidDataException($"{graph.Path}: the attention scaling gives a head size of {headSize}, which does not divide the hidden size {hidden}");
        return new BertShape(words[0], hidden, layers, hidden / headSize, intermediate, Activation(graph, layers), positions[0], types[0],
            Epsilon(graph), pooler);
    }

    /// <summary>d_k from the scaling of the attention scores: Q K^T divided by sqrt(d_k) (or multiplied by 1 / sqrt(d_k)).</summary>
    private static int HeadSize(OnnxGraph graph)
    {
        var sizes = new HashSet<int>();
        foreach (NodeProto scores in graph.Graph.Node.Where(n => n.OpType == "MatMul" && n.Input.All(i => graph.Initializer(i) is null)))
            foreach (NodeProto scale in graph.Consumers(scores.Output[0]).Where(c => c.OpType is "Div" or "Mul"))
                if (graph.Scalar(scale.Input[1]) is float c && c > 0)
                    sizes.Add((int)Math.Round(scale.OpType == "Div" ? c * (double)c : 1 / (c * (double)c)));
        return sizes.Count == 1 ? sizes.First() : throw new InvalidDataException(
            $"{graph.Path}: cannot find one attention scaling 1 / sqrt(d_k) after the Q K^T products (found {sizes.Count}); not a BERT encoder graph");
    }

    /// <summary>The layer norms' epsilon: the constant added to the variance (a ReduceMean), or LayerNormalization's attribute.</summary>
    private static float Epsilon(OnnxGraph graph)
    {
        var values = new HashSet<float>();
        foreach (NodeProto mean in graph.Graph.Node.Where(n => n.OpType == "ReduceMean"))
            foreach (NodeProto add in graph.Consumers(mean.Output[0]).Where(c => c.OpType == "Add"))
                if (add.Input.Select(graph.Scalar).OfType<float>().FirstOrDefault() is var eps && eps > 0)
                    values.Add(eps);
        foreach (NodeProto norm in graph.Graph.Node.Where(n => n.OpType == "LayerNormalization"))
            values.Add(norm.Attribute.FirstOrDefault(a => a.Name == "epsilon")?.F ?? 1e-5f);
        return values.Count == 1 ? values.First() : throw new InvalidDataException(
            $"{graph.Path}: {(values.Count == 0 ? "no layer norm epsilon found" : $"the layer norms use different epsilons ({string.Join(", ", values)})")}; not a BERT encoder graph");
    }

    /// <summary>gelu (one Erf per layer), gelu_new (x^3 and tanh per layer) or relu.</summary>
    private static string Activation(OnnxGraph graph, int layers)
    {
        int Count(string op) => graph.Graph.Node.Count(n => n.OpType == op);
        bool cubes = graph.Graph.Node.Any(n => n.OpType == "Pow" && graph.Scalar(n.Input[1]) == 3f);
        if (Count("Erf") == layers)
            return "gelu";
        if (cubes && Count("Tanh") >= layers)
            return "gelu_new";
        if (Count("Relu") == layers)
            return "relu";
        throw new InvalidDataException($"{graph.Path}: cannot tell the feed-forward activation ({Count("Erf")} Erf, {Count("Tanh")} Tanh, {Count("Relu")} Relu nodes for {layers} layers)");
    }

    private static string[] ReadVocabulary(string path, int embeddings)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"{path}: no such file", path);
        string[] lines = File.ReadAllText(path, new UTF8Encoding(false, true)).Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        if (lines.Length > 0 && lines[^1].Length == 0)
            lines = lines[..^1];
        if (lines.Length == 0)
            throw new InvalidDataException($"{path}: the vocabulary is empty");
        if (lines.Length > embeddings)
            throw new InvalidDataException($"{path}: {lines.Length} word pieces do not fit the model's {embeddings} word embeddings");
        return lines;
    }

    private static void WriteText(string path, string text) => AtomicFile.Write(path, s => s.Write(Encoding.UTF8.GetBytes(text)));

    private static string Config(BertShape s) => Json(w =>
    {
        w.WriteStartArray("architectures");
        w.WriteStringValue("BertModel");
        w.WriteEndArray();
        w.WriteString("model_type", "bert");
        w.WriteNumber("vocab_size", s.Vocabulary);
        w.WriteNumber("hidden_size", s.Hidden);
        w.WriteNumber("num_hidden_layers", s.Layers);
        w.WriteNumber("num_attention_heads", s.Heads);
        w.WriteNumber("intermediate_size", s.Intermediate);
        w.WriteString("hidden_act", s.Activation);
        w.WriteNumber("max_position_embeddings", s.Positions);
        w.WriteNumber("type_vocab_size", s.TokenTypes);
        w.WriteNumber("layer_norm_eps", s.Epsilon);
        w.WriteString("position_embedding_type", "absolute");
        w.WriteNumber("pad_token_id", 0);
        w.WriteNumber("hidden_dropout_prob", 0.1);
        w.WriteNumber("attention_probs_dropout_prob", 0.1);
    });

    private static string Modules(bool normalize)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartArray();
            string[][] modules = normalize
                ? [["", "Transformer"], ["1_Pooling", "Pooling"], ["2_Normalize", "Normalize"]]
                : [["", "Transformer"], ["1_Pooling", "Pooling"]];
            for (int i = 0; i < modules.Length; i++)
            {
                w.WriteStartObject();
                w.WriteNumber("idx", i);
                w.WriteString("name", i.ToString(CultureInfo.InvariantCulture));
                w.WriteString("path", modules[i][0]);
                w.WriteString("type", $"sentence_transformers.models.{modules[i][1]}");
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    private static string PoolingConfig(int hidden, string pooling) => Json(w =>
    {
        w.WriteNumber("word_embedding_dimension", hidden);
        w.WriteBoolean("pooling_mode_cls_token", pooling == "cls");
        w.WriteBoolean("pooling_mode_mean_tokens", pooling == "mean");
        w.WriteBoolean("pooling_mode_max_tokens", pooling == "max");
        w.WriteBoolean("pooling_mode_mean_sqrt_len_tokens", false);
    });

    private static string Json(Action<Utf8JsonWriter> body)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            body(w);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    [GeneratedRegex(@"^(embeddings\.[A-Za-z_]+\.(weight|bias)|encoder\.layer\.\d+\.[A-Za-z_.]+\.(weight|bias)|pooler\.dense\.bias)$")]
    private static partial Regex NamedWeight();

    [GeneratedRegex(@"^encoder\.layer\.(\d+)\.")]
    private static partial Regex LayerIndex();

    private sealed record BertShape(int Vocabulary, int Hidden, int Layers, int Heads, int Intermediate, string Activation,
        int Positions, int TokenTypes, float Epsilon, bool Pooler);
}

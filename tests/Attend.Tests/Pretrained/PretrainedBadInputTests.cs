using System.Text.Json.Nodes;
using Attend.IO;
using Attend.IO.Onnx;
using Attend.IO.Onnx.Proto;
using Attend.Tests.Tokenization;
using Google.Protobuf;

namespace Attend.Tests.Pretrained;

/// <summary>
/// Every bad input the pretrained loaders meet gives a clear error naming the file and the key, tensor or node: Hugging
/// Face folders (unknown model_type, settings Attend does not compute, missing or misshaped tensors, a pickle instead
/// of safetensors, an unsupported pooling) and ONNX files (not ONNX, not a BERT graph, a fused graph, a vocabulary
/// larger than the embeddings).
/// </summary>
public class PretrainedBadInputTests
{
    private static readonly string Fixtures = Path.Combine(AppContext.BaseDirectory, "Fixtures", "hf");

    private static TempDirectory CopyOf(string fixture)
    {
        var dir = new TempDirectory();
        foreach (string file in Directory.GetFiles(Path.Combine(Fixtures, fixture), "*", SearchOption.AllDirectories))
        {
            string target = Path.Combine(dir, Path.GetRelativePath(Path.Combine(Fixtures, fixture), file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
        return dir;
    }

    private static void EditConfig(string dir, Action<JsonObject> edit)
    {
        string path = Path.Combine(dir, "config.json");
        var json = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        edit(json);
        File.WriteAllText(path, json.ToJsonString());
    }

    private static string LoadError(string dir) => Assert.ThrowsAny<Exception>(() => Checkpoint.LoadModel(dir)).Message;

    [Fact]
    public void UnknownModelType_NamesTheFileAndTheType()
    {
        using TempDirectory dir = CopyOf("sentence_bert");
        EditConfig(dir, c => c["model_type"] = "t5");
        string message = LoadError(dir);
        Assert.Contains("config.json", message);
        Assert.Contains("unknown model_type 't5'", message);
    }

    [Theory]
    [InlineData("position_embedding_type", "relative_key")]
    [InlineData("hidden_act", "swish")]
    public void SettingAttendDoesNotCompute_NamesTheKey(string key, string value)
    {
        using TempDirectory dir = CopyOf("sentence_bert");
        EditConfig(dir, c => c[key] = value);
        Assert.Contains(key, LoadError(dir));
    }

    [Fact]
    public void MissingTensor_NamesTheFileAndTheTensor()
    {
        using TempDirectory dir = CopyOf("gpt2");
        EditConfig(dir, c => c["n_layer"] = 3);
        string message = LoadError(dir);
        Assert.Contains("model.safetensors", message);
        Assert.Contains("'transformer.h.2.ln_1.weight' is missing", message);
    }

    [Fact]
    public void MisshapedTensor_NamesTheTensorAndBothShapes()
    {
        using TempDirectory dir = CopyOf("sentence_bert");
        EditConfig(dir, c => c["intermediate_size"] = 48);
        string message = LoadError(dir);
        Assert.Contains("'encoder.layer.0.intermediate.dense.weight' has shape [32, 16], config.json needs [48, 16]", message);
    }

    [Fact]
    public void VocabularyLargerThanTheWeights_NamesTheEmbedding()
    {
        using TempDirectory dir = CopyOf("bert_classifier");
        EditConfig(dir, c => c["vocab_size"] = 40);
        Assert.Contains("'bert.embeddings.word_embeddings.weight' has shape [23, 16], config.json needs [40, 16]", LoadError(dir));
    }

    [Fact]
    public void TensorOfAnotherModel_IsNamed()
    {
        using TempDirectory dir = CopyOf("gpt2");
        EditConfig(dir, c => c["n_layer"] = 1);
        Assert.Contains("tensor 'h.1.", LoadError(dir));
    }

    [Fact]
    public void PickleInsteadOfSafetensors_SaysWhatToDo()
    {
        using TempDirectory dir = CopyOf("gpt2");
        File.Move(Path.Combine(dir, "model.safetensors"), Path.Combine(dir, "pytorch_model.bin"));
        Assert.Contains("pytorch_model.bin", LoadError(dir));
    }

    [Fact]
    public void UnsupportedPooling_NamesThePoolingConfig()
    {
        using TempDirectory dir = CopyOf("sentence_bert");
        string pooling = Path.Combine(dir, "1_Pooling", "config.json");
        File.WriteAllText(pooling, """{"pooling_mode_mean_tokens": false, "pooling_mode_mean_sqrt_len_tokens": true}""");
        string message = LoadError(dir);
        Assert.Contains("1_Pooling", message);
        Assert.Contains("pooling_mode_mean_sqrt_len_tokens", message);
    }

    [Fact]
    public void OnnxFileThatIsNotOnnx_IsRefused()
    {
        using var dir = new TempDirectory();
        string path = Path.Combine(dir, "model.onnx");
        File.WriteAllBytes(path, [0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x01]);
        string message = Assert.Throws<InvalidDataException>(() => OnnxBertImport.ToFolder(path, Path.Combine(dir, "out"), new OnnxImportOptions())).Message;
        Assert.Contains("not an ONNX model", message);
        Assert.False(Directory.Exists(Path.Combine(dir, "out")));
    }

    [Theory]
    [InlineData("", "Conv", "'conv_0' (Conv) is not part of an unfused BERT encoder graph")]
    [InlineData("com.microsoft", "Attention", "'conv_0' (com.microsoft.Attention) is not part of an unfused BERT encoder graph (an ONNX Runtime fused operator")]
    public void GraphWithAnUnknownNode_NamesTheNode(string domain, string op, string expected)
    {
        using var dir = new TempDirectory();
        string path = Write(dir, Graph(g => g.Node.Add(new NodeProto { Name = "conv_0", OpType = op, Domain = domain, Input = { "input_ids" }, Output = { "y" } })));
        string message = Assert.Throws<InvalidDataException>(() => OnnxBertImport.ToFolder(path, Path.Combine(dir, "out"), new OnnxImportOptions())).Message;
        Assert.Contains(expected, message);
        Assert.False(Directory.Exists(Path.Combine(dir, "out")));
    }

    [Fact]
    public void MatMulWithoutANamedBias_NamesTheNode()
    {
        using var dir = new TempDirectory();
        string path = Write(dir, Graph(g =>
        {
            g.Initializer.Add(Floats("1234", [4, 4]));
            g.Node.Add(new NodeProto { Name = "MatMul_7", OpType = "MatMul", Input = { "x", "1234" }, Output = { "y" } });
        }));
        string message = Assert.Throws<InvalidDataException>(() => OnnxBertImport.ToFolder(path, Path.Combine(dir, "out"), new OnnxImportOptions())).Message;
        Assert.Contains("'MatMul_7' (MatMul) multiplies by '1234' but no named bias is added", message);
    }

    [Fact]
    public void GraphWithoutBertInputs_IsRefused()
    {
        using var dir = new TempDirectory();
        var model = new ModelProto { IrVersion = 7, Graph = new GraphProto { Input = { new ValueInfoProto { Name = "pixels" } } } };
        string path = Write(dir, model);
        Assert.Contains("no input_ids input (inputs: pixels)", Assert.Throws<InvalidDataException>(
            () => OnnxBertImport.ToFolder(path, Path.Combine(dir, "out"), new OnnxImportOptions())).Message);
    }

    [Fact]
    public void VocabularyLargerThanTheEmbeddings_IsRefused()
    {
        using var dir = new TempDirectory();
        string path = Write(dir, TinyBert());
        string vocab = Path.Combine(dir, "vocab.txt");
        File.WriteAllText(vocab, string.Join("\r\n", Enumerable.Range(0, 12).Select(i => $"w{i}")) + "\r\n");
        string message = Assert.Throws<InvalidDataException>(() => OnnxBertImport.ToFolder(path, Path.Combine(dir, "out"), new OnnxImportOptions { Vocabulary = vocab })).Message;
        Assert.Contains("vocab.txt: 12 word pieces do not fit the model's 10 word embeddings", message);
    }

    [Fact]
    public void BertGraphWithoutItsLayers_NamesWhatIsMissing()
    {
        using var dir = new TempDirectory();
        string path = Write(dir, TinyBert());
        Assert.Contains("no encoder.layer.N tensors", Assert.Throws<InvalidDataException>(
            () => OnnxBertImport.ToFolder(path, Path.Combine(dir, "out"), new OnnxImportOptions())).Message);
    }

    private static ModelProto Graph(Action<GraphProto> build)
    {
        var graph = new GraphProto { Name = "g", Input = { new ValueInfoProto { Name = "input_ids" } } };
        build(graph);
        return new ModelProto { IrVersion = 7, Graph = graph, OpsetImport = { new OperatorSetIdProto { Version = 13 } } };
    }

    // The embeddings of a BERT graph and nothing else.
    private static ModelProto TinyBert() => Graph(g =>
    {
        g.Initializer.Add(Floats("embeddings.word_embeddings.weight", [10, 4]));
        g.Initializer.Add(Floats("embeddings.position_embeddings.weight", [8, 4]));
        g.Initializer.Add(Floats("embeddings.token_type_embeddings.weight", [2, 4]));
        g.Initializer.Add(Floats("embeddings.LayerNorm.weight", [4]));
        g.Initializer.Add(Floats("embeddings.LayerNorm.bias", [4]));
        g.Node.Add(new NodeProto { Name = "Gather_0", OpType = "Gather", Input = { "embeddings.word_embeddings.weight", "input_ids" }, Output = { "e" } });
    });

    private static TensorProto Floats(string name, long[] dims)
    {
        int count = (int)dims.Aggregate(1L, (a, d) => a * d);
        var t = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float, RawData = ByteString.CopyFrom(new byte[4 * count]) };
        t.Dims.AddRange(dims);
        return t;
    }

    private static string Write(string dir, ModelProto model)
    {
        string path = Path.Combine(dir, "model.onnx");
        File.WriteAllBytes(path, model.ToByteArray());
        return path;
    }
}

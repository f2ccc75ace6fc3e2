using Attend.IO;
using Attend.Kernels;
using Attend.Models;
using Attend.Tensors;
using Attend.Tests.Inference;
using Attend.Training;

namespace Attend.Tests.Tensors;

// Inference packs each weight matrix once for the GEMM and reuses the pack while the parameter slab is unchanged. These
// tests pin the two halves of that: the pack is reused (a forward pass writes nothing), and it is never used stale
// (every way to write a parameter retires it).
public class WeightPacksTests
{
    private const int In = 40, Out = 70, Rows = 20;   // 20 rows: the packed path (the small-rows path reads W in place)

    private static (ParameterStore Store, Tensor Weight, Tensor Bias) Layer()
    {
        var store = new ParameterStore();
        Tensor w = store.Create("w", new Shape(Out, In), ParameterInit.XavierUniform);
        Tensor b = store.Create("b", new Shape(Out), ParameterInit.Normal);
        store.Build(9);
        return (store, w, b);
    }

    private static Tensor Input(int seed = 4)
    {
        var rng = new Random(seed);
        return Tensor.From(Enumerable.Range(0, Rows * In).Select(_ => (float)rng.NextDouble() - 0.5f).ToArray(), Rows, In);
    }

    // y = x W^T + b as Ops.Linear computed it before weights were packed: bias rows, then the product that packs W itself.
    private static float[] Expected(Tensor x, Tensor w, Tensor b)
    {
        float[] y = new float[Rows * Out];
        for (int r = 0; r < Rows; r++)
            b.ReadOnlyData.CopyTo(y.AsSpan(r * Out, Out));
        Gemm.Multiply(false, true, Rows, Out, In, 1f, x.ReadOnlyData, In, w.ReadOnlyData, In, 1f, y, Out);
        return y;
    }

    private static float[] Infer(Tensor x, Tensor w, Tensor b)
    {
        using var noGrad = Autograd.NoGrad();
        return Ops.Linear(x, w, b).ToArray();
    }

    [Fact]
    public void Linear_WithoutGradients_IsBitIdenticalToPackingEachCall()
    {
        var (_, w, b) = Layer();
        Tensor x = Input();
        Assert.Equal(Expected(x, w, b), Infer(x, w, b));
        Assert.Equal(Expected(x, w, b), Infer(x, w, b));
    }

    [Fact]
    public void Linear_WithoutGradients_PacksOnceAndReusesThePack()
    {
        var (store, w, b) = Layer();
        Tensor x = Input();
        Infer(x, w, b);
        long version = store.Packs.Version;
        GemmPath path = Gemm.PathFor(Rows, transposeB: true);
        GemmPackedB first = store.Packs.Get(w.Buffer, w.Offset, Out, In, path);
        Infer(x, w, b);
        Infer(x, w, b);
        Assert.Equal(version, store.Packs.Version);
        Assert.Equal(1, store.Packs.Count);
        Assert.Same(first, store.Packs.Get(w.Buffer, w.Offset, Out, In, path));
    }

    [Fact]
    public void Linear_RecordingGradients_MakesNoPack()
    {
        var (store, w, b) = Layer();
        Ops.Sum(Ops.Linear(Input(), w, b)).Backward();
        Assert.Equal(0, store.Packs.Count);
    }

    public static TheoryData<string> Writers() => ["Data", "Values", "RowsView", "ReshapeView", "Detached", "Adam", "LoadWeights"];

    [Theory]
    [MemberData(nameof(Writers))]
    public void Linear_AfterAnyWriteToTheWeight_UsesTheNewValues(string writer)
    {
        var (store, w, b) = Layer();
        Tensor x = Input();
        float[] before = Infer(x, w, b);
        switch (writer)
        {
            case "Data":
                w.Data[5] += 1f;
                break;
            case "Values":
                store.Values[w.Offset + In * 3 + 2] -= 2f;
                break;
            case "RowsView":
                w.Rows(60, 2).Data[1] = 7f;
                break;
            case "ReshapeView":
                w.Reshape(-1).Data[Out * In - 1] = -3f;
                break;
            case "Detached":
                w.Detach().Data[100] *= 4f;
                break;
            case "Adam":
                Ops.Sum(Ops.Linear(x, w, b)).Backward();
                new Adam(store, new AdamOptions()).Step(0.1f);
                break;
            case "LoadWeights":
                var (other, ow, _) = Layer();
                ow.Data.Fill(0.5f);
                string dir = Directory.CreateTempSubdirectory("attend-packs-").FullName;
                try
                {
                    string file = Path.Combine(dir, "w.safetensors");
                    SafeTensorsFile.Write(file, other.Parameters.Select(p => (p.Name!, p.Shape.ToArray(), (ReadOnlyMemory<float>)p.ReadOnlyData.ToArray())),
                        new Dictionary<string, string>());
                    Checkpoint.LoadWeights(file, store);
                }
                finally
                {
                    Directory.Delete(dir, recursive: true);
                }
                break;
        }
        float[] after = Infer(x, w, b);
        Assert.NotEqual(before, after);
        Assert.Equal(Expected(x, w, b), after);
    }

    [Fact]
    public void PackedQueryKeyValue_AfterAWriteToOneOfItsParts_UsesTheNewValues()
    {
        // BERT's query, key and value weights are stored apart and used as one packed [3d, d] projection.
        BertModel model = Bert();
        int[] ids = Enumerable.Range(0, 24).Select(i => 4 + i % 40).ToArray();
        float[] before = Embed(model, ids);
        Assert.Equal(before, Embed(model, ids));
        model.Parameters.Find("encoder.layer.1.attention.self.key.weight")!.Data[3] += 0.5f;
        float[] after = Embed(model, ids);
        Assert.NotEqual(before, after);
        Assert.Equal(EmbedWithGradients(model, ids), after, new ToleranceComparer(1e-5f));
    }

    [Fact]
    public void ForwardPassesOfEveryFamily_WithoutGradients_WriteNoParameter()
    {
        BertModel bert = Bert();
        int[] ids = Enumerable.Range(0, 24).Select(i => 4 + i % 40).ToArray();
        AssertReadOnly(bert.Parameters, () => Embed(bert, ids));
        AssertReadOnly(bert.Parameters, () => bert.Forward(ids, 2, 12, null));

        DecoderOnlyTransformer lm = TinyModels.LanguageModel();
        AssertReadOnly(lm.Parameters, () => lm.Forward(ids.Select(i => i % 200).ToArray(), 2, 12));

        EncoderClassifier encoder = TinyModels.Encoder();
        AssertReadOnly(encoder.Parameters, () => encoder.Logits(ids, 2, 12, null));

        var s2s = Seq2SeqTransformer.Create(Training.ToyTasks.TinyConfig);
        int[] src = ids.Select(i => 3 + i % 8).ToArray();
        AssertReadOnly(s2s.Parameters, () => s2s.Forward(src, 12, null, src, 12, null, 2));
    }

    private static void AssertReadOnly(ParameterStore store, Action forward)
    {
        using (Autograd.NoGrad())
            forward();
        long version = store.Packs.Version;
        int packs = store.Packs.Count;
        using (Autograd.NoGrad())
            forward();
        Assert.Equal(version, store.Packs.Version);
        Assert.True(packs > 0, "the forward pass made no pack");
        Assert.Equal(packs, store.Packs.Count);
    }

    private static BertModel Bert() => BertModel.Create(new ModelConfig
    {
        ModelType = "bert", DModel = 32, Heads = 2, DFF = 64, EncoderLayers = 2, SrcVocabSize = 50, TgtVocabSize = 50, MaxLen = 16,
        Dropout = 0f, Activation = "gelu", Positional = "learned", ScaleEmbeddings = false, LayerNormEps = 1e-12f, Normalize = true,
    }, seed: 8);

    private static float[] Embed(BertModel model, int[] ids)
    {
        using var noGrad = Autograd.NoGrad();
        return model.Embed(ids, 2, 12, null).ToArray();
    }

    private static float[] EmbedWithGradients(BertModel model, int[] ids) => model.Embed(ids, 2, 12, null).ToArray();

    private sealed class ToleranceComparer(float tolerance) : IEqualityComparer<float>
    {
        public bool Equals(float x, float y) => Math.Abs(x - y) <= tolerance;

        public int GetHashCode(float obj) => 0;
    }
}

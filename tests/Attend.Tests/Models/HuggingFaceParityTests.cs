using Attend.IO;
using Attend.Models;
using Attend.Tensors;

namespace Attend.Tests.Models;

/// <summary>
/// Folders in Hugging Face's layout (tests/pytorch/make_hf_fixtures.py: BertModel, BertForSequenceClassification and
/// GPT2LMHeadModel re-stated in PyTorch under Hugging Face's module names, saved as Hugging Face saves them) load
/// unchanged and give PyTorch's outputs and every parameter's gradient to a relative 1e-4.
/// </summary>
public class HuggingFaceParityTests
{
    private const double Relative = 1e-4;

    // The absolute floor: a key bias's gradient is exactly zero (softmax ignores a constant added to every key of a
    // query), and float32 leaves about 2e-7 of rounding there.
    private const double Floor = 1e-6;

    private static string Folder(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "hf", name);

    [Fact]
    public void SentenceBert_LoadsAsBertWithTheFoldersPoolingAndNormalize()
    {
        ModelConfig c = Checkpoint.ReadConfig(Folder("sentence_bert"));
        Assert.Equal(("bert", 16, 2, 2, 32, "gelu", 12, 1e-3f), (c.ModelType, c.DModel, c.Heads, c.EncoderLayers, c.DFF, c.Activation, c.MaxLen, c.LayerNormEps));
        Assert.Equal((23, 2, true, "mean", true, 0), (c.SrcVocabSize, c.TypeVocabSize, c.Pooler, c.Pooling, c.Normalize, c.NumClasses));
    }

    [Fact]
    public void SentenceBert_HiddenStatesPoolerAndEmbeddingsMatchPyTorch()
    {
        var model = Checkpoint.LoadModel<BertModel>(Folder("sentence_bert"));
        var io = FixtureTensors.Read(Path.Combine(Folder("sentence_bert"), "io.safetensors"));
        (int[] ids, bool[] padding, int[] types, int b, int t) = Inputs(io);
        using (Autograd.NoGrad())
        {
            AssertClose("last_hidden_state", model.Forward(ids, b, t, padding, types).ToArray(), io.Floats("last_hidden_state"));
            AssertClose("sentence_embedding", model.Embed(ids, b, t, padding, types).ToArray(), io.Floats("sentence_embedding"));
        }
    }

    [Fact]
    public void SentenceBert_GradientsMatchPyTorch()
    {
        var model = Checkpoint.LoadModel<BertModel>(Folder("sentence_bert"));
        var io = FixtureTensors.Read(Path.Combine(Folder("sentence_bert"), "io.safetensors"));
        (int[] ids, bool[] padding, int[] types, int b, int t) = Inputs(io);
        Tensor hidden = model.Forward(ids, b, t, padding, types);                                            // [B, T, d]
        Tensor cls = Ops.MatMul(Tensor.Wrap(ClsWeights(b, t), b, 1, t), hidden).Reshape(b, model.Config.DModel);
        Tensor pooled = Ops.Tanh(model.Pooler!.Forward(cls));
        AssertClose("pooler_output", pooled.ToArray(), io.Floats("pooler_output"));
        Tensor loss = Ops.Add(Ops.Sum(Ops.Multiply(hidden, Tensor.Wrap(io.Floats("w_hidden"), io.Shape("w_hidden")))),
            Ops.Sum(Ops.Multiply(pooled, Tensor.Wrap(io.Floats("w_pooled"), io.Shape("w_pooled")))));
        AssertClose("loss", [loss.Item()], io.Floats("loss"));
        loss.Backward();
        AssertGradients(model, io, name => name);
    }

    [Fact]
    public void BertClassifier_LogitsLossAndGradientsMatchPyTorch()
    {
        var model = Checkpoint.LoadModel<BertModel>(Folder("bert_classifier"));
        Assert.Equal(("pooler", 3, 1e-12f), (model.Config.Pooling, model.Config.NumClasses, model.Config.LayerNormEps));
        var io = FixtureTensors.Read(Path.Combine(Folder("bert_classifier"), "io.safetensors"));
        (int[] ids, bool[] padding, int[] types, int b, int t) = Inputs(io);
        Tensor logits = model.Classify(ids, b, t, padding, types);
        AssertClose("logits", logits.ToArray(), io.Floats("logits"));
        Tensor loss = Ops.CrossEntropy(logits, io.Ints("labels"));
        AssertClose("loss", [loss.Item()], io.Floats("loss"));
        loss.Backward();
        AssertGradients(model, io, name => name.StartsWith("bert.", StringComparison.Ordinal) ? name[5..] : name);
    }

    [Fact]
    public void Gpt2_LoadsAsAPreNormDecoderWithTanhGeluAndTiedHead()
    {
        ModelConfig c = Checkpoint.ReadConfig(Folder("gpt2"));
        Assert.Equal(("decoder_only", "gelu_new", true, "learned", true, false, false, 32),
            (c.ModelType, c.Activation, c.NormFirst, c.Positional, c.TieEmbeddings, c.ScaleEmbeddings, c.OutputBias, c.DFF));
    }

    [Fact]
    public void Gpt2_LogitsLossAndGradientsMatchPyTorch()
    {
        var model = Checkpoint.LoadModel<DecoderOnlyTransformer>(Folder("gpt2"));
        var io = FixtureTensors.Read(Path.Combine(Folder("gpt2"), "io.safetensors"));
        int[] idx = io.Ints("idx");
        Tensor logits = model.Forward(idx, io.Shape("idx")[0], io.Shape("idx")[1]);
        AssertClose("logits", logits.ToArray(), io.Floats("logits"));
        Tensor loss = Ops.CrossEntropy(logits, io.Ints("targets"));
        AssertClose("loss", [loss.Item()], io.Floats("loss"));
        loss.Backward();
        // Conv1D gradients are stored [in, out] like their weights; ours are [out, in]
        var conv1D = new[] { ".attn.c_attn.weight", ".attn.c_proj.weight", ".mlp.c_fc.weight", ".mlp.c_proj.weight" };
        foreach (string name in io.Names.Where(n => n.StartsWith("grad.", StringComparison.Ordinal)))
        {
            string stored = name[5..];
            Tensor p = model.Parameters.Find("transformer." + stored)!;
            float[] grad = p.Grad.ToArray();
            if (conv1D.Any(s => stored.EndsWith(s, StringComparison.Ordinal)))
                grad = MatrixLayout.Transpose(grad, p.Shape[0], p.Shape[1]);
            AssertClose(name, grad, io.Floats(name));
        }
    }

    private static (int[] Ids, bool[] Padding, int[] Types, int Batch, int Length) Inputs(FixtureTensors io)
    {
        int[] mask = io.Ints("attention_mask");
        return (io.Ints("input_ids"), mask.Select(m => m == 0).ToArray(), io.Ints("token_type_ids"), io.Shape("input_ids")[0], io.Shape("input_ids")[1]);
    }

    private static float[] ClsWeights(int batch, int length)
    {
        float[] w = new float[batch * length];
        for (int b = 0; b < batch; b++)
            w[b * length] = 1f;
        return w;
    }

    private static void AssertGradients(ITransformerModel model, FixtureTensors io, Func<string, string> ours)
    {
        string[] names = io.Names.Where(n => n.StartsWith("grad.", StringComparison.Ordinal)).ToArray();
        Assert.Equal(model.Parameters.Parameters.Count, names.Length);
        foreach (string name in names)
            AssertClose(name, model.Parameters.Find(ours(name[5..]))!.Grad.ToArray(), io.Floats(name));
    }


    /// <summary>max |actual - expected| &lt;= 1e-4 max |expected| + 1e-6.</summary>
    private static void AssertClose(string what, float[] actual, float[] expected)
    {
        Assert.Equal(expected.Length, actual.Length);
        double scale = expected.Max(v => Math.Abs((double)v)), worst = 0;
        int at = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double error = Math.Abs((double)actual[i] - expected[i]);
            if (double.IsNaN(error) || error > worst)
                (worst, at) = (double.IsNaN(error) ? double.PositiveInfinity : error, i);
        }
        Assert.True(worst <= Relative * scale + Floor,
            $"{what}: max |ours - PyTorch| = {worst:E3} at [{at}] (ours {actual[at]:R}, PyTorch {expected[at]:R}), max |PyTorch| = {scale:E3}");
    }
}

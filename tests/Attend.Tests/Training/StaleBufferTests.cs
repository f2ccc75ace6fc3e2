using Attend.Models;
using Attend.Tensors;
using Attend.Tests.Tensors;
using Attend.Training;

namespace Attend.Tests.Training;

/// <summary>
/// Gradient buffers are rented from the pool without clearing; the first backward rule that writes all of one assigns
/// to it, the others see it cleared. A step must therefore train alike whatever stale values the pool's buffers hold:
/// one step from a pool full of NaN and one from a pool full of zeros give bit-identical weights. (Runs alone: it
/// fills the process-wide pool.)
/// </summary>
[Collection(nameof(WorkspaceTests))]
public class StaleBufferTests
{
    [Fact]
    public void TranslationStep_FromAPoolOfStaleBuffers_GivesTheWeightsOfAClearedPool()
    {
        Assert.Equal(TranslationWeights(0f), TranslationWeights(float.NaN));
    }

    [Fact]
    public void LanguageModelStep_FromAPoolOfStaleBuffers_GivesTheWeightsOfAClearedPool()
    {
        Assert.Equal(LanguageModelWeights(0f), LanguageModelWeights(float.NaN));
    }

    private static float[] TranslationWeights(float stale)
    {
        ModelConfig config = ToyTasks.TinyConfig with { Dropout = 0.1f };
        var model = Seq2SeqTransformer.Create(config, seed: 3);
        var adam = new Adam(model.Parameters, new AdamOptions());
        var batch = TranslationBatch.Create(ToyTasks.Pairs(8, seed: 3, reverse: true), ToyTasks.Pad, ToyTasks.Bos, ToyTasks.Eos);
        FillPool(stale);
        TrainingStep.Translation(model, batch, adam, 1e-2f, new StepOptions());
        return model.Parameters.Values.ToArray();
    }

    private static float[] LanguageModelWeights(float stale)
    {
        ModelConfig config = ToyTasks.TinyConfig with { ModelType = "decoder_only", EncoderLayers = 0, Dropout = 0.1f, Activation = "gelu", NormFirst = true };
        var model = DecoderOnlyTransformer.Create(config, seed: 3);
        var adam = new Adam(model.Parameters, new AdamOptions { WeightDecay = 0.1f, Decoupled = true });
        var rng = new Rng(3);
        int[] inputs = Enumerable.Range(0, 3 * 10).Select(_ => rng.NextInt(config.TgtVocabSize)).ToArray();
        int[] targets = Enumerable.Range(0, 3 * 10).Select(i => i % 4 == 0 ? -100 : rng.NextInt(config.TgtVocabSize)).ToArray();
        FillPool(stale);
        TrainingStep.LanguageModel(model, inputs, targets, 3, 10, adam, 1e-2f, new StepOptions { LabelSmoothing = 0f });
        return model.Parameters.Values.ToArray();
    }

    // Puts six buffers of every size class up to 2^14 floats into the pool, filled with `value`.
    private static void FillPool(float value)
    {
        Workspace.Trim();
        using Workspace.Scope scope = Workspace.Begin();
        var buffers = new List<float[]>();
        for (int length = 1; length <= 1 << 14; length = Workspace.SizeClass(length + 1))
            for (int copy = 0; copy < 6; copy++)
            {
                float[] buffer = Workspace.Rent(length, clear: false);
                Array.Fill(buffer, value);
                buffers.Add(buffer);
            }
        foreach (float[] buffer in buffers)
            Workspace.Release(buffer);
    }
}

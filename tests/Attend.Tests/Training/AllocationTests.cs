using Attend.Models;
using Attend.Tensors;
using Attend.Tests.Tensors;
using Attend.Training;

namespace Attend.Tests.Training;

/// <summary>
/// A warm training step allocates nothing on the managed heap. The calling thread does all the allocating work (the
/// graph's tensors, the workspace's buffers, the parallel loops' jobs), so its own counter is what is measured. The
/// buffer pool is process-wide, so these run alone: another test's scopes could otherwise take or drop its buffers.
/// </summary>
[Collection(nameof(WorkspaceTests))]
public class AllocationTests
{
    [Fact]
    public void TranslationStep_WhenWarm_AllocatesNothing()
    {
        ModelConfig config = ToyTasks.TinyConfig with { Dropout = 0.1f };
        var model = Seq2SeqTransformer.Create(config, seed: 5);
        var adam = new Adam(model.Parameters, new AdamOptions());
        var batch = TranslationBatch.Create(ToyTasks.Pairs(16, seed: 5, reverse: true), ToyTasks.Pad, ToyTasks.Bos, ToyTasks.Eos);
        var options = new StepOptions();

        Assert.Equal(0, AllocatedByWarmSteps(() => TrainingStep.Translation(model, batch, adam, 1e-3f, options)));
    }

    [Fact]
    public void LanguageModelStep_WhenWarm_AllocatesNothing()
    {
        ModelConfig config = ToyTasks.TinyConfig with { ModelType = "decoder_only", EncoderLayers = 0, Dropout = 0.1f };
        var model = DecoderOnlyTransformer.Create(config, seed: 5);
        var adam = new Adam(model.Parameters, new AdamOptions { WeightDecay = 0.1f, Decoupled = true });
        var rng = new Rng(5);
        int[] inputs = Enumerable.Range(0, 4 * 12).Select(_ => rng.NextInt(config.TgtVocabSize)).ToArray();
        int[] targets = Enumerable.Range(0, 4 * 12).Select(_ => rng.NextInt(config.TgtVocabSize)).ToArray();
        var options = new StepOptions { LabelSmoothing = 0f };

        Assert.Equal(0, AllocatedByWarmSteps(() => TrainingStep.LanguageModel(model, inputs, targets, 4, 12, adam, 1e-3f, options)));
    }

    // Bytes the calling thread allocates in three steps once warm. The buffer pool starts empty (buffers that earlier
    // tests left in it would serve this model's first steps and be dropped as idle later). Warm means a step allocated
    // nothing: the first steps fill the pools and the per-thread buffers, and a thread's first run of a kernel part can
    // come a step or two late (which thread runs which part is a matter of timing). A step that keeps allocating never
    // gets warm, and its bytes are returned.
    private static long AllocatedByWarmSteps(Func<float> step)
    {
        Workspace.Trim();
        long last = 0;
        for (int i = 0; i < 8; i++)
        {
            long start = GC.GetAllocatedBytesForCurrentThread();
            step();
            last = GC.GetAllocatedBytesForCurrentThread() - start;
            if (i >= 2 && last == 0)
                break;
        }
        if (last != 0)
            return last;
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 3; i++)
            step();
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }
}

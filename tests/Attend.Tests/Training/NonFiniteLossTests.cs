using Attend.Models;
using Attend.Training;

namespace Attend.Tests.Training;

public class NonFiniteLossTests
{
    [Fact]
    public void TrainingStep_NaNLoss_StopsWithAClearMessageBeforeTouchingTheWeights()
    {
        var model = Seq2SeqTransformer.Create(ToyTasks.TinyConfig, 1);
        model.Parameters.Values.AsSpan().Fill(float.NaN);
        var adam = new Adam(model.Parameters, new AdamOptions());
        var batch = TranslationBatch.Create(ToyTasks.Pairs(4, 1, false), ToyTasks.Pad, ToyTasks.Bos, ToyTasks.Eos);
        var e = Assert.Throws<InvalidOperationException>(() => TrainingStep.Translation(model, batch, adam, 1e-3f, new StepOptions()));
        Assert.Contains("the loss became NaN at step 1", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, adam.StepCount);
        Assert.All(adam.M, m => Assert.Equal(0f, m));
    }
}

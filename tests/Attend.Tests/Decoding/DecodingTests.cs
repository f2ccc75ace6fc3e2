using Attend.Decoding;
using Attend.Models;
using Attend.Tensors;
using Attend.Tests.Training;

namespace Attend.Tests.Decoding;

public sealed class PartlyTrainedModel
{
    public Seq2SeqTransformer Model { get; } = ToyTasks.Train(reverse: true, steps: 120);

    public List<int[]> Sources { get; } = ToyTasks.Pairs(20, 4242, reverse: true).Select(p => p.Source).ToList();
}

public class DecodingTests(PartlyTrainedModel fixture) : IClassFixture<PartlyTrainedModel>
{
    [Fact]
    public void Greedy_WithAndWithoutKeyValueCache_GivesIdenticalTokens()
    {
        int[][] cached = Greedy.Translate(fixture.Model, fixture.Sources, 10, useCache: true);
        int[][] plain = Greedy.Translate(fixture.Model, fixture.Sources, 10, useCache: false);
        Assert.Equal(plain, cached);
    }

    [Fact]
    public void Sampling_RestartWindow_IsTheLastMaxLenMinusOneTokensOfPromptAndOutput()
    {
        int[] window = Sampling.RestartWindow([10, 11, 12, 13, 14, 15, 16], [20, 21, 22, 23], 8);
        Assert.Equal([14, 15, 16, 20, 21, 22, 23], window);
    }

    [Fact]
    public void BeamSearch_BeamOne_EqualsGreedy()
    {
        int[][] greedy = Greedy.Translate(fixture.Model, fixture.Sources, 10);
        int[][] beam = BeamSearch.Translate(fixture.Model, fixture.Sources, 1, 10);
        Assert.Equal(greedy, beam);
    }

    [Fact]
    public void BeamSearch_WiderBeam_ScoresAtLeastAsWellAsGreedy()
    {
        int[] source = fixture.Sources[0];
        double greedyScore = SequenceLogProb(source, Greedy.Translate(fixture.Model, [source], 10)[0]);
        double beamScore = SequenceLogProb(source, BeamSearch.Translate(fixture.Model, [source], 4, 10, lengthPenalty: 0f)[0]);
        Assert.True(beamScore >= greedyScore - 1e-4, $"beam {beamScore} < greedy {greedyScore}");
    }

    [Fact]
    public void Greedy_BatchedAndOneByOne_Agree()
    {
        int[][] batched = Greedy.Translate(fixture.Model, fixture.Sources, 10);
        int[][] single = fixture.Sources.Select(s => Greedy.Translate(fixture.Model, [s], 10)[0]).ToArray();
        Assert.Equal(single, batched);
    }

    [Fact]
    public void Sampling_TopKOne_IsGreedy_AndSeedsRepeat()
    {
        var rng = new Rng(1);
        float[] logits = [0.1f, 2f, -1f, 1.9f];
        Assert.Equal(1, Sampling.Pick(logits, new SamplingOptions { TopK = 1 }, rng));
        Assert.Equal(1, Sampling.Pick(logits, new SamplingOptions { Temperature = 0f }, rng));
        int[] a = Enumerable.Range(0, 50).Select(_ => 0).Select(_ => Sampling.Pick(logits, new SamplingOptions(), rng)).ToArray();
        var again = new Rng(1);
        Sampling.Pick(logits, new SamplingOptions { TopK = 1 }, again);
        Sampling.Pick(logits, new SamplingOptions { Temperature = 0f }, again);
        int[] b = Enumerable.Range(0, 50).Select(_ => Sampling.Pick(logits, new SamplingOptions(), again)).ToArray();
        Assert.Equal(a, b);
        Assert.DoesNotContain(2, Enumerable.Range(0, 200).Select(_ => Sampling.Pick(logits, new SamplingOptions { TopP = 0.9f }, rng)));
    }

    private double SequenceLogProb(int[] source, int[] target)
    {
        var model = fixture.Model;
        using var noGrad = Autograd.NoGrad();
        var batch = Attend.Training.TranslationBatch.Create([(source, target)], ToyTasks.Pad, ToyTasks.Bos, ToyTasks.Eos);
        Tensor logp = Ops.LogSoftmax(model.Forward(batch.Source, batch.SourceLength, batch.SourcePadding, batch.TargetIn, batch.TargetLength, batch.TargetPadding, 1));
        int v = logp.Shape.Last;
        return batch.TargetOut.Select((t, i) => (double)logp.Data[i * v + t]).Sum();
    }
}

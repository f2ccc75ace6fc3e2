using Attend.Decoding;
using Attend.Models;
using Attend.Tensors;
using Attend.Tests.Inference;

namespace Attend.Tests.Decoding;

public class ContinuousBatchTests
{
    private static readonly SamplingOptions GreedyChoice = new() { Temperature = 0f };

    // The logits of the position after `tokens`, from a full pass without any cache.
    private static float[] UncachedNextLogits(DecoderOnlyTransformer model, int[] tokens)
    {
        using var noGrad = Autograd.NoGrad();
        Tensor logits = model.Forward(tokens, 1, tokens.Length);
        int v = logits.Shape.Last;
        return logits.Data.Slice(logits.Length - v, v).ToArray();
    }

    [Fact]
    public void SequencesJoiningAtDifferentSteps_EachGetTheGreedyTokensOfAnUncachedPass()
    {
        DecoderOnlyTransformer model = TinyModels.LanguageModel();
        int[][] prompts = [[10, 11, 12], [40], [70, 71, 72, 73, 74, 75], [100, 101]];
        using var batch = new ContinuousBatch(model);
        var sequences = new List<GenerationSequence> { batch.Join(prompts[0], 8, GreedyChoice), batch.Join(prompts[1], 3, GreedyChoice) };
        batch.Step();
        sequences.Add(batch.Join(prompts[2], 6, GreedyChoice));
        batch.Step();
        batch.Step();
        sequences.Add(batch.Join(prompts[3], 5, GreedyChoice));
        while (batch.Active.Count > 0)
            batch.Step();
        for (int s = 0; s < sequences.Count; s++)
        {
            GenerationSequence seq = sequences[s];
            Assert.Equal(FinishReason.Length, seq.Finish);
            Assert.Equal(seq.MaxNewTokens, seq.Tokens.Count);
            for (int i = 0; i < seq.Tokens.Count; i++)
            {
                float[] logits = UncachedNextLogits(model, [.. seq.Prompt, .. seq.Tokens.Take(i)]);
                Assert.True(logits[seq.Tokens[i]] >= logits.Max() - 1e-4f, $"sequence {s}, token {i} is not the greedy choice");
            }
        }
    }

    [Fact]
    public void ASequenceAlone_SamplesExactlyWhatSamplingGenerateDoes()
    {
        DecoderOnlyTransformer model = TinyModels.LanguageModel(maxLen: 64);
        var options = new SamplingOptions { Temperature = 0.9f, TopK = 50, Seed = 11 };
        int[] expected = Sampling.Generate(model, [5, 6, 7], 20, options);
        using var batch = new ContinuousBatch(model);
        GenerationSequence seq = batch.Join([5, 6, 7], 20, options);
        while (batch.Active.Count > 0)
            batch.Step();
        Assert.Equal(expected, seq.Tokens);
    }

    [Fact]
    public void ASequenceLeaves_WhenTheContextIsFull_AndFinishedOnesFreeTheirCaches()
    {
        DecoderOnlyTransformer model = TinyModels.LanguageModel(maxLen: 8);
        using var batch = new ContinuousBatch(model);
        GenerationSequence full = batch.Join([1, 2, 3, 4, 5], 100, GreedyChoice);
        GenerationSequence cancelled = batch.Join([1, 2], 100, GreedyChoice);
        batch.Leave(cancelled);
        Assert.Single(batch.Active);
        Assert.Equal(0, cancelled.Cache.Length);
        while (batch.Active.Count > 0)
            batch.Step();
        Assert.Equal(FinishReason.Length, full.Finish);
        Assert.Equal(8 - 5 + 1, full.Tokens.Count);   // the last token is sampled from the logits at position max_len - 1
        Assert.Equal(0, full.Cache.Length);
    }

    [Fact]
    public void TheStopToken_EndsASequenceWithoutBeingPartOfIt()
    {
        DecoderOnlyTransformer model = TinyModels.LanguageModel();
        using var batch = new ContinuousBatch(model);
        int first = batch.Join([9, 9, 9], 1, GreedyChoice).Tokens[0];
        GenerationSequence stopped = batch.Join([9, 9, 9], 5, GreedyChoice, stopId: first);
        Assert.Equal(FinishReason.Stop, stopped.Finish);
        Assert.Empty(stopped.Tokens);
        Assert.Empty(batch.Active);
    }

    [Fact]
    public void APromptLongerThanMaxLen_IsRefused()
    {
        using var batch = new ContinuousBatch(TinyModels.LanguageModel(maxLen: 4));
        Assert.Throws<ArgumentException>(() => batch.Join([1, 2, 3, 4, 5], 2, GreedyChoice));
        Assert.Throws<ArgumentException>(() => batch.Join([], 2, GreedyChoice));
    }
}

using Attend.Decoding;
using Attend.Inference;
using Attend.Models;

namespace Attend.Tests.Inference;

public class TextGeneratorTests
{
    private static readonly SamplingOptions GreedyChoice = new() { Temperature = 0f };

    private static async Task<(List<int> Tokens, FinishReason? Finish)> Collect(IAsyncEnumerable<GeneratedToken> stream)
    {
        var tokens = new List<int>();
        FinishReason? finish = null;
        await foreach (GeneratedToken t in stream)
            if (t.Finish is { } f)
                finish = f;
            else
                tokens.Add(t.Id);
        return (tokens, finish);
    }

    [Fact]
    public async Task ConcurrentRequests_GetWhatEachGetsAlone()
    {
        DecoderOnlyTransformer model = TinyModels.LanguageModel(maxLen: 48);
        int[][] prompts = Enumerable.Range(0, 6).Select(i => Enumerable.Range(20 + i, 1 + i).ToArray()).ToArray();
        var options = new SamplingOptions { Temperature = 0.8f, Seed = 4 };
        var alone = prompts.Select((p, i) => Sampling.Generate(model, p, 5 + 3 * i, options)).ToArray();
        // The generator's thread raises StepCompleted: holding it there until every request is queued keeps a tiny
        // model from finishing each request before the next one arrives. The gate outlives the generator.
        using var queued = new ManualResetEventSlim(false);
        using var generator = new TextGenerator(model, new BatchingOptions { MaxBatch = 4 });
        var steps = new List<int>();
        generator.StepCompleted += run =>
        {
            queued.Wait();
            lock (steps)
                steps.Add(run.Size);
        };
        var running =
            prompts.Select((p, i) => Collect(generator.GenerateAsync(p, 5 + 3 * i, options, null))).ToArray();   // each queues its request before its first await
        queued.Set();
        var results = await Task.WhenAll(running);
        for (int i = 0; i < prompts.Length; i++)
        {
            Assert.Equal(FinishReason.Length, results[i].Finish);
            Assert.Equal(alone[i].Length, results[i].Tokens.Count);
            // Batched rows may round differently from a single row, so a sampled token may differ only where two
            // candidates are within rounding of each other; with these seeds none is.
            Assert.Equal(alone[i], results[i].Tokens);
        }
        lock (steps)
            Assert.Contains(steps, s => s > 1);   // some steps ran several sequences at once
        Assert.All(steps, s => Assert.InRange(s, 1, 4));
    }

    [Fact]
    public async Task StoppingEarly_TakesTheSequenceOutOfTheBatch()
    {
        using var generator = new TextGenerator(TinyModels.LanguageModel(maxLen: 200));
        await foreach (GeneratedToken t in generator.GenerateAsync([1, 2, 3], 190, GreedyChoice, null))
            break;
        for (int i = 0; i < 200 && generator.ActiveCount > 0; i++)
            await Task.Delay(10);
        Assert.Equal(0, generator.ActiveCount);
    }

    [Fact]
    public async Task Cancelling_EndsTheStreamAndFreesTheSequence()
    {
        using var generator = new TextGenerator(TinyModels.LanguageModel(maxLen: 200));
        using var cts = new CancellationTokenSource();
        int seen = 0;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (GeneratedToken t in generator.GenerateAsync([1, 2, 3], 190, GreedyChoice, null, cts.Token))
                if (++seen == 2)
                    await cts.CancelAsync();
        });
        for (int i = 0; i < 200 && generator.ActiveCount > 0; i++)
            await Task.Delay(10);
        Assert.Equal(0, generator.ActiveCount);
    }

    [Fact]
    public async Task AFullQueue_RefusesTheNextRequest()
    {
        // The generator's thread raises StepCompleted: holding it there keeps the first request in the batch (a tiny
        // model would otherwise finish all its tokens before the test queues the next two). The gate outlives the generator.
        using var gate = new ManualResetEventSlim(false);
        using var generator = new TextGenerator(TinyModels.LanguageModel(maxLen: 200), new BatchingOptions { MaxBatch = 1, MaxQueue = 1 });
        generator.StepCompleted += _ => gate.Wait();
        var running = generator.GenerateAsync([1], 150, GreedyChoice, null).GetAsyncEnumerator();
        Assert.True(await running.MoveNextAsync());   // the first request runs
        var waiting = generator.GenerateAsync([2], 150, GreedyChoice, null).GetAsyncEnumerator();
        var next = waiting.MoveNextAsync();          // the second waits for a place in the batch of one
        await Assert.ThrowsAsync<QueueFullException>(async () => await generator.GenerateAsync([3], 5, GreedyChoice, null).GetAsyncEnumerator().MoveNextAsync());
        gate.Set();
        await running.DisposeAsync();
        Assert.True(await next);
        await waiting.DisposeAsync();
    }
}

using System.Text.Json;

namespace Attend.Server.Tests;

/// <summary>Batching, the endpoints without an OpenAI client, metrics and the page's own endpoints.</summary>
public class ServerBehaviourTests
{
    [Fact]
    public async Task ConcurrentEmbeddingRequests_RunInSharedBatches_AndEachGetsItsOwnResult()
    {
        await using TestServer server = await TestServer.Start(o => o with { Batching = o.Batching with { MaxWait = TimeSpan.FromMilliseconds(200), MaxBatch = 8 } });
        string[] texts = Enumerable.Range(0, 8).Select(i => $"the dog {new string('o', i + 1)}").ToArray();
        var alone = new List<float[]>();
        foreach (string t in texts)
            alone.Add(Vector((await server.PostJson("/v1/embeddings", $$"""{"model": "enc", "input": "{{t}}"}""")).Body));
        double batchesBefore = await server.Metric("""attend_batch_size_count{model="enc",kind="embeddings"}""");
        var together = await Task.WhenAll(texts.Select(t => server.PostJson("/v1/embeddings", $$"""{"model": "enc", "input": "{{t}}"}""")));
        double batches = await server.Metric("""attend_batch_size_count{model="enc",kind="embeddings"}""") - batchesBefore;
        Assert.True(batches < texts.Length, $"{texts.Length} concurrent requests ran in {batches} batches");
        for (int i = 0; i < texts.Length; i++)
        {
            float[] v = Vector(together[i].Body);
            for (int j = 0; j < v.Length; j++)
                Assert.Equal(alone[i][j], v[j], 1e-4f);   // padding to the batch's longest text changes nothing
        }
    }

    private static float[] Vector(JsonElement body) =>
        body.GetProperty("data")[0].GetProperty("embedding").EnumerateArray().Select(e => e.GetSingle()).ToArray();

    [Fact]
    public async Task ConcurrentGenerations_ShareSteps_AndEachReplyIsWhatItIsAlone()
    {
        await using TestServer server = await TestServer.Start();
        string Body(int i) => $$"""{"model": "lm", "prompt": "fox {{i}}", "max_tokens": {{10 + 5 * i}}, "temperature": 0}""";
        var alone = new List<string>();
        for (int i = 0; i < 6; i++)
            alone.Add((await server.PostJson("/v1/completions", Body(i))).Body.GetProperty("choices")[0].GetProperty("text").GetString()!);
        double stepsBefore = await server.Metric("""attend_batch_size_count{model="lm",kind="generation"}""");
        double sumBefore = await server.Metric("""attend_batch_size_sum{model="lm",kind="generation"}""");
        var together = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => server.PostJson("/v1/completions", Body(i))));
        double steps = await server.Metric("""attend_batch_size_count{model="lm",kind="generation"}""") - stepsBefore;
        double sequenceSteps = await server.Metric("""attend_batch_size_sum{model="lm",kind="generation"}""") - sumBefore;
        Assert.True(sequenceSteps / steps > 1.5, $"{sequenceSteps} sequence-steps in {steps} steps: the generations did not share steps");
        for (int i = 0; i < 6; i++)
            Assert.Equal(alone[i], together[i].Body.GetProperty("choices")[0].GetProperty("text").GetString());
    }

    [Fact]
    public async Task Completions_GiveNChoices_StopAtAStopSequence_AndCountTokens()
    {
        await using TestServer server = await TestServer.Start();
        var (status, body) = await server.PostJson("/v1/completions", """{"model": "lm", "prompt": ["a", "b"], "n": 2, "max_tokens": 5, "seed": 1}""");
        Assert.Equal(200, status);
        JsonElement[] choices = body.GetProperty("choices").EnumerateArray().ToArray();
        Assert.Equal([0, 1, 2, 3], choices.Select(c => c.GetProperty("index").GetInt32()));
        // An untrained model may sample its end-of-sequence token early ("stop"); otherwise each choice runs to max_tokens.
        Assert.All(choices, c => Assert.Contains(c.GetProperty("finish_reason").GetString(), new[] { "stop", "length" }));
        int completion = body.GetProperty("usage").GetProperty("completion_tokens").GetInt32();
        if (choices.All(c => c.GetProperty("finish_reason").GetString() == "length"))
            Assert.Equal(20, completion);
        else
            Assert.InRange(completion, 0, 19);
        // Take a reply, then ask again with one of its characters as a stop sequence: the reply ends before its first occurrence.
        (status, body) = await server.PostJson("/v1/completions", """{"model": "lm", "prompt": "a", "max_tokens": 12, "seed": 1}""");
        string text = body.GetProperty("choices")[0].GetProperty("text").GetString()!;
        char mark = text.Skip(1).First(ch => ch != '\uFFFD' && !char.IsSurrogate(ch));
        string stop = JsonSerializer.Serialize(mark.ToString());
        (status, body) = await server.PostJson("/v1/completions", $$"""{"model": "lm", "prompt": "a", "max_tokens": 12, "seed": 1, "stop": {{stop}}}""");
        JsonElement choice = body.GetProperty("choices")[0];
        Assert.Equal("stop", choice.GetProperty("finish_reason").GetString());
        Assert.Equal(text[..text.IndexOf(mark, StringComparison.Ordinal)], choice.GetProperty("text").GetString());
    }

    [Fact]
    public async Task Translations_Classifications_Tokenize_Attention_AndMetrics()
    {
        await using TestServer server = await TestServer.Start();
        var (status, body) = await server.PostJson("/v1/translations", """{"model": "mt", "input": ["ein hund", "im schnee"], "max_tokens": 6}""");
        Assert.Equal(200, status);
        Assert.Equal(2, body.GetProperty("data").GetArrayLength());
        Assert.Equal("translation", body.GetProperty("data")[1].GetProperty("object").GetString());
        var (beamStatus, _) = await server.PostJson("/v1/translations", """{"model": "mt", "input": "ein hund", "beam": 3, "max_tokens": 6}""");
        Assert.Equal(200, beamStatus);

        (status, body) = await server.PostJson("/v1/classifications", """{"model": "enc", "input": "good great"}""");
        JsonElement c = body.GetProperty("data")[0];
        var probabilities = c.GetProperty("probabilities").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetDouble());
        Assert.Equal(["a", "b", "c"], probabilities.Keys.Order());
        Assert.Equal(1.0, probabilities.Values.Sum(), 4);
        Assert.Equal(probabilities.MaxBy(p => p.Value).Key, c.GetProperty("label").GetString());

        (status, body) = await server.PostJson("/v1/tokenize", """{"model": "mt", "input": "ein hund"}""");
        int tokens = body.GetProperty("tokens").GetArrayLength();
        Assert.Equal("ein hund", string.Concat(body.GetProperty("tokens").EnumerateArray().Select(t => t.GetProperty("text").GetString())));

        (status, body) = await server.PostJson("/v1/attention", """{"model": "mt", "input": "ein hund"}""");
        Assert.Equal(200, status);
        JsonElement cross = body.GetProperty("views")[0];
        Assert.Equal("cross", cross.GetProperty("kind").GetString());
        int rows = cross.GetProperty("rows").GetArrayLength();
        Assert.Equal(tokens, cross.GetProperty("columns").GetArrayLength());
        JsonElement head = cross.GetProperty("weights")[1][1];   // layer 1, head 1
        Assert.Equal(rows * tokens, head.GetArrayLength());
        for (int r = 0; r < rows; r++)
            Assert.Equal(1.0, Enumerable.Range(0, tokens).Sum(k => head[r * tokens + k].GetDouble()), 2);   // each row is a distribution

        Assert.Equal(404, (await server.PostJson("/v1/translations", """{"model": "none", "input": "a"}""")).Status);
        string metrics = await server.Http.GetStringAsync("/metrics");
        foreach (string name in new[] { "attend_requests_total", "attend_request_duration_seconds_bucket", "attend_queue_length", "attend_batch_size_bucket",
                     "attend_tokens_total", "attend_generated_tokens_per_second", "attend_active_sequences", "attend_request_errors_total" })
            Assert.Contains(name, metrics, StringComparison.Ordinal);
        Assert.Contains("""attend_requests_total{endpoint="translations",status="200"} 2""", metrics, StringComparison.Ordinal);
        Assert.Contains("""attend_request_errors_total{endpoint="translations",type="invalid_request_error"} 1""", metrics, StringComparison.Ordinal);
        using JsonDocument health = JsonDocument.Parse(await server.Http.GetStringAsync("/health"));
        Assert.Equal("ok", health.RootElement.GetProperty("status").GetString());
    }
}

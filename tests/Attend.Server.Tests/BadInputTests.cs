using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Attend.Server.Tests;

/// <summary>Every kind of bad request gets an OpenAI-style error with the right status, and the server keeps serving.</summary>
[Collection("server")]
public class BadInputTests(ServerFixture fixture)
{
    private TestServer Server => fixture.Server;

    private static void AssertError(int expectedStatus, (int Status, JsonElement Body) response, string? param = null, string? code = null)
    {
        Assert.Equal(expectedStatus, response.Status);
        JsonElement error = response.Body.GetProperty("error");
        Assert.False(string.IsNullOrEmpty(error.GetProperty("message").GetString()));
        Assert.False(string.IsNullOrEmpty(error.GetProperty("type").GetString()));
        if (param is not null)
            Assert.Equal(param, error.GetProperty("param").GetString());
        if (code is not null)
            Assert.Equal(code, error.GetProperty("code").GetString());
    }

    private async Task AssertStillServes()
    {
        var (status, body) = await Server.PostJson("/v1/embeddings", """{"model": "enc", "input": "still here"}""");
        Assert.Equal(200, status);
        Assert.Equal(32, body.GetProperty("data")[0].GetProperty("embedding").GetArrayLength());
    }

    [Theory]
    [InlineData("/v1/embeddings", """{"model": "enc", "input": ["a", """)]
    [InlineData("/v1/completions", "not json at all")]
    [InlineData("/v1/chat/completions", "[1, 2]")]
    [InlineData("/v1/translations", "")]
    public async Task MalformedJson_Is400(string path, string body)
    {
        AssertError(400, await Server.PostJson(path, body));
        await AssertStillServes();
    }

    [Theory]
    [InlineData("/v1/embeddings", """{"model": "enc", "input": 5}""", "input")]
    [InlineData("/v1/embeddings", """{"model": 7, "input": "a"}""", "model")]
    [InlineData("/v1/embeddings", """{"model": "enc", "input": "a", "encoding_format": "hex"}""", "encoding_format")]
    [InlineData("/v1/completions", """{"model": "lm", "prompt": "a", "max_tokens": "ten"}""", "max_tokens")]
    [InlineData("/v1/completions", """{"model": "lm", "prompt": "a", "temperature": 3}""", "temperature")]
    [InlineData("/v1/completions", """{"model": "lm", "prompt": "a", "stream": "yes"}""", "stream")]
    [InlineData("/v1/completions", """{"model": "lm", "prompt": "a", "stop": [1]}""", "stop")]
    [InlineData("/v1/chat/completions", """{"model": "lm", "messages": "hi"}""", "messages")]
    [InlineData("/v1/translations", """{"model": "mt", "input": "a", "beam": 1.5}""", "beam")]
    [InlineData("/v1/classifications", """{"model": "enc", "input": {"text": "a"}}""", "input")]
    public async Task WrongTypes_Are400NamingTheParameter(string path, string body, string param)
    {
        AssertError(400, await Server.PostJson(path, body), param);
        await AssertStillServes();
    }

    [Theory]
    [InlineData("/v1/embeddings", """{"model": "nope", "input": "a"}""")]
    [InlineData("/v1/completions", """{"model": "nope", "prompt": "a"}""")]
    [InlineData("/v1/chat/completions", """{"model": "nope", "messages": [{"role": "user", "content": "a"}]}""")]
    public async Task UnknownModel_Is404(string path, string body) =>
        AssertError(404, await Server.PostJson(path, body), "model", "model_not_found");

    [Fact]
    public async Task AModelOfAnotherFamily_Is400()
    {
        AssertError(400, await Server.PostJson("/v1/embeddings", """{"model": "lm", "input": "a"}"""), "model");
        AssertError(400, await Server.PostJson("/v1/completions", """{"model": "mt", "prompt": "a"}"""), "model");
    }

    [Theory]
    [InlineData("/v1/embeddings", """{"model": "enc", "input": ""}""")]
    [InlineData("/v1/embeddings", """{"model": "enc", "input": []}""")]
    [InlineData("/v1/embeddings", """{"model": "enc", "input": ["a", ""]}""")]
    [InlineData("/v1/completions", """{"model": "lm", "prompt": ""}""")]
    [InlineData("/v1/chat/completions", """{"model": "lm", "messages": []}""")]
    [InlineData("/v1/translations", """{"model": "mt", "input": ""}""")]
    [InlineData("/v1/embeddings", """{"model": "enc"}""")]
    public async Task EmptyInput_Is400(string path, string body) => AssertError(400, await Server.PostJson(path, body));

    [Fact]
    public async Task TooLongInput_Is400_UnlessTruncationIsAsked()
    {
        string longText = string.Concat(Enumerable.Repeat("zq ", 40));   // more than max_len 32 tokens
        AssertError(400, await Server.PostJson("/v1/embeddings", $$"""{"model": "enc", "input": "{{longText}}"}"""), code: "context_length_exceeded");
        var (status, body) = await Server.PostJson("/v1/embeddings", $$"""{"model": "enc", "input": "{{longText}}", "truncate": true}""");
        Assert.Equal(200, status);
        Assert.Equal(32, body.GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
        AssertError(400, await Server.PostJson("/v1/translations", $$"""{"model": "mt", "input": "{{longText}}"}"""), code: "context_length_exceeded");
        string longPrompt = string.Concat(Enumerable.Repeat("zq ", 300));   // more than the lm's 512
        AssertError(400, await Server.PostJson("/v1/completions", $$"""{"model": "lm", "prompt": "{{longPrompt}}", "max_tokens": 2}"""), code: "context_length_exceeded");
        (status, body) = await Server.PostJson("/v1/completions", $$"""{"model": "lm", "prompt": "{{longPrompt}}", "max_tokens": 2, "truncate": true}""");
        Assert.Equal(200, status);
        Assert.Equal(512, body.GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
    }

    [Fact]
    public async Task UnknownPath_Is404() => AssertError(404, await Server.PostJson("/v1/nothing", "{}"));

    [Fact]
    public async Task ABodyOverTheLimit_Is413()
    {
        await using TestServer small = await TestServer.Start(o => o with { MaxBodyBytes = 1000 });
        string big = new('a', 2000);
        // With a Content-Length over the limit the answer comes before the body is read (a client that sends
        // "Expect: 100-continue", as this one does, then never sends it).
        using (var early = new HttpRequestMessage(HttpMethod.Post, "/v1/embeddings")
        {
            Content = new StringContent($$"""{"model": "enc", "input": "{{big}}"}""", Encoding.UTF8, "application/json"),
        })
        {
            early.Headers.ExpectContinue = true;
            using HttpResponseMessage refused = await small.Http.SendAsync(early);
            AssertError(413, ((int)refused.StatusCode, JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement));
        }
        // Without a Content-Length (chunked), the limit is enforced while reading.
        var content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes($$"""{"model": "enc", "input": "{{big}}"}""")));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/embeddings") { Content = content };
        request.Headers.TransferEncodingChunked = true;
        using HttpResponseMessage response = await small.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        var (status, _) = await small.PostJson("/v1/embeddings", """{"model": "enc", "input": "short"}""");
        Assert.Equal(200, status);
    }

    [Fact]
    public async Task AFullQueue_Is429WithRetryAfter()
    {
        await using TestServer limited = await TestServer.Start(o => o with { Batching = o.Batching with { MaxQueue = 4 } });
        using HttpResponseMessage response = await limited.Post("/v1/embeddings", """{"model": "enc", "input": ["a", "b", "c", "d", "e"]}""");
        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.True(response.Headers.RetryAfter?.Delta > TimeSpan.Zero, "no Retry-After");
        using JsonDocument body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("queue_full", body.RootElement.GetProperty("error").GetProperty("code").GetString());
        var (status, _) = await limited.PostJson("/v1/embeddings", """{"model": "enc", "input": ["a", "b", "c", "d"]}""");
        Assert.Equal(200, status);
    }

    [Fact]
    public async Task WithAnApiKey_ARequestWithoutItIs401AndDoesNoWork()
    {
        await using TestServer keyed = await TestServer.Start(o => o with { ApiKey = "s3cret" });
        const string body = """{"model": "enc", "input": "a b c"}""";
        AssertError(401, await keyed.PostJson("/v1/embeddings", body), code: "invalid_api_key");
        keyed.Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "wrong");
        AssertError(401, await keyed.PostJson("/v1/embeddings", body), code: "invalid_api_key");
        Assert.Equal(0, await keyed.Metric("""attend_tokens_total{model="enc",kind="prompt"}"""));   // no batch ran
        Assert.Equal(HttpStatusCode.OK, (await keyed.Http.GetAsync("/health")).StatusCode);
        keyed.Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "s3cret");
        var (status, _) = await keyed.PostJson("/v1/embeddings", body);
        Assert.Equal(200, status);
        Assert.True(await keyed.Metric("""attend_tokens_total{model="enc",kind="prompt"}""") > 0);
    }

    [Fact]
    public async Task AClientThatDisconnectsMidStream_CancelsItsGenerationAndFreesItsCache()
    {
        await using TestServer server = await TestServer.Start();
        using (var request = new HttpRequestMessage(HttpMethod.Post, "/v1/completions")
        {
            Content = new StringContent("""{"model": "lm", "prompt": "a", "max_tokens": 500, "stream": true, "temperature": 0}""", Encoding.UTF8, "application/json"),
        })
        using (HttpResponseMessage response = await server.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
            Assert.StartsWith("data: ", await reader.ReadLineAsync(), StringComparison.Ordinal);
            Assert.Equal(1, await server.Metric("""attend_active_sequences{model="lm"}"""));
        }   // disposing the response closes the connection mid-stream
        double active = 1;
        for (int i = 0; i < 200 && active > 0; i++)
        {
            await Task.Delay(20);
            active = await server.Metric("""attend_active_sequences{model="lm"}""");
        }
        Assert.Equal(0, active);
        double generated = await server.Metric("""attend_tokens_total{model="lm",kind="generated"}""");
        Assert.True(generated < 500, $"{generated} tokens: the generation ran to its end");
        var (status, _) = await server.PostJson("/v1/completions", """{"model": "lm", "prompt": "a", "max_tokens": 3}""");
        Assert.Equal(200, status);
    }
}

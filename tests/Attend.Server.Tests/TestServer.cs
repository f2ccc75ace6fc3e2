using System.Globalization;
using System.Text;
using System.Text.Json;
using Attend.Inference;

namespace Attend.Server.Tests;

/// <summary>An <see cref="AttendServer"/> on a free loopback port with the test models, and an HttpClient for it.</summary>
internal sealed class TestServer : IAsyncDisposable
{
    private TestServer(AttendServer server)
    {
        Server = server;
        BaseUrl = server.Addresses.Single();
        Http = new HttpClient { BaseAddress = new Uri(BaseUrl), Timeout = TimeSpan.FromSeconds(60) };
    }

    public AttendServer Server { get; }

    public string BaseUrl { get; }

    public HttpClient Http { get; }

    public static async Task<TestServer> Start(Func<ServerOptions, ServerOptions>? configure = null)
    {
        var options = new ServerOptions { Models = TestModels.All, Urls = "http://127.0.0.1:0", Batching = new BatchingOptions { MaxWait = TimeSpan.FromMilliseconds(2) } };
        AttendServer server = AttendServer.Create(configure?.Invoke(options) ?? options, logging: _ => { });
        await server.StartAsync();
        return new TestServer(server);
    }

    public Task<HttpResponseMessage> Post(string path, string json) =>
        Http.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));

    public async Task<(int Status, JsonElement Body)> PostJson(string path, string json)
    {
        using HttpResponseMessage response = await Post(path, json);
        string text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, JsonDocument.Parse(text).RootElement.Clone());
    }

    /// <summary>The value of a sample in the Prometheus text from /metrics, e.g. attend_active_sequences{model="lm"}; 0 when absent.</summary>
    public async Task<double> Metric(string sample)
    {
        string text = await Http.GetStringAsync("/metrics");
        foreach (string line in text.Split('\n'))
            if (line.StartsWith(sample + " ", StringComparison.Ordinal))
                return double.Parse(line[(sample.Length + 1)..], CultureInfo.InvariantCulture);
        return 0;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Server.DisposeAsync();
    }
}

// A bounded load generator for attend serve, on loopback only: N clients send requests back to back for a fixed time
// (and at most --max-requests in all), then it prints one JSON line with requests/s, tokens/s, p50/p99 latency and
// errors. "cancel" mode opens --count streaming completions and drops each after its first event.
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

var options = new Dictionary<string, string>(StringComparer.Ordinal);
for (int i = 0; i + 1 < args.Length; i += 2)
    options[args[i].TrimStart('-')] = args[i + 1];
string Get(string name, string fallback) => options.TryGetValue(name, out string? v) ? v : fallback;

var url = new Uri(Get("url", "http://127.0.0.1:8080"));
if (!url.IsLoopback)
{
    Console.Error.WriteLine("error: the load generator sends traffic to loopback addresses only");
    return 2;
}
string mode = Get("mode", "load");
string endpoint = Get("endpoint", "embeddings");
string model = Get("model", "enc");
int clients = int.Parse(Get("clients", "1"), CultureInfo.InvariantCulture);
double seconds = double.Parse(Get("seconds", "60"), CultureInfo.InvariantCulture);
int maxRequests = int.Parse(Get("max-requests", "1000000"), CultureInfo.InvariantCulture);
int maxTokens = int.Parse(Get("max-tokens", "32"), CultureInfo.InvariantCulture);
string text = Get("text", "a dog runs in the snow and the children watch it from the window");

using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = Math.Max(clients, 16), PooledConnectionLifetime = TimeSpan.FromMinutes(10) })
{
    BaseAddress = url,
    Timeout = TimeSpan.FromSeconds(300),
};
string Body(int i) => endpoint switch
{
    "embeddings" => JsonSerializer.Serialize(new { model, input = text }),
    "completions" => JsonSerializer.Serialize(new { model, prompt = text, max_tokens = maxTokens, temperature = 0.8, seed = i }),
    _ => throw new ArgumentException($"unknown endpoint {endpoint}"),
};

if (mode == "cancel")
{
    int count = int.Parse(Get("count", "1000"), CultureInfo.InvariantCulture);
    int done = 0, failed = 0;
    await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = clients }, async (i, _) =>
    {
        string body = JsonSerializer.Serialize(new { model, prompt = text, max_tokens = maxTokens, stream = true, seed = i });
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/completions") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        try
        {
            using HttpResponseMessage response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
            if (!response.IsSuccessStatusCode || !((await reader.ReadLineAsync()) ?? "").StartsWith("data: ", StringComparison.Ordinal))
                Interlocked.Increment(ref failed);
            Interlocked.Increment(ref done);
        }
        catch (HttpRequestException)
        {
            Interlocked.Increment(ref failed);
        }
    });   // each response is disposed after its first event: the connection closes mid-stream
    Console.WriteLine(JsonSerializer.Serialize(new { mode, streams = done, errors = failed }));
    return 0;
}

var latencies = new List<double>();
long requests = 0, errors = 0, tokens = 0, started = 0;
var clock = Stopwatch.StartNew();
await Task.WhenAll(Enumerable.Range(0, clients).Select(async _ =>
{
    var mine = new List<double>();
    while (clock.Elapsed.TotalSeconds < seconds)
    {
        long n = Interlocked.Increment(ref started);
        if (n > maxRequests)
            break;
        long t0 = Stopwatch.GetTimestamp();
        try
        {
            using var content = new StringContent(Body((int)n), Encoding.UTF8, "application/json");
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            using HttpResponseMessage response = await http.PostAsync("/v1/" + endpoint, content);
            string json = await response.Content.ReadAsStringAsync();
            if (!response.IsSuccessStatusCode)
            {
                Interlocked.Increment(ref errors);
                continue;
            }
            using JsonDocument doc = JsonDocument.Parse(json);
            JsonElement usage = doc.RootElement.GetProperty("usage");
            Interlocked.Add(ref tokens, endpoint == "embeddings" ? usage.GetProperty("prompt_tokens").GetInt64() : usage.GetProperty("completion_tokens").GetInt64());
            mine.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
            Interlocked.Increment(ref requests);
        }
        catch (HttpRequestException)
        {
            Interlocked.Increment(ref errors);
        }
    }
    lock (latencies)
        latencies.AddRange(mine);
}));
double elapsed = clock.Elapsed.TotalSeconds;
latencies.Sort();
double Percentile(double p) => latencies.Count == 0 ? double.NaN : latencies[Math.Min(latencies.Count - 1, (int)Math.Ceiling(p * latencies.Count) - 1)];
Console.WriteLine(JsonSerializer.Serialize(new
{
    endpoint, model, clients, seconds = Math.Round(elapsed, 1), requests, errors,
    requests_per_s = Math.Round(requests / elapsed, 1),
    tokens_per_s = Math.Round(tokens / elapsed, 1),
    p50_ms = Math.Round(Percentile(0.50), 1),
    p99_ms = Math.Round(Percentile(0.99), 1),
}));
return 0;

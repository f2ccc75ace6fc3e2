using System.Diagnostics;
using Attend.Inference;
using Prometheus;

namespace Attend.Server;

/// <summary>
/// The server's Prometheus metrics, in a registry of its own (so servers in one process do not mix): requests and
/// errors by endpoint and status, latency histograms, queue lengths, running sequences, batch sizes, tokens, and tokens
/// per second over the last 10 seconds; and prometheus-net's process and .NET runtime metrics.
/// </summary>
internal sealed class ServerMetrics
{
    private static readonly TimeSpan RateWindow = TimeSpan.FromSeconds(10);
    private readonly Counter _requests;
    private readonly Counter _errors;
    private readonly Histogram _latency;
    private readonly Histogram _batchSize;
    private readonly Counter _tokens;
    private readonly Gauge _queue;
    private readonly Gauge _active;
    private readonly Gauge _tokensPerSecond;
    private readonly Dictionary<string, Queue<(long Time, int Tokens)>> _recent = [];

    public ServerMetrics(IReadOnlyCollection<ServedModel> models)
    {
        Registry = Metrics.NewCustomRegistry();
        DotNetStats.Register(Registry);   // process memory, CPU, threads, GC collections and the managed heap
        MetricFactory factory = Metrics.WithCustomRegistry(Registry);
        _requests = factory.CreateCounter("attend_requests_total", "HTTP requests answered, by endpoint and status code.", "endpoint", "status");
        _errors = factory.CreateCounter("attend_request_errors_total", "Requests answered with an error (status 400 and above), by endpoint and error type.", "endpoint", "type");
        _latency = factory.CreateHistogram("attend_request_duration_seconds", "Time from request to the end of the response, by endpoint.",
            ["endpoint"], new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.001, 2, 16) });
        _batchSize = factory.CreateHistogram("attend_batch_size", "Inputs (or sequences, for generation steps) per pass of a model.",
            ["model", "kind"], new HistogramConfiguration { Buckets = Histogram.PowersOfTenDividedBuckets(0, 3, 4) });
        _tokens = factory.CreateCounter("attend_tokens_total", "Tokens read (prompt: inputs, prompts, sources) and produced (generated), by model.", "model", "kind");
        _queue = factory.CreateGauge("attend_queue_length", "Inputs waiting for a batch, by model.", "model");
        _active = factory.CreateGauge("attend_active_sequences", "Sequences in a model's running generation batch.", "model");
        _tokensPerSecond = factory.CreateGauge("attend_generated_tokens_per_second", "Tokens generated per second over the last 10 seconds, by model.", "model");
        foreach (ServedModel m in models)
        {
            _recent[m.Name] = new Queue<(long, int)>();
            if (m.Embeddings is { } e)
                e.Batcher.BatchCompleted += run => Batch(m.Name, "embeddings", run);
            if (m.Classifier is { } c)
                c.BatchCompleted += run => Batch(m.Name, "classifications", run);
            if (m.Translator is { } t)
                t.BatchCompleted += run => Batch(m.Name, "translations", run);
            if (m.Generator is { } g)
            {
                g.PromptCompleted += run => Prompt(m.Name, run);
                g.StepCompleted += run => Step(m.Name, run);
            }
        }
        Registry.AddBeforeCollectCallback(() =>
        {
            foreach (ServedModel m in models)
            {
                _queue.WithLabels(m.Name).Set(m.QueueLength);
                _active.WithLabels(m.Name).Set(m.Generator?.ActiveCount ?? 0);
                _tokensPerSecond.WithLabels(m.Name).Set(TokensPerSecond(m.Name));
            }
        });
    }

    public CollectorRegistry Registry { get; }

    public void Request(string endpoint, int status, TimeSpan elapsed)
    {
        _requests.WithLabels(endpoint, status.ToString(System.Globalization.CultureInfo.InvariantCulture)).Inc();
        _latency.WithLabels(endpoint).Observe(elapsed.TotalSeconds);
    }

    public void Error(string endpoint, string type) => _errors.WithLabels(endpoint, type).Inc();

    private void Batch(string model, string kind, BatchRun run)
    {
        _batchSize.WithLabels(model, kind).Observe(run.Size);
        _tokens.WithLabels(model, "prompt").Inc(run.Tokens);
    }

    private void Prompt(string model, BatchRun run)
    {
        _tokens.WithLabels(model, "prompt").Inc(run.Tokens);
        Generated(model, 1);   // the prompt pass samples the first token
    }

    private void Step(string model, BatchRun run)
    {
        _batchSize.WithLabels(model, "generation").Observe(run.Size);
        Generated(model, run.Tokens);
    }

    private void Generated(string model, int tokens)
    {
        _tokens.WithLabels(model, "generated").Inc(tokens);
        Queue<(long, int)> recent = _recent[model];
        lock (recent)
            recent.Enqueue((Stopwatch.GetTimestamp(), tokens));
    }

    private double TokensPerSecond(string model)
    {
        Queue<(long Time, int Tokens)> recent = _recent[model];
        long now = Stopwatch.GetTimestamp();
        lock (recent)
        {
            while (recent.Count > 0 && Stopwatch.GetElapsedTime(recent.Peek().Time, now) > RateWindow)
                recent.Dequeue();
            return recent.Sum(r => r.Tokens) / RateWindow.TotalSeconds;
        }
    }
}

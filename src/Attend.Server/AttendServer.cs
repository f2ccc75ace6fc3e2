using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Attend.Inference;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Prometheus;

namespace Attend.Server;

/// <summary>
/// <c>attend serve</c>: the models behind Kestrel with OpenAI's request and response shapes (minimal APIs on the
/// shared framework), Prometheus metrics, and the attention page at "/".
/// </summary>
public sealed class AttendServer : IAsyncDisposable
{
    private readonly Dictionary<string, ServedModel> _models;

    private AttendServer(ServerOptions options, Dictionary<string, ServedModel> models, WebApplication app)
        => (Options, _models, App) = (options, models, app);

    /// <summary>The options it runs with.</summary>
    public ServerOptions Options { get; }

    /// <summary>The ASP.NET Core application.</summary>
    public WebApplication App { get; }

    /// <summary>The addresses Kestrel listens on, once started (a port 0 in the options is resolved here).</summary>
    public IReadOnlyList<string> Addresses =>
        App.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.ToList() ?? [];

    /// <summary>Loads every model (through the library's loader) and builds the application; a bad folder throws before anything listens.</summary>
    public static AttendServer Create(ServerOptions options, Action<ILoggingBuilder>? logging = null)
    {
        options.Validate();
        var models = new Dictionary<string, ServedModel>(StringComparer.Ordinal);
        try
        {
            foreach ((string name, string directory) in options.Models)
                models[name] = ServedModel.Load(name, directory, options.Batching);
        }
        catch
        {
            foreach (ServedModel m in models.Values)
                m.Dispose();
            throw;
        }
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        builder.WebHost.UseUrls(options.Urls);
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = options.MaxBodyBytes);
        builder.Services.Configure<HostOptions>(h => h.ShutdownTimeout = options.ShutdownTimeout);
        builder.Logging.ClearProviders();
        if (logging is not null)
            logging(builder.Logging);
        else
            builder.Logging.AddSimpleConsole(c => c.SingleLine = true).SetMinimumLevel(LogLevel.Warning)
                .AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Information);
        WebApplication app = builder.Build();
        var server = new AttendServer(options, models, app);
        server.Map();
        return server;
    }

    /// <summary>Starts listening.</summary>
    public Task StartAsync(CancellationToken cancellationToken = default) => App.StartAsync(cancellationToken);

    /// <summary>
    /// Starts, tells <paramref name="started"/> the addresses, and runs until the host is told to stop (SIGTERM, Ctrl+C):
    /// Kestrel stops accepting, the requests in flight finish (up to the shutdown timeout), then the batch queues drain.
    /// </summary>
    public async Task RunAsync(Action<IReadOnlyList<string>>? started = null)
    {
        await App.StartAsync().ConfigureAwait(false);
        started?.Invoke(Addresses);
        await App.WaitForShutdownAsync().ConfigureAwait(false);
        await DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Stops listening (in-flight requests finish first), then lets the queued work finish.</summary>
    public async ValueTask DisposeAsync()
    {
        await App.StopAsync().ConfigureAwait(false);
        await App.DisposeAsync().ConfigureAwait(false);
        DisposeModels();
    }

    private void DisposeModels()
    {
        foreach (ServedModel m in _models.Values)
            m.Dispose();
    }

    private void Map()
    {
        var metrics = new ServerMetrics(_models.Values);
        var context = new ServerContext(Options, _models, metrics);
        if (Options.ApiKey is { } key)
            App.Use(RequireKey(key));
        App.MapGet("/health", Wrap(context, "health", c => HttpJson.Write(c, json =>
        {
            json.WriteStartObject();
            json.WriteString("status", "ok");
            json.WriteStartArray("models");
            foreach (string name in _models.Keys)
                json.WriteStringValue(name);
            json.WriteEndArray();
            json.WriteEndObject();
        })));
        App.MapMetrics("/metrics", metrics.Registry);
        ModelEndpoints.Map(App, context);
        EmbeddingEndpoint.Map(App, context);
        CompletionEndpoints.Map(App, context);
        TaskEndpoints.Map(App, context);
        PageEndpoints.Map(App, context);
        App.MapFallback(Wrap(context, "unknown", c =>
            throw new ApiException(StatusCodes.Status404NotFound, $"no endpoint {c.Request.Method} {c.Request.Path}", code: "unknown_url")));
    }

    // A /v1 request without "Authorization: Bearer KEY" gets 401 before any work; the page, /health and /metrics stay open.
    private static Func<HttpContext, RequestDelegate, Task> RequireKey(string key)
    {
        byte[] expected = Encoding.UTF8.GetBytes("Bearer " + key);
        return async (context, next) =>
        {
            if (context.Request.Path.StartsWithSegments("/v1", StringComparison.Ordinal))
            {
                byte[] given = Encoding.UTF8.GetBytes(context.Request.Headers.Authorization.ToString());
                if (!CryptographicOperations.FixedTimeEquals(given, expected))
                {
                    await ApiException.Write(context, StatusCodes.Status401Unauthorized,
                        "missing or wrong API key: send the header 'Authorization: Bearer KEY'", "invalid_request_error", code: "invalid_api_key").ConfigureAwait(false);
                    return;
                }
            }
            await next(context).ConfigureAwait(false);
        };
    }

    /// <summary>
    /// Runs a handler, answering its failures as OpenAI errors (400 bad input, 404 unknown model, 413, 429 with
    /// Retry-After, 500), and records its status and latency.
    /// </summary>
    internal static RequestDelegate Wrap(ServerContext server, string endpoint, Func<HttpContext, Task> handler) => async context =>
    {
        long start = Stopwatch.GetTimestamp();
        (int status, string message, string type, string? param, string? code)? error = null;
        try
        {
            await handler(context).ConfigureAwait(false);
        }
        catch (ApiException ex)
        {
            error = (ex.Status, ex.Message, ex.Type, ex.Param, ex.Code);
        }
        catch (QueueFullException ex)
        {
            error = (StatusCodes.Status429TooManyRequests, ex.Message, "rate_limit_error", null, "queue_full");
        }
        catch (InputTooLongException ex)
        {
            error = (StatusCodes.Status400BadRequest, ex.Message, "invalid_request_error", null, "context_length_exceeded");
        }
        catch (ArgumentException ex)
        {
            error = (StatusCodes.Status400BadRequest, ex.Message, "invalid_request_error", null, null);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            error = (StatusCodes.Status413PayloadTooLarge, $"the request body is over the limit of {server.Options.MaxBodyBytes} bytes", "invalid_request_error", null, null);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            server.Metrics.Request(endpoint, 499, Stopwatch.GetElapsedTime(start));   // the client went away; its work is cancelled
            return;
        }
        catch (Exception ex) when (!context.Response.HasStarted)
        {
            error = (StatusCodes.Status500InternalServerError, "the server failed: " + ex.Message, "server_error", null, null);
        }
        if (error is var (status, message, type, param, code))
        {
            server.Metrics.Error(endpoint, type);
            if (!context.Response.HasStarted)
                await ApiException.Write(context, status, message, type, param, code).ConfigureAwait(false);
        }
        server.Metrics.Request(endpoint, context.Response.StatusCode, Stopwatch.GetElapsedTime(start));
    };
}

/// <summary>What the endpoints share: the options, the models by name, the metrics.</summary>
internal sealed record ServerContext(ServerOptions Options, IReadOnlyDictionary<string, ServedModel> Models, ServerMetrics Metrics)
{
    /// <summary>The model named in the request's "model": 404 when none is loaded under that name, 400 when it cannot do <paramref name="task"/>.</summary>
    public ServedModel Find(JsonRequest request, string task)
    {
        string name = request.RequiredString("model");
        if (!Models.TryGetValue(name, out ServedModel? model))
            throw new ApiException(StatusCodes.Status404NotFound, $"the model '{name}' does not exist; GET /v1/models lists the loaded ones",
                param: "model", code: "model_not_found");
        if (model.Task != task)
            throw ApiException.Invalid($"the model '{name}' is a {model.Task} model; it serves {string.Join(", ", model.Endpoints)}", "model", "model_not_supported");
        return model;
    }
}

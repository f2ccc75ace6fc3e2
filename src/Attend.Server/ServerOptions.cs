using Attend.Inference;

namespace Attend.Server;

/// <summary>What <c>attend serve</c> serves and how.</summary>
public sealed record ServerOptions
{
    /// <summary>The models: the name clients use, and the folder it loads from.</summary>
    public IReadOnlyList<(string Name, string Directory)> Models { get; init; } = [];

    /// <summary>Where Kestrel listens; loopback unless told otherwise. Port 0 picks a free port.</summary>
    public string Urls { get; init; } = "http://127.0.0.1:8080";

    /// <summary>When set, every /v1 request must carry "Authorization: Bearer KEY".</summary>
    public string? ApiKey { get; init; }

    /// <summary>Dynamic and continuous batching limits, per model.</summary>
    public BatchingOptions Batching { get; init; } = new();

    /// <summary>The largest request body accepted; a larger one gets 413.</summary>
    public long MaxBodyBytes { get; init; } = 1 << 20;

    /// <summary>How long SIGTERM (or Ctrl+C) waits for the requests in flight before the server exits.</summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Checks the values.</summary>
    public ServerOptions Validate()
    {
        if (Models.Count == 0)
            throw new ArgumentException("no model to serve: give --model DIR (or --model NAME=DIR)");
        foreach (var group in Models.GroupBy(m => m.Name, StringComparer.Ordinal))
            if (group.Count() > 1)
                throw new ArgumentException($"two models are named '{group.Key}': name them with --model NAME=DIR");
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxBodyBytes, 1, nameof(MaxBodyBytes));
        Batching.Validate();
        return this;
    }

    /// <summary>
    /// A --model value: "DIR" serves the folder under its name (the last part of the path), "NAME=DIR" under NAME.
    /// </summary>
    public static (string Name, string Directory) ParseModel(string value)
    {
        int eq = value.IndexOf('=', StringComparison.Ordinal);
        if (eq > 0 && !Directory.Exists(value))
            return (value[..eq], value[(eq + 1)..]);
        string name = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(value)));
        return (name, value);
    }
}

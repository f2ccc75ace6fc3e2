using Attend.Cli.Hosting;
using Attend.Inference;
using Attend.Kernels;
using Attend.Server;

namespace Attend.Cli.Commands;

/// <summary><c>attend serve</c>: the models behind an HTTP server in OpenAI's shapes, with batching, streaming, metrics and the attention page.</summary>
internal sealed class ServeCommand : CliCommand
{
    public override IReadOnlyList<string> Path { get; } = ["serve"];

    public override string Summary => "Serve models over HTTP in OpenAI's shapes (embeddings, completions, chat, translations, classifications), with a page at /.";

    public override IReadOnlyList<CliOption> Options { get; } =
    [
        new("model", "A checkpoint folder, served under its folder name, or NAME=DIR; repeat for more models.", IsMultiple: true, ValueName: "DIR"),
        new("urls", "Where to listen (semicolon-separated); loopback unless told otherwise.", "http://127.0.0.1:8080", ValueName: "URLS"),
        new("api-key", "Require 'Authorization: Bearer KEY' on every /v1 request.", ValueName: "KEY"),
        new("max-batch", "Most inputs (or generating sequences) a model runs in one pass; 1 turns batching off.", "32", ValueName: "N"),
        new("max-wait-ms", "How long the first input of a batch waits for more.", "5", ValueName: "MS"),
        new("max-queue", "Most inputs waiting per model; more get 429 with Retry-After.", "1024", ValueName: "N"),
        new("max-body-bytes", "Largest request body; a larger one gets 413.", "1048576", ValueName: "N"),
        new("shutdown-timeout", "Seconds SIGTERM waits for requests in flight.", "30", ValueName: "S"),
        CommonOptions.Threads,
    ];

    public override int Execute(ParsedArgs args, CliContext context)
    {
        KernelThreads.Count = args.GetInt("threads", 1, 256);
        IReadOnlyList<string> models = args.GetAll("model");
        if (models.Count == 0)
            throw new UsageException("give at least one --model DIR");
        var options = new ServerOptions
        {
            Models = models.Select(ServerOptions.ParseModel).ToList(),
            Urls = args.Get("urls") ?? "http://127.0.0.1:8080",
            ApiKey = args.Get("api-key"),
            Batching = new BatchingOptions
            {
                MaxBatch = args.GetInt("max-batch", 1, 4096),
                MaxWait = TimeSpan.FromMilliseconds(args.GetDouble("max-wait-ms", 0, 60_000)),
                MaxQueue = args.GetInt("max-queue", 1),
            },
            MaxBodyBytes = args.GetInt("max-body-bytes", 1),
            ShutdownTimeout = TimeSpan.FromSeconds(args.GetDouble("shutdown-timeout", 0, 3600)),
        };
        AttendServer server = AttendServer.Create(options);
        server.RunAsync(addresses =>
        {
            foreach (string address in addresses)
                context.Out.WriteLine($"attend serve: listening on {address} ({string.Join(", ", options.Models.Select(m => m.Name))})");
            context.Out.Flush();
        }).GetAwaiter().GetResult();
        context.Out.WriteLine("attend serve: stopped");
        return 0;
    }
}

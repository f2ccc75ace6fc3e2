using System.Globalization;
using System.Text.Json;
using Attend.Cli.Demo;
using Attend.Cli.Hosting;
using Attend.Kernels;
using Spectre.Console;

namespace Attend.Cli.Commands;

/// <summary>
/// <c>attend demo</c>: with no files and no network, learns to normalise dates ("Tuesday, 24 November 2026",
/// "24/11/26", "Nov 24 2026", ... to "2026-11-24") and reports the exact-match accuracy on held-out dates.
/// </summary>
internal sealed class DemoCommand : CliCommand
{
    public override IReadOnlyList<string> Path { get; } = ["demo"];

    public override string Summary => "Train a small encoder-decoder to normalise dates, in code, no files needed; print samples and accuracy.";

    public override IReadOnlyList<CliOption> Options { get; } =
    [
        new("out", "Folder for the checkpoint and the pictures.", "runs/demo", ValueName: "DIR"),
        new("steps", "Training steps (default: 450, or 350 with --quick).", ValueName: "N"),
        new("quick", "A reduced run (fewer dates and steps) for tests and a first look.", IsFlag: true),
        CommonOptions.Threads,
        new("seed", "Seed of the data, the initial weights and dropout.", "1", ValueName: "S"),
        new("json", "End with one JSON object of the figures.", IsFlag: true),
    ];

    public override int Execute(ParsedArgs args, CliContext context)
    {
        KernelThreads.Count = args.GetInt("threads", 1, 256);
        DemoOptions options = args.Flag("quick") ? DemoOptions.Quick : new DemoOptions();
        options = options with { Seed = (ulong)args.GetInt("seed", 0) };
        if (args.GetIntOrNull("steps", 1, 10_000_000) is int steps)
            options = options with { Steps = steps };
        string outDir = args.Required("out");
        bool json = args.Flag("json");
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(context.Error) });

        using var cancel = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        DemoResult result;
        try
        {
            result = TrainingProgressView.Run(console, options.Steps, (onStep, onStage) => DemoRun.Run(options, onStep, onStage, cancel.Token));
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }

        DemoArtifacts artifacts = DemoArtifacts.Write(outDir, result);
        TextWriter o = context.Out;
        o.WriteLine();
        o.WriteLine("Sample translations (held-out dates):");
        foreach ((string source, string expected, string output) in result.Samples)
            o.WriteLine($"  {source,-34} -> {output,-12} {(output == expected ? "ok" : $"(expected {expected})")}");
        o.WriteLine();
        o.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Exact match on {result.TestPairs} held-out dates: {result.ExactMatch:P1} after {result.Steps} steps in {result.TrainingSeconds:F1} s"));
        o.WriteLine($"Checkpoint:        {artifacts.ModelDirectory}");
        if (artifacts.LossCurve is not null)
            o.WriteLine($"Loss curve:        {artifacts.LossCurve}");
        if (artifacts.AttentionMap is not null)
            o.WriteLine($"Cross-attention:   {artifacts.AttentionMap}");
        if (json)
        {
            o.WriteLine(JsonSerializer.Serialize(new DemoJson(result.ExactMatch, result.TestPairs, Math.Round(result.TrainingSeconds, 2), result.Steps,
                Math.Round(result.FinalValidationLoss, 4), artifacts.ModelDirectory, artifacts.LossCurve, artifacts.AttentionMap), DemoJsonContext.Default.DemoJson));
        }
        return 0;
    }
}

using System.Diagnostics;
using Attend.Cli.Bench;
using Attend.Cli.Hosting;
using Attend.Kernels;
using Attend.Models;
using Attend.Training;

namespace Attend.Cli.Commands;

/// <summary>
/// <c>attend bench train</c>: times full training steps (forward, cross-entropy, backward, Adam) on random tokens
/// without padding and prints one JSON line.
/// </summary>
internal sealed class BenchTrainCommand : CliCommand
{
    public override IReadOnlyList<string> Path { get; } = ["bench", "train"];

    public override string Summary => "Time training steps of a benchmark configuration and print step time, tokens/s, GFLOP/s and MFU as JSON.";

    public override IReadOnlyList<CliOption> Options { get; } =
    [
        new("config", $"Configuration: {string.Join(", ", BenchConfig.Names)}.", "s2s-small", ValueName: "NAME"),
        new("threads", "Threads the kernels use.", "2", ValueName: "T"),
        new("steps", "Timed steps; the median is reported.", "10", ValueName: "N"),
        new("warmup", "Untimed steps first.", "2", ValueName: "N"),
        new("peak-gflops", "The GFLOP/s the MFU divides by; default OpenBLAS sgemm measured here (92 on 1 thread, 182 on 2).", null, ValueName: "X"),
    ];

    public override int Execute(ParsedArgs args, CliContext context)
    {
        string name = args.Get("config") ?? "s2s-small";
        BenchConfig config = BenchConfig.Find(name)
            ?? throw new CliException($"unknown --config '{name}'; expected one of {string.Join(", ", BenchConfig.Names)}");
        int threads = args.GetInt("threads", 1, 256);
        int steps = args.GetInt("steps", 1, 100_000);
        int warmup = args.GetInt("warmup", 0, 100_000);
        double peak = args.GetDoubleOrNull("peak-gflops", 1e-3) ?? BenchReport.DefaultPeakGflops(threads);
        KernelThreads.Count = threads;

        // prepare(rng) makes a random batch and returns the step that trains on it, so only the step is timed and
        // only its own allocations are counted
        (Func<Random, Func<float>> prepare, int parameters) = config.IsLanguageModel ? LanguageModelStep(config) : TranslationStep(config);
        var rng = new Random(1234);
        for (int i = 0; i < warmup; i++)
            prepare(rng)();
        var times = new List<double>(steps);
        var allocated = new List<double>(steps);
        float loss = 0;
        for (int i = 0; i < steps; i++)
        {
            Func<float> step = prepare(rng);
            long bytes = GC.GetTotalAllocatedBytes(precise: true);
            long start = Stopwatch.GetTimestamp();
            loss = step();
            times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            allocated.Add((GC.GetTotalAllocatedBytes(precise: true) - bytes) / 1024.0);
        }

        double ms = BenchReport.Median(times);
        int tokens = config.Batch * config.TargetLength;
        double gflops = ModelFlops.TrainingStep(config) / (ms / 1000) / 1e9;
        context.Out.WriteLine(BenchReport.Json(
        [
            ("impl", "attend"), ("config", config.Name), ("threads", threads), ("steps", steps),
            ("tokens_per_step", tokens), ("step_ms", ms), ("min_step_ms", times.Min()), ("max_step_ms", times.Max()),
            ("tokens_per_second", tokens / (ms / 1000)), ("gflops", gflops), ("mfu", gflops / peak),
            ("peak_gflops", peak), ("peak_memory_mb", BenchReport.PeakMemoryMb()),
            ("allocated_kb_per_step", BenchReport.Median(allocated)), ("loss", (double)loss), ("parameters", parameters),
        ]));
        return 0;
    }

    private static (Func<Random, Func<float>> Prepare, int Parameters) TranslationStep(BenchConfig config)
    {
        ModelConfig c = config.Model;
        var model = Seq2SeqTransformer.Create(c);
        var adam = new Adam(model.Parameters, new AdamOptions { Beta1 = 0.9f, Beta2 = config.Beta2, Eps = config.Eps });
        var options = new StepOptions { LabelSmoothing = config.LabelSmoothing, ClipNorm = config.ClipNorm };
        return (rng =>
        {
            // Ids above the special tokens, one fewer target token than the decoder reads (it reads bos first).
            var pairs = new (int[], int[])[config.Batch];
            for (int i = 0; i < pairs.Length; i++)
                pairs[i] = (RandomIds(rng, config.SourceLength, 3, c.SrcVocabSize), RandomIds(rng, config.TargetLength - 1, 3, c.TgtVocabSize));
            var batch = TranslationBatch.Create(pairs, c.PadId, c.BosId, c.EosId);
            return () => TrainingStep.Translation(model, batch, adam, config.LearningRate, options);
        }, model.Parameters.Count);
    }

    private static (Func<Random, Func<float>> Prepare, int Parameters) LanguageModelStep(BenchConfig config)
    {
        ModelConfig c = config.Model;
        var model = DecoderOnlyTransformer.Create(c);
        var adam = new Adam(model.Parameters, new AdamOptions
        {
            Beta1 = 0.9f, Beta2 = config.Beta2, Eps = config.Eps, WeightDecay = config.WeightDecay, Decoupled = config.Decoupled,
        });
        var options = new StepOptions { LabelSmoothing = config.LabelSmoothing, ClipNorm = config.ClipNorm };
        int n = config.Batch * config.TargetLength;
        return (rng =>
        {
            int[] inputs = RandomIds(rng, n, 0, c.TgtVocabSize), targets = RandomIds(rng, n, 0, c.TgtVocabSize);
            return () => TrainingStep.LanguageModel(model, inputs, targets, config.Batch, config.TargetLength, adam, config.LearningRate, options);
        }, model.Parameters.Count);
    }

    private static int[] RandomIds(Random rng, int count, int low, int high)
    {
        int[] ids = new int[count];
        for (int i = 0; i < ids.Length; i++)
            ids[i] = rng.Next(low, high);
        return ids;
    }
}

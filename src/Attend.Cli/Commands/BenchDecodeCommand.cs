using System.Diagnostics;
using Attend.Cli.Bench;
using Attend.Cli.Hosting;
using Attend.Decoding;
using Attend.Kernels;
using Attend.Models;
using Attend.Tensors;

namespace Attend.Cli.Commands;

/// <summary>
/// <c>attend bench decode</c>: greedy translation with the key/value cache on an untrained s2s-small model and random
/// source sentences; prints one JSON line.
/// </summary>
internal sealed class BenchDecodeCommand : CliCommand
{
    public override IReadOnlyList<string> Path { get; } = ["bench", "decode"];

    public override string Summary => "Time greedy translation (KV cache) of random sentences and print new tokens/s, GFLOP/s and MFU as JSON.";

    public override IReadOnlyList<CliOption> Options { get; } =
    [
        new("config", "Model configuration (a translation one).", "s2s-small", ValueName: "NAME"),
        new("threads", "Threads the kernels use.", "2", ValueName: "T"),
        new("steps", "Timed runs over all sentences; the median is reported.", "3", ValueName: "N"),
        new("warmup", "Untimed runs first.", "1", ValueName: "N"),
        new("sentences", "Source sentences per run.", "256", ValueName: "N"),
        new("batch", "Sentences decoded together.", "64", ValueName: "B"),
        new("source-length", "Tokens per source sentence.", "32", ValueName: "S"),
        new("new-tokens", "New tokens per sentence.", "32", ValueName: "N"),
        new("peak-gflops", "The GFLOP/s the MFU divides by; default OpenBLAS sgemm measured here (92 on 1 thread, 182 on 2).", null, ValueName: "X"),
    ];

    public override int Execute(ParsedArgs args, CliContext context)
    {
        string name = args.Get("config") ?? "s2s-small";
        BenchConfig config = BenchConfig.Find(name) is { IsLanguageModel: false } found
            ? found
            : throw new CliException($"--config '{name}' is not a translation configuration; expected s2s-tiny, s2s-small or s2s-base");
        int threads = args.GetInt("threads", 1, 256);
        int runs = args.GetInt("steps", 1, 10_000);
        int warmup = args.GetInt("warmup", 0, 10_000);
        int sentences = args.GetInt("sentences", 1, 1_000_000);
        int batch = args.GetInt("batch", 1, 4096);
        int sourceLength = args.GetInt("source-length", 1, 120);
        int newTokens = args.GetInt("new-tokens", 1, 120);
        double peak = args.GetDoubleOrNull("peak-gflops", 1e-3) ?? BenchReport.DefaultPeakGflops(threads);
        KernelThreads.Count = threads;

        // An untrained model almost never picks eos, so every sentence runs to the limit; the tokens actually computed
        // are counted anyway (a batch runs until its last sentence stops).
        ModelConfig c = config.Model with { Dropout = 0f };
        var model = Seq2SeqTransformer.Create(c);
        var rng = new Random(4321);
        int[][] sources = Enumerable.Range(0, sentences)
            .Select(_ => Enumerable.Range(0, sourceLength).Select(_ => rng.Next(3, c.SrcVocabSize)).ToArray()).ToArray();

        for (int i = 0; i < warmup; i++)
            DecodeAll(model, sources, batch, newTokens);
        var times = new List<double>(runs);
        long tokens = 0;
        for (int i = 0; i < runs; i++)
        {
            long start = Stopwatch.GetTimestamp();
            tokens = DecodeAll(model, sources, batch, newTokens);
            times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }

        double ms = BenchReport.Median(times);
        double gflops = ModelFlops.GreedyDecode(c, sentences, sourceLength, newTokens) / (ms / 1000) / 1e9;
        context.Out.WriteLine(BenchReport.Json(
        [
            ("impl", "attend"), ("config", "decode-" + config.Name), ("threads", threads), ("steps", runs),
            ("new_tokens", tokens), ("step_ms", ms), ("min_step_ms", times.Min()), ("max_step_ms", times.Max()),
            ("tokens_per_second", tokens / (ms / 1000)), ("gflops", gflops), ("mfu", gflops / peak),
            ("peak_gflops", peak), ("peak_memory_mb", BenchReport.PeakMemoryMb()), ("parameters", model.Parameters.Count),
            ("kv_cache", true),
        ]));
        return 0;
    }

    // Returns the new tokens computed: per batch, its size times the steps taken (the longest output, plus eos if any
    // sentence stopped early).
    private static long DecodeAll(Seq2SeqTransformer model, int[][] sources, int batch, int newTokens)
    {
        long tokens = 0;
        for (int start = 0; start < sources.Length; start += batch)
        {
            int[][] part = sources[start..Math.Min(sources.Length, start + batch)];
            tokens += DecodeBatch(model, part, newTokens);
        }
        return tokens;
    }

    private static long DecodeBatch(Seq2SeqTransformer model, int[][] part, int newTokens)
    {
        int[][] outputs = Greedy.Translate(model, part, newTokens);
        int steps = outputs.Max(o => o.Length < newTokens ? o.Length + 1 : o.Length);
        return (long)part.Length * steps;
    }
}

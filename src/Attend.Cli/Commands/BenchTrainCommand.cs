using System.Diagnostics;
using System.Runtime;
using Attend.Cli.Bench;
using Attend.Cli.Hosting;
using Attend.Distributed;
using Attend.Kernels;
using Attend.Models;
using Attend.Training;

namespace Attend.Cli.Commands;

/// <summary>
/// <c>attend bench train</c>: times full training steps (forward, cross-entropy, backward, Adam) on random tokens
/// without padding and prints one JSON line. Under mpirun every rank trains on its share of the same global batch
/// (data parallelism, as <c>attend train</c>), and rank 0 reports the global tokens per second and the share of the step
/// spent waiting for communication.
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
        new("warmup", "Untimed steps first, at least.", "3", ValueName: "N"),
        new("warmup-seconds", "Warm up for at least this long, and until a step compiles no method (the JIT's tiers settle).", "3", ValueName: "S"),
        new("peak-gflops", "The GFLOP/s the MFU divides by; default OpenBLAS sgemm measured here (92 on 1 thread, 182 on 2).", null, ValueName: "X"),
        new("bucket-mb", "Under mpirun: the size of a gradient bucket.", "4", ValueName: "MB"),
        new("no-overlap", "Under mpirun: sum the gradients after the backward pass instead of during it.", IsFlag: true),
    ];

    public override int Execute(ParsedArgs args, CliContext context) =>
        MpiRank.IsLaunched ? MpiRank.Run(context, (communicator, rankContext) => Bench(args, rankContext, communicator)) : Bench(args, context, null);

    private static int Bench(ParsedArgs args, CliContext context, Communicator? communicator)
    {
        string name = args.Get("config") ?? "s2s-small";
        BenchConfig config = BenchConfig.Find(name)
            ?? throw new CliException($"unknown --config '{name}'; expected one of {string.Join(", ", BenchConfig.Names)}");
        int threads = args.GetInt("threads", 1, 256);
        int steps = args.GetInt("steps", 1, 100_000);
        int warmup = args.GetInt("warmup", 0, 100_000);
        double warmupSeconds = args.GetDoubleOrNull("warmup-seconds", 0) ?? 3;
        double peak = args.GetDoubleOrNull("peak-gflops", 1e-3) ?? BenchReport.DefaultPeakGflops(threads);
        KernelThreads.Count = threads;

        // prepare(rng) makes a random batch and returns the step that trains on it, so only the step is timed and
        // only its own allocations are counted
        var parallelOptions = new DataParallelOptions
        {
            BucketBytes = (int)(args.GetDouble("bucket-mb", 0.001, 1024) * (1 << 20)),
            Overlap = !args.Flag("no-overlap"),
        };
        ITransformerModel model = config.IsLanguageModel ? DecoderOnlyTransformer.Create(config.Model) : Seq2SeqTransformer.Create(config.Model);
        using DataParallel? parallel = communicator is null ? null : new DataParallel(communicator, model.Parameters, parallelOptions);
        Func<Random, Func<float>> prepare = model is DecoderOnlyTransformer lm ? LanguageModelStep(config, lm, parallel)
            : TranslationStep(config, (Seq2SeqTransformer)model, parallel);
        var rng = new Random(1234);
        int warmupSteps = WarmUp(prepare, rng, warmup, warmupSeconds, communicator);
        var samples = new StepSample[steps];
        long jitMethods = JitInfo.GetCompiledMethodCount();
        TimeSpan jitTime = JitInfo.GetCompilationTime();
        TimeSpan waitedBefore = parallel?.Waited ?? TimeSpan.Zero;
        for (int i = 0; i < steps; i++)
            samples[i] = StepSample.Measure(prepare(rng));
        jitMethods = JitInfo.GetCompiledMethodCount() - jitMethods;
        jitTime = JitInfo.GetCompilationTime() - jitTime;

        double[] times = samples.Select(x => x.Ms).ToArray();
        double ms = BenchReport.Median(times);
        float loss = samples[^1].Loss;
        int tokens = config.Batch * config.TargetLength;
        double gflops = ModelFlops.TrainingStep(config) / (ms / 1000) / 1e9;
        int ranks = parallel?.Size ?? 1;
        double waited = ((parallel?.Waited ?? TimeSpan.Zero) - waitedBefore).TotalMilliseconds;
        context.Out.WriteLine(BenchReport.Json(
        [
            ("impl", "attend"), ("config", config.Name), ("ranks", ranks), ("threads", threads), ("steps", steps),
            ("overlap", parallelOptions.Overlap && ranks > 1 ? "yes" : "no"), ("comm_wait_share", waited / times.Sum()),
            ("tokens_per_step", tokens), ("step_ms", ms), ("min_step_ms", times.Min()), ("max_step_ms", times.Max()),
            ("tokens_per_second", tokens / (ms / 1000)), ("gflops", gflops), ("mfu", gflops / (peak * ranks)),
            ("peak_gflops", peak), ("peak_memory_mb", BenchReport.PeakMemoryMb()),
            ("allocated_kb_per_step", BenchReport.Median(samples.Select(x => x.AllocatedKb).ToArray())), ("loss", (double)loss),
            ("parameters", model.Parameters.Count),
            ("warmup_steps", warmupSteps), ("jit_methods_in_timed_steps", jitMethods), ("jit_ms_in_timed_steps", jitTime.TotalMilliseconds),
            ("worker_wakeups_per_step", BenchReport.Median(samples.Select(x => (double)x.Wakeups).ToArray())),
        ]));
        return 0;
    }

    // Untimed steps until the steady state: at least `steps` of them, at least `seconds` long, and no method compiled in
    // the last second (or the last two steps, if longer). The JIT compiles a method first quickly (tier 0), counts its
    // calls and recompiles the hot ones in the background in batches, after a delay; steps timed while that goes on are
    // slower, and the background compiler takes one of the cores. A JIT still busy after ten times `seconds` ends it too.
    // The ranks of a data-parallel run take the same steps (each one is an allreduce): they stop when all are settled.
    private static int WarmUp(Func<Random, Func<float>> prepare, Random rng, int steps, double seconds, Communicator? ranks)
    {
        long start = Stopwatch.GetTimestamp(), quietSince = start, compiled = JitInfo.GetCompiledMethodCount();
        double lastStep = 0;
        for (int done = 0; ; done++)
        {
            double elapsed = Stopwatch.GetElapsedTime(start).TotalSeconds;
            bool quiet = Stopwatch.GetElapsedTime(quietSince).TotalSeconds >= Math.Max(1.0, 2 * lastStep);
            if (AllSettled(done >= steps && (seconds == 0 || (elapsed >= seconds && quiet) || elapsed >= 10 * seconds), ranks))
                return done;
            lastStep = StepSample.Measure(prepare(rng)).Ms / 1000;   // the timed steps' own code, so it is compiled too
            if (JitInfo.GetCompiledMethodCount() != compiled)
            {
                compiled = JitInfo.GetCompiledMethodCount();
                quietSince = Stopwatch.GetTimestamp();
            }
        }
    }

    private static bool AllSettled(bool settled, Communicator? ranks)
    {
        if (ranks is null)
            return settled;
        Span<float> unsettled = [settled ? 0 : 1];
        ranks.AllReduceSum(unsettled, "warm-up");
        return unsettled[0] == 0;
    }

    // One step's wall time, managed allocation and worker wake-ups.
    private readonly record struct StepSample(double Ms, double AllocatedKb, long Wakeups, float Loss)
    {
        public static StepSample Measure(Func<float> step)
        {
            long bytes = GC.GetTotalAllocatedBytes(precise: true), woken = KernelThreads.WorkerWakeups;
            long start = Stopwatch.GetTimestamp();
            float loss = step();
            double ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            return new StepSample(ms, (GC.GetTotalAllocatedBytes(precise: true) - bytes) / 1024.0, KernelThreads.WorkerWakeups - woken, loss);
        }
    }

    private static Func<Random, Func<float>> TranslationStep(BenchConfig config, Seq2SeqTransformer model, DataParallel? parallel)
    {
        ModelConfig c = config.Model;
        var adam = new Adam(model.Parameters, new AdamOptions { Beta1 = 0.9f, Beta2 = config.Beta2, Eps = config.Eps });
        var options = new StepOptions { LabelSmoothing = config.LabelSmoothing, ClipNorm = config.ClipNorm };
        (int start, int count) = parallel?.Shard(config.Batch) ?? (0, config.Batch);
        BatchShard? shard = parallel is null ? null : new BatchShard(parallel, start, config.Batch * config.TargetLength);
        return rng =>
        {
            // Ids above the special tokens, one fewer target token than the decoder reads (it reads bos first). Every
            // rank draws the whole global batch and trains on its share.
            var pairs = new (int[], int[])[config.Batch];
            for (int i = 0; i < pairs.Length; i++)
                pairs[i] = (RandomIds(rng, config.SourceLength, 3, c.SrcVocabSize), RandomIds(rng, config.TargetLength - 1, 3, c.TgtVocabSize));
            var batch = TranslationBatch.Create(pairs[start..(start + count)], c.PadId, c.BosId, c.EosId);
            return () => TrainingStep.Translation(model, batch, adam, config.LearningRate, options, shard);
        };
    }

    private static Func<Random, Func<float>> LanguageModelStep(BenchConfig config, DecoderOnlyTransformer model, DataParallel? parallel)
    {
        ModelConfig c = config.Model;
        var adam = new Adam(model.Parameters, new AdamOptions
        {
            Beta1 = 0.9f, Beta2 = config.Beta2, Eps = config.Eps, WeightDecay = config.WeightDecay, Decoupled = config.Decoupled,
        });
        var options = new StepOptions { LabelSmoothing = config.LabelSmoothing, ClipNorm = config.ClipNorm };
        int n = config.Batch * config.TargetLength;
        (int start, int count) = parallel?.Shard(config.Batch) ?? (0, config.Batch);
        BatchShard? shard = parallel is null ? null : new BatchShard(parallel, start, n);
        Range rows = (start * config.TargetLength)..((start + count) * config.TargetLength);
        return rng =>
        {
            int[] inputs = RandomIds(rng, n, 0, c.TgtVocabSize)[rows], targets = RandomIds(rng, n, 0, c.TgtVocabSize)[rows];
            return () => TrainingStep.LanguageModel(model, inputs, targets, count, config.TargetLength, adam, config.LearningRate, options, shard);
        };
    }

    private static int[] RandomIds(Random rng, int count, int low, int high)
    {
        int[] ids = new int[count];
        for (int i = 0; i < ids.Length; i++)
            ids[i] = rng.Next(low, high);
        return ids;
    }
}

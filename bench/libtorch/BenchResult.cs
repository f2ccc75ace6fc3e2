using System.Diagnostics;
using System.Globalization;
using System.Text;
using TorchSharp;

namespace LibTorchBench;

/// <summary>What one benchmark measured; <see cref="Json"/> prints the keys of bench/pytorch/train_bench.py.</summary>
internal sealed record BenchResult(IReadOnlyList<double> Times, double Loss, int TokensPerStep, double Flops, long Parameters,
    IReadOnlyList<(string Key, object Value)>? Extra = null)
{
    /// <summary>
    /// Runs <paramref name="warmup"/> untimed and <paramref name="steps"/> timed calls of <paramref name="step"/>, each
    /// inside its own dispose scope (TorchSharp frees a step's tensors when the scope ends instead of at finalisation),
    /// each after an untimed call of <paramref name="prepare"/> in the same scope (the making of a step's data, where
    /// the other side does not time it).
    /// </summary>
    public static (List<double> Times, double Loss) Time(Func<double> step, int warmup, int steps, Action? prepare = null)
    {
        for (int i = 0; i < warmup; i++)
        {
            using var scope = torch.NewDisposeScope();
            prepare?.Invoke();
            step();
        }
        var times = new List<double>(steps);
        double loss = 0;
        for (int i = 0; i < steps; i++)
        {
            using var scope = torch.NewDisposeScope();
            prepare?.Invoke();
            long start = Stopwatch.GetTimestamp();
            loss = step();
            times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
        return (times, loss);
    }

    /// <summary>The number of distinct parameter elements (a tied weight counts once, as PyTorch's parameters() does).</summary>
    public static long CountParameters(IEnumerable<TorchSharp.Modules.Parameter> parameters) =>
        parameters.DistinctBy(p => p.Handle).Sum(p => p.numel());

    public string Json(BenchOptions options)
    {
        double ms = Median(Times);
        double gflops = Flops / (ms / 1000) / 1e9;
        double peak = options.PeakGflops ?? (options.Threads == 1 ? 92.0 : 91.0 * options.Threads);
        var fields = new List<(string, object)>
        {
            ("impl", "libtorch"), ("config", options.Config), ("threads", options.Threads), ("steps", options.Steps),
            ("tokens_per_step", TokensPerStep), ("step_ms", Math.Round(ms, 3)), ("min_step_ms", Math.Round(Times.Min(), 3)),
            ("max_step_ms", Math.Round(Times.Max(), 3)), ("tokens_per_second", Math.Round(TokensPerStep / (ms / 1000), 2)),
            ("gflops", Math.Round(gflops, 3)), ("mfu", Math.Round(gflops / peak, 4)), ("peak_gflops", peak),
            ("peak_memory_mb", Math.Round(PeakMemoryMb(), 1)), ("loss", Math.Round(Loss, 4)), ("parameters", Parameters),
        };
        if (Extra is not null)
            fields.AddRange(Extra);
        return FormatJson(fields);
    }

    /// <summary>One JSON line of the fields in order (strings quoted, numbers invariant).</summary>
    public static string FormatJson(IEnumerable<(string Key, object Value)> fields)
    {
        var sb = new StringBuilder("{");
        foreach ((string key, object value) in fields)
        {
            if (sb.Length > 1)
                sb.Append(", ");
            sb.Append('"').Append(key).Append("\": ").Append(value switch
            {
                string s => "\"" + s + "\"",
                bool b => b ? "true" : "false",
                IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
                _ => value.ToString(),
            });
        }
        return sb.Append('}').ToString();
    }

    /// <summary>The median (the mean of the middle two for an even count), as Python's statistics.median.</summary>
    public static double Median(IReadOnlyList<double> values)
    {
        double[] sorted = values.Order().ToArray();
        int mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    /// <summary>The process's peak resident set in MiB (VmHWM; ru_maxrss, which train_bench.py reads, is the same quantity).</summary>
    public static double PeakMemoryMb()
    {
        foreach (string line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                return long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024.0;
        }
        return double.NaN;
    }
}

using System.Diagnostics;
using System.Globalization;
using Attend.Cli.Hosting;
using Attend.Kernels;

namespace Attend.Cli.Commands;

/// <summary><c>attend bench gemm</c>: times C = A B on square matrices and prints one JSON line.</summary>
internal sealed class BenchGemmCommand : CliCommand
{
    public override IReadOnlyList<string> Path { get; } = ["bench", "gemm"];

    public override string Summary => "Time single-precision matrix multiply C = A B (n x n) and print GFLOP/s as JSON.";

    public override IReadOnlyList<CliOption> Options { get; } =
    [
        new("size", "Matrix size n.", "1024", ValueName: "N"),
        new("threads", "Threads to use.", "2", ValueName: "T"),
        new("repeats", "Timed repetitions; the best is reported.", "5", ValueName: "R"),
    ];

    public override int Execute(ParsedArgs args, CliContext context)
    {
        int n = args.GetInt("size", 1, 8192);
        int threads = args.GetInt("threads", 1, 256);
        int repeats = args.GetInt("repeats", 1, 1000);
        var rng = new Random(1);
        float[] a = new float[n * n], b = new float[n * n], c = new float[n * n];
        for (int i = 0; i < a.Length; i++)
        {
            a[i] = (float)rng.NextDouble() - 0.5f;
            b[i] = (float)rng.NextDouble() - 0.5f;
        }
        KernelThreads.Count = threads;
        Gemm.Multiply(false, false, n, n, n, 1f, a, n, b, n, 0f, c, n);
        double best = double.MaxValue;
        for (int r = 0; r < repeats; r++)
        {
            long start = Stopwatch.GetTimestamp();
            Gemm.Multiply(false, false, n, n, n, 1f, a, n, b, n, 0f, c, n);
            best = Math.Min(best, Stopwatch.GetElapsedTime(start).TotalSeconds);
        }
        double gflops = 2.0 * n * n * n / best / 1e9;
        context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{{\"op\":\"gemm\",\"size\":{n},\"threads\":{threads},\"seconds\":{best:F6},\"gflops\":{gflops:F2}}}"));
        return 0;
    }
}

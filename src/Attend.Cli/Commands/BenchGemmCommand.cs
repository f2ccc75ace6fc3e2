using System.Diagnostics;
using System.Globalization;
using Attend.Cli.Hosting;
using Attend.Kernels;

namespace Attend.Cli.Commands;

/// <summary><c>attend bench gemm</c>: times C = op(A) op(B) and prints one JSON line.</summary>
internal sealed class BenchGemmCommand : CliCommand
{
    public override IReadOnlyList<string> Path { get; } = ["bench", "gemm"];

    public override string Summary =>
        "Time single-precision matrix multiply C = op(A) op(B) (m x k times k x n) and print GFLOP/s as JSON.";

    public override IReadOnlyList<CliOption> Options { get; } =
    [
        new("size", "Matrix size n for square products (m = n = k = N).", "1024", ValueName: "N"),
        new("m", "Rows of C (overrides --size).", ValueName: "M"),
        new("n", "Columns of C (overrides --size).", ValueName: "N"),
        new("k", "Inner dimension (overrides --size).", ValueName: "K"),
        new("transpose", "Form: nn (A B), nt (A B^T, B stored n x k), tn (A^T B, A stored k x m), tt.", "nn", ValueName: "FORM"),
        new("path", "Kernel: auto, or force one of avx512, avx2, vector128, scalar, smallrows.", "auto", ValueName: "PATH"),
        new("threads", "Threads to use.", "2", ValueName: "T"),
        new("repeats", "Timed repetitions; the best is reported.", "5", ValueName: "R"),
    ];

    public override int Execute(ParsedArgs args, CliContext context)
    {
        int size = args.GetInt("size", 1, 8192);
        int m = args.GetIntOrNull("m", 1, 65536) ?? size;
        int n = args.GetIntOrNull("n", 1, 65536) ?? size;
        int k = args.GetIntOrNull("k", 1, 65536) ?? size;
        int threads = args.GetInt("threads", 1, 256);
        int repeats = args.GetInt("repeats", 1, 1000);
        string form = args.Required("transpose");
        if (form is not ("nn" or "nt" or "tn" or "tt"))
            throw new UsageException($"option '--transpose' must be nn, nt, tn or tt, got '{form}'");
        bool transposeA = form[0] == 't', transposeB = form[1] == 't';
        GemmPath path = ParsePath(args.Required("path"), m, transposeB);
        if (!GemmDispatch.IsSupported(path))
            throw new CliException($"kernel path '{args.Required("path")}' needs instructions this machine lacks");
        if ((long)m * k > int.MaxValue || (long)k * n > int.MaxValue || (long)m * n > int.MaxValue)
            throw new CliException($"matrices of {m} x {k} x {n} are too large");

        var rng = new Random(1);
        float[] a = Random(m * k, rng), b = Random(k * n, rng), c = new float[m * n];
        int lda = transposeA ? m : k, ldb = transposeB ? k : n;
        KernelThreads.Count = threads;
        void Run() => GemmDispatch.Multiply(path, threads, transposeA, transposeB, m, n, k, 1f, a, lda, b, ldb, 0f, c, n);
        Run();
        // Time batches of at least ~20 ms so small products are not dominated by timer resolution.
        long start = Stopwatch.GetTimestamp();
        Run();
        double once = Math.Max(Stopwatch.GetElapsedTime(start).TotalSeconds, 1e-7);
        int batch = (int)Math.Clamp(0.02 / once, 1, 100_000);
        double best = double.MaxValue;
        for (int r = 0; r < repeats; r++)
        {
            start = Stopwatch.GetTimestamp();
            for (int i = 0; i < batch; i++)
                Run();
            best = Math.Min(best, Stopwatch.GetElapsedTime(start).TotalSeconds / batch);
        }
        double gflops = 2.0 * m * n * k / best / 1e9;
        context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{{\"op\":\"gemm\",\"size\":{size},\"m\":{m},\"n\":{n},\"k\":{k},\"transpose\":\"{form}\",\"path\":\"{path}\",\"threads\":{threads},\"seconds\":{best:F6},\"gflops\":{gflops:F2}}}"));
        return 0;
    }

    private static GemmPath ParsePath(string name, int m, bool transposeB) => name switch
    {
        "auto" => GemmDispatch.Choose(m, transposeB),
        "avx512" => GemmPath.PackedAvx512,
        "avx2" => GemmPath.PackedAvx2,
        "vector128" => GemmPath.PackedVector128,
        "scalar" => GemmPath.PackedScalar,
        "smallrows" => GemmPath.SmallRows,
        _ => throw new UsageException($"option '--path' must be auto, avx512, avx2, vector128, scalar or smallrows, got '{name}'"),
    };

    private static float[] Random(int length, Random rng)
    {
        float[] x = new float[length];
        for (int i = 0; i < x.Length; i++)
            x[i] = (float)rng.NextDouble() - 0.5f;
        return x;
    }
}

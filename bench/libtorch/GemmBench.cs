using System.Diagnostics;
using System.Globalization;
using TorchSharp;

namespace LibTorchBench;

/// <summary>
/// LibTorch's own sgemm, C = A B for square n x n float matrices through torch.mm (MKL on this build), in GFLOP/s:
/// the product the models' Linear layers reach, beside `attend bench gemm --size N` and bench/openblas_gemm.py.
/// </summary>
internal static class GemmBench
{
    /// <summary>Times <paramref name="repeats"/> products after <paramref name="warmup"/> untimed ones; reports the best and the median.</summary>
    public static string Run(int size, int threads, int warmup, int repeats)
    {
        using var scope = torch.NewDisposeScope();
        torch.Tensor a = torch.rand(size, size), b = torch.rand(size, size);
        for (int i = 0; i < warmup; i++)
            torch.mm(a, b).Dispose();
        var times = new double[repeats];
        for (int i = 0; i < repeats; i++)
        {
            long start = Stopwatch.GetTimestamp();
            torch.Tensor c = torch.mm(a, b);
            times[i] = Stopwatch.GetElapsedTime(start).TotalSeconds;
            c.Dispose();
        }
        Array.Sort(times);
        double flops = 2.0 * size * size * size;
        return string.Create(CultureInfo.InvariantCulture,
            $"{{\"impl\": \"libtorch\", \"config\": \"gemm\", \"size\": {size}, \"threads\": {threads}, \"repeats\": {repeats}, " +
            $"\"gflops\": {flops / times[0] / 1e9:F1}, \"median_gflops\": {flops / times[repeats / 2] / 1e9:F1}}}");
    }
}

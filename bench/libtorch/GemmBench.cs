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
        // each product runs in the step's own dispose scope, which frees its result
        (List<double> ms, _) = BenchResult.Time(() => { torch.mm(a, b); return 0; }, warmup, repeats);
        double gflop = 2.0 * size * size * size / 1e9;
        return BenchResult.FormatJson(
        [
            ("impl", "libtorch"), ("config", "gemm"), ("size", size), ("threads", threads), ("repeats", repeats),
            ("gflops", gflop / (ms.Min() / 1000)), ("median_gflops", gflop / (BenchResult.Median(ms) / 1000)),
        ]);
    }
}

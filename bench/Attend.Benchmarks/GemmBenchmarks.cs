using Attend.Kernels;
using BenchmarkDotNet.Attributes;

namespace Attend.Benchmarks;

/// <summary>Single-precision GEMM: square C = A B, and a decoding shape y = x W^T (8 rows, W stored 2048 x 512).</summary>
[MemoryDiagnoser]
public class GemmBenchmarks
{
    private const int DecodeRows = 8, DecodeOut = 2048, DecodeIn = 512;
    private float[] _a = [], _b = [], _c = [];
    private float[] _x = [], _w = [], _y = [];

    [Params(256, 512, 1024)]
    public int N { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(1);
        _a = Enumerable.Range(0, N * N).Select(_ => (float)rng.NextDouble()).ToArray();
        _b = Enumerable.Range(0, N * N).Select(_ => (float)rng.NextDouble()).ToArray();
        _c = new float[N * N];
        _x = Enumerable.Range(0, DecodeRows * DecodeIn).Select(_ => (float)rng.NextDouble()).ToArray();
        _w = Enumerable.Range(0, DecodeOut * DecodeIn).Select(_ => (float)rng.NextDouble()).ToArray();
        _y = new float[DecodeRows * DecodeOut];
    }

    [Benchmark]
    public void Multiply() => Gemm.Multiply(false, false, N, N, N, 1f, _a, N, _b, N, 0f, _c, N);

    [Benchmark]
    public void MultiplyTransposedB() => Gemm.Multiply(false, true, N, N, N, 1f, _a, N, _b, N, 0f, _c, N);

    /// <summary>Independent of N; reported once per N row.</summary>
    [Benchmark]
    public void DecodeRowsTimesWeightsTransposed() =>
        Gemm.Multiply(false, true, DecodeRows, DecodeOut, DecodeIn, 1f, _x, DecodeIn, _w, DecodeIn, 0f, _y, DecodeOut);
}

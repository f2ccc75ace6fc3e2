using Attend.Kernels;
using Attend.Tensors;
using BenchmarkDotNet.Attributes;

namespace Attend.Benchmarks;

/// <summary>The row kernels and the fused attention operation at transformer sizes; the memory diagnoser shows per-call allocation.</summary>
[MemoryDiagnoser]
public class OpBenchmarks
{
    private float[] _rows = [], _out = [], _gamma = [], _beta = [], _dy = [], _dx = [], _dg = [], _db = [];
    private Tensor _q = null!, _k = null!, _v = null!;

    /// <summary>Rows of width 512 (softmax, layer norm), and attention over [B 32, H 8, T 32, Dk 64].</summary>
    [GlobalSetup]
    public void Setup()
    {
        var rng = new Rng(1);
        float[] Random(int n) => Enumerable.Range(0, n).Select(_ => (float)rng.NextGaussian()).ToArray();
        _rows = Random(1024 * 512);
        _out = new float[_rows.Length];
        _dy = Random(_rows.Length);
        _dx = new float[_rows.Length];
        _gamma = Random(512);
        _beta = Random(512);
        _dg = new float[512];
        _db = new float[512];
        _q = Tensor.Wrap(Random(32 * 8 * 32 * 64), 32, 8, 32, 64).RequireGrad();
        _k = Tensor.Wrap(Random(32 * 8 * 32 * 64), 32, 8, 32, 64).RequireGrad();
        _v = Tensor.Wrap(Random(32 * 8 * 32 * 64), 32, 8, 32, 64).RequireGrad();
    }

    [Benchmark]
    public void SoftmaxRows()
    {
        for (int r = 0; r < 1024; r++)
            Softmax.Forward(_rows.AsSpan(r * 512, 512), _out.AsSpan(r * 512, 512));
    }

    [Benchmark]
    public void LayerNormForwardBackward()
    {
        for (int r = 0; r < 1024; r++)
        {
            var (mean, rstd) = LayerNormKernel.Forward(_rows.AsSpan(r * 512, 512), _gamma, _beta, 1e-5f, _out.AsSpan(r * 512, 512));
            LayerNormKernel.Backward(_rows.AsSpan(r * 512, 512), _gamma, mean, rstd, _dy.AsSpan(r * 512, 512), _dx.AsSpan(r * 512, 512), _dg, _db);
        }
    }

    [Benchmark]
    public float AttentionForward()
    {
        using var noGrad = Autograd.NoGrad();
        using Workspace.Scope scope = Workspace.Begin();
        return Ops.ScaledDotProductAttention(_q, _k, _v, causal: true).Data[0];
    }

    [Benchmark]
    public void AttentionForwardBackward()
    {
        using Workspace.Scope scope = Workspace.Begin();
        Ops.Sum(Ops.ScaledDotProductAttention(_q, _k, _v, causal: true)).Backward();
    }
}

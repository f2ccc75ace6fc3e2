using Attend.Kernels;

namespace Attend.Tensors;

public static partial class Ops
{
    /// <summary>
    /// Layer normalisation over the last dimension: y = (x - mean) / sqrt(var + eps) * gamma + beta (biased variance, as PyTorch).
    /// Fused forward and hand-written backward (see <see cref="LayerNormKernel"/>).
    /// </summary>
    public static Tensor LayerNorm(Tensor x, Tensor gamma, Tensor beta, float eps = 1e-5f)
    {
        int n = x.Shape.Last, rows = x.Shape.Rows;
        if (gamma.Shape.Rank != 1 || gamma.Length != n || beta.Shape.Rank != 1 || beta.Length != n)
            throw new ArgumentException($"LayerNorm: input {x.Shape} does not fit gamma {gamma.Shape} and beta {beta.Shape}");
        Tensor y = Tensor.Result(x.Shape, x, gamma, beta);
        float[] mean = new float[rows], rstd = new float[rows];
        RowParallel.For(rows, n * 3L, (s, e) =>
        {
            for (int r = s; r < e; r++)
                (mean[r], rstd[r]) = LayerNormKernel.Forward(x.Data.Slice(r * n, n), gamma.Data, beta.Data, eps, y.Data.Slice(r * n, n));
        });
        y.SetBackward(() =>
        {
            Span<float> dX = x.RequiresGrad ? x.Grad : new float[x.Length];
            Span<float> dGamma = gamma.RequiresGrad ? gamma.Grad : new float[n];
            Span<float> dBeta = beta.RequiresGrad ? beta.Grad : new float[n];
            for (int r = 0; r < rows; r++)
                LayerNormKernel.Backward(x.Data.Slice(r * n, n), gamma.Data, mean[r], rstd[r], y.Grad.Slice(r * n, n),
                    dX.Slice(r * n, n), dGamma, dBeta);
        });
        return y;
    }
}

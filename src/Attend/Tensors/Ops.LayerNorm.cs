using Attend.Kernels;

namespace Attend.Tensors;

public static partial class Ops
{
    // Rows per chunk of the layer-norm backward pass: each chunk keeps its own dGamma/dBeta partial sums.
    private const int LayerNormChunkRows = 64;

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
        float[] mean = Workspace.Rent(rows, clear: false), rstd = Workspace.Rent(rows, clear: false);
        RowParallel.For(rows, n * 3L, (s, e) =>
        {
            for (int r = s; r < e; r++)
                (mean[r], rstd[r]) = LayerNormKernel.Forward(x.Data.Slice(r * n, n), gamma.Data, beta.Data, eps, y.Data.Slice(r * n, n));
        });
        if (!y.RequiresGrad)
        {
            Workspace.Release(mean);
            Workspace.Release(rstd);
            return y;
        }
        y.SetBackward(() =>
        {
            // Rows run in fixed chunks, each with its own partial dGamma/dBeta; the partials are then added in chunk
            // order, so the sums do not depend on the thread count.
            if (x.RequiresGrad)
                _ = x.Grad; // allocate the gradient before the threads share it
            int chunks = (rows + LayerNormChunkRows - 1) / LayerNormChunkRows;
            float[] partial = Workspace.Rent(chunks * 2 * n, clear: true);
            long work = (long)LayerNormChunkRows * n * 4;
            float[]? scratchAll = x.RequiresGrad ? null : Workspace.Rent(RowParallel.Workers(chunks, work) * n, clear: false);
            RowParallel.For(chunks, work, (s, e, worker) =>
            {
                Span<float> dXAll = x.RequiresGrad ? x.Grad : Span<float>.Empty;
                Span<float> scratch = scratchAll is null ? Span<float>.Empty : scratchAll.AsSpan(worker * n, n);
                for (int c = s; c < e; c++)
                {
                    Span<float> dGamma = partial.AsSpan(c * 2 * n, n), dBeta = partial.AsSpan(c * 2 * n + n, n);
                    for (int r = c * LayerNormChunkRows, end = Math.Min(rows, r + LayerNormChunkRows); r < end; r++)
                    {
                        if (x.RequiresGrad)
                            LayerNormKernel.Backward(x.Data.Slice(r * n, n), gamma.Data, mean[r], rstd[r], y.Grad.Slice(r * n, n),
                                dXAll.Slice(r * n, n), dGamma, dBeta);
                        else
                        {
                            scratch.Clear();
                            LayerNormKernel.Backward(x.Data.Slice(r * n, n), gamma.Data, mean[r], rstd[r], y.Grad.Slice(r * n, n),
                                scratch, dGamma, dBeta);
                        }
                    }
                }
            });
            for (int c = 0; c < chunks; c++)
            {
                if (gamma.RequiresGrad)
                    System.Numerics.Tensors.TensorPrimitives.Add(gamma.Grad, partial.AsSpan(c * 2 * n, n), gamma.Grad);
                if (beta.RequiresGrad)
                    System.Numerics.Tensors.TensorPrimitives.Add(beta.Grad, partial.AsSpan(c * 2 * n + n, n), beta.Grad);
            }
            Workspace.Release(partial);
            Workspace.Release(mean);
            Workspace.Release(rstd);
            if (scratchAll is not null)
                Workspace.Release(scratchAll);
        });
        return y;
    }
}

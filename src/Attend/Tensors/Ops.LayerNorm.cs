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
        RowParallel.For(rows, n * 3L, (x, gamma, beta, eps, y, mean, rstd), static (a, s, e, _) =>
        {
            int n = a.x.Shape.Last;
            for (int r = s; r < e; r++)
                (a.mean[r], a.rstd[r]) = LayerNormKernel.Forward(a.x.ReadOnlyData.Slice(r * n, n), a.gamma.ReadOnlyData, a.beta.ReadOnlyData, a.eps, a.y.Data.Slice(r * n, n));
        });
        y.SaveForBackward(mean, rstd);
        y.SetBackward(static y => LayerNormBackward(y));
        return y;
    }

    // Saved: Buffer0 = the mean of each row, Buffer1 = 1 / sqrt(var + eps) of each row.
    private static void LayerNormBackward(Tensor y)
    {
        Tensor x = y.Input0, gamma = y.Input1, beta = y.Input2!;
        float[] mean = y.Saved.Buffer0!, rstd = y.Saved.Buffer1!;
        int n = x.Shape.Last, rows = x.Shape.Rows;
        // Rows run in fixed chunks, each with its own partial dGamma/dBeta; the partials are then added in chunk
        // order, so the sums do not depend on the thread count.
        bool overwrite = false;   // the gradient is allocated (and its state settled) before the threads share it
        if (x.RequiresGrad)
            x.GradToOverwrite(out overwrite);
        int chunks = (rows + LayerNormChunkRows - 1) / LayerNormChunkRows;
        float[] partial = Workspace.Rent(chunks * 2 * n, clear: true);
        long work = (long)LayerNormChunkRows * n * 4;
        int workers = RowParallel.Workers(chunks, work);
        float[]? scratchAll = x.RequiresGrad ? null : Workspace.Rent(workers * n, clear: false);
        RowParallel.ForWorkers(chunks, workers, (x, gamma, y, mean, rstd, partial, scratchAll, overwrite), static (a, s, e, worker) =>
        {
            int n = a.x.Shape.Last, rows = a.x.Shape.Rows;
            Span<float> dXAll = a.x.RequiresGrad ? a.x.Grad : Span<float>.Empty;
            Span<float> scratch = a.scratchAll is null ? Span<float>.Empty : a.scratchAll.AsSpan(worker * n, n);
            for (int c = s; c < e; c++)
            {
                Span<float> dGamma = a.partial.AsSpan(c * 2 * n, n), dBeta = a.partial.AsSpan(c * 2 * n + n, n);
                for (int r = c * LayerNormChunkRows, end = Math.Min(rows, r + LayerNormChunkRows); r < end; r++)
                {
                    Span<float> dX = dXAll.IsEmpty ? scratch : dXAll.Slice(r * n, n);
                    LayerNormKernel.Backward(a.x.ReadOnlyData.Slice(r * n, n), a.gamma.ReadOnlyData, a.mean[r], a.rstd[r], a.y.Grad.Slice(r * n, n),
                        dX, dGamma, dBeta, accumulate: !dXAll.IsEmpty && !a.overwrite);
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
    }
}

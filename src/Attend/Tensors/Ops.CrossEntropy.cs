using System.Numerics.Tensors;

namespace Attend.Tensors;

public static partial class Ops
{
    /// <summary>
    /// Mean cross-entropy of logits [..., V] against target ids, fused with log-softmax, as PyTorch's F.cross_entropy:
    /// loss_i = (1 - eps) (lse_i - x_i[t_i]) + eps (lse_i - mean_c x_i[c]), lse = log sum exp, eps the label smoothing;
    /// rows whose target is <paramref name="ignoreIndex"/> are left out of the sum and the count.
    /// dX_i[c] += dLoss / count * (softmax_i[c] - (1 - eps) [c = t_i] - eps / V).
    /// </summary>
    public static Tensor CrossEntropy(Tensor logits, int[] targets, int ignoreIndex = -100, float labelSmoothing = 0f)
    {
        int v = logits.Shape.Last, rows = logits.Shape.Rows;
        if (targets.Length != rows)
            throw new ArgumentException($"CrossEntropy: {targets.Length} targets for logits {logits.Shape} ({rows} rows)");
        if (labelSmoothing is < 0f or > 1f || float.IsNaN(labelSmoothing))
            throw new ArgumentException($"CrossEntropy: label smoothing must be in [0, 1], got {labelSmoothing}");
        int count = 0;
        foreach (int t in targets)
        {
            if (t == ignoreIndex)
                continue;
            if ((uint)t >= (uint)v)
                throw new ArgumentException($"CrossEntropy: target {t} is outside the {v} classes");
            count++;
        }
        float eps = labelSmoothing;
        float[] lse = Workspace.Rent(rows, clear: false), rowLoss = Workspace.Rent(rows, clear: true);
        float[] scratch = Workspace.Rent(RowParallel.Workers(rows, v * 3L) * v, clear: false);
        RowParallel.For(rows, v * 3L, (s, e, worker) =>
        {
            Span<float> buffer = scratch.AsSpan(worker * v, v);
            for (int r = s; r < e; r++)
            {
                if (targets[r] == ignoreIndex)
                    continue;
                ReadOnlySpan<float> x = logits.Data.Slice(r * v, v);
                float max = TensorPrimitives.Max(x);
                TensorPrimitives.Subtract(x, max, buffer);
                TensorPrimitives.Exp(buffer, buffer);
                lse[r] = max + MathF.Log(TensorPrimitives.Sum(buffer));
                double nll = lse[r] - x[targets[r]];
                double smooth = eps == 0f ? 0.0 : lse[r] - TensorPrimitives.Sum(x) / (double)v;
                rowLoss[r] = (float)((1.0 - eps) * nll + eps * smooth);
            }
        });
        double total = 0.0;
        for (int r = 0; r < rows; r++)
            total += rowLoss[r];
        Workspace.Release(rowLoss);
        Tensor loss = Tensor.Result(new Shape(1), logits);
        loss.Data[0] = (float)(total / count);
        loss.SetBackward(() =>
        {
            if (!logits.RequiresGrad)
            {
                Workspace.Release(lse);
                Workspace.Release(scratch);
                return;
            }
            float g = loss.Grad[0] / count;
            float offValue = eps / v;
            logits.PrepareGrad();
            RowParallel.For(rows, v * 3L, (s, e, worker) =>
            {
                Span<float> buffer = scratch.AsSpan(worker * v, v);
                for (int r = s; r < e; r++)
                {
                    if (targets[r] == ignoreIndex)
                        continue;
                    ReadOnlySpan<float> x = logits.Data.Slice(r * v, v);
                    Span<float> dX = logits.Grad.Slice(r * v, v);
                    TensorPrimitives.Subtract(x, lse[r], buffer);
                    TensorPrimitives.Exp(buffer, buffer);
                    TensorPrimitives.Subtract(buffer, offValue, buffer);
                    buffer[targets[r]] -= 1f - eps;
                    TensorPrimitives.MultiplyAdd(buffer, g, dX, dX);
                }
            });
            Workspace.Release(lse);
            Workspace.Release(scratch);
        });
        return loss;
    }
}

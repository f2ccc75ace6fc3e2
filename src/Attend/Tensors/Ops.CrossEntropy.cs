using System.Numerics.Tensors;
using Attend.Kernels;

namespace Attend.Tensors;

public static partial class Ops
{
    /// <summary>
    /// Mean cross-entropy of logits [..., V] against target ids, fused with log-softmax, as PyTorch's F.cross_entropy:
    /// loss_i = (1 - eps) (lse_i - x_i[t_i]) + eps (lse_i - mean_c x_i[c]), lse = log sum exp, eps the label smoothing;
    /// rows whose target is <paramref name="ignoreIndex"/> are left out of the sum and the count.
    /// dX_i[c] += dLoss / count * (softmax_i[c] - (1 - eps) [c = t_i] - eps / V).
    /// A positive <paramref name="divisor"/> replaces the count: data parallelism divides each shard's summed loss by
    /// the global batch's count, so that the shards' losses and gradients add up to those of the whole batch.
    /// </summary>
    public static Tensor CrossEntropy(Tensor logits, int[] targets, int ignoreIndex = -100, float labelSmoothing = 0f, int divisor = 0)
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
        ArgumentOutOfRangeException.ThrowIfNegative(divisor);
        if (divisor > 0)
            count = divisor;
        float eps = labelSmoothing;
        float[] lse = Workspace.Rent(rows, clear: false), rowLoss = Workspace.Rent(rows, clear: true);
        int workers = RowParallel.Workers(rows, v * 3L);
        float[] scratch = Workspace.Rent(workers * v, clear: false);
        RowParallel.ForWorkers(rows, workers, (logits, targets, ignoreIndex, eps, lse, rowLoss, scratch), static (a, s, e, worker) =>
        {
            int v = a.logits.Shape.Last;
            Span<float> buffer = a.scratch.AsSpan(worker * v, v);
            for (int r = s; r < e; r++)
            {
                int target = a.targets[r];
                if (target == a.ignoreIndex)
                    continue;
                ReadOnlySpan<float> x = a.logits.ReadOnlyData.Slice(r * v, v);
                float max = TensorPrimitives.Max(x);
                float lse = a.lse[r] = max + MathF.Log(Exponential.ExpSubtractSum(x, max, buffer));
                double nll = lse - x[target];
                double smooth = a.eps == 0f ? 0.0 : lse - TensorPrimitives.Sum(x) / (double)v;
                a.rowLoss[r] = (float)((1.0 - a.eps) * nll + a.eps * smooth);
            }
        });
        double total = 0.0;
        for (int r = 0; r < rows; r++)
            total += rowLoss[r];
        Workspace.Release(rowLoss);
        Tensor loss = Tensor.Result(new Shape(1), logits);
        loss.Data[0] = (float)(total / count);
        loss.SaveForBackward(lse, scratch);
        (loss.Saved.Ids, loss.Saved.Int0, loss.Saved.Int1, loss.Saved.Scalar) = (targets, ignoreIndex, count, eps);
        loss.SetBackward(static loss => CrossEntropyBackward(loss));
        return loss;
    }

    // Saved: Buffer0 = log-sum-exp per row, Buffer1 = one row of scratch per worker, Ids = the targets,
    // Int0 = the ignore index, Int1 = the number of rows counted, Scalar = the label smoothing.
    private static void CrossEntropyBackward(Tensor loss)
    {
        Tensor logits = loss.Input0;
        float[] lse = loss.Saved.Buffer0!, scratch = loss.Saved.Buffer1!;
        int rows = logits.Shape.Rows, v = logits.Shape.Last;
        float eps = loss.Saved.Scalar;
        float g = loss.Grad[0] / loss.Saved.Int1;
        bool overwrite = false;   // every row is written (ignored rows with zeros), so a fresh gradient is assigned
        if (logits.RequiresGrad)
            logits.GradToOverwrite(out overwrite);
        RowParallel.For(rows, v * 3L, (logits, targets: loss.Saved.Ids!, ignoreIndex: loss.Saved.Int0, eps, g, lse, scratch, overwrite),
            static (a, s, e, worker) =>
            {
                int v = a.logits.Shape.Last;
                float offValue = a.eps / v;
                Span<float> buffer = a.scratch.AsSpan(worker * v, v);
                for (int r = s; r < e; r++)
                {
                    int target = a.targets[r];
                    Span<float> dX = a.logits.Grad.Slice(r * v, v);
                    if (target == a.ignoreIndex)
                    {
                        if (a.overwrite)
                            dX.Clear();
                        continue;
                    }
                    ReadOnlySpan<float> x = a.logits.ReadOnlyData.Slice(r * v, v);
                    Exponential.ExpSubtractSum(x, a.lse[r], buffer);
                    TensorPrimitives.Subtract(buffer, offValue, buffer);
                    buffer[target] -= 1f - a.eps;
                    if (a.overwrite)
                        TensorPrimitives.Multiply(buffer, a.g, dX);
                    else
                        TensorPrimitives.MultiplyAdd(buffer, a.g, dX, dX);
                }
            });
        Workspace.Release(lse);
        Workspace.Release(scratch);
    }
}

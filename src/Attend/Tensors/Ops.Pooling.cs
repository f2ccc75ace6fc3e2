using System.Numerics.Tensors;

namespace Attend.Tensors;

public static partial class Ops
{
    /// <summary>
    /// y[b, d] = max over the non-padding positions t of x[b, t, d] (sentence-transformers' max pooling): x [B, T, D],
    /// padding [B * T] (true = padding) or null; a row with no position left gives zeros.
    /// Backward: dX[b, t*, d] += dY[b, d] at the position t* that held the maximum.
    /// </summary>
    public static Tensor MaxOverPositions(Tensor x, bool[]? padding)
    {
        if (x.Shape.Rank != 3)
            throw new ArgumentException($"MaxOverPositions: x must be [B, T, D], got {x.Shape}");
        int b = x.Shape[0], t = x.Shape[1], d = x.Shape[2];
        if (padding is not null && padding.Length != b * t)
            throw new ArgumentException($"MaxOverPositions: padding of {padding.Length} does not fit [{b}, {t}]");
        Tensor y = Tensor.Result(new Shape(b, d), x);
        int[] from = new int[b * d];   // the position of each maximum, -1 where the row is empty
        ReadOnlySpan<float> xd = x.ReadOnlyData;
        Span<float> yd = y.Data;
        for (int r = 0; r < b; r++)
            for (int c = 0; c < d; c++)
            {
                float best = float.NegativeInfinity;
                int at = -1;
                for (int p = 0; p < t; p++)
                {
                    float v = xd[(r * t + p) * d + c];
                    if ((padding is null || !padding[r * t + p]) && (at < 0 || v > best))
                        (best, at) = (v, p);
                }
                yd[r * d + c] = at < 0 ? 0f : best;
                from[r * d + c] = at;
            }
        y.Saved.Ids = from;
        y.SetBackward(static y =>
        {
            // Saved: Ids = the position of each maximum
            Tensor x = y.Input0;
            if (!x.RequiresGrad)
                return;
            int t = x.Shape[1], d = x.Shape[2];
            int[] from = y.Saved.Ids!;
            Span<float> dX = x.Grad;
            ReadOnlySpan<float> dY = y.Grad;
            for (int i = 0; i < from.Length; i++)
                if (from[i] >= 0)
                    dX[((i / d) * t + from[i]) * d + i % d] += dY[i];
        });
        return y;
    }

    /// <summary>
    /// y = x / max(||x||, 1e-12) over the last dimension (PyTorch's F.normalize, sentence-transformers' Normalize).
    /// Backward: dX += (dY - y (y . dY)) / max(||x||, 1e-12).
    /// </summary>
    public static Tensor L2Normalize(Tensor x)
    {
        int n = x.Shape.Last, rows = x.Shape.Rows;
        Tensor y = Tensor.Result(x.Shape, x);
        float[] norms = Workspace.Rent(rows, clear: false);
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> row = x.ReadOnlyData.Slice(r * n, n);
            norms[r] = MathF.Max(TensorPrimitives.Norm(row), 1e-12f);
            TensorPrimitives.Divide(row, norms[r], y.Data.Slice(r * n, n));
        }
        y.SaveForBackward(norms);
        y.SetBackward(static y =>
        {
            // Saved: Buffer0 = the clamped norm of each row
            Tensor x = y.Input0;
            if (!x.RequiresGrad)
                return;
            float[] norms = y.Saved.Buffer0!;
            int n = x.Shape.Last, rows = x.Shape.Rows;
            for (int r = 0; r < rows; r++)
            {
                ReadOnlySpan<float> yr = y.Data.Slice(r * n, n), dy = y.Grad.Slice(r * n, n);
                Span<float> dx = x.Grad.Slice(r * n, n);
                float dot = TensorPrimitives.Dot(yr, dy), inv = 1f / norms[r];
                for (int i = 0; i < n; i++)
                    dx[i] += (dy[i] - yr[i] * dot) * inv;
            }
        });
        return y;
    }
}

using System.Numerics.Tensors;
using Attend.Kernels;

namespace Attend.Tensors;

public static partial class Ops
{
    // Multipliers are generated this many at a time on the stack, then applied.
    private const int DropoutChunk = 256;

    /// <summary>
    /// Inverted dropout: each element is zeroed with probability p and the rest scaled by 1 / (1 - p), by the next
    /// counter-based mask of <paramref name="masks"/> (<see cref="DropoutMasks.NextCounterMask"/>, one slice per entry of
    /// the outermost dimension, as <see cref="DropoutMasks.Fill"/> cuts it), so runs are reproducible. The mask is not
    /// stored: the backward pass regenerates it. p = 0 (or an empty x) returns x itself. dX += dY * mask / (1 - p).
    /// </summary>
    public static Tensor Dropout(Tensor x, float p, DropoutMasks masks)
    {
        if (p is < 0f or >= 1f || float.IsNaN(p))
            throw new ArgumentException($"Dropout: probability must be in [0, 1), got {p}");
        if (p == 0f || x.Length == 0)
            return x;
        int batch = x.Shape[0];
        DropoutMasks.CounterMask mask = masks.NextCounterMask(batch);
        Tensor y = Tensor.Result(x.Shape, x);
        ApplyDropout(mask, batch, p, x.ReadOnlyData, y.Data, accumulate: false);
        (y.Saved.Counter, y.Saved.Scalar) = (mask, p);
        y.SetBackward(static y =>
        {
            // Saved: Counter = the mask, Scalar = p
            Tensor x = y.Input0;
            if (x.RequiresGrad)
            {
                Span<float> dX = x.GradToOverwrite(out bool overwrite);
                ApplyDropout(y.Saved.Counter, x.Shape[0], y.Saved.Scalar, y.Grad, dX, accumulate: !overwrite);
            }
        });
        return y;
    }

    // destination = source * mask, or destination += source * mask, entry by entry of the outermost dimension.
    private static void ApplyDropout(DropoutMasks.CounterMask mask, int batch, float p, ReadOnlySpan<float> source, Span<float> destination, bool accumulate)
    {
        Span<float> multipliers = stackalloc float[DropoutChunk];
        int size = source.Length / batch;
        for (int b = 0; b < batch; b++)
        {
            ulong seed = mask.Seed(b);
            long offset = mask.Offset(b, size);
            for (int i = 0; i < size; i += DropoutChunk)
            {
                int n = Math.Min(DropoutChunk, size - i);
                CounterDropout.Multipliers(seed, offset + i, p, multipliers[..n]);
                ReadOnlySpan<float> from = source.Slice(b * size + i, n);
                Span<float> to = destination.Slice(b * size + i, n);
                if (accumulate)
                    TensorPrimitives.MultiplyAdd(from, multipliers[..n], to, to);
                else
                    TensorPrimitives.Multiply(from, multipliers[..n], to);
            }
        }
    }
}

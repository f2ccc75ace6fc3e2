namespace Attend.Tensors;

public static partial class Ops
{
    /// <summary>
    /// Inverted dropout: each element is zeroed with probability p and the rest scaled by 1 / (1 - p), drawn from
    /// <paramref name="masks"/> so runs are reproducible. p = 0 returns x itself. dX += dY * mask / (1 - p).
    /// </summary>
    public static Tensor Dropout(Tensor x, float p, DropoutMasks masks)
    {
        if (p is < 0f or >= 1f || float.IsNaN(p))
            throw new ArgumentException($"Dropout: probability must be in [0, 1), got {p}");
        if (p == 0f)
            return x;
        float[] mask = Workspace.Rent(x.Length, clear: false);
        masks.Fill(mask.AsSpan(0, x.Length), p);
        Tensor y = Tensor.Result(x.Shape, x);
        System.Numerics.Tensors.TensorPrimitives.Multiply(x.Data, mask.AsSpan(0, x.Length), y.Data);
        y.SaveForBackward(mask);
        y.SetBackward(static y =>
        {
            // Saved: Buffer0 = the multipliers, 0 or 1 / (1 - p)
            Tensor x = y.Input0;
            float[] mask = y.Saved.Buffer0!;
            if (x.RequiresGrad)
                System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(y.Grad, mask.AsSpan(0, x.Length), x.Grad, x.Grad);
            Workspace.Release(mask);
        });
        return y;
    }
}

namespace Attend.Tensors;

public static partial class Ops
{
    /// <summary>
    /// y = value where mask != 0, else x; the mask broadcasts to x (a padding mask over heads, a causal triangle over the batch).
    /// dX += dY where mask == 0. The mask receives no gradient.
    /// </summary>
    public static Tensor MaskedFill(Tensor x, Tensor mask, float value)
    {
        var bc = new Broadcast("MaskedFill", x.Shape, mask.Shape);
        if (bc.Output != x.Shape)
            throw new ArgumentException($"MaskedFill: mask {mask.Shape} does not broadcast to input {x.Shape}");
        float[] expanded = Workspace.Rent(x.Length, clear: false);
        bc.ExpandB(mask.ReadOnlyData, expanded);
        Tensor y = Tensor.Result(x.Shape, x);
        ReadOnlySpan<float> xd = x.ReadOnlyData;
        Span<float> yd = y.Data;
        for (int i = 0; i < yd.Length; i++)
            yd[i] = expanded[i] != 0f ? value : xd[i];
        y.SaveForBackward(expanded);
        y.SetBackward(static y =>
        {
            // Saved: Buffer0 = the mask expanded to the input's shape
            Tensor x = y.Input0;
            float[] expanded = y.Saved.Buffer0!;
            if (x.RequiresGrad)
            {
                ReadOnlySpan<float> dY = y.Grad;
                Span<float> dX = x.Grad;
                for (int i = 0; i < dX.Length; i++)
                    if (expanded[i] == 0f)
                        dX[i] += dY[i];
            }
            Workspace.Release(expanded);
        });
        return y;
    }
}

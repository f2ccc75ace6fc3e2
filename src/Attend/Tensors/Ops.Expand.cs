namespace Attend.Tensors;

public static partial class Ops
{
    /// <summary>
    /// Repeats x along its dimensions of size 1 (and missing leading ones) to <paramref name="dims"/> (NumPy's broadcast_to,
    /// a copy): a learned [1, 1, D] token for every image of a batch. Backward sums dY over the repeated dimensions.
    /// </summary>
    public static Tensor Expand(Tensor x, params ReadOnlySpan<int> dims)
    {
        var target = new Shape(dims);
        var bc = new Broadcast("Expand", target, x.Shape);
        if (bc.Output != target)
            throw new ArgumentException($"Expand: {x.Shape} does not expand to {target}");
        Tensor y = Tensor.Result(target, x);
        bc.ExpandB(x.ReadOnlyData, y.Data);
        y.SetBackward(static y =>
        {
            Tensor x = y.Input0;
            if (x.RequiresGrad)
                new Broadcast("Expand", y.Shape, x.Shape).ReduceIntoB(y.Grad, x.Grad);
        });
        return y;
    }
}

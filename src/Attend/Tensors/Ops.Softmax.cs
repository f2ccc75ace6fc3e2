using Attend.Kernels;

namespace Attend.Tensors;

public static partial class Ops
{
    /// <summary>Softmax over the last dimension, stable (the row maximum is subtracted). dX += y (dY - sum(y dY)).</summary>
    public static Tensor Softmax(Tensor x)
    {
        int n = x.Shape.Last, rows = x.Shape.Rows;
        Tensor y = Tensor.Result(x.Shape, x);
        RowParallel.For(rows, n * 4L, (x, y), static (a, s, e, _) =>
        {
            int n = a.x.Shape.Last;
            for (int r = s; r < e; r++)
                Kernels.Softmax.Forward(a.x.ReadOnlyData.Slice(r * n, n), a.y.Data.Slice(r * n, n));
        });
        y.SetBackward(static y =>
        {
            Tensor x = y.Input0;
            int n = x.Shape.Last, rows = x.Shape.Rows;
            if (!x.RequiresGrad)
                return;
            for (int r = 0; r < rows; r++)
                Kernels.Softmax.Backward(y.Data.Slice(r * n, n), y.Grad.Slice(r * n, n), x.Grad.Slice(r * n, n));
        });
        return y;
    }

    /// <summary>Log-softmax over the last dimension. dX += dY - exp(y) sum(dY).</summary>
    public static Tensor LogSoftmax(Tensor x)
    {
        int n = x.Shape.Last, rows = x.Shape.Rows;
        Tensor y = Tensor.Result(x.Shape, x);
        RowParallel.For(rows, n * 4L, (x, y), static (a, s, e, _) =>
        {
            int n = a.x.Shape.Last;
            for (int r = s; r < e; r++)
                Kernels.Softmax.LogForward(a.x.ReadOnlyData.Slice(r * n, n), a.y.Data.Slice(r * n, n));
        });
        y.SetBackward(static y =>
        {
            Tensor x = y.Input0;
            int n = x.Shape.Last, rows = x.Shape.Rows;
            if (!x.RequiresGrad)
                return;
            for (int r = 0; r < rows; r++)
                Kernels.Softmax.LogBackward(y.Data.Slice(r * n, n), y.Grad.Slice(r * n, n), x.Grad.Slice(r * n, n));
        });
        return y;
    }
}

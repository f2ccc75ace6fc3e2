using System.Numerics.Tensors;

namespace Attend.Tensors;

public static partial class Ops
{
    /// <summary>y = sum of all elements (a one-element tensor). dX += dY.</summary>
    public static Tensor Sum(Tensor x)
    {
        Tensor y = Tensor.Result(new Shape(1), x);
        y.Data[0] = TensorPrimitives.Sum(x.ReadOnlyData);
        y.SetBackward(static y =>
        {
            Tensor x = y.Input0;
            if (x.RequiresGrad)
                TensorPrimitives.Add(x.Grad, y.Grad[0], x.Grad);
        });
        return y;
    }

    /// <summary>y = mean of all elements. dX += dY / n.</summary>
    public static Tensor Mean(Tensor x)
    {
        Tensor y = Tensor.Result(new Shape(1), x);
        int n = Math.Max(1, x.Length);
        y.Data[0] = TensorPrimitives.Sum(x.ReadOnlyData) / n;
        y.SetBackward(static y =>
        {
            Tensor x = y.Input0;
            if (x.RequiresGrad)
                TensorPrimitives.Add(x.Grad, y.Grad[0] / Math.Max(1, x.Length), x.Grad);
        });
        return y;
    }
}

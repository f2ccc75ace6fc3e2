using Attend.Kernels;

namespace Attend.Tensors;

public static partial class Ops
{
    /// <summary>y = max(0, x). dX += dY where x &gt; 0.</summary>
    public static Tensor Relu(Tensor x)
    {
        Tensor y = Tensor.Result(x.Shape, x);
        Activations.Relu(x.ReadOnlyData, y.Data);
        y.SetBackward(static y =>
        {
            Tensor x = y.Input0;
            if (x.RequiresGrad)
                Activations.ReluBackward(x.ReadOnlyData, y.Grad, x.GradToOverwrite(out bool overwrite), accumulate: !overwrite);
        });
        return y;
    }

    /// <summary>y = x Phi(x), the exact GELU. dX += dY (Phi(x) + x phi(x)).</summary>
    public static Tensor Gelu(Tensor x)
    {
        Tensor y = Tensor.Result(x.Shape, x);
        Activations.Gelu(x.ReadOnlyData, y.Data);
        y.SetBackward(static y =>
        {
            Tensor x = y.Input0;
            if (x.RequiresGrad)
                Activations.GeluBackward(x.ReadOnlyData, y.Grad, x.GradToOverwrite(out bool overwrite), accumulate: !overwrite);
        });
        return y;
    }

    /// <summary>
    /// y = 0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3))), GPT-2's GELU ("gelu_new").
    /// dX += dY (0.5 (1 + t) + 0.5 x (1 - t^2) sqrt(2 / pi) (1 + 0.134145 x^2)).
    /// </summary>
    public static Tensor GeluTanh(Tensor x)
    {
        Tensor y = Tensor.Result(x.Shape, x);
        Activations.GeluTanh(x.ReadOnlyData, y.Data);
        y.SetBackward(static y =>
        {
            Tensor x = y.Input0;
            if (x.RequiresGrad)
                Activations.GeluTanhBackward(x.ReadOnlyData, y.Grad, x.Grad);
        });
        return y;
    }

    /// <summary>y = tanh(x). dX += dY (1 - y^2).</summary>
    public static Tensor Tanh(Tensor x)
    {
        Tensor y = Tensor.Result(x.Shape, x);
        Activations.Tanh(x.ReadOnlyData, y.Data);
        y.SetBackward(static y =>
        {
            Tensor x = y.Input0;
            if (x.RequiresGrad)
                Activations.TanhBackward(y.Data, y.Grad, x.Grad);
        });
        return y;
    }
}

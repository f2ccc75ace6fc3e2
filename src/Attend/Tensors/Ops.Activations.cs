using Attend.Kernels;

namespace Attend.Tensors;

public static partial class Ops
{
    /// <summary>y = max(0, x). dX += dY where x &gt; 0.</summary>
    public static Tensor Relu(Tensor x)
    {
        Tensor y = Tensor.Result(x.Shape, x);
        Activations.Relu(x.Data, y.Data);
        y.SetBackward(static y =>
        {
            Tensor x = y.Input0;
            if (x.RequiresGrad)
                Activations.ReluBackward(x.Data, y.Grad, x.GradToOverwrite(out bool overwrite), accumulate: !overwrite);
        });
        return y;
    }

    /// <summary>y = x Phi(x), the exact GELU. dX += dY (Phi(x) + x phi(x)).</summary>
    public static Tensor Gelu(Tensor x)
    {
        Tensor y = Tensor.Result(x.Shape, x);
        Activations.Gelu(x.Data, y.Data);
        y.SetBackward(static y =>
        {
            Tensor x = y.Input0;
            if (x.RequiresGrad)
                Activations.GeluBackward(x.Data, y.Grad, x.GradToOverwrite(out bool overwrite), accumulate: !overwrite);
        });
        return y;
    }
}

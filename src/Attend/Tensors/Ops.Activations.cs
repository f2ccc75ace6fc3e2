using Attend.Kernels;

namespace Attend.Tensors;

public static partial class Ops
{
    // The GELUs run on the kernel threads in blocks of this many values: a multiple of every vector width, so each value
    // takes the same path through its kernel (vector loop or scalar tail) as in one call over the whole tensor, and the
    // result does not depend on the thread count.
    private const int ActivationBlock = 1024;

    // About the arithmetic of one GELU value (an exponential, a division, a polynomial), as RowParallel counts work.
    private const long ActivationWorkPerBlock = ActivationBlock * 24L;

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
        InBlocks(x.Length, (x, y), static (s, from, to) => Activations.Gelu(s.x.ReadOnlyData[from..to], s.y.Data[from..to]));
        y.SetBackward(static y =>
        {
            Tensor x = y.Input0;
            if (!x.RequiresGrad)
                return;
            // Both gradients are made ready once, before the blocks, so the blocks' reads of Grad clear nothing.
            _ = y.Grad;
            x.GradToOverwrite(out bool overwrite);
            InBlocks(x.Length, (x, y, overwrite), static (s, from, to) =>
                Activations.GeluBackward(s.x.ReadOnlyData[from..to], s.y.Grad[from..to], s.x.Grad[from..to], accumulate: !s.overwrite));
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
        InBlocks(x.Length, (x, y), static (s, from, to) => Activations.GeluTanh(s.x.ReadOnlyData[from..to], s.y.Data[from..to]));
        y.SetBackward(static y =>
        {
            Tensor x = y.Input0;
            if (!x.RequiresGrad)
                return;
            _ = y.Grad;                                     // made ready once, before the blocks
            _ = x.Grad;
            InBlocks(x.Length, (x, y), static (s, from, to) =>
                Activations.GeluTanhBackward(s.x.ReadOnlyData[from..to], s.y.Grad[from..to], s.x.Grad[from..to]));
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

    // Runs body(state, from, to) over [0, length) in ActivationBlock-aligned ranges, on the kernel threads when it pays.
    private static void InBlocks<TState>(int length, TState state, Action<TState, int, int> body)
    {
        int blocks = (length + ActivationBlock - 1) / ActivationBlock;
        if (RowParallel.Workers(blocks, ActivationWorkPerBlock) <= 1)
        {
            body(state, 0, length);
            return;
        }
        RowParallel.For(blocks, ActivationWorkPerBlock, (state, body, length), static (s, start, end, _) =>
            s.body(s.state, start * ActivationBlock, Math.Min(s.length, end * ActivationBlock)));
    }
}

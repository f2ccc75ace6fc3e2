using System.Numerics.Tensors;

namespace Attend.Tensors;

public static partial class Ops
{
    /// <summary>y = a + b with broadcasting (bias over rows, mask over heads). dA += dY, dB += dY, each summed over its stretched dimensions.</summary>
    public static Tensor Add(Tensor a, Tensor b) => Binary("Add", a, b, BinaryKind.Add);

    /// <summary>y = a - b with broadcasting. dA += dY, dB -= dY.</summary>
    public static Tensor Subtract(Tensor a, Tensor b) => Binary("Subtract", a, b, BinaryKind.Subtract);

    /// <summary>y = a * b element-wise with broadcasting. dA += dY * b, dB += dY * a.</summary>
    public static Tensor Multiply(Tensor a, Tensor b) => Binary("Multiply", a, b, BinaryKind.Multiply);

    /// <summary>y = a / b element-wise with broadcasting. dA += dY / b, dB -= dY * a / b^2.</summary>
    public static Tensor Divide(Tensor a, Tensor b) => Binary("Divide", a, b, BinaryKind.Divide);

    /// <summary>y = s * x. dX += s * dY.</summary>
    public static Tensor Scale(Tensor x, float s)
    {
        Tensor y = Tensor.Result(x.Shape, x);
        TensorPrimitives.Multiply(x.ReadOnlyData, s, y.Data);
        y.Saved.Scalar = s;
        y.SetBackward(static y =>
        {
            Tensor x = y.Input0;
            if (x.RequiresGrad)
                TensorPrimitives.MultiplyAdd(y.Grad, y.Saved.Scalar, x.Grad, x.Grad);
        });
        return y;
    }

    private static Tensor Binary(string op, Tensor a, Tensor b, BinaryKind kind)
    {
        var bc = new Broadcast(op, a.Shape, b.Shape);
        Tensor y = Tensor.Result(bc.Output, a, b);
        bc.Apply(a.ReadOnlyData, b.ReadOnlyData, y.Data, kind);
        y.Saved.Int0 = (int)kind;
        y.SetBackward(static y => BinaryBackward(y));
        return y;
    }

    // dX = dY (or -dY) when x has the output's shape and its gradient has not been written yet; false otherwise.
    private static bool TryOverwrite(Tensor x, ReadOnlySpan<float> dY, bool negate)
    {
        if (x.Length != dY.Length)
            return false;
        Span<float> dX = x.GradToOverwrite(out bool overwrite);
        if (!overwrite)
            return false;
        if (negate)
            TensorPrimitives.Negate(dY, dX);
        else
            dY.CopyTo(dX);
        return true;
    }

    // Saved: Int0 = the BinaryKind; the broadcast is worked out again from the inputs' shapes.
    private static void BinaryBackward(Tensor y)
    {
        Tensor a = y.Input0, b = y.Input1;
        var kind = (BinaryKind)y.Saved.Int0;
        var bc = new Broadcast("Binary", a.Shape, b.Shape);   // the forward pass checked these shapes
        ReadOnlySpan<float> dY = y.Grad;
        if (kind is BinaryKind.Add or BinaryKind.Subtract)
        {
            // An operand of the output's own shape whose gradient nobody has written yet gets a copy, not a sum.
            if (a.RequiresGrad && !TryOverwrite(a, dY, negate: false))
                bc.ReduceIntoA(dY, a.Grad);
            if (b.RequiresGrad && !TryOverwrite(b, dY, negate: kind == BinaryKind.Subtract))
            {
                if (kind == BinaryKind.Add)
                {
                    bc.ReduceIntoB(dY, b.Grad);
                }
                else
                {
                    float[] negated = Workspace.Rent(dY.Length, clear: false);
                    TensorPrimitives.Negate(dY, negated.AsSpan(0, dY.Length));
                    bc.ReduceIntoB(negated.AsSpan(0, dY.Length), b.Grad);
                    Workspace.Release(negated);
                }
            }
            return;
        }
        float[] tmpBuffer = Workspace.Rent(dY.Length, clear: false), otherBuffer = Workspace.Rent(dY.Length, clear: false);
        Span<float> tmp = tmpBuffer.AsSpan(0, dY.Length), other = otherBuffer.AsSpan(0, dY.Length);
        if (a.RequiresGrad)
        {
            bc.ExpandB(b.ReadOnlyData, other);
            if (kind == BinaryKind.Multiply)
                TensorPrimitives.Multiply(dY, other, tmp);
            else
                TensorPrimitives.Divide(dY, other, tmp);
            bc.ReduceIntoA(tmp, a.Grad);
        }
        if (b.RequiresGrad)
        {
            bc.ExpandA(a.ReadOnlyData, other);
            if (kind == BinaryKind.Multiply)
            {
                TensorPrimitives.Multiply(dY, other, tmp);
            }
            else
            {
                // d(a/b)/db = -a / b^2 = -y / b
                bc.ExpandB(b.ReadOnlyData, other);
                TensorPrimitives.Multiply(dY, y.Data, tmp);
                TensorPrimitives.Divide(tmp, other, tmp);
                TensorPrimitives.Negate(tmp, tmp);
            }
            bc.ReduceIntoB(tmp, b.Grad);
        }
        Workspace.Release(tmpBuffer);
        Workspace.Release(otherBuffer);
    }
}

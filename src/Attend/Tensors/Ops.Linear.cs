using System.Numerics.Tensors;
using Attend.Kernels;

namespace Attend.Tensors;

public static partial class Ops
{
    // Columns per block of the parallel bias-gradient sum.
    private const int BiasBlock = 64;

    /// <summary>
    /// y = x W^T + b, as PyTorch's nn.Linear: x [..., in], W [out, in], b [out] or null; y [..., out].
    /// Backward: dX += dY W, dW += dY^T X, db += the column sums of dY.
    /// </summary>
    public static Tensor Linear(Tensor x, Tensor weight, Tensor? bias)
    {
        int inF = x.Shape.Last, outF = weight.Shape[0];
        if (weight.Shape.Rank != 2 || weight.Shape[1] != inF)
            throw new ArgumentException($"Linear: input {x.Shape} does not fit weight {weight.Shape}");
        if (bias is not null && (bias.Shape.Rank != 1 || bias.Length != outF))
            throw new ArgumentException($"Linear: bias {bias.Shape} does not fit weight {weight.Shape}");
        int rows = x.Shape.Rows;
        Tensor y = bias is null ? Tensor.Result(x.Shape.WithLast(outF), x, weight) : Tensor.Result(x.Shape.WithLast(outF), x, weight, bias);
        Span<float> yd = y.Data;
        // Inference (nothing to send gradients to) reuses the weight packed for the product's path, unless the path
        // reads it in place; the product then adds the bias tile by tile, without a pass over y before it.
        if (!y.RequiresGrad && WeightPacks.Enabled && weight.Packs is { } packs && Gemm.PathFor(rows, transposeB: true) is var path && path != GemmPath.SmallRows)
        {
            Gemm.MultiplyPacked(rows, 1f, x.ReadOnlyData, inF, packs.Get(weight.Buffer, weight.Offset, outF, inF, path),
                bias is null ? [] : bias.ReadOnlyData, yd, outF);
        }
        else
        {
            float beta = 0f;
            if (bias is not null)
            {
                ReadOnlySpan<float> bd = bias.ReadOnlyData;
                for (int r = 0; r < rows; r++)
                    bd.CopyTo(yd.Slice(r * outF, outF));
                beta = 1f;
            }
            Gemm.Multiply(false, true, rows, outF, inF, 1f, x.ReadOnlyData, inF, weight.ReadOnlyData, inF, beta, yd, outF);
        }
        y.SetBackward(static y => LinearBackward(y));
        return y;
    }

    private static void LinearBackward(Tensor y)
    {
        Tensor x = y.Input0, weight = y.Input1;
        Tensor? bias = y.Input2;
        int inF = x.Shape.Last, outF = weight.Shape[0], rows = x.Shape.Rows;
        ReadOnlySpan<float> dY = y.Grad;
        if (x.RequiresGrad)
        {
            Span<float> dX = x.GradToOverwrite(out bool overwrite);
            Gemm.Multiply(false, false, rows, inF, outF, 1f, dY, outF, weight.ReadOnlyData, inF, overwrite ? 0f : 1f, dX, inF);
        }
        if (weight.RequiresGrad)
            Gemm.Multiply(true, false, outF, inF, rows, 1f, dY, outF, x.ReadOnlyData, inF, 1f, weight.Grad, inF);
        if (bias is not null && bias.RequiresGrad)
        {
            // Column blocks in parallel; each block sums the rows in order, so the result is the same for any thread count.
            bias.PrepareGrad();
            int blocks = (outF + BiasBlock - 1) / BiasBlock;
            RowParallel.For(blocks, (long)rows * BiasBlock, (y, bias), static (a, s, e, _) =>
            {
                int outF = a.bias.Length, rows = a.y.Shape.Rows;
                int c0 = s * BiasBlock, width = Math.Min(outF, e * BiasBlock) - c0;
                Span<float> dB = a.bias.Grad.Slice(c0, width);
                ReadOnlySpan<float> grad = a.y.Grad;
                for (int r = 0; r < rows; r++)
                    TensorPrimitives.Add(dB, grad.Slice(r * outF + c0, width), dB);
            });
        }
    }
}
